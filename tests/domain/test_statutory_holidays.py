"""The law's statutory holidays, checked against the State Council's real schedules."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from console.domain.statutory_holidays import (
    anchor_date,
    provisional_holidays,
    statutory_days,
)

PACKAGE_YEARS = range(2004, 2027)


@pytest.mark.parametrize("year", PACKAGE_YEARS)
def test_every_derived_statutory_day_was_a_holiday_that_year(year: int) -> None:
    """Each day the law in force that year gives is a holiday in chinese-calendar's data."""
    days = statutory_days(year)
    assert days, year
    not_off = [(d, name) for d, name in days if not chinese_calendar.is_holiday(d)]
    assert not_off == []


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # 1999 version: 元旦 1, 春节 3 (初一–初三), 劳动节 3, 国庆 3
        (2007, {"元旦": 1, "春节": 3, "劳动节": 3, "国庆节": 3}),
        # 2007 revision: 除夕–初二, 劳动节 1, 清明 / 端午 / 中秋 added
        (
            2008,
            {"元旦": 1, "春节": 3, "清明节": 1, "劳动节": 1, "端午节": 1, "中秋节": 1, "国庆节": 3},
        ),
        # 2013 revision: 初一–初三
        (
            2014,
            {"元旦": 1, "春节": 3, "清明节": 1, "劳动节": 1, "端午节": 1, "中秋节": 1, "国庆节": 3},
        ),
        # 2024 revision: 春节 4, 劳动节 2
        (
            2025,
            {"元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3},
        ),
    ],
)
def test_the_version_of_the_law_in_force(year: int, expected: dict[str, int]) -> None:
    counts: dict[str, int] = {}
    for _, name in statutory_days(year):
        counts[name] = counts.get(name, 0) + 1
    assert counts == expected


def test_chu_xi_is_statutory_in_2008_to_2013_and_from_2025_only() -> None:
    spring = {y: [d for d, n in statutory_days(y) if n == "春节"] for y in (2008, 2014, 2025)}
    assert spring[2008][0] == date(2008, 2, 6)  # 除夕
    assert spring[2014][0] == date(2014, 1, 31)  # 初一
    assert spring[2025][0] == date(2025, 1, 28)  # 除夕


def test_lunar_and_solar_term_anchors() -> None:
    assert anchor_date("lunar:01-01", 2027) == date(2027, 2, 6)
    assert anchor_date("lunar:05-05", 2027) == date(2027, 6, 9)
    assert anchor_date("lunar:08-15", 2027) == date(2027, 9, 15)
    assert anchor_date("term:清明", 2027) == date(2027, 4, 5)
    assert anchor_date("10-01", 2027) == date(2027, 10, 1)


def test_2027_provisional_days_off() -> None:
    off = provisional_holidays(2027)
    assert off[date(2027, 1, 1)] == "元旦"
    # 除夕 02-05, 初一 02-06 (Sat), 初二 02-07 (Sun), 初三 02-08; the two weekend days made up
    spring = sorted(d for d, n in off.items() if n.startswith("春节"))
    assert spring == [date(2027, 2, d) for d in range(5, 11)]
    assert off[date(2027, 2, 9)] == off[date(2027, 2, 10)] == "春节补休"
    # 劳动节 05-01 and 05-02 are a weekend: made up on Monday and Tuesday
    assert off[date(2027, 5, 3)] == off[date(2027, 5, 4)] == "劳动节补休"
    assert date(2027, 5, 5) not in off


def test_a_weekend_new_year_is_made_up_on_monday() -> None:
    off = provisional_holidays(2028)  # 2028-01-01 is a Saturday
    assert off[date(2028, 1, 3)] == "元旦补休"


def test_a_day_two_festivals_share_is_made_up() -> None:
    # 2028: 中秋 (八月十五) is 10-03, inside 国庆 10-01..10-03 (10-01 a Sunday).
    off = provisional_holidays(2028)
    assert off[date(2028, 10, 4)] == "国庆节补休"
    assert off[date(2028, 10, 5)] == "中秋节补休"
    assert len([d for d in off if d.month == 10]) == 5
