"""A seat's reminders as APScheduler jobs: the seat's job store, the job function, the registry.

A reminder is one date-triggered job in the seat's SQLAlchemy job store (``jobs-<seat>.sqlite3``
in the user data dir; never the case database, never shared with another seat: APScheduler 3
must not share one job store between several schedulers). It keeps the reminder's plain values
(console.services.reminders.job_kwargs) and calls :func:`fire_reminder`, which hands the
reminder to the seat's scheduler running in this process (found in the registry here).

The job store keeps the job function as its import path ("module:function"), so a stored job
outlives the code that wrote it: see the alias in console.scheduler.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.engine import make_url

from console.config import LOCAL_TZ, data_dir
from console.services.reminders import Reminder, job_kwargs, reminder_of

if TYPE_CHECKING:
    from console.scheduler import ConsoleScheduler

log = logging.getLogger(__name__)

#: Alias of the seat's persistent job store.
REMINDER_STORE = "reminders"
#: The executor reminder jobs run on (one thread; a callback only hands the reminder on).
REMINDER_EXECUTOR = "reminders"
#: A reminder that came due while the console was down still fires if it is at most this late.
REMINDER_MISFIRE_GRACE_S = 30 * 24 * 3600


# -- the seat's job-store file ------------------------------------------------------------------


def default_jobstore_url(seat_id: str) -> str:
    """The seat's own job-store file in the user data dir."""
    return f"sqlite:///{data_dir() / f'jobs-{seat_id}.sqlite3'}"


def same_database(a: str, b: str) -> bool:
    ua, ub = make_url(a), make_url(b)
    key_a = (ua.get_backend_name(), ua.host, ua.port, ua.database)
    return key_a == (ub.get_backend_name(), ub.host, ub.port, ub.database)


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for another backend or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


# -- the registry the persistent reminder jobs find their scheduler through ----------------------

_registry: dict[str, ConsoleScheduler] = {}
_registry_lock = threading.Lock()


def running_scheduler(seat_id: str) -> ConsoleScheduler | None:
    """The scheduler of ``seat_id`` running in this process, if any."""
    with _registry_lock:
        return _registry.get(seat_id)


def register(scheduler: ConsoleScheduler) -> None:
    """Make ``scheduler`` the one its reminders find; refused when its seat has one running."""
    with _registry_lock:
        if scheduler.seat_id in _registry:
            raise RuntimeError(f"seat {scheduler.seat_id!r} already has a running scheduler")
        _registry[scheduler.seat_id] = scheduler


def unregister(scheduler: ConsoleScheduler) -> None:
    with _registry_lock:
        if _registry.get(scheduler.seat_id) is scheduler:
            del _registry[scheduler.seat_id]


def fire_reminder(
    *,
    seat_id: str,
    job_id: str,
    case_id: int,
    case_number: str | None,
    due_at: str,
    note: str,
    username: str,
) -> None:
    """The reminder job: hand the reminder to the seat's running scheduler.

    Module level, so the job store keeps a textual reference to it. With no scheduler of that
    seat running in this process it only logs.
    """
    reminder = Reminder(
        job_id=job_id,
        case_id=case_id,
        case_number=case_number,
        due_at=datetime.fromisoformat(due_at),
        note=note,
        username=username,
    )
    scheduler = running_scheduler(seat_id)
    if scheduler is None:
        log.warning("reminder %s of seat %s fired with no scheduler running", job_id, seat_id)
        return
    scheduler.deliver_reminder(reminder)


# -- the jobs -----------------------------------------------------------------------------------


def add_job(scheduler: BaseScheduler, seat_id: str, reminder: Reminder) -> None:
    """Store ``reminder`` as a job that fires once at its due time (or on the next start)."""
    scheduler.add_job(
        fire_reminder,
        DateTrigger(run_date=reminder.due_at, timezone=LOCAL_TZ),
        id=reminder.job_id,
        name=f"提醒 {reminder.case_number}",
        jobstore=REMINDER_STORE,
        executor=REMINDER_EXECUTOR,
        kwargs=job_kwargs(reminder, seat_id),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=REMINDER_MISFIRE_GRACE_S,
        replace_existing=True,
    )


def pending(scheduler: BaseScheduler) -> list[Reminder]:
    """The pending reminders in the seat's store, soonest first."""
    jobs = scheduler.get_jobs(jobstore=REMINDER_STORE)
    found = [reminder_of(job.kwargs) for job in jobs if job.next_run_time is not None]
    return sorted(found, key=lambda r: (r.due_at, r.job_id))


def cancel(scheduler: BaseScheduler, job_id: str) -> bool:
    """Remove a pending reminder; False when there is none (already fired or cancelled)."""
    try:
        scheduler.remove_job(job_id, jobstore=REMINDER_STORE)
    except JobLookupError:
        return False
    return True
