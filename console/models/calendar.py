"""The working calendar's official schedules, shared by every seat (not a file on one machine).

A year with a ``calendar_years`` row is *official*: its ``calendar_days`` are the complete list of
the State Council's holidays and adjusted workdays for that year, and they win over the
chinese-calendar package and over the statutory rule (console.domain.statutory_holidays).
``calendar_changes`` is the audit of every import and edit: append-only, like case_events.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class CalendarYear(Base):
    """A year whose schedule an admin loaded: from then on official."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(50))
    #: Where the schedule came from: the imported file's name, or "console" for an edit.
    source: Mapped[str] = mapped_column(String(200))


class CalendarDay(Base):
    """One day of an official year that is not an ordinary weekday/weekend."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year"), index=True)
    #: holiday (放假, a bridge's weekdays included) or workday (调休上班).
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(40), default="")


class CalendarChange(Base):
    """Who changed which year's schedule, when, and what (JSON). Append-only."""

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    year: Mapped[int] = mapped_column(Integer, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(50))
    #: import | edit
    action: Mapped[str] = mapped_column(String(12))
    #: JSON: the days added, removed and changed, and how many open cases' deadlines moved.
    detail: Mapped[str] = mapped_column(Text)
