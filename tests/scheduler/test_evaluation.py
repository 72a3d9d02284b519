"""The monthly evaluation job: last month's workbook on the first working day, once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.scheduler import ConsoleScheduler, first_working_day
from tests.conftest import Clock

CAL = WorkCalendar()


def test_first_working_day_follows_the_state_council_calendar() -> None:
    assert first_working_day(CAL, 2026, 10) == date(2026, 10, 8)  # after National Day
    assert first_working_day(CAL, 2026, 11) == date(2026, 11, 2)  # the 1st is a Sunday
    assert first_working_day(CAL, 2026, 12) == date(2026, 12, 1)


def test_workbook_written_once_on_the_first_working_day(demo_db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    clock = Clock(datetime(2026, 11, 2, 8, 30, tzinfo=LOCAL_TZ))
    reports = tmp_path / "reports"
    scheduler = ConsoleScheduler(
        demo_db,
        seat_id="eval-test",
        calendar=CAL,
        clock=clock,
        jobstore_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        reports_dir=reports,
    )
    written = scheduler.run_monthly_evaluation()
    assert written == reports / "evaluation-2026-10.xlsx"
    assert load_workbook(written).sheetnames  # a real workbook
    assert scheduler.run_monthly_evaluation() is None  # already there: not again
    clock.now = datetime(2026, 11, 3, 8, 30, tzinfo=LOCAL_TZ)
    written.unlink()
    assert scheduler.run_monthly_evaluation() is None  # not the first working day
    assert not list(reports.glob("*.part"))
