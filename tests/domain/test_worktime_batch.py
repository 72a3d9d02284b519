"""The set-based working-time addition gives exactly the per-instant walk's answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from console.config import LOCAL_TZ
from console.domain.worktime import WorkCalendar, YearSchedule, YearSource, YearStatus
from console.domain.worktime_batch import add_work_seconds_many, from_epoch_us, to_epoch_us

H = 3600.0
_CAL = WorkCalendar()
_OFFICIAL = WorkCalendar(
    official={
        2027: YearSchedule(
            2027,
            YearStatus.OFFICIAL,
            YearSource.DATABASE,
            holidays={date(2027, 1, 1): "元旦", date(2027, 1, 4): "x"},
            workdays={date(2027, 1, 9): "调休"},
        )
    }
)
_SHORT_DAY = WorkCalendar(office_hours=[(time(9), time(12)), (time(13), time(17, 30))])


def batch(cal: WorkCalendar, starts: list[datetime], seconds: list[float]) -> list[datetime]:
    out = add_work_seconds_many(cal, to_epoch_us(starts), np.array(seconds, dtype=np.float64))
    return from_epoch_us(out)


def test_the_known_answers() -> None:
    starts = [
        datetime(2026, 12, 31, 16, tzinfo=LOCAL_TZ),
        datetime(2027, 2, 4, 16, tzinfo=LOCAL_TZ),
        datetime(2026, 3, 2, 10, tzinfo=LOCAL_TZ),  # lands on 12:00, stays there
        datetime(2026, 3, 7, 10, tzinfo=LOCAL_TZ),  # a Saturday start
        datetime(2026, 3, 2, 10, tzinfo=LOCAL_TZ),  # zero: unchanged
    ]
    got = batch(_CAL, starts, [8 * H, 8 * H, 2 * H, H, 0.0])
    assert got == [
        datetime(2027, 1, 4, 16, tzinfo=LOCAL_TZ),
        datetime(2027, 2, 11, 16, tzinfo=LOCAL_TZ),
        datetime(2026, 3, 2, 12, tzinfo=LOCAL_TZ),
        datetime(2026, 3, 9, 9, tzinfo=LOCAL_TZ),
        datetime(2026, 3, 2, 10, tzinfo=LOCAL_TZ),
    ]
    assert batch(_CAL, [], []) == []


instants = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2028, 6, 1), timezones=st.just(UTC)
)
amounts = st.one_of(
    st.sampled_from([0.0, H, 4 * H, 8 * H, 40 * H, 160 * H]),
    st.floats(min_value=0, max_value=400 * H, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(instants, amounts), min_size=1, max_size=40),
    st.sampled_from([_CAL, _OFFICIAL, _SHORT_DAY]),
)
def test_same_answers_as_the_walk(pairs: list[tuple[datetime, float]], cal: WorkCalendar) -> None:
    starts = [s.replace(microsecond=0) for s, _ in pairs]
    seconds = [round(x) for _, x in pairs]  # whole seconds, as stored limits are
    expected = [cal.add_work_seconds(s, x) for s, x in zip(starts, seconds, strict=True)]
    assert batch(cal, starts, seconds) == expected


def test_a_limit_longer_than_the_first_guess() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=LOCAL_TZ)
    seconds = 2000 * 8 * H  # about eight years of working days
    assert batch(_CAL, [start], [seconds]) == [_CAL.add_work_seconds(start, seconds)]


def test_a_tz_that_changes_offset_falls_back_to_the_walk() -> None:
    from zoneinfo import ZoneInfo

    berlin = WorkCalendar(tz=ZoneInfo("Europe/Berlin"))
    start = datetime(2026, 3, 27, 16, tzinfo=berlin.tz)  # DST starts on the 29th
    assert batch(berlin, [start], [10 * H]) == [berlin.add_work_seconds(start, 10 * H)]
    assert batch(berlin, [start], [10 * H])[0] - start > timedelta(days=2)
