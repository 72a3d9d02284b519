"""The working-time calendar (工作时): office hours on State Council working days.

Which days are worked comes from three layers, the first that knows a year wins (ARCHITECTURE.md,
"Time"):

1. the *official* schedule an admin loaded into the database for that year (shared by every seat;
   console.services.work_calendar hands it to :meth:`WorkCalendar.set_official`);
2. the chinese-calendar package, for the years it was released with (also the State Council's
   published schedule, so those years count as official too);
3. the statutory holidays derived by rule from the law (console.domain.statutory_holidays),
   marked *provisional*: the bridges and adjusted working weekends cannot be known before the
   State Council publishes them.

Date-level ``overrides`` (a what-if, and tests) win over all three.

Working time is counted only inside the office periods (default 08:00–12:00 and 14:00–18:00,
local time). Arithmetic is done in integer microseconds of local wall-clock time, so
``work_seconds_between`` is the exact inverse of ``add_work_seconds``. Loops run per day at most
and the per-day workday lookups are cached, because the overdue scan and bulk ingest call these
tens of thousands of times.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar

from console.config import LOCAL_TZ
from console.domain.statutory_holidays import provisional_holidays
from console.errors import ValidationError

#: 08:00–12:00 and 14:00–18:00: the usual 8-hour office day with a two-hour lunch break.
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(8, 0), time(12, 0)),
    (time(14, 0), time(18, 0)),
)

_US_PER_S = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_S
_ONE_DAY = timedelta(days=1)


class YearStatus(StrEnum):
    """Whether a year's days off are the State Council's or only the law's."""

    OFFICIAL = "official"  # 国务院安排(正式): loaded by an admin, or known to chinese-calendar
    PROVISIONAL = "provisional"  # 法定假日(暂定): derived by rule; bridges and 调休 unknown


class YearSource(StrEnum):
    DATABASE = "database"
    PACKAGE = "chinese-calendar"
    STATUTORY_RULE = "statutory rule"


@dataclass(frozen=True)
class YearSchedule:
    """One year's days off and adjusted working days (date → name), and where they come from.

    Every date not listed is an ordinary day: Monday–Friday worked, the weekend off.
    """

    year: int
    status: YearStatus
    source: YearSource
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5


@functools.cache
def _package_schedule(year: int) -> YearSchedule | None:
    """The chinese-calendar package's schedule for ``year``, or None when it lacks the year."""
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return None

    def chinese(name: object) -> str:
        holiday = next((h for h in chinese_calendar.Holiday if h.value == name), None)
        return holiday.chinese if holiday is not None else str(name)

    return YearSchedule(
        year=year,
        status=YearStatus.OFFICIAL,
        source=YearSource.PACKAGE,
        holidays={d: chinese(n) for d, n in chinese_calendar.holidays.items() if d.year == year},
        workdays={d: chinese(n) for d, n in chinese_calendar.workdays.items() if d.year == year},
    )


@functools.cache
def _provisional_schedule(year: int) -> YearSchedule:
    """The law's statutory days and their make-up days; no bridges, no adjusted workdays."""
    return YearSchedule(
        year=year,
        status=YearStatus.PROVISIONAL,
        source=YearSource.STATUTORY_RULE,
        holidays={d: n for d, n in provisional_holidays(year).items() if d.year == year},
    )


def derived_schedule(year: int) -> YearSchedule:
    """The year as it stands without the database: the package's, else the law's."""
    return _package_schedule(year) or _provisional_schedule(year)


