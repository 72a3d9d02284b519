"""The statutory holidays of a year, derived from the law: a *provisional* calendar.

The State Council publishes each year's schedule (节假日安排) in the autumn before; until an
admin loads it and the chinese-calendar package knows the year, the console counts working time
on what the law fixes: the statutory days of 《全国年节及纪念日放假办法》 in the version in force
that year (resources/calendar/statutory_holidays.csv), and its rule that a statutory day falling
on a Saturday or Sunday is made up on the following working day(s). The bridges and adjusted
working weekends (调休) are the State Council's choice and cannot be derived: that is what
*provisional* means. Lunar dates and the Qingming solar term come from lunar-python.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from console.config import csv_rows, resource

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class FestivalRule:
    """One row of the law's table: a festival's days in the years a version was in force."""

    first_year: int
    last_year: int | None
    name: str
    anchor: str
    offset: int
    days: int

    def applies_to(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def dates(self, year: int) -> list[date]:
        start = anchor_date(self.anchor, year) + timedelta(days=self.offset)
        return [start + timedelta(days=i) for i in range(self.days)]


def anchor_date(anchor: str, year: int) -> date:
    """The Gregorian date of ``MM-DD``, ``lunar:MM-DD`` or ``term:NAME`` in ``year``."""
    # Imported here: only a provisional year needs it, and it costs every command's start-up.
    from lunar_python import Lunar

    kind, _, value = anchor.rpartition(":")
    if kind == "term":
        # The lunar year that begins in ``year`` holds that year's spring and later terms.
        solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()[value]
        found = date(solar.getYear(), solar.getMonth(), solar.getDay())
        if found.year != year:
            raise ValueError(f"solar term {value} does not fall in {year}")
        return found
    month, day = (int(part) for part in value.split("-"))
    if kind == "lunar":
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())
    if kind:
        raise ValueError(f"unknown anchor kind {kind!r} in {anchor!r}")
    return date(year, month, day)


def read_rules(path: Path | None = None) -> tuple[FestivalRule, ...]:
    rows = csv_rows(path or resource("calendar", "statutory_holidays.csv"))
    return tuple(
        FestivalRule(
            first_year=int(row["first_year"]),
            last_year=int(row["last_year"]) if row["last_year"].strip() else None,
            name=row["name"].strip(),
            anchor=row["anchor"].strip(),
            offset=int(row["offset"] or 0),
            days=int(row["days"]),
        )
        for row in rows
    )


@functools.cache
def _default_rules() -> tuple[FestivalRule, ...]:
    return read_rules()


def statutory_days(
    year: int, rules: tuple[FestivalRule, ...] | None = None
) -> list[tuple[date, str]]:
    """The statutory days the law in force in ``year`` gives, in date order, with the festival.

    A 春节 that starts on 除夕 may begin in December of the year before; each festival belongs to
    the year whose rules produced it.
    """
    found: list[tuple[date, str]] = []
    for rule in rules if rules is not None else _default_rules():
        if rule.applies_to(year):
            found.extend((d, rule.name) for d in rule.dates(year))
    return sorted(found)


def provisional_holidays(
    year: int, rules: tuple[FestivalRule, ...] | None = None
) -> dict[date, str]:
    """Every day off the law gives for ``year``: statutory days plus their make-up days (补休).

    A statutory day on a weekend, or one two festivals share (中秋 on 国庆), is made up on the
    next weekday after its festival that is not already off. Days of the year's rules that fall
    in another year (除夕 on 31 December) are included: they are off all the same.
    """
    days = statutory_days(year, rules)
    off: dict[date, str] = {}
    by_festival: dict[str, list[date]] = {}
    for day, name in days:
        by_festival.setdefault(name, []).append(day)
    for name, dates in sorted(by_festival.items(), key=lambda item: item[1][0]):
        owed = 0
        for day in dates:
            if day.weekday() >= 5 or day in off:
                owed += 1
            off.setdefault(day, name)
        day = max(dates)
        while owed:
            day += _ONE_DAY
            if day.weekday() < 5 and day not in off:
                off[day] = f"{name}补休"
                owed -= 1
    return off
