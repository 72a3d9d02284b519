"""The district's five levels of places: district → street → area → unit → grid."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.domain.geography_rules import RegionLevel
from console.models.base import Base

__all__ = ["Region", "RegionLevel"]


class Region(Base):
    """One place at any of the five levels; its polygon is GeoJSON in WGS-84.

    Code layout (see README, "Codes"): district 6 digits, street 9, area 11 (street + 2),
    unit 12 (the community's statistical code), grid 15 (unit + 3).
    """

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(15), unique=True)
    level: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    #: GeoJSON geometry (Polygon or MultiPolygon), WGS-84 lon/lat.
    geometry: Mapped[str | None] = mapped_column(Text)
    area_km2: Mapped[float | None] = mapped_column(Float)
    #: True for generated demo polygons: never mistake them for surveyed boundaries.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Free text: e.g. the community names merged into one management unit.
    note: Mapped[str | None] = mapped_column(String(500))

    parent: Mapped[Region | None] = relationship(remote_side=[id])
