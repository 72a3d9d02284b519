"""The report-time window (resources/intake/report_time.csv): not before 2000, not past now by
more than the clock-skew allowance, and no instant outside what datetime can hold in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from console.config import LOCAL_TZ
from console.domain.report_time import ReportTimeError, load_rule, report_time_rule
from console.errors import ValidationError

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=LOCAL_TZ)


def test_the_shipped_rule_is_2000_and_ten_minutes() -> None:
    rule = report_time_rule()
    assert rule.earliest == date(2000, 1, 1)
    assert rule.future_skew == timedelta(minutes=10)


@pytest.mark.parametrize(
    "at",
    [
        datetime(2000, 1, 1, 0, 0, tzinfo=LOCAL_TZ),
        NOW - timedelta(days=400),
        NOW,
        NOW + timedelta(minutes=10),  # a fast clock, within the allowance
    ],
)
def test_times_in_the_window_pass(at: datetime) -> None:
    assert report_time_rule().check(at, NOW) is at


@pytest.mark.parametrize(
    ("at", "words"),
    [
        (datetime(1999, 12, 31, 23, 59, 59, tzinfo=LOCAL_TZ), "早于 2000-01-01"),
        # 2000-01-01 00:30 in UTC+14 is still 1999 in Xi'an
        (datetime(2000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=14))), "早于 2000-01-01"),
        (NOW + timedelta(minutes=10, seconds=1), "晚于当前时间（允许误差 10 分钟）"),
        (datetime(2031, 1, 1, tzinfo=UTC), "晚于当前时间"),
        (datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))), "时间超出范围"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))), "时间超出范围"),
    ],
)
def test_times_outside_are_refused_naming_the_field(at: datetime, words: str) -> None:
    with pytest.raises(ReportTimeError) as info:
        report_time_rule().check(at, NOW)
    assert words in info.value.message
    assert info.value.field == "reported_at" and info.value.code == "invalid_time"


def test_the_allowance_is_data(tmp_path: Path) -> None:
    path = tmp_path / "report_time.csv"
    path.write_text("name,value\nearliest_date,2020-06-01\nfuture_skew_minutes,0\n", "utf-8")
    rule = load_rule(path)
    assert rule.check(NOW, NOW) is NOW
    with pytest.raises(ReportTimeError, match="允许误差 0 分钟"):
        rule.check(NOW + timedelta(seconds=1), NOW)
    with pytest.raises(ReportTimeError, match="早于 2020-06-01"):
        rule.check(datetime(2020, 5, 31, tzinfo=LOCAL_TZ), NOW)
    path.write_text("name,value\nearliest_date,2020-13-01\nfuture_skew_minutes,5\n", "utf-8")
    with pytest.raises(ValidationError, match=r"report_time\.csv 格式错误"):
        load_rule(path)
    path.write_text("name,value\nearliest_date,2020-01-01\nfuture_skew_minutes,-5\n", "utf-8")
    with pytest.raises(ValidationError, match="0–1440"):
        load_rule(path)
