"""The working-time calendar against the real chinese-calendar data (2026 holidays)."""

from __future__ import annotations

import logging
import time as wall_clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.config import LOCAL_TZ, RESOURCES_ENV
from console.domain.worktime import (
    DEFAULT_OFFICE_HOURS,
    WorkCalendar,
    parse_office_hours,
    read_override_file,
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


def test_many_calls_are_fast(cal: WorkCalendar) -> None:
    # The overdue scan's shape: tens of thousands of short additions.
    start = at(2026, 1, 5, 9)
    began = wall_clock.perf_counter()
    for i in range(20_000):
        cal.add_work_seconds(start + timedelta(minutes=i), 4 * H)
    cal.add_work_seconds(start, 200 * DAY)
    cal.work_seconds_between(at(2025, 1, 1), at(2026, 12, 31))
    assert wall_clock.perf_counter() - began < 5.0


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


# -- years the package does not know ---------------------------------------------------------


def test_unknown_year_falls_back_to_weekends_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="console.domain.worktime"):
        assert cal.is_workday(date(2027, 1, 1))  # a Friday: the package has no 2027 data
        assert not cal.is_workday(date(2027, 1, 2))
        assert cal.add_work_seconds(at(2027, 1, 1, 17), 2 * H) == at(2027, 1, 4, 9)
        assert cal.work_seconds_between(at(2027, 1, 1), at(2027, 3, 1)) == 41 * DAY
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()


def test_each_unknown_year_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="console.domain.worktime"):
        for _ in range(3):
            cal.is_workday(date(2027, 5, 3))
            cal.is_workday(date(2028, 5, 3))
            cal.is_workday(date(2026, 5, 6))  # known year: no warning
    messages = sorted(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert len(messages) == 2
    assert "2027" in messages[0]
    assert "2028" in messages[1]


def test_override_file_makes_2027_new_year_a_holiday(tmp_path: Path) -> None:
    path = write(tmp_path, "date,kind,name\n2027-01-01,holiday,元旦\n")
    cal = WorkCalendar.from_override_file(path)
    assert not cal.is_workday(date(2027, 1, 1))
    # Thursday 31 Dec 17:00 + 2 h: 1 h on the 31st, then past New Year and the weekend.
    assert cal.add_work_seconds(at(2026, 12, 31, 17), 2 * H) == at(2027, 1, 4, 9)


def test_overrides_win_over_the_package(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# a correction the package does not have\n"
        "date,kind,name\n"
        "\n"
        "2026-10-08,holiday,extra day off\n"
        '2026-10-03,workday,"duty Saturday, all hands"\n',
    )
    cal = WorkCalendar.from_override_file(path)
    assert not cal.is_workday(date(2026, 10, 8))
    assert cal.is_workday(date(2026, 10, 3))
    assert cal.add_work_seconds(at(2026, 10, 2, 10), H) == at(2026, 10, 3, 9)
    assert cal.add_work_seconds(at(2026, 10, 3, 16), DAY) == at(2026, 10, 9, 16)
    # Overrides passed in code win over the file's.
    cal2 = WorkCalendar.from_override_file(path, overrides={date(2026, 10, 8): True})
    assert cal2.is_workday(date(2026, 10, 8))


def test_mapping_overrides_in_constructor() -> None:
    cal = WorkCalendar(overrides={date(2026, 3, 2): False, date(2026, 3, 7): True})
    assert not cal.is_workday(date(2026, 3, 2))
    assert cal.is_workday(date(2026, 3, 7))


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("date,kind,name\n2027-13-01,holiday,x\n", 2, "日期 '2027-13-01' 无效"),
        ("date,kind,name\n# note\n2027-01-01,vacation,x\n", 3, "类型 'vacation' 无效"),
        ("date,kind,name\n2027-01-01\n", 2, "应有 2 或 3 列"),
        ("date,kind,name\n2027-01-01,holiday,a,b\n", 2, "实有 4 列"),
        ("2027-01-01,holiday\n2027-01-01,workday\n", 2, "重复"),
        ("date,kind,name\n01/01/2027,holiday,x\n", 2, "YYYY-MM-DD"),
    ],
)
def test_malformed_rows_name_file_line_and_problem(
    tmp_path: Path, body: str, line: int, problem: str
) -> None:
    path = write(tmp_path, body, name="bad_overrides.csv")
    with pytest.raises(ValidationError) as info:
        WorkCalendar.from_override_file(path)
    message = info.value.message
    assert "bad_overrides.csv" in message
    assert f"第 {line} 行" in message
    assert problem in message


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"nope\.csv"):
        WorkCalendar.from_override_file(tmp_path / "nope.csv")


def test_default_file_from_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "calendar").mkdir()
    write(
        tmp_path / "calendar", "date,kind,name\n2026-03-02,holiday,test\n", "holiday_overrides.csv"
    )
    monkeypatch.setenv(RESOURCES_ENV, str(tmp_path))
    assert not WorkCalendar.from_override_file().is_workday(date(2026, 3, 2))
    # A resources dir without the file means "no overrides", not a crash.
    monkeypatch.setenv(RESOURCES_ENV, str(tmp_path / "empty"))
    assert WorkCalendar.from_override_file().is_workday(date(2026, 3, 2))


def test_shipped_override_file_parses_and_has_no_invented_dates() -> None:
    shipped = Path(__file__).resolve().parents[2] / "resources/calendar/holiday_overrides.csv"
    assert read_override_file(shipped) == {}


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
