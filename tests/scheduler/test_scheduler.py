"""ConsoleScheduler on real APScheduler: one per seat, the supervision scan, shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.scheduler import (
    REMINDER_STORE,
    SCAN_JOB_ID,
    ConsoleScheduler,
    running_scheduler,
)
from tests.conftest import Clock
from tests.scheduler.support import no_scan, wait_until


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
