"""The register's objects of one category near a point: what a 部件 report proposes (the intake
form and the field app, issue 17: within 30 m, nearest first).

One indexed range read (ix_components_category_lat_lon: the category, a band of latitude, the
longitude from the index) then the exact great-circle distance on the few rows in the box; no
scan of the register. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import Category, Component
from console.services.components.rules import register_rules, statuses
from console.services.duplicates import box_around, distance_m


@dataclass(frozen=True)
class NearbyComponent:
    id: int
    identifier: str
    name: str
    category_code: str
    status: str
    status_label: str
    address: str | None
    lon: float
    lat: float
    distance_m: float


def nearby_components(
    s: Session,
    category_code: str,
    lon: float,
    lat: float,
    *,
    radius_m: float | None = None,
    limit: int | None = None,
) -> list[NearbyComponent]:
    """The objects of ``category_code`` (a GB/T 47678.5-2026 component code; a CJ/T 214 one is
    read as its successor, the register's class) within ``radius_m`` of the point, nearest
    first. A code with no successor has no objects in the register."""
    if len(category_code) != 5:
        successor = s.scalar(
            select(Category.successor_code).where(
                Category.taxonomy == "cjt214",
                Category.kind == "component",
                Category.code == category_code,
            )
        )
        if successor is None:
            return []
        category_code = successor
    rules = register_rules()
    radius = rules.nearby_radius_m if radius_m is None else radius_m
    most = rules.nearby_max if limit is None else limit
    lon_min, lon_max, lat_min, lat_max = box_around(lon, lat, radius)
    rows = s.execute(
        select(
            Component.id,
            Component.identifier,
            Component.name,
            Component.category_code,
            Component.status,
            Component.address,
            Component.lon,
            Component.lat,
        ).where(
            Component.category_code == category_code,
            Component.lat.between(lat_min, lat_max),
            Component.lon.between(lon_min, lon_max),
        )
    ).all()
    labels = statuses()
    found = []
    for row in rows:
        d = float(distance_m(lon, lat, row.lon, row.lat))
        if d <= radius:
            label = labels[row.status].label_zh if row.status in labels else row.status
            found.append(
                NearbyComponent(
                    id=row.id,
                    identifier=row.identifier,
                    name=row.name,
                    category_code=row.category_code,
                    status=row.status,
                    status_label=label,
                    address=row.address,
                    lon=row.lon,
                    lat=row.lat,
                    distance_m=round(d, 1),
                )
            )
    found.sort(key=lambda c: (c.distance_m, c.identifier))
    return found[:most]
