"""The working-time calendar (工作时): office hours on State Council working days.

A working day is one the State Council calendar says is worked, adjusted working weekends
(调休上班) included, as published in the ``chinese-calendar`` package. An override file adds
holidays and adjusted workdays the package does not know yet and wins over it. For a year outside
the package's data the calendar falls back to "Monday–Friday are workdays" and logs a warning once
per year (per calendar), never an exception: a deadline a little off beats a console that cannot
dispatch on 2 January.

Working time is counted only inside the office periods (default 08:00–12:00 and 14:00–18:00,
local time). Arithmetic is done in integer microseconds of local wall-clock time, so
``work_seconds_between`` is the exact inverse of ``add_work_seconds``. Loops run per day at most
and the per-day workday lookups are cached, because the overdue scan and bulk ingest call these
tens of thousands of times.
"""

from __future__ import annotations

import csv
import functools
import itertools
import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from console.config import LOCAL_TZ, resources_dir
from console.errors import ValidationError

log = logging.getLogger(__name__)

#: 08:00–12:00 and 14:00–18:00: the usual 8-hour office day with a two-hour lunch break.
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(8, 0), time(12, 0)),
    (time(14, 0), time(18, 0)),
)

OVERRIDE_KINDS = {"holiday": False, "workday": True}

_US_PER_S = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_S
_ONE_DAY = timedelta(days=1)


@functools.lru_cache(maxsize=16_384)
def _package_is_workday(d: date) -> bool | None:
    """The package's verdict for ``d``, or None when it has no data for that year.

    Cached process-wide: the package's answer never changes while we run.
    """
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


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
    ) -> None:
        self._periods = _validate_office_hours(office_hours)
        self.office_hours: tuple[tuple[time, time], ...] = tuple(
            sorted((start, end) for start, end in office_hours)
        )
        self._day_us = sum(e - s for s, e in self._periods)
        self.tz = tz
        #: date → True (worked) / False (holiday); wins over the package.
        self.overrides: dict[date, bool] = dict(overrides or {})
        self._workday_cache: dict[date, bool] = {}
        self._warned_years: set[int] = set()

    @classmethod
    def from_override_file(cls, path: Path | None = None, **kw: Any) -> WorkCalendar:
        """A calendar with the overrides read from ``path`` (default: the shipped file).

        A missing default file means "no overrides"; a missing explicit file, or a malformed row,
        raises ValidationError naming the file and line. Overrides passed in ``kw`` win over the
        file's.
        """
        if path is None:
            default = resources_dir() / "calendar" / "holiday_overrides.csv"
            overrides = read_override_file(default) if default.exists() else {}
        else:
            overrides = read_override_file(Path(path))
        overrides.update(kw.pop("overrides", None) or {})
        return cls(overrides=overrides, **kw)

    def __repr__(self) -> str:
        hours = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.office_hours)
        return f"WorkCalendar({hours}, tz={self.tz}, overrides={len(self.overrides)})"

    @property
    def workday_seconds(self) -> float:
        """Length of one working day's office time (8 h for the default hours)."""
        return self._day_us / _US_PER_S

    def is_workday(self, d: date) -> bool:
        cached = self._workday_cache.get(d)
        if cached is not None:
            return cached
        if isinstance(d, datetime):  # a datetime is a date subclass; its date is what counts
            return self.is_workday(d.date())
        result = self.overrides.get(d)
        if result is None:
            result = _package_is_workday(d)
        if result is None:
            if d.year not in self._warned_years:
                self._warned_years.add(d.year)
                log.warning(
                    "chinese-calendar has no holiday data for %d; counting Monday–Friday as "
                    "workdays. Add that year's holidays and adjusted workdays to the "
                    "override file (calendar/holiday_overrides.csv).",
                    d.year,
                )
            result = d.weekday() < 5
        self._workday_cache[d] = result
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


def read_override_file(path: Path) -> dict[date, bool]:
    """Read ``date,kind,name`` rows (kind: holiday | workday); '#' lines and blanks skipped.

    The header row is optional. Raises ValidationError naming file, line and problem.
    """

    def fail(line_no: int | None, problem: str) -> ValidationError:
        where = f"{path} 第 {line_no} 行" if line_no is not None else str(path)
        return ValidationError(f"节假日调整文件 {where}：{problem}", field="overrides")

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise fail(None, f"无法读取（{exc.strerror or exc}）") from exc
    except UnicodeDecodeError as exc:
        raise fail(None, "不是 UTF-8 编码的文本") from exc

    overrides: dict[date, bool] = {}
    seen_header = False
    for line_no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([stripped]))]
        if not seen_header and not overrides and [c.lower() for c in cells[:2]] == ["date", "kind"]:
            seen_header = True
            continue
        if len(cells) not in (2, 3):
            raise fail(line_no, f"应有 2 或 3 列（date,kind,name），实有 {len(cells)} 列")
        date_text, kind_text = cells[0], cells[1].lower()
        try:
            day = date.fromisoformat(date_text)
        except ValueError:
            raise fail(line_no, f"日期 '{date_text}' 无效，应为 YYYY-MM-DD") from None
        if kind_text not in OVERRIDE_KINDS:
            raise fail(line_no, f"类型 '{cells[1]}' 无效，应为 holiday 或 workday")
        worked = OVERRIDE_KINDS[kind_text]
        if day in overrides:
            raise fail(line_no, f"日期 {day.isoformat()} 重复出现")
        overrides[day] = worked
    return overrides
