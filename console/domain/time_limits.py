"""Time limits (处置时限) and the clock each one runs on.

Three units:

* ``WORK_HOURS`` (工作时): hours of working time on the :class:`WorkCalendar`.
* ``WORKDAYS`` (工作日): **1 工作日 = one working day's length of working time** (8 working hours
  with the default office hours), counted on the working clock. So a case dispatched on
  Wednesday 16:00 with "1工作日" is due Thursday 16:00 (holidays and evenings skipped), not at the
  end of Thursday. This keeps fractional limits ("0.5工作日") and the traffic-light share maths
  on a single clock.
* ``HOURS`` (小时): natural hours, running continuously. 紧急 limits (紧急工作时, 紧急小时) are
  parsed to this unit: urgent cases are not paused by nights or holidays.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from console.domain.worktime import WorkCalendar
from console.errors import InvalidTimeLimitError


class LimitUnit(StrEnum):
    WORK_HOURS = "work_hours"
    WORKDAYS = "workdays"
    HOURS = "hours"  # natural clock (紧急)


_UNIT_LABELS = {
    LimitUnit.WORK_HOURS: "工作时",
    LimitUnit.WORKDAYS: "工作日",
    LimitUnit.HOURS: "小时",
}

#: Unit spellings (whitespace removed, lower case) → unit.
_UNIT_WORDS: dict[str, LimitUnit] = {
    "工作时": LimitUnit.WORK_HOURS,
    "工作小时": LimitUnit.WORK_HOURS,
    "个工作时": LimitUnit.WORK_HOURS,
    "个工作小时": LimitUnit.WORK_HOURS,
    "workhours": LimitUnit.WORK_HOURS,
    "workhour": LimitUnit.WORK_HOURS,
    "workinghours": LimitUnit.WORK_HOURS,
    "workinghour": LimitUnit.WORK_HOURS,
    "工作日": LimitUnit.WORKDAYS,
    "个工作日": LimitUnit.WORKDAYS,
    "workdays": LimitUnit.WORKDAYS,
    "workday": LimitUnit.WORKDAYS,
    "workingdays": LimitUnit.WORKDAYS,
    "workingday": LimitUnit.WORKDAYS,
    "小时": LimitUnit.HOURS,
    "个小时": LimitUnit.HOURS,
    "紧急工作时": LimitUnit.HOURS,
    "紧急小时": LimitUnit.HOURS,
    "hours": LimitUnit.HOURS,
    "hour": LimitUnit.HOURS,
}

_LIMIT_RE = re.compile(r"^(?P<value>\d+(?:\.\d+)?)(?P<unit>\D.*)$", re.ASCII)

ACCEPTED_FORMS = (
    "N工作时、N工作日、N小时、N紧急工作时、N紧急小时、"
    "N work hours、N workdays、N hours（N 为大于 0 的整数或小数，如 4工作时、0.5工作日、6 hours）"
)


def _format_value(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class TimeLimit:
    value: float
    unit: LimitUnit

    def __post_init__(self) -> None:
        try:
            unit = LimitUnit(self.unit)
        except ValueError:
            raise InvalidTimeLimitError(f"时限单位 '{self.unit}' 无效", field="limit") from None
        object.__setattr__(self, "unit", unit)  # accept the plain string too
        if not isinstance(self.value, int | float) or not math.isfinite(self.value):
            raise InvalidTimeLimitError(f"时限数值 '{self.value}' 无效", field="limit")
        if self.value <= 0:
            raise InvalidTimeLimitError(f"时限必须大于 0，实为 {self.value}", field="limit")

    @property
    def natural(self) -> bool:
        """True when the limit runs on the natural (continuous) clock."""
        return self.unit is LimitUnit.HOURS

    def clock_seconds(self, cal: WorkCalendar) -> float:
        """The limit in seconds of its own clock (working seconds, or natural ones)."""
        if self.unit is LimitUnit.WORKDAYS:
            return self.value * cal.workday_seconds
        return self.value * 3600.0

    def __str__(self) -> str:
        return f"{_format_value(self.value)}{_UNIT_LABELS[self.unit]}"


def parse_time_limit(text: str) -> TimeLimit:
    """Parse "4工作时", "1 工作日", "6小时", "2 紧急工作时", "4 work hours", "1 workday"…

    Full-width digits and spaces are tolerated. Anything else raises InvalidTimeLimitError
    listing the accepted forms.
    """

    def reject(reason: str) -> InvalidTimeLimitError:
        return InvalidTimeLimitError(
            f"无法识别的时限 '{text}'：{reason}。可接受的写法：{ACCEPTED_FORMS}", field="limit"
        )

    if not isinstance(text, str):
        raise reject("不是文本")
    # NFKC folds full-width digits, '．' and the ideographic space to their ASCII forms.
    normalized = "".join(unicodedata.normalize("NFKC", text).split()).lower()
    match = _LIMIT_RE.match(normalized)
    if match is None:
        raise reject("应为“数值+单位”")
    unit = _UNIT_WORDS.get(match["unit"])
    if unit is None:
        raise reject(f"单位 '{match['unit']}' 未知")
    value = float(match["value"])
    if value <= 0:
        raise reject("数值必须大于 0")
    return TimeLimit(value, unit)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def deadline_after(
    cal: WorkCalendar,
    start: datetime,
    limit: TimeLimit,
    *,
    extra_clock_seconds: float = 0.0,
) -> datetime:
    """The instant the limit (plus ``extra_clock_seconds`` of its clock) runs out.

    ``extra_clock_seconds`` carries suspension (挂账) and extension time, measured on the same
    clock as the limit. The result is in ``cal.tz``.
    """
    _require_aware(start, "start")
    total = limit.clock_seconds(cal) + extra_clock_seconds
    if total < 0:
        raise ValueError(f"limit plus extra time is negative ({total} s)")
    if limit.natural:
        # Through UTC so a DST-observing tz would still get elapsed, not wall-clock, hours.
        return (start.astimezone(UTC) + timedelta(seconds=total)).astimezone(cal.tz)
    return cal.add_work_seconds(start, total)


def clock_seconds_between(
    cal: WorkCalendar, a: datetime, b: datetime, limit_unit: LimitUnit | str
) -> float:
    """Seconds of the unit's clock in [a, b): natural for HOURS, working otherwise; 0 if b <= a."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    if LimitUnit(limit_unit) is LimitUnit.HOURS:
        return max(0.0, (b.astimezone(UTC) - a.astimezone(UTC)).total_seconds())
    return cal.work_seconds_between(a, b)