def _us_of_day(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_S + t.microsecond


def _validate_office_hours(
    office_hours: Sequence[tuple[time, time]],
) -> tuple[tuple[int, int], ...]:
    """Office periods as (start µs, end µs) of the day; sorted, non-empty, non-overlapping."""
    periods: list[tuple[int, int]] = []
    for pair in office_hours:
        start, end = pair
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"office hours must be pairs of datetime.time, got {pair!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("office hours are local wall-clock times; drop the tzinfo")
        s, e = _us_of_day(start), _us_of_day(end)
        if s >= e:
            raise ValueError(f"office period {start:%H:%M}–{end:%H:%M} ends before it starts")
        periods.append((s, e))
    if not periods:
        raise ValueError("at least one office period is needed")
    periods.sort()
    for (_, e1), (s2, _) in itertools.pairwise(periods):
        if s2 < e1:
            raise ValueError("office periods overlap")
    return tuple(periods)


def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """Parse ``"08:00-12:00,14:00-18:00"`` (also ``–``/``~`` and full-width commas).

    Raises ValidationError with a Chinese message, since the text comes from a person.
    """
    normalized = text.replace("，", ",").replace("–", "-").replace("~", "-").replace("～", "-")
    pairs: list[tuple[time, time]] = []
    try:
        for chunk in normalized.split(","):
            if not chunk.strip():
                continue
            start_text, end_text = (part.strip() for part in chunk.split("-"))
            pairs.append((time.fromisoformat(start_text), time.fromisoformat(end_text)))
        _validate_office_hours(pairs)
    except ValueError as exc:
        raise ValidationError(
            f"办公时间 '{text}' 无效（{exc}）；格式如 08:00-12:00,14:00-18:00",
            field="office_hours",
        ) from exc
    return tuple(pairs)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


class WorkCalendar:
    """Working days and office hours; adds and measures working time."""

    def __init__(
        self,
        office_hours: Sequence[tuple[time, time]] = DEFAULT_OFFICE_HOURS,
        tz: ZoneInfo = LOCAL_TZ,
        overrides: Mapping[date, bool] | None = None,
        official: Mapping[int, YearSchedule] | None = None,
    ) -> None:
        self._periods = _validate_office_hours(office_hours)
        self.office_hours: tuple[tuple[time, time], ...] = tuple(
            sorted((start, end) for start, end in office_hours)
        )
        self._day_us = sum(e - s for s, e in self._periods)
        self.tz = tz
        #: date → True (worked) / False (holiday); wins over every year's schedule.
        self.overrides: dict[date, bool] = dict(overrides or {})
        self._official: dict[int, YearSchedule] = {}
        self._workday_cache: dict[date, bool] = {}
        #: The database's calendar revision these official years were read at (the services').
        self.revision: int | None = None
        self.set_official(official or {})

    def __repr__(self) -> str:
        hours = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.office_hours)
        return (
            f"WorkCalendar({hours}, tz={self.tz}, official={sorted(self._official)}, "
            f"overrides={len(self.overrides)})"
        )

    def set_official(self, years: Mapping[int, YearSchedule], revision: int | None = None) -> None:
        """Replace the official years (the database's) at once; cached lookups start over.

        The dict and the cache are swapped, never edited in place, so a lookup on another
        thread sees the old calendar or the new one, not half of each.
        """
        self._official = dict(years)
        self._workday_cache = {}
        self.revision = revision

    @property
    def official_years(self) -> Mapping[int, YearSchedule]:
        return self._official

    def schedule(self, year: int) -> YearSchedule:
        """The schedule in force for ``year``: the database's, the package's or the law's."""
        return self._official.get(year) or derived_schedule(year)

    def year_status(self, year: int) -> YearStatus:
        return self.schedule(year).status

    @property
    def workday_seconds(self) -> float:
        """Length of one working day's office time (8 h for the default hours)."""
        return self._day_us / _US_PER_S

    def is_workday(self, d: date) -> bool:
        cache = self._workday_cache
        cached = cache.get(d)
        if cached is not None:
            return cached
        if isinstance(d, datetime):  # a datetime is a date subclass; its date is what counts
            return self.is_workday(d.date())
        result = self.overrides.get(d)
        if result is None:
            result = self.schedule(d.year).is_workday(d)
        cache[d] = result
        return result

    # -- conversions between aware datetimes and (local date, µs of day) --------------------

    def _split(self, value: datetime) -> tuple[date, int]:
        local = value.astimezone(self.tz)
        return local.date(), _us_of_day(local.time())

    def _join(self, d: date, us: int) -> datetime:
        # Wall-clock arithmetic: office hours are wall-clock times in self.tz.
        return datetime.combine(d, time(0), tzinfo=self.tz) + timedelta(microseconds=us)

    # -- arithmetic ----------------------------------------------------------------------------

    def add_work_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant ``seconds`` of working time after ``start`` (in self.tz).

        A start outside office hours begins counting at the next office period; a result that
        lands exactly on a period's end stays there (12:00, not 14:00). ``seconds == 0`` returns
        ``start`` unchanged.
        """
        _require_aware(start, "start")
        if seconds < 0:
            raise ValueError(f"cannot add negative working time ({seconds} s)")
        if seconds == 0:
            return start
        remaining = round(seconds * _US_PER_S)
        day, sod = self._split(start)
        day_us = self._day_us
        while True:
            if self.is_workday(day):
                if sod == 0 and remaining > day_us:
                    remaining -= day_us  # a whole working day: skip it in one step
                else:
                    for s, e in self._periods:
                        if sod >= e:
                            continue
                        begin = s if sod < s else sod
                        available = e - begin
                        if remaining <= available:
                            return self._join(day, begin + remaining)
                        remaining -= available
            day += _ONE_DAY
            sod = 0

    def work_seconds_between(self, a: datetime, b: datetime) -> float:
        """Working seconds in [a, b); 0 when ``b <= a``."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b <= a:
            return 0.0
        day_a, sod_a = self._split(a)
        day_b, sod_b = self._split(b)
        if day_a == day_b:
            total = self._day_overlap(day_a, sod_a, sod_b)
        else:
            total = self._day_overlap(day_a, sod_a, _US_PER_DAY)
            day = day_a + _ONE_DAY
            while day < day_b:
                if self.is_workday(day):
                    total += self._day_us
                day += _ONE_DAY
            total += self._day_overlap(day_b, 0, sod_b)
        return total / _US_PER_S

    def _day_overlap(self, day: date, lo: int, hi: int) -> int:
        """Working µs of ``day`` inside [lo, hi) µs of the day."""
        if hi <= lo or not self.is_workday(day):
            return 0
        total = 0
        for s, e in self._periods:
            overlap = min(e, hi) - max(s, lo)
            if overlap > 0:
                total += overlap
        return total
