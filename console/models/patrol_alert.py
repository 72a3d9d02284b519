"""Patrol-gap alerts (巡查缺漏): at the end of a day, one alert per street whose grids were left
unpatrolled, and the days already checked."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class PatrolAlert(Base):
    """The grids of one street not patrolled within their frequency by the end of one day.

    Raised exactly once per (day, street): the unique key is what lets several seats and a duty
    server raise at the same moment, or a console catch up after downtime, without raising
    anything twice (console.services.patrol_alerts).
    """

    __tablename__ = "patrol_alerts"
    __table_args__ = (
        UniqueConstraint("day", "street_id"),
        Index("ix_patrol_alerts_unacknowledged", "acknowledged_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The local calendar day whose patrols fell short.
    day: Mapped[date] = mapped_column(Date)
    street_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    street_name: Mapped[str] = mapped_column(String(100))
    #: How many grids, and their codes (comma-separated, by code).
    grid_count: Mapped[int] = mapped_column(Integer)
    grid_codes: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)
    #: The street committee the alert goes to (None: no active committee; the street's name).
    recipient_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    recipient_name: Mapped[str] = mapped_column(String(100))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(50))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PatrolAlertDay(Base):
    """A day whose patrol gaps were checked (alerts raised or none due), once: the catch-up
    after downtime checks only the days missing here."""

    __tablename__ = "patrol_alert_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: How many streets got an alert, and how many grids they had between them.
    streets: Mapped[int] = mapped_column(Integer)
    grids: Mapped[int] = mapped_column(Integer)
