"""The calendar change's scenario: an official year imported over 100,000 open cases.

The open backlog of the scan scenario (2/5工作日, 4工作时 and 紧急 limits, dispatched over the
last weeks) sits on the law's provisional 2027; the admin then imports an official 2027 whose
4 January is a day off. Every open case on the working clock that spans that day gets new marks
and a timeline event, in one transaction. Timed from the import call to the commit, on a fresh
copy of the database each time; the baseline lays each case's marks again one by one through
the ORM (marks only, no events), on its own copy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from console.bench.foundation import fresh_copy, prepare
from console.bench.harness import Figure, alternating_runs
from console.bench.scan_bench import ScanSizes, fill_scan_db
from console.config import LOCAL_TZ
from console.db import Database
from console.domain.holiday_schedule import ParsedSchedule, ScheduleDay
from console.domain.worktime import WorkCalendar, YearSchedule, YearSource, YearStatus
from console.services.actors import SYSTEM
from console.services.deadline_recompute import recompute_per_case
from console.services.work_calendar import load_calendar, save_year

Log = Callable[[str], None]
GOAL_S = 2.0
FIGURE = "calendar change, 100,000 open cases recomputed (s)"
#: 4 January 2027 is a Monday; before the import only 元旦 (the law's) is off.
NOW = datetime(2027, 1, 4, 12, 0, tzinfo=LOCAL_TZ)
OFFICIAL_2027 = ParsedSchedule(
    year=2027,
    days=(
        ScheduleDay(date(2027, 1, 1), "holiday", "元旦"),
        ScheduleDay(date(2027, 1, 4), "holiday", "元旦"),
    ),
)


def _import_once(db: Database) -> tuple[float, int]:
    with db.read() as s:  # the seat's calendar, as it was before the import
        calendar = load_calendar(s)
    started = time.perf_counter()
    with db.session() as s:
        result = save_year(
            s, SYSTEM, calendar, OFFICIAL_2027, source="bench", action="import", now=NOW
        )
    return time.perf_counter() - started, result.moved_cases


def _baseline_once(db: Database) -> tuple[float, int]:
    changed = [date(2027, 1, 4), *(date(2027, 2, d) for d in range(5, 11))]
    new = WorkCalendar()
    new.set_official(
        {
            2027: YearSchedule(
                2027,
                YearStatus.OFFICIAL,
                YearSource.DATABASE,
                holidays=OFFICIAL_2027.holidays,
            )
        }
    )
    started = time.perf_counter()
    with db.session() as s:
        moved = recompute_per_case(s, new, changed, warning_share=0.8)
    return time.perf_counter() - started, moved


def run_calendar_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    open_cases = 5_000 if quick else 100_000
    repeat = 5  # a noisy shared machine: the median of five
    sizes = ScanSizes(cases=open_cases, open=open_cases, repeat=1, baseline_repeat=1)
    template = workdir / "calendar-template.sqlite3"
    db = prepare(template)
    try:
        log(f"calendar: {open_cases:,} open cases on the provisional 2027…")
        fill_scan_db(db, WorkCalendar(), sizes, NOW)
    finally:
        db.dispose()
    def on_a_copy(kind: str, once: Callable[[Database], tuple[float, int]]) -> tuple[float, int]:
        copy = fresh_copy(template, workdir / f"calendar-{kind}.sqlite3")
        try:
            return once(copy)
        finally:
            copy.dispose()

    value, baseline, moved = alternating_runs(
        "calendar",
        repeat,
        lambda: on_a_copy("import", _import_once),
        lambda: on_a_copy("baseline", _baseline_once),
        log,
    )
    return [
        Figure(
            FIGURE,
            value,
            "s",
            baseline,
            higher_is_better=False,
            goal=GOAL_S,
            note=f"an official 2027 imported over {open_cases:,} open cases; {moved:,} on the "
            f"working clock spanned the changed day and moved, each with a timeline event, in "
            f"one transaction; median of {repeat}; baseline: each case's marks laid again "
            f"through the ORM one by one (no events); SQLite",
        )
    ]
