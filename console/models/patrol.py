"""Grid patrols (网格定期巡查): a person's patrol, its track points, its point batches and,
once it has ended, its coverage per grid and day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class Patrol(Base):
    """One patrol by one person: open while ``ended_at`` is None (one open patrol per
    person, checked by console.services.patrols); distance and duration are set at its end."""

    __tablename__ = "patrols"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    distance_m: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float)


class PatrolPoint(Base):
    """One position of a patrol's track. Compact: the key is (patrol, sequence), no id."""

    __tablename__ = "patrol_points"

    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Server time the point was received (server time wins); the device's clock is kept.
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    #: The accuracy the device gave, in metres.
    accuracy: Mapped[float | None] = mapped_column(Float)


class PatrolBatch(Base):
    """A batch of points as sent under the device's idempotency key: a resend of the same
    batch gets the stored answer and writes nothing."""

    __tablename__ = "patrol_batches"
    __table_args__ = (UniqueConstraint("patrol_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PatrolGridCoverage(Base):
    """A patrol's coverage of one grid on one local day, stored when the patrol ends
    (console.services.patrols): metres of track inside the grid and whether it was visited
    (a point in it, or track through it). Only grids visited are stored. The day splits a
    patrol over midnight as a day's coverage does (a segment across midnight counts on neither
    day), so a period's figures come from these rows without reading the tracks again."""

    __tablename__ = "patrol_grid_coverage"
    #: A period's sums by day and grid read from the index alone (no table lookups).
    __table_args__ = (Index("ix_patrol_grid_coverage_day_grid", "day", "grid_id", "metres"),)

    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id"), primary_key=True)
    #: The local (Asia/Shanghai) day of the points, as a date.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    metres: Mapped[float] = mapped_column(Float)
    visited: Mapped[bool] = mapped_column(Boolean)
