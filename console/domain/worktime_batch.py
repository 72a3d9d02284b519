"""Working time added to many instants at once: the calendar as a cumulative array.

When a year's schedule changes, every open case whose clock crosses a changed day gets new
marks; with 100,000 cases a per-case walk over the days (WorkCalendar.add_work_seconds) takes
seconds. Here the days of the span are laid out once as "working µs before this day", so an
instant becomes a position on the working clock, the limit is added, and the position maps back
with a binary search: a few numpy passes whatever the number of cases. The answers are exactly
those of :meth:`WorkCalendar.add_work_seconds` (tested side by side), including a result that
lands on a period's end (12:00, not 14:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from console.domain.worktime import WorkCalendar

_US_PER_S = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_S
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)

I64 = npt.NDArray[np.int64]


def to_epoch_us(values: list[datetime]) -> I64:
    """Aware datetimes as µs since the Unix epoch."""
    return np.fromiter(
        ((v - _EPOCH) // timedelta(microseconds=1) for v in values),
        dtype=np.int64,
        count=len(values),
    )


def from_epoch_us(values: I64) -> list[datetime]:
    return [_EPOCH + timedelta(microseconds=int(v)) for v in values]


def _fixed_offset_us(cal: WorkCalendar, first: date, last: date) -> int | None:
    """The tz's UTC offset if it is the same over [first, last] (checked per day), else None."""
    offsets = {
        cal.tz.utcoffset(datetime(d.year, d.month, d.day, 12))
        for d in (first + timedelta(days=i) for i in range(0, (last - first).days + 1, 7))
    } | {cal.tz.utcoffset(datetime(last.year, last.month, last.day, 12))}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return None if offset is None else offset // timedelta(microseconds=1)


def add_work_seconds_many(cal: WorkCalendar, starts: I64, seconds: npt.NDArray[np.float64]) -> I64:
    """``starts`` (epoch µs) plus ``seconds`` of working time each, as epoch µs.

    Falls back to the per-instant walk when the calendar's tz changes its offset in the span
    (Asia/Shanghai never does since 1991).
    """
    if len(starts) == 0:
        return starts.copy()
    if np.any(seconds < 0):
        raise ValueError("cannot add negative working time")
    remaining = np.rint(seconds * _US_PER_S).astype(np.int64)
    periods = cal._periods
    day_us = cal._day_us
    # Probe the offset at the earliest start; the span's days are checked below.
    first_local = datetime.fromtimestamp(int(starts.min()) / _US_PER_S, cal.tz)
    utc_offset = first_local.utcoffset()
    if utc_offset is None:  # fromtimestamp(…, tz) is aware: only a broken tzinfo gets here
        raise ValueError(f"the calendar's time zone gives no UTC offset: {cal.tz!r}")
    offset = utc_offset // timedelta(microseconds=1)
    local = starts + offset
    day_idx = local // _US_PER_DAY
    sod = local - day_idx * _US_PER_DAY
    d0 = int(day_idx.min())
    # Enough days to hold the longest limit with weekends and the longest holiday block.
    span = int(day_idx.max()) - d0 + int(remaining.max() // max(day_us, 1)) * 2 + 40

    while True:
        first = _EPOCH_DATE + timedelta(days=d0)
        last = first + timedelta(days=span)
        fixed = _fixed_offset_us(cal, first, last)
        if fixed is None or fixed != offset:
            return _walk(cal, starts, seconds)
        work = (
            np.fromiter(
                (cal.is_workday(first + timedelta(days=i)) for i in range(span)),
                dtype=bool,
                count=span,
            ).astype(np.int64)
            * day_us
        )
        cum_end = np.cumsum(work)
        cum = cum_end - work  # working µs before each day
        i = day_idx - d0
        within = np.zeros_like(sod)
        for s, e in periods:
            within += np.clip(sod - s, 0, e - s)
        position = cum[i] + np.where(work[i] > 0, within, 0)
        target = position + remaining
        j = np.searchsorted(cum_end, target, side="left")
        if int(j.max()) < span:
            break
        span *= 2  # a limit longer than guessed: lay out more days

    r = target - cum[j]  # 0 < r <= day_us where remaining > 0
    out_sod = np.zeros_like(r)
    before = 0
    for s, e in periods:
        length = e - s
        here = (r > before) & (r <= before + length)
        out_sod = np.where(here, s + (r - before), out_sod)
        before += length
    result = (j + d0) * _US_PER_DAY + out_sod - offset
    return np.where(remaining == 0, starts, result)


def _walk(cal: WorkCalendar, starts: I64, seconds: npt.NDArray[np.float64]) -> I64:
    """The per-instant path, for a tz whose offset changes in the span."""
    moved = [
        cal.add_work_seconds(start, float(sec))
        for start, sec in zip(from_epoch_us(starts), seconds, strict=True)
    ]
    return to_epoch_us(moved)
