"""二级派遣 (sub-dispatch): a street sends a case dispatched to its committee on to one of its
own forces — the case's unit (community), a staff member of the case's grid, or one of the
street's stations — with a limit inside the district's deadline (issue 16 §2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class SubTask(Base):
    """One sub-dispatch of a case inside its street; at most one open per case at a time.

    The case's own events carry the steps (sub_dispatch, sub_feedback), so the district sees
    the chain in the timeline; this row is what is open now and by when.
    """

    __tablename__ = "sub_tasks"
    __table_args__ = (Index("ix_sub_tasks_open", "done_at", "deadline_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: "unit" (the case's unit: its 单元长 answers), "staff" (一格七员 of the case's grid) or
    #: "station" (the street's stations: resources/org/street_stations.csv).
    target_kind: Mapped[str] = mapped_column(String(10))
    #: The unit's region id, the grid staff row's id, or None for a station.
    target_id: Mapped[int | None] = mapped_column(Integer)
    #: The station's code (resources/org/street_stations.csv), else None.
    target_code: Mapped[str | None] = mapped_column(String(30))
    #: As the timeline and the detail show it, e.g. "莲湖路第一社区（单元长）".
    target_name: Mapped[str] = mapped_column(String(100))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_by_name: Mapped[str] = mapped_column(String(50))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_name: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
