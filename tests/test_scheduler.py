"""ConsoleScheduler on real APScheduler, real SQLite job-store files and a real case database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from console import scheduler as scheduler_module
from console.config import LOCAL_TZ
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError, PermissionDeniedError, ValidationError
from console.scheduler import (
    REMINDER_STORE,
    SCAN_JOB_ID,
    ConsoleScheduler,
    Reminder,
    fire_reminder,
    running_scheduler,
)
from console.services.actors import Actor
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import (
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    report_input,
    street_points,
)


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` s pass; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def no_scan(_session: Any, _now: datetime, _calendar: WorkCalendar) -> list[Any]:
    return []


def now_local() -> datetime:
    return datetime.now(LOCAL_TZ)


class Fired:
    """An on_reminder callback that records what fired (from the pool thread)."""

    def __init__(self) -> None:
        self.reminders: list[Reminder] = []
        self._lock = threading.Lock()

    def __call__(self, reminder: Reminder) -> None:
        with self._lock:
            self.reminders.append(reminder)

    def __len__(self) -> int:
        with self._lock:
            return len(self.reminders)


@pytest.fixture
def case(demo_db: Database) -> tuple[int, str]:
    """(id, number) of one reported case in the demo database."""
    _, _, point = street_points(demo_db)[0]
    snap = CaseService(demo_db).report(INTAKE, report_input(point))
    return snap.id, snap.number


@pytest.fixture
def make(demo_db: Database, tmp_path: Path) -> Iterator[Callable[..., ConsoleScheduler]]:
    """Build schedulers on the demo db (job store in tmp_path); all shut down at teardown."""
    made: list[ConsoleScheduler] = []

    def build(**kw: Any) -> ConsoleScheduler:
        kw.setdefault("jobstore_url", f"sqlite:///{tmp_path / 'jobs-test.sqlite3'}")
        kw.setdefault("scan", no_scan)
        kw.setdefault("calendar", WorkCalendar())
        sched = ConsoleScheduler(demo_db, **kw)
        made.append(sched)
        return sched

    yield build
    for sched in made:
        sched.shutdown()


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


def test_one_running_scheduler_per_seat_and_never_the_case_database(
    make: Callable[..., ConsoleScheduler], demo_db: Database
) -> None:
    first = make(seat_id="desk")
    first.start()
    assert running_scheduler("desk") is first
    with pytest.raises(RuntimeError, match="already has a running scheduler"):
        make(seat_id="desk").start()
    assert running_scheduler("desk") is first
    with pytest.raises(ValueError, match="not the case db"):
        ConsoleScheduler(demo_db, jobstore_url=demo_db.url, scan=no_scan)
    with pytest.raises(ValueError, match="seat id"):
        ConsoleScheduler(demo_db, seat_id="../etc", scan=no_scan)


def test_default_job_store_is_the_seats_own_file(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler_module, "data_dir", lambda: tmp_path)
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


# -- the supervision scan -----------------------------------------------------------------------


class CountingScan:
    def __init__(self, result: list[Any] | None = None, delay: float = 0.0) -> None:
        self.calls = 0
        self.active = 0
        self.max_active = 0
        self.result = result or []
        self.delay = delay
        self.args: list[tuple[Any, datetime, WorkCalendar]] = []
        self._lock = threading.Lock()

    def __call__(self, session: Any, now: datetime, calendar: WorkCalendar) -> list[Any]:
        with self._lock:
            self.calls += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.args.append((session, now, calendar))
        try:
            if self.delay:
                time.sleep(self.delay)
            return list(self.result)
        finally:
            with self._lock:
                self.active -= 1


def test_scan_runs_periodically_and_reports_alerts(
    make: Callable[..., ConsoleScheduler],
) -> None:
    scan = CountingScan(result=["alert"])
    batches: list[list[Any]] = []
    calendar = WorkCalendar()
    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ))
    sched = make(
        scan=scan, scan_interval_s=0.2, on_alerts=batches.append, calendar=calendar, clock=clock
    )
    sched.start()
    job = sched._scheduler.get_job(SCAN_JOB_ID)  # type: ignore[union-attr]
    assert job is not None
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.misfire_grace_time >= 30
    assert sched._scheduler.get_jobs(jobstore=REMINDER_STORE) == []  # type: ignore[union-attr]
    assert wait_until(lambda: scan.calls >= 4, timeout=5)
    assert wait_until(lambda: len(batches) >= 4, timeout=2)
    assert all(batch == ["alert"] for batch in batches)
    _session, now, cal = scan.args[0]
    assert now == clock.now
    assert cal is calendar


def test_scan_never_runs_twice_at_once(make: Callable[..., ConsoleScheduler]) -> None:
    scan = CountingScan(delay=0.4)
    sched = make(scan=scan, scan_interval_s=0.1)
    sched.start()
    assert wait_until(lambda: scan.calls >= 3, timeout=10)
    sched.shutdown(wait=True)
    assert scan.max_active == 1


def test_scan_errors_go_to_on_error_and_the_scan_goes_on(
    make: Callable[..., ConsoleScheduler],
) -> None:
    calls: list[int] = []

    def broken(_session: Any, _now: datetime, _calendar: WorkCalendar) -> list[Any]:
        calls.append(1)
        raise RuntimeError("database on fire")

    errors: list[str] = []
    sched = make(scan=broken, scan_interval_s=0.2, on_error=errors.append)
    assert sched.run_scan_now() == []  # never raises
    assert "database on fire" in errors[0]
    sched.start()
    assert wait_until(lambda: len(calls) >= 3, timeout=5)
    assert len(errors) >= 3
    assert sched.running


def test_real_supervision_scan(make: Callable[..., ConsoleScheduler], demo_db: Database) -> None:
    supervision = pytest.importorskip("console.services.supervision")
    calls: list[int] = []
    errors: list[str] = []

    def counted(session: Any, now: datetime, calendar: WorkCalendar) -> list[Any]:
        calls.append(1)
        return supervision.scan(session, now, calendar)

    sched = make(scan=counted, scan_interval_s=0.2, on_error=errors.append)
    sched.start()
    assert wait_until(lambda: len(calls) >= 3, timeout=10)
    assert errors == []

    default = ConsoleScheduler(demo_db, scan=None, on_error=errors.append)
    assert isinstance(default.run_scan_now(), list)
    assert errors == []


def test_shutdown_is_idempotent_and_quick(make: Callable[..., ConsoleScheduler]) -> None:
    never_started = make(seat_id="idle")
    never_started.shutdown()
    never_started.shutdown()

    sched = make(seat_id="busy", scan=CountingScan(delay=2.0), scan_interval_s=0.1)
    sched.start()
    assert running_scheduler("busy") is sched
    time.sleep(0.2)  # a slow scan is under way
    started = time.monotonic()
    sched.shutdown()
    sched.shutdown()
    assert time.monotonic() - started < 1.0
    assert not sched.running
    assert running_scheduler("busy") is None
    # and it can be started again
    sched.start()
    assert sched.running
    sched.shutdown()
