"""A seat's reminders on real APScheduler, real SQLite job-store files and a real case database."""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.util import ref_to_obj
from sqlalchemy import create_engine, inspect, text

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError, PermissionDeniedError, ValidationError
from console.scheduler import (
    ConsoleScheduler,
    Reminder,
    fire_reminder,
    running_scheduler,
)
from console.scheduler import reminders as reminder_jobs
from console.services.actors import Actor
from tests.conftest import Clock
from tests.scheduler.support import Fired, no_scan, now_local, wait_until
from tests.services.console_support import DISPATCHER, INSPECTOR

# -- reminders ----------------------------------------------------------------------------------


def test_reminder_survives_a_restart_and_fires_once(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str]
) -> None:
    case_id, number = case
    first_fired = Fired()
    first = make(on_reminder=first_fired)
    first.start()
    due = now_local() + timedelta(seconds=2)
    reminder = first.remind_at(case_id, due, "回访当事人", DISPATCHER)
    assert reminder.case_number == number
    assert reminder.due_at == due
    assert reminder.job_id.startswith("reminder-")
    assert first.reminders() == [reminder]
    first.shutdown()
    assert len(first_fired) == 0

    fired = Fired()
    second = make(on_reminder=fired)
    second.start()
    assert second.reminders() == [reminder]  # read back from the seat's job-store file
    assert wait_until(lambda: len(fired) == 1, timeout=10)
    assert fired.reminders[0] == reminder
    assert wait_until(lambda: second.reminders() == [], timeout=2)
    time.sleep(0.5)
    assert len(fired) == 1
    assert len(first_fired) == 0
    second.shutdown()

    # and it is gone for good: a third start fires nothing
    third_fired = Fired()
    third = make(on_reminder=third_fired)
    third.start()
    assert third.reminders() == []
    time.sleep(0.5)
    assert len(third_fired) == 0


def test_reminder_due_while_down_fires_once_on_next_start(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str]
) -> None:
    case_id, _ = case
    first = make()
    first.start()
    reminder = first.remind_at(case_id, now_local() + timedelta(seconds=1), "核查", INSPECTOR)
    first.shutdown()
    time.sleep(2)  # the console is "down" while the reminder comes due

    fired = Fired()
    second = make(on_reminder=fired)
    second.start()
    assert wait_until(lambda: len(fired) == 1, timeout=10)
    assert fired.reminders == [reminder]
    time.sleep(0.5)
    assert len(fired) == 1
    assert second.reminders() == []


def test_a_reminder_due_as_the_console_quits_fires_exactly_once(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str]
) -> None:
    # Due "now" and shut down at once: whichever side of the quit it fires on, it fires once.

    def once() -> None:
        fired = Fired()
        first = make(on_reminder=fired)
        first.start()
        reminder = first.remind_at(case[0], now_local(), "", DISPATCHER)
        first.shutdown()
        second = make(on_reminder=fired)
        second.start()
        assert wait_until(lambda: len(fired) == 1, timeout=5)
        assert wait_until(lambda: second.reminders() == [], timeout=2)
        time.sleep(0.2)
        assert fired.reminders == [reminder]
        second.shutdown()

    for _ in range(5):
        once()


def test_two_seats_have_separate_job_stores(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str], tmp_path: Path
) -> None:
    case_id, _ = case
    fired_a, fired_b = Fired(), Fired()
    seat_a = make(
        seat_id="a", jobstore_url=f"sqlite:///{tmp_path / 'jobs-a.sqlite3'}", on_reminder=fired_a
    )
    seat_b = make(
        seat_id="b", jobstore_url=f"sqlite:///{tmp_path / 'jobs-b.sqlite3'}", on_reminder=fired_b
    )
    seat_a.start()
    seat_b.start()
    later = seat_a.remind_at(case_id, now_local() + timedelta(hours=3), "a 的提醒", DISPATCHER)
    soon = seat_a.remind_at(case_id, now_local() + timedelta(seconds=1), "a 先到", DISPATCHER)
    assert seat_a.reminders() == [soon, later]  # soonest first
    assert seat_b.reminders() == []
    assert wait_until(lambda: len(fired_a) == 1)
    assert fired_a.reminders == [soon]
    assert len(fired_b) == 0
    assert seat_a.reminders() == [later]
    assert seat_b.reminders() == []

    # the files are separate, and neither is the case database
    for name in ("jobs-a.sqlite3", "jobs-b.sqlite3"):
        engine = create_engine(f"sqlite:///{tmp_path / name}")
        try:
            assert inspect(engine).get_table_names() == ["apscheduler_jobs"]
        finally:
            engine.dispose()


