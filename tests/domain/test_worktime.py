"""The working-time calendar against the real chinese-calendar data (2026 holidays)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.config import LOCAL_TZ
from console.domain.worktime import (
    DEFAULT_OFFICE_HOURS,
    WorkCalendar,
    YearSchedule,
    YearSource,
    YearStatus,
    parse_office_hours,
)
from console.errors import ValidationError

H = 3600.0
DAY = 8 * H


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LOCAL_TZ)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def write(tmp_path: Path, text: str, name: str = "overrides.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- working days from the package -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        (date(2026, 2, 13), True),  # Friday before Spring Festival
        (date(2026, 2, 14), True),  # Saturday, adjusted workday (调休上班)
        (date(2026, 2, 15), False),  # Spring Festival holiday: 15–23 February
        (date(2026, 2, 17), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), False),  # Monday, still holiday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, adjusted workday
        (date(2026, 3, 1), False),  # plain Sunday
        (date(2026, 9, 20), True),  # Sunday, adjusted workday for National Day
        (date(2026, 9, 25), False),  # Mid-autumn Festival (Friday)
        (date(2026, 9, 30), True),
        (date(2026, 10, 1), False),  # National Day holiday: 1–7 October
        (date(2026, 10, 5), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, adjusted workday
        (date(2026, 10, 11), False),
    ],
)
def test_is_workday_follows_the_state_council_calendar(
    cal: WorkCalendar, day: date, worked: bool
) -> None:
    assert cal.is_workday(day) is worked
    assert chinese_calendar.is_workday(day) is worked  # the package agrees (no mock)


def test_default_office_day_is_eight_hours(cal: WorkCalendar) -> None:
    assert cal.workday_seconds == DAY
    assert cal.office_hours == DEFAULT_OFFICE_HOURS


# -- add_work_seconds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        (at(2026, 3, 2, 9), 2 * H, at(2026, 3, 2, 11)),  # inside the morning
        (at(2026, 3, 2, 10), 2 * H, at(2026, 3, 2, 12)),  # lands on the period end: stays 12:00
        (at(2026, 3, 2, 11), 2 * H, at(2026, 3, 2, 15)),  # across the lunch break
        (at(2026, 3, 2, 17), 2 * H, at(2026, 3, 3, 9)),  # across the evening
        (at(2026, 3, 2, 17, 30), 30 * 60, at(2026, 3, 2, 18)),
        (at(2026, 3, 2, 12, 30), H, at(2026, 3, 2, 15)),  # start in lunch: counts from 14:00
        (at(2026, 3, 2, 6), H, at(2026, 3, 2, 9)),  # start before office: counts from 08:00
        (at(2026, 3, 2, 20), H, at(2026, 3, 3, 9)),  # start in the evening
        (at(2026, 3, 6, 20), H, at(2026, 3, 9, 9)),  # Friday evening → Monday
        (at(2026, 3, 7, 10), H, at(2026, 3, 9, 9)),  # Saturday → Monday
        (at(2026, 3, 2, 9), DAY, at(2026, 3, 3, 9)),  # one working day
        (at(2026, 3, 2, 8), DAY, at(2026, 3, 2, 18)),  # a full day from the opening bell
        (at(2026, 3, 2, 0), DAY, at(2026, 3, 2, 18)),
        (at(2026, 3, 2, 9), 5 * DAY, at(2026, 3, 9, 9)),  # a week
        (at(2026, 3, 2, 9), 0.5, at(2026, 3, 2, 9) + timedelta(seconds=0.5)),
    ],
)
def test_add_work_seconds_ordinary_weeks(
    cal: WorkCalendar, start: datetime, seconds: float, expected: datetime
) -> None:
    assert cal.add_work_seconds(start, seconds) == expected


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    # Friday 13 Feb 17:00 + 2 h: 1 h on Friday, 1 h on the adjusted working Saturday.
    assert cal.add_work_seconds(at(2026, 2, 13, 17), 2 * H) == at(2026, 2, 14, 9)
    # From the adjusted Saturday across the whole holiday (15–23 Feb) to Tuesday 24 Feb.
    assert cal.add_work_seconds(at(2026, 2, 14, 17), 2 * H) == at(2026, 2, 24, 9)
    assert cal.add_work_seconds(at(2026, 2, 14, 16), DAY) == at(2026, 2, 24, 16)
    # Friday 27 Feb + 1 workday lands on the adjusted working Saturday 28 Feb.
    assert cal.add_work_seconds(at(2026, 2, 27, 10), DAY) == at(2026, 2, 28, 10)
    # A start inside the holiday begins counting on 24 Feb.
    assert cal.add_work_seconds(at(2026, 2, 18, 10), H) == at(2026, 2, 24, 9)
    assert cal.work_seconds_between(at(2026, 2, 13, 8), at(2026, 2, 25, 8)) == 3 * DAY


def test_national_day_2026(cal: WorkCalendar) -> None:
    assert cal.add_work_seconds(at(2026, 9, 30, 16), DAY) == at(2026, 10, 8, 16)
    # Friday 9 Oct + 1 workday → the adjusted working Saturday 10 Oct.
    assert cal.add_work_seconds(at(2026, 10, 9, 16), DAY) == at(2026, 10, 10, 16)
    # Friday 18 Sep + 1 workday → the adjusted working Sunday 20 Sep.
    assert cal.add_work_seconds(at(2026, 9, 18, 16), DAY) == at(2026, 9, 20, 16)
    # Thursday 24 Sep + 1 workday skips Mid-autumn (Fri 25) and the weekend.
    assert cal.add_work_seconds(at(2026, 9, 24, 16), DAY) == at(2026, 9, 28, 16)
    # 30 Sep 16:00 → 8 Oct 16:00 is exactly one working day of time.
    assert cal.work_seconds_between(at(2026, 9, 30, 16), at(2026, 10, 8, 16)) == DAY


def test_zero_seconds_returns_start_unchanged(cal: WorkCalendar) -> None:
    start = at(2026, 10, 3, 23, 30)  # a holiday night: not moved to the next office period
    assert cal.add_work_seconds(start, 0) is start


def test_other_timezones_in_local_out(cal: WorkCalendar) -> None:
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    result = cal.add_work_seconds(start, 2 * H)
    assert result == at(2026, 3, 2, 11)
    assert result.tzinfo is LOCAL_TZ
    assert result.utcoffset() == timedelta(hours=8)


def test_naive_and_negative_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        cal.add_work_seconds(datetime(2026, 3, 2, 9), H)
    with pytest.raises(ValueError, match="naive"):
        cal.work_seconds_between(datetime(2026, 3, 2, 9), at(2026, 3, 2, 10))
    with pytest.raises(ValueError, match="naive"):
        cal.work_seconds_between(at(2026, 3, 2, 9), datetime(2026, 3, 2, 10))
    with pytest.raises(ValueError, match="negative"):
        cal.add_work_seconds(at(2026, 3, 2, 9), -1)


# -- work_seconds_between ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (at(2026, 3, 2, 9), at(2026, 3, 2, 9), 0.0),
        (at(2026, 3, 2, 10), at(2026, 3, 2, 9), 0.0),  # b before a
        (at(2026, 3, 2, 11), at(2026, 3, 2, 15), 2 * H),  # lunch not counted
        (at(2026, 3, 2, 12), at(2026, 3, 2, 14), 0.0),
        (at(2026, 3, 2, 17), at(2026, 3, 3, 9), 2 * H),  # the evening not counted
        (at(2026, 3, 2, 0), at(2026, 3, 3, 0), DAY),
        (at(2026, 3, 6, 17), at(2026, 3, 9, 9), 2 * H),  # weekend not counted
        (at(2026, 3, 7, 9), at(2026, 3, 8, 18), 0.0),
    ],
)
def test_work_seconds_between(cal: WorkCalendar, a: datetime, b: datetime, expected: float) -> None:
    assert cal.work_seconds_between(a, b) == expected


def test_work_seconds_over_months_match_the_package(cal: WorkCalendar) -> None:
    a, b = date(2025, 11, 1), date(2026, 7, 1)
    workdays = sum(chinese_calendar.is_workday(a + timedelta(days=i)) for i in range((b - a).days))
    assert cal.work_seconds_between(at(2025, 11, 1), at(2026, 7, 1)) == workdays * DAY
    # The same span in 15-workday hops from the start lands back on the same counts.
    assert cal.add_work_seconds(at(2025, 11, 3, 8), 15 * DAY) == at(2025, 11, 21, 18)


def test_many_calls_agree_with_their_inverse(cal: WorkCalendar) -> None:
    # The overdue scan's shape: thousands of short additions (their speed is the bench's).
    start = at(2026, 1, 5, 9)
    for i in range(0, 20_000, 7):
        begin = start + timedelta(minutes=i)
        end = cal.add_work_seconds(begin, 4 * H)
        assert cal.work_seconds_between(begin, end) == 4 * H
    long = cal.add_work_seconds(start, 200 * DAY)
    assert cal.work_seconds_between(start, long) == 200 * DAY


# One calendar for all hypothesis examples, so its caches are exercised as in production.
_SHARED_CAL = WorkCalendar()

starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31, 23, 59, 59)
).map(lambda d: d.replace(tzinfo=LOCAL_TZ))
durations_us = st.integers(min_value=0, max_value=int(30 * DAY) * 1_000_000)


@settings(max_examples=300, deadline=None)
@given(start=starts, duration_us=durations_us)
def test_work_seconds_between_inverts_add_work_seconds(start: datetime, duration_us: int) -> None:
    cal = _SHARED_CAL
    seconds = duration_us / 1_000_000
    end = cal.add_work_seconds(start, seconds)
    assert end >= start
    assert cal.work_seconds_between(start, end) == seconds
    if seconds > 0:
        # The deadline always falls inside (or at the end of) an office period of a workday.
        local = end.astimezone(LOCAL_TZ)
        assert cal.is_workday(local.date())
        assert any(s < local.time() <= e for s, e in DEFAULT_OFFICE_HOURS)


# -- the layers: official (database), the package, the law (provisional) ----------------------


def test_a_year_the_package_lacks_is_provisional_from_the_law() -> None:
    cal = WorkCalendar()
    assert cal.year_status(2027) is YearStatus.PROVISIONAL
    assert cal.schedule(2027).source is YearSource.STATUTORY_RULE
    assert not cal.is_workday(date(2027, 1, 1))  # 元旦, a Friday
    assert cal.add_work_seconds(at(2026, 12, 31, 16), DAY) == at(2027, 1, 4, 16)
    assert cal.add_work_seconds(at(2027, 2, 4, 16), DAY) == at(2027, 2, 11, 16)
    # No adjusted workdays can be derived: every Saturday of 2027 stays off.
    assert not cal.schedule(2027).workdays


def test_a_package_year_is_official_and_keeps_its_adjusted_workdays() -> None:
    cal = WorkCalendar()
    assert cal.year_status(2026) is YearStatus.OFFICIAL
    schedule = cal.schedule(2026)
    assert schedule.source is YearSource.PACKAGE
    assert schedule.workdays[date(2026, 10, 10)] == "国庆节"
    assert schedule.holidays[date(2026, 10, 7)] == "国庆节"


def test_the_database_year_wins_over_the_package_and_the_rule() -> None:
    official = YearSchedule(
        year=2027,
        status=YearStatus.OFFICIAL,
        source=YearSource.DATABASE,
        holidays={date(2027, 1, 1): "元旦", date(2027, 1, 4): "元旦"},
        workdays={date(2027, 1, 9): "元旦调休"},
    )
    cal = WorkCalendar()
    assert cal.is_workday(date(2027, 1, 4))  # cached under the law's schedule first
    cal.set_official({2027: official}, revision=7)
    assert cal.revision == 7
    assert cal.year_status(2027) is YearStatus.OFFICIAL
    assert not cal.is_workday(date(2027, 1, 4))  # the cache started over
    assert cal.is_workday(date(2027, 1, 9))  # an adjusted Saturday
    # The official year's list is complete: the law's 春节 is not added to it.
    assert cal.is_workday(date(2027, 2, 8))
    # A package year can be corrected by the database too.
    cal.set_official({2026: YearSchedule(2026, YearStatus.OFFICIAL, YearSource.DATABASE)})
    assert cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2027, 1, 4))  # 2027 went back to the law


def test_mapping_overrides_win_over_every_layer() -> None:
    cal = WorkCalendar(overrides={date(2026, 3, 2): False, date(2026, 3, 7): True})
    assert not cal.is_workday(date(2026, 3, 2))
    assert cal.is_workday(date(2026, 3, 7))
    cal.set_official({2026: YearSchedule(2026, YearStatus.OFFICIAL, YearSource.DATABASE)})
    assert not cal.is_workday(date(2026, 3, 2))


def test_the_shipped_template_holds_no_invented_dates() -> None:
    shipped = Path(__file__).resolve().parents[2] / "resources/calendar/holiday_overrides.csv"
    lines = [
        line
        for line in shipped.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["date,kind,name"]


# -- office hours ----------------------------------------------------------------------------


def test_custom_office_hours() -> None:
    cal = WorkCalendar(office_hours=[(time(9), time(17))])
    assert cal.workday_seconds == DAY
    assert cal.add_work_seconds(at(2026, 3, 2, 16), 2 * H) == at(2026, 3, 3, 10)
    assert cal.work_seconds_between(at(2026, 3, 2, 12), at(2026, 3, 2, 13)) == H


def test_office_hours_are_sorted() -> None:
    cal = WorkCalendar(office_hours=[(time(14), time(18)), (time(8), time(12))])
    assert cal.office_hours == DEFAULT_OFFICE_HOURS
    assert cal.add_work_seconds(at(2026, 3, 2, 11), 2 * H) == at(2026, 3, 2, 15)


@pytest.mark.parametrize(
    "hours",
    [
        [],
        [(time(12), time(8))],
        [(time(8), time(13)), (time(12), time(18))],
    ],
)
def test_bad_office_hours_are_refused(hours: list[tuple[time, time]]) -> None:
    with pytest.raises(ValueError):
        WorkCalendar(office_hours=hours)


def test_parse_office_hours() -> None:
    assert parse_office_hours("08:00-12:00,14:00-18:00") == DEFAULT_OFFICE_HOURS
    assert parse_office_hours("08:30～12:00，13:30-17:30") == (
        (time(8, 30), time(12)),
        (time(13, 30), time(17, 30)),
    )
    for bad in ("8-12", "08:00-12:00-14:00", "18:00-08:00", "", "nonsense"):
        with pytest.raises(ValidationError, match="办公时间"):
            parse_office_hours(bad)
