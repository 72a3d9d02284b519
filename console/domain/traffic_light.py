"""The deadline clock's marks and the traffic light (红黄绿灯).

A case on the clock has a start (its dispatch), a limit (from its deadline rule) plus approved
extensions, and the clock time it spent suspended (挂账: the clock stops). From these follow two
instants: ``warning_at`` (the warning share of the limit used → yellow) and ``deadline_at``
(the whole limit used → red). Storing both lets the queues and the overdue scan find yellow and
red cases with an indexed comparison instead of clock maths per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from console.domain.time_limits import LimitUnit, TimeLimit
from console.domain.worktime import WorkCalendar


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class ClockMarks:
    warning_at: datetime
    deadline_at: datetime


def add_clock(cal: WorkCalendar, start: datetime, seconds: float, unit: LimitUnit) -> datetime:
    """``start`` plus ``seconds`` of the limit's clock (natural for 紧急, working otherwise)."""
    if unit is LimitUnit.HOURS:
        return start + timedelta(seconds=seconds)
    return cal.add_work_seconds(start, seconds)


def clock_marks(
    cal: WorkCalendar,
    start: datetime,
    limit: TimeLimit,
    *,
    extension: float = 0.0,
    suspended_seconds: float = 0.0,
    warning_share: float = 0.8,
) -> ClockMarks:
    """Warning and deadline instants for a clock started at ``start``.

    ``extension`` is in the limit's unit; ``suspended_seconds`` is clock time spent suspended,
    which pushes both marks back.
    """
    if not 0.0 < warning_share <= 1.0:
        raise ValueError(f"warning share must be in (0, 1], got {warning_share}")
    total = TimeLimit(limit.value + extension, limit.unit).clock_seconds(cal)
    return ClockMarks(
        warning_at=add_clock(cal, start, total * warning_share + suspended_seconds, limit.unit),
        deadline_at=add_clock(cal, start, total + suspended_seconds, limit.unit),
    )


def traffic_light(
    now: datetime, warning_at: datetime | None, deadline_at: datetime | None
) -> Light | None:
    """The light at ``now``; None for a case not on the clock."""
    if deadline_at is None:
        return None
    if now >= deadline_at:
        return Light.RED
    if warning_at is not None and now >= warning_at:
        return Light.YELLOW
    return Light.GREEN