def test_default_job_store_is_the_seats_own_file(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminder_jobs, "data_dir", lambda: tmp_path)
    sched = ConsoleScheduler(demo_db, seat_id="seat-7", scan=no_scan)
    assert sched.jobstore_url == f"sqlite:///{tmp_path / 'jobs-seat-7.sqlite3'}"
    assert sched.jobstore_url != demo_db.url
    sched.start()
    try:
        assert (tmp_path / "jobs-seat-7.sqlite3").exists()
    finally:
        sched.shutdown()


def test_remind_in_work_hours_counts_on_the_working_calendar(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str], tmp_path: Path
) -> None:
    case_id, _ = case
    # Years past the holiday package's data count Monday–Friday: a deterministic calendar.
    friday_5pm = Clock(datetime(2031, 6, 6, 17, 0, tzinfo=LOCAL_TZ))
    assert friday_5pm.now.weekday() == 4
    sched = make(clock=friday_5pm)
    sched.start()
    monday = sched.remind_in_work_hours(case_id, 2, "两个工作时后回访", DISPATCHER)
    assert monday.due_at == datetime(2031, 6, 9, 9, 0, tzinfo=LOCAL_TZ)
    friday_5pm.now = datetime(2031, 6, 6, 11, 50, tzinfo=LOCAL_TZ)
    after_lunch = sched.remind_in_work_hours(case_id, 0.5, "", DISPATCHER)
    assert after_lunch.due_at == datetime(2031, 6, 6, 14, 20, tzinfo=LOCAL_TZ)
    assert sched.reminders() == [after_lunch, monday]
    assert [r.due_at for r in sched.reminders()] == [after_lunch.due_at, monday.due_at]
    sched.shutdown()

    # a holiday on the calendar moves it on
    holiday = make(
        clock=Clock(datetime(2031, 6, 6, 17, 0, tzinfo=LOCAL_TZ)),
        calendar=WorkCalendar(overrides={date(2031, 6, 9): False}),
        jobstore_url=f"sqlite:///{tmp_path / 'jobs-holiday.sqlite3'}",
        seat_id="holiday",
    )
    holiday.start()
    tuesday = holiday.remind_in_work_hours(case_id, 2, "", DISPATCHER)
    assert tuesday.due_at == datetime(2031, 6, 10, 9, 0, tzinfo=LOCAL_TZ)


def test_reminder_validation(make: Callable[..., ConsoleScheduler], case: tuple[int, str]) -> None:
    case_id, _ = case
    sched = make()
    with pytest.raises(RuntimeError, match="start"):
        sched.remind_at(case_id, now_local() + timedelta(hours=1), "", DISPATCHER)
    sched.start()
    with pytest.raises(ValidationError, match="时区"):
        sched.remind_at(case_id, datetime.now() + timedelta(hours=1), "", DISPATCHER)
    with pytest.raises(ValidationError, match="已经过去"):
        sched.remind_at(case_id, now_local() - timedelta(minutes=5), "", DISPATCHER)
    for hours in (0, -1, float("nan")):
        with pytest.raises(ValidationError, match="大于 0"):
            sched.remind_in_work_hours(case_id, hours, "", DISPATCHER)
    with pytest.raises(CaseNotFoundError):
        sched.remind_at(999_999, now_local() + timedelta(hours=1), "", DISPATCHER)
    with pytest.raises(ValidationError, match="500"):
        sched.remind_at(case_id, now_local() + timedelta(hours=1), "长" * 501, DISPATCHER)
    # the wall (大屏) and handlers hold no set_reminder permission (resources/org/permissions.csv)
    for role in ("wall", "department"):
        with pytest.raises(PermissionDeniedError, match="无权设置案件提醒"):
            sched.remind_in_work_hours(case_id, 1, "", Actor(9, "某人", role))
    assert sched.reminders() == []
    # "at 15:00" typed a moment after 15:00 is still accepted
    just_now = sched.remind_at(case_id, now_local() - timedelta(seconds=1), "", DISPATCHER)
    assert just_now.case_id == case_id


def test_cancel_a_reminder(make: Callable[..., ConsoleScheduler], case: tuple[int, str]) -> None:
    case_id, _ = case
    fired = Fired()
    sched = make(on_reminder=fired)
    sched.start()
    reminder = sched.remind_at(case_id, now_local() + timedelta(seconds=1), "", DISPATCHER)
    assert sched.cancel(reminder.job_id) is True
    assert sched.reminders() == []
    assert sched.cancel(reminder.job_id) is False
    time.sleep(1.5)
    assert len(fired) == 0


