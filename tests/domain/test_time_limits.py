"""Time-limit parsing and the clock each limit runs on."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from console.config import LOCAL_TZ
from console.domain.time_limits import (
    LimitUnit,
    TimeLimit,
    clock_seconds_between,
    deadline_after,
    parse_time_limit,
)
from console.domain.worktime import WorkCalendar
from console.errors import InvalidTimeLimitError, ValidationError

H = 3600.0


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LOCAL_TZ)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("4工作时", 4, LimitUnit.WORK_HOURS),
        ("4 工作时", 4, LimitUnit.WORK_HOURS),
        (" 2工作小时 ", 2, LimitUnit.WORK_HOURS),
        ("0.5工作时", 0.5, LimitUnit.WORK_HOURS),
        ("1工作日", 1, LimitUnit.WORKDAYS),
        ("15 工作日", 15, LimitUnit.WORKDAYS),
        ("3个工作日", 3, LimitUnit.WORKDAYS),
        ("0.5工作日", 0.5, LimitUnit.WORKDAYS),
        ("6小时", 6, LimitUnit.HOURS),
        ("6 小时", 6, LimitUnit.HOURS),
        ("2紧急工作时", 2, LimitUnit.HOURS),
        ("2 紧急工作时", 2, LimitUnit.HOURS),
        ("1.5紧急小时", 1.5, LimitUnit.HOURS),
        ("4 work hours", 4, LimitUnit.WORK_HOURS),
        ("1 work hour", 1, LimitUnit.WORK_HOURS),
        ("4work hours", 4, LimitUnit.WORK_HOURS),
        ("4 Work Hours", 4, LimitUnit.WORK_HOURS),
        ("4 working hours", 4, LimitUnit.WORK_HOURS),
        ("3 workdays", 3, LimitUnit.WORKDAYS),
        ("1 workday", 1, LimitUnit.WORKDAYS),
        ("1workday", 1, LimitUnit.WORKDAYS),
        ("2 working days", 2, LimitUnit.WORKDAYS),
        ("6 hours", 6, LimitUnit.HOURS),
        ("1 hour", 1, LimitUnit.HOURS),
        ("6hours", 6, LimitUnit.HOURS),
        ("４工作时", 4, LimitUnit.WORK_HOURS),  # full-width digit
        ("１２　小时", 12, LimitUnit.HOURS),  # full-width digits and ideographic space
        ("０．５工作日", 0.5, LimitUnit.WORKDAYS),  # full-width decimal point
    ],
)
def test_accepted_forms(text: str, value: float, unit: LimitUnit) -> None:
    limit = parse_time_limit(text)
    assert limit == TimeLimit(value, unit)
    assert limit.natural is (unit is LimitUnit.HOURS)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "工作时",
        "4",
        "0工作时",
        "0.0 hours",
        "-1工作日",
        "4天",
        "4 days",
        "2自然日",
        "four hours",
        "4工作时 4工作日",
        ".5工作日",
        "4.工作时",
        "1e3 hours",
        "inf hours",
        "4 工作 时 x",
        "٤ hours",  # Arabic-Indic digit: not a form we accept
    ],
)
def test_rejections_list_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidTimeLimitError) as info:
        parse_time_limit(text)
    message = info.value.message
    assert isinstance(info.value, ValidationError)
    assert info.value.code == "invalid_time_limit"
    assert "无法识别的时限" in message
    for form in ("N工作时", "N工作日", "N小时", "N work hours", "N workdays", "N hours"):
        assert form in message


@pytest.mark.parametrize(
    ("limit", "text"),
    [
        (TimeLimit(4, LimitUnit.WORK_HOURS), "4工作时"),
        (TimeLimit(1, LimitUnit.WORKDAYS), "1工作日"),
        (TimeLimit(6, LimitUnit.HOURS), "6小时"),
        (TimeLimit(0.5, LimitUnit.WORKDAYS), "0.5工作日"),
        (TimeLimit(4.0, LimitUnit.WORK_HOURS), "4工作时"),
        (parse_time_limit("2紧急工作时"), "2小时"),
    ],
)
def test_str(limit: TimeLimit, text: str) -> None:
    assert str(limit) == text
    assert parse_time_limit(text) == limit  # round-trips


def test_time_limit_validates() -> None:
    assert TimeLimit(2, "workdays").unit is LimitUnit.WORKDAYS  # type: ignore[arg-type]
    for bad_value in (0, -1, float("nan"), float("inf")):
        with pytest.raises(InvalidTimeLimitError):
            TimeLimit(bad_value, LimitUnit.HOURS)
    with pytest.raises(InvalidTimeLimitError):
        TimeLimit(1, "fortnights")  # type: ignore[arg-type]


def test_clock_seconds(cal: WorkCalendar) -> None:
    assert TimeLimit(4, LimitUnit.WORK_HOURS).clock_seconds(cal) == 4 * H
    assert TimeLimit(1, LimitUnit.WORKDAYS).clock_seconds(cal) == 8 * H
    assert TimeLimit(1.5, LimitUnit.WORKDAYS).clock_seconds(cal) == 12 * H
    assert TimeLimit(6, LimitUnit.HOURS).clock_seconds(cal) == 6 * H
    # A workday is the office day's length: shorter office hours, shorter workday.
    short = WorkCalendar(office_hours=[(time(9), time(15))])
    assert TimeLimit(1, LimitUnit.WORKDAYS).clock_seconds(short) == 6 * H


def test_deadline_after_working_units(cal: WorkCalendar) -> None:
    start = at(2026, 9, 30, 16)
    assert deadline_after(cal, start, parse_time_limit("1工作日")) == at(2026, 10, 8, 16)
    # 2 h on 30 Sep (16–18), the rest after the National Day holiday.
    assert deadline_after(cal, start, parse_time_limit("4工作时")) == at(2026, 10, 8, 10)
    assert deadline_after(cal, start, parse_time_limit("2工作时")) == at(2026, 9, 30, 18)
    assert deadline_after(cal, start, parse_time_limit("3工作时")) == at(2026, 10, 8, 9)
    # Suspension / extension time on the same (working) clock pushes it back, past lunch.
    assert deadline_after(cal, start, parse_time_limit("4工作时"), extra_clock_seconds=3 * H) == at(
        2026, 10, 8, 15
    )


def test_deadline_after_natural_hours_ignore_holidays(cal: WorkCalendar) -> None:
    start = at(2026, 9, 30, 22)
    result = deadline_after(cal, start, parse_time_limit("6紧急工作时"))
    assert result == at(2026, 10, 1, 4)  # runs through the night and into the holiday
    assert result.tzinfo is LOCAL_TZ
    utc_start = datetime(2026, 9, 30, 14, tzinfo=UTC)
    assert deadline_after(cal, utc_start, parse_time_limit("6小时"), extra_clock_seconds=1800) == (
        at(2026, 10, 1, 4, 30)
    )


def test_deadline_after_refuses_naive(cal: WorkCalendar) -> None:
    for text in ("6小时", "1工作日"):
        with pytest.raises(ValueError, match="naive"):
            deadline_after(cal, datetime(2026, 9, 30, 16), parse_time_limit(text))


def test_clock_seconds_between(cal: WorkCalendar) -> None:
    a, b = at(2026, 9, 30, 16), at(2026, 10, 8, 16)
    assert clock_seconds_between(cal, a, b, LimitUnit.WORKDAYS) == 8 * H
    assert clock_seconds_between(cal, a, b, LimitUnit.WORK_HOURS) == 8 * H
    assert clock_seconds_between(cal, a, b, LimitUnit.HOURS) == (b - a).total_seconds()
    assert clock_seconds_between(cal, a, b, "hours") == 8 * 24 * H
    assert clock_seconds_between(cal, b, a, LimitUnit.HOURS) == 0.0
    assert clock_seconds_between(cal, b, a, LimitUnit.WORKDAYS) == 0.0


@pytest.mark.parametrize("text", ["3工作时", "2工作日", "0.25工作日", "5小时", "7 work hours"])
def test_deadline_and_elapsed_clock_agree(cal: WorkCalendar, text: str) -> None:
    limit = parse_time_limit(text)
    start = at(2026, 2, 12, 15, 20)  # just before Spring Festival
    due = deadline_after(cal, start, limit)
    assert clock_seconds_between(cal, start, due, limit.unit) == limit.clock_seconds(cal)
    assert due - start >= timedelta(0)
