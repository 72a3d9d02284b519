"""The patrol-gap alert job on real APScheduler and the real demo database: registered at the
day's end from alerts.csv, a catch-up at start, and the job fired raising the day's alerts once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from console.config import LOCAL_TZ
from console.db import Database
from console.scheduler import PATROL_ALERT_JOB_ID, ConsoleScheduler
from console.services.patrol_alerts import PatrolAlertRecord, PatrolAlertRules
from tests.conftest import Clock
from tests.scheduler.support import wait_until
from tests.services.patrol_alert_support import at, district, patrol_grids

DAY = date(2026, 11, 23)


class Raised:
    """An on_patrol_alerts callback that records each batch (from the pool thread)."""

    def __init__(self) -> None:
        self.batches: list[list[PatrolAlertRecord]] = []
        self._lock = threading.Lock()

    def __call__(self, batch: list[Any]) -> None:
        with self._lock:
            self.batches.append(list(batch))

    def records(self) -> list[PatrolAlertRecord]:
        with self._lock:
            return [r for batch in self.batches for r in batch]


def test_the_job_runs_at_the_days_end_and_at_start_and_raises_once(
    make: Callable[..., ConsoleScheduler], demo_db: Database, clock: Clock
) -> None:
    place = district(demo_db)
    patrol_grids(demo_db, clock, place.codes(min(place.streets)))  # Monday 09:00
    clock.now = at(DAY, 21, 0)  # the seat starts before the day's end: nothing due yet
    raised, errors = Raised(), []
    rules = PatrolAlertRules(time(21, 30), 7)
    sched = make(
        clock=clock,
        on_patrol_alerts=raised,
        on_error=errors.append,
        patrol_alert_rules=rules,
    )
    sched.start()
    job = sched._scheduler.get_job(PATROL_ALERT_JOB_ID)  # type: ignore[union-attr]
    assert job is not None and isinstance(job.trigger, CronTrigger)
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("21", "30")
    assert (job.coalesce, job.max_instances) == (True, 1)
    # The catch-up at start ran and found nothing due (an empty batch: the dock re-reads).
    assert wait_until(lambda: len(raised.batches) == 1)
    assert raised.records() == [] and errors == []

    # The day ends; APScheduler fires the job (as at 21:30): one alert per unpatrolled street.
    clock.now = at(DAY, 21, 30)
    sched._scheduler.modify_job(  # type: ignore[union-attr]
        PATROL_ALERT_JOB_ID, next_run_time=datetime.now(LOCAL_TZ)
    )
    assert wait_until(lambda: len(raised.batches) == 2)
    assert len(raised.records()) == len(place.streets) - 1
    assert {r.day for r in raised.records()} == {DAY} and errors == []

    # Fired again (as at another seat, or after a restart): nothing raised twice, and the
    # callback still comes (with nothing) so that seat's dock re-reads what the first raised.
    sched._scheduler.modify_job(  # type: ignore[union-attr]
        PATROL_ALERT_JOB_ID, next_run_time=datetime.now(LOCAL_TZ)
    )
    assert wait_until(lambda: len(raised.batches) == 3)
    assert raised.batches[-1] == [] and len(raised.records()) == len(place.streets) - 1
    assert sched.run_patrol_alerts_now() == [] and errors == []
    assert job_next(sched) > datetime.now(LOCAL_TZ)  # the cron's next day's end


def test_a_seat_started_after_downtime_catches_up_at_start(
    make: Callable[..., ConsoleScheduler], demo_db: Database, clock: Clock
) -> None:
    place = district(demo_db)
    patrol_grids(demo_db, clock, place.codes(min(place.streets))[:1])  # Monday 09:00
    clock.now = at(date(2026, 11, 25), 8, 0)  # Wednesday morning: Monday and Tuesday missed
    raised = Raised()
    make(
        clock=clock, on_patrol_alerts=raised, patrol_alert_rules=PatrolAlertRules(time(22), 7)
    ).start()
    assert wait_until(lambda: len(raised.records()) == 2 * len(place.streets))
    assert {r.day for r in raised.records()} == {DAY, date(2026, 11, 24)}


def test_without_patrol_alerts_no_job(make: Callable[..., ConsoleScheduler]) -> None:
    sched = make(patrol_alerts=False)
    sched.start()
    assert sched._scheduler.get_job(PATROL_ALERT_JOB_ID) is None  # type: ignore[union-attr]


def job_next(sched: ConsoleScheduler) -> datetime:
    job = sched._scheduler.get_job(PATROL_ALERT_JOB_ID)  # type: ignore[union-attr]
    assert job is not None and job.next_run_time is not None
    return job.next_run_time  # type: ignore[no-any-return]