def test_a_reminder_with_no_scheduler_running_is_harmless(
    make: Callable[..., ConsoleScheduler],
) -> None:
    assert running_scheduler("nobody") is None
    fire_reminder(
        seat_id="nobody",
        job_id="reminder-x",
        case_id=1,
        case_number=None,
        due_at=now_local().isoformat(),
        note="",
        username="dispatcher",
    )


def test_a_failing_reminder_callback_goes_to_on_error(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str]
) -> None:
    errors: list[str] = []

    def explode(_reminder: Reminder) -> None:
        raise RuntimeError("boom")

    sched = make(on_reminder=explode, on_error=errors.append)
    sched.start()
    sched.remind_at(case[0], now_local(), "", DISPATCHER)
    assert wait_until(lambda: len(errors) == 1)
    assert "boom" in errors[0]
    assert sched.reminders() == []


# -- jobs stored by an earlier install ----------------------------------------------------------

#: Where fire_reminder lived before it moved to console.scheduler.reminders: installs of that
#: time stored this path in their seats' job stores.
OLD_PATH = "console.scheduler:fire_reminder"
NEW_PATH = "console.scheduler.reminders:fire_reminder"


def _stored_functions(url: str) -> list[str]:
    """The job functions' import paths as the job-store file keeps them."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT job_state FROM apscheduler_jobs ORDER BY id")).all()
    finally:
        engine.dispose()
    return [pickle.loads(state)["func"] for (state,) in rows]


def test_reminders_stored_under_the_old_path_still_load_and_fire(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str], tmp_path: Path
) -> None:
    case_id, number = case
    url = f"sqlite:///{tmp_path / 'jobs-old-install.sqlite3'}"
    due_while_down = now_local() - timedelta(minutes=5)
    later = now_local() + timedelta(hours=3)
    # What an earlier install left in the seat's job store: APScheduler's own job records, with
    # the job function named by its old import path (and the executor and options the scheduler
    # gave them then). Written through the store itself, by no running scheduler: one that shut
    # down could still take the due job on its way out.
    store = SQLAlchemyJobStore(url=url)
    owner = BackgroundScheduler(timezone=LOCAL_TZ)  # never started
    store.start(owner, "reminders")
    for job_id, due, note in [
        ("reminder-old-due", due_while_down, "旧提醒"),
        ("reminder-old-later", later, "旧的稍后提醒"),
    ]:
        trigger = DateTrigger(run_date=due, timezone=LOCAL_TZ)
        job = Job(
            owner,
            id=job_id,
            func=OLD_PATH,
            trigger=trigger,
            executor="reminders",
            args=(),
            kwargs={
                "seat_id": "default",
                "job_id": job_id,
                "case_id": case_id,
                "case_number": number,
                "due_at": due.isoformat(),
                "note": note,
                "username": DISPATCHER.name,
            },
            name=f"提醒 {number}",
            misfire_grace_time=30 * 24 * 3600,
            coalesce=True,
            max_instances=1,
            next_run_time=trigger.get_next_fire_time(None, due),
        )
        store.add_job(job)
    store.shutdown()
    assert _stored_functions(url) == [OLD_PATH, OLD_PATH]

    def old(job_id: str, due: datetime, note: str) -> Reminder:
        return Reminder(job_id, case_id, number, due, note, DISPATCHER.name)

    fired = Fired()
    seat = make(jobstore_url=url, on_reminder=fired)
    seat.start()
    assert wait_until(lambda: len(fired) == 1)
    assert fired.reminders == [old("reminder-old-due", due_while_down, "旧提醒")]
    pending = old("reminder-old-later", later, "旧的稍后提醒")
    assert seat.reminders() == [pending]
    seat.shutdown()
    assert _stored_functions(url) == [OLD_PATH]  # loaded, not dropped as unrestorable

    again = make(jobstore_url=url)
    again.start()
    assert again.reminders() == [pending]
    assert again.cancel(pending.job_id) is True
    assert again.reminders() == []
    assert len(fired) == 1


def test_new_reminders_store_the_new_path_and_the_old_one_resolves_to_it(
    make: Callable[..., ConsoleScheduler], case: tuple[int, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'jobs-new.sqlite3'}"
    sched = make(jobstore_url=url)
    sched.start()
    sched.remind_at(case[0], now_local() + timedelta(hours=1), "", DISPATCHER)
    sched.shutdown()
    assert _stored_functions(url) == [NEW_PATH]
    assert ref_to_obj(NEW_PATH) is reminder_jobs.fire_reminder
    assert ref_to_obj(OLD_PATH) is reminder_jobs.fire_reminder
