"""Supervision: alerts raised on the deadline clock (预警, 超期, 督办), the duty roster, handovers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class Alert(Base):
    """One alert on one case: a yellow warning, red overdue, or a 督办 level 1–3.

    Raised exactly once per (case, level, cycle): the unique key is what lets several seats
    and a duty server scan at the same moment, or a console catch up after downtime, without
    raising anything twice. ``cycle`` is the case's dispatch count: a case re-dispatched to
    another department starts a new clock, and so a new round of alerts.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("case_id", "level", "cycle"),
        Index("ix_alerts_unacknowledged", "acknowledged_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: "warning", "overdue", "supervise_1", "supervise_2", "supervise_3"
    level: Mapped[str] = mapped_column(String(16))
    cycle: Mapped[int] = mapped_column(Integer)
    #: When the mark was crossed on the case's clock (not when a scan noticed it).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)
    #: Who the alert goes to: "department", "street_leadership", "district_office".
    recipient_kind: Mapped[str] = mapped_column(String(24))
    recipient_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    recipient_name: Mapped[str] = mapped_column(String(100))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(50))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DutyShift(Base):
    """Who is on duty (值班长, 派遣员) from ``starts_at`` to ``ends_at``."""

    __tablename__ = "duty_shifts"
    __table_args__ = (
        UniqueConstraint("starts_at", "role", "user_id"),
        Index("ix_duty_shifts_span", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Handover(Base):
    """A shift handover (交接班): the summary both officers sign, and their notes."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shift_start: Mapped[datetime] = mapped_column(UTCDateTime)
    shift_end: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outgoing_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    incoming_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: JSON: the counts and lists of the summary as built at handover time.
    summary: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    outgoing_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incoming_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
