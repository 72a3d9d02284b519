"""The console's scheduler: the periodic supervision scan and a seat's reminders (no Qt).

APScheduler 3.x is kept at arm's length (style anchor 12, FlexGet and calibre-web): its jobs
are thin triggers. The scan job opens one session and calls the supervision service; a
reminder job only hands a :class:`Reminder` to the callback of the seat's running scheduler.

Two job stores:

* ``default`` (memory): the supervision scan, rebuilt from the settings on every
  :meth:`ConsoleScheduler.start` with the stable id ``supervision-scan``.
* ``reminders`` (SQLAlchemy): the seat's reminders ("remind me about case X at 15:00",
  "in 2 working hours"), in a SQLite file of that seat's own (``jobs-<seat>.sqlite3`` in the
  user data dir), never in the case database and never shared with another seat: APScheduler 3
  must not share one job store between several schedulers. Reminders survive a restart and
  fire once; one that came due while the console was down fires on the next start.

Callbacks (``on_alerts``, ``on_reminder``, ``on_error``) run on a scheduler pool thread; a GUI
must hand them to its own thread (a queued signal), never touch widgets from them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ, data_dir
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError, TextTooLongError, ValidationError
from console.models import Case
from console.services.actors import Actor
from console.services.cases.service import utc_now
from console.services.permissions import require
from console.services.work_calendar import sync_calendar

log = logging.getLogger(__name__)

#: Stable id of the periodic supervision scan (memory job store).
SCAN_JOB_ID = "supervision-scan"
EVALUATION_JOB_ID = "monthly-evaluation"
#: Alias of the seat's persistent job store.
REMINDER_STORE = "reminders"
#: The executor reminder jobs run on (one thread; a callback only hands the reminder on).
REMINDER_EXECUTOR = "reminders"
#: A scan that starts later than this after its slot is skipped (coalesced into the next).
SCAN_MISFIRE_GRACE_S = 30
#: A reminder that came due while the console was down still fires if it is at most this late.
REMINDER_MISFIRE_GRACE_S = 30 * 24 * 3600
#: "At 15:00" typed at 15:00:02 is still accepted: how far in the past a reminder may be.
PAST_TOLERANCE = timedelta(seconds=5)
#: Longest reminder note.
MAX_NOTE_CHARS = 500

_SEAT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

ScanFn = Callable[[Session, datetime, WorkCalendar], list[Any]]


@dataclass(frozen=True)
class Reminder:
    """One pending (or firing) reminder of a seat."""

    job_id: str
    case_id: int
    case_number: str | None
    #: When it fires (aware, local time).
    due_at: datetime
    note: str
    username: str


# -- job stores that stop handing out due jobs once shut down ------------------------------------


class _ClosingStore:
    """Mixin: after ``shutdown()`` the store has no due jobs (see ConsoleScheduler.shutdown)."""

    _closed = False

    def close(self) -> None:
        """Hand out no more due jobs (the stored jobs stay)."""
        self._closed = True

    def shutdown(self) -> None:
        self._closed = True
        super().shutdown()  # type: ignore[misc]

    def get_due_jobs(self, now: datetime) -> list[Any]:
        if self._closed:
            return []
        return super().get_due_jobs(now)  # type: ignore[misc]

    def get_next_run_time(self) -> datetime | None:
        if self._closed:
            return None
        return super().get_next_run_time()  # type: ignore[misc]


class _MemoryStore(_ClosingStore, MemoryJobStore):
    pass


class _SeatStore(_ClosingStore, SQLAlchemyJobStore):
    pass


# -- the registry the persistent reminder jobs find their scheduler through ----------------------

_registry: dict[str, ConsoleScheduler] = {}
_registry_lock = threading.Lock()


def running_scheduler(seat_id: str) -> ConsoleScheduler | None:
    """The scheduler of ``seat_id`` running in this process, if any."""
    with _registry_lock:
        return _registry.get(seat_id)


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
    scheduler._deliver_reminder(reminder)


def _default_scan(session: Session, now: datetime, calendar: WorkCalendar) -> list[Any]:
    # Imported here: the scheduler must not need the supervision service to import.
    from console.services.supervision import scan

    return scan(session, now, calendar)


def first_working_day(calendar: WorkCalendar, year: int, month: int) -> date:
    """The first working day of a month on the working-time calendar."""
    day = date(year, month, 1)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def default_jobstore_url(seat_id: str) -> str:
    """The seat's own job-store file in the user data dir."""
    return f"sqlite:///{data_dir() / f'jobs-{seat_id}.sqlite3'}"


def _same_database(a: str, b: str) -> bool:
    ua, ub = make_url(a), make_url(b)
    key_a = (ua.get_backend_name(), ua.host, ua.port, ua.database)
    return key_a == (ub.get_backend_name(), ub.host, ub.port, ub.database)


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for another backend or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


class ConsoleScheduler:
    """A ``BackgroundScheduler`` for one seat: the supervision scan and the seat's reminders."""

    def __init__(
        self,
        db: Database,
        *,
        seat_id: str = "default",
        jobstore_url: str | None = None,
        scan_interval_s: float = 60,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], datetime] = utc_now,
        scan: ScanFn | None = None,
        on_alerts: Callable[[list[Any]], None] | None = None,
        on_reminder: Callable[[Reminder], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        reports_dir: Path | None = None,
    ) -> None:
        if not _SEAT_ID.match(seat_id):
            raise ValueError(f"seat id must be 1–64 of [A-Za-z0-9_.-], got {seat_id!r}")
        if scan_interval_s <= 0:
            raise ValueError(f"scan interval must be > 0 s, got {scan_interval_s}")
        if jobstore_url is not None and _same_database(jobstore_url, db.url):
            raise ValueError("the reminder job store must be a file of its own, not the case db")
        self.db = db
        self.seat_id = seat_id
        self._jobstore_url = jobstore_url
        self.scan_interval_s = scan_interval_s
        self.calendar = calendar or WorkCalendar()
        self.clock = clock
        self._scan = scan or _default_scan
        self.on_alerts = on_alerts
        self.on_reminder = on_reminder
        self.on_error = on_error
        #: Where the monthly evaluation workbook goes (None: no monthly job on this seat).
        self.reports_dir = reports_dir
        self._scheduler: BackgroundScheduler | None = None
        self._stores: list[_ClosingStore] = []
        self._reminder_executor = ThreadPoolExecutor(max_workers=1)
        self._lifecycle_lock = threading.Lock()
        self._scan_lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def jobstore_url(self) -> str:
        """The seat's reminder job store (default: ``jobs-<seat>.sqlite3`` in the data dir)."""
        if self._jobstore_url is None:
            self._jobstore_url = default_jobstore_url(self.seat_id)
        return self._jobstore_url

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        """Build the scheduler, the scan job and the seat's job store, and start it.

        Reminders that came due while no scheduler ran fire now, once. Starting a second
        scheduler for a seat that already has one running in this process is refused.
        """
        with self._lifecycle_lock:
            if self._scheduler is not None:
                return
            url = self.jobstore_url
            path = _sqlite_file(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            with _registry_lock:
                if self.seat_id in _registry:
                    raise RuntimeError(f"seat {self.seat_id!r} already has a running scheduler")
                # Registered before the start: a reminder due at start finds us.
                _registry[self.seat_id] = self
            try:
                self._stores = [_MemoryStore(), _SeatStore(url=url)]
                self._reminder_executor = ThreadPoolExecutor(max_workers=1)
                scheduler = BackgroundScheduler(
                    timezone=LOCAL_TZ,
                    jobstores={
                        "default": self._stores[0],
                        REMINDER_STORE: self._stores[1],
                    },
                    executors={
                        "default": ThreadPoolExecutor(max_workers=2),
                        REMINDER_EXECUTOR: self._reminder_executor,
                    },
                    job_defaults={"coalesce": True, "max_instances": 1},
                )
                scheduler.add_job(
                    self._scan_job,
                    IntervalTrigger(seconds=self.scan_interval_s, timezone=LOCAL_TZ),
                    id=SCAN_JOB_ID,
                    name="督办扫描 supervision scan",
                    jobstore="default",
                    coalesce=True,
                    max_instances=1,
                    misfire_grace_time=max(SCAN_MISFIRE_GRACE_S, round(self.scan_interval_s)),
                    replace_existing=True,
                    # A first scan at once: catch up on what came due while nobody scanned.
                    next_run_time=datetime.now(LOCAL_TZ),
                )
                if self.reports_dir is not None:
                    # 月度绩效评价 on the first working day of each month (checked each morning
                    # of the month's first days: holidays can push it past the 1st).
                    scheduler.add_job(
                        self._evaluation_job,
                        CronTrigger(day="1-12", hour=8, minute=30, timezone=LOCAL_TZ),
                        id=EVALUATION_JOB_ID,
                        name="月度绩效评价 monthly evaluation",
                        jobstore="default",
                        coalesce=True,
                        max_instances=1,
                        misfire_grace_time=12 * 3600,
                        replace_existing=True,
                    )
                scheduler.start()
            except BaseException:
                self._unregister()
                raise
            self._scheduler = scheduler
            log.info("scheduler of seat %s started (job store %s)", self.seat_id, url)

    def shutdown(self, wait: bool = False) -> None:
        """Stop the scheduler (idempotent). ``wait=False`` does not wait for a running scan."""
        with self._lifecycle_lock:
            scheduler, self._scheduler = self._scheduler, None
            if scheduler is None:
                return
            try:
                # APScheduler 3 marks itself stopped before it takes the job-store lock, so a
                # processing pass under way would fail to remove a reminder it just submitted
                # (and the reminder would fire again on the next start). So: pause (no new
                # pass), let a pass under way finish (the lock), and close the stores, so that
                # a pass that slipped past the pause check finds nothing due. Reminders have
                # their own executor, so that one in flight is delivered (not lost) without
                # waiting for a slow scan.
                scheduler.pause()
                with scheduler._jobstores_lock:
                    for store in self._stores:
                        store.close()
                # A reminder already taken out of the store is delivered before we unregister.
                self._reminder_executor.shutdown(wait=True)
                scheduler.shutdown(wait=wait)
            finally:
                self._unregister()
            log.info("scheduler of seat %s stopped", self.seat_id)

    def _unregister(self) -> None:
        with _registry_lock:
            if _registry.get(self.seat_id) is self:
                del _registry[self.seat_id]

    def _require_running(self) -> BackgroundScheduler:
        scheduler = self._scheduler
        if scheduler is None:
            raise RuntimeError("the scheduler is not running; call start() first")
        return scheduler

    # -- the supervision scan -----------------------------------------------------------------

    def _scan_job(self) -> None:
        self.run_scan_now()

    # -- the monthly evaluation ---------------------------------------------------------------

    def _evaluation_job(self) -> None:
        try:
            self.run_monthly_evaluation()
        except Exception as exc:
            self._report_error(f"月度绩效评价失败 monthly evaluation failed: {exc}", exc)

    def run_monthly_evaluation(self) -> Path | None:
        """On the month's first working day, write last month's evaluation workbook.

        Returns the file written, or None when today is not that day or the file exists.
        """
        from console.services.evaluation.export import write_evaluation_xlsx
        from console.services.evaluation.report import evaluate, month_period

        now = self.clock().astimezone(LOCAL_TZ)
        if self.reports_dir is None or now.date() != first_working_day(
            self.calendar, now.year, now.month
        ):
            return None
        previous = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        target = self.reports_dir / f"evaluation-{previous}.xlsx"
        if target.exists():
            return None
        start, end = month_period(previous)
        with self.db.read() as session:
            report = evaluate(session, start, end, now)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".xlsx.part")
        write_evaluation_xlsx(report, partial)
        partial.replace(target)  # whole or nothing: a reader never sees half a workbook
        log.info("monthly evaluation written to %s", target)
        return target

    def run_scan_now(self) -> list[Any]:
        """One supervision scan in its own transaction; the alerts it raised.

        Alerts go to ``on_alerts`` (when there are any) after the transaction committed. Errors
        are logged and go to ``on_error``; they are never raised.
        """
        with self._scan_lock:
            try:
                with self.db.session() as session:
                    sync_calendar(session, self.calendar)  # an admin may have imported a year
                    alerts = list(self._scan(session, self.clock(), self.calendar))
            except Exception as exc:
                self._report_error(f"督办扫描失败 supervision scan failed: {exc}", exc)
                return []
        if alerts and self.on_alerts is not None:
            try:
                self.on_alerts(alerts)
            except Exception as exc:
                self._report_error(f"预警处理失败 alert callback failed: {exc}", exc)
        return alerts

    def _report_error(self, message: str, exc: BaseException) -> None:
        log.error("%s", message, exc_info=exc)
        if self.on_error is not None:
            try:
                self.on_error(message)
            except Exception:
                log.exception("on_error callback failed")

    # -- reminders ----------------------------------------------------------------------------

    def remind_at(self, case_id: int, at: datetime, note: str, actor: Actor) -> Reminder:
        """Remind ``actor`` about a case at ``at`` (aware); the reminder fires once."""
        require(actor, "set_reminder")
        if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
            raise ValidationError("提醒时间必须带时区（不接受无时区的时间）", field="at")
        now = self.clock()
        if at < now - PAST_TOLERANCE:
            shown = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
            raise ValidationError(f"提醒时间 {shown} 已经过去，请选择将来的时间", field="at")
        return self._add_reminder(case_id, at.astimezone(LOCAL_TZ), note, actor.name)

    def remind_in_work_hours(self, case_id: int, hours: float, note: str, actor: Actor) -> Reminder:
        """Remind after ``hours`` of working time (工作时) from now, on the working calendar."""
        require(actor, "set_reminder")
        if not hours > 0:  # also refuses NaN
            raise ValidationError(f"提醒间隔必须大于 0 工作时，收到 {hours}", field="hours")
        due = self.calendar.add_work_seconds(self.clock(), hours * 3600)
        return self._add_reminder(case_id, due.astimezone(LOCAL_TZ), note, actor.name)

    def _add_reminder(self, case_id: int, due: datetime, note: str, username: str) -> Reminder:
        note = (note or "").strip()
        if len(note) > MAX_NOTE_CHARS:
            raise TextTooLongError(f"提醒内容不能超过 {MAX_NOTE_CHARS} 字", field="note")
        if not username:
            raise ValidationError("提醒必须指定用户", field="username")
        scheduler = self._require_running()
        with self.db.read() as s:
            case_number = s.scalar(select(Case.number).where(Case.id == case_id))
        if case_number is None:
            raise CaseNotFoundError(f"案件不存在: {case_id}")
        reminder = Reminder(
            job_id=f"reminder-{uuid4().hex}",
            case_id=case_id,
            case_number=case_number,
            due_at=due,
            note=note,
            username=username,
        )
        scheduler.add_job(
            fire_reminder,
            DateTrigger(run_date=due, timezone=LOCAL_TZ),
            id=reminder.job_id,
            name=f"提醒 {case_number}",
            jobstore=REMINDER_STORE,
            executor=REMINDER_EXECUTOR,
            kwargs={
                "seat_id": self.seat_id,
                "job_id": reminder.job_id,
                "case_id": case_id,
                "case_number": case_number,
                "due_at": due.isoformat(),
                "note": note,
                "username": username,
            },
            coalesce=True,
            max_instances=1,
            misfire_grace_time=REMINDER_MISFIRE_GRACE_S,
            replace_existing=True,
        )
        return reminder

    def reminders(self) -> list[Reminder]:
        """The seat's pending reminders, soonest first."""
        jobs = self._require_running().get_jobs(jobstore=REMINDER_STORE)
        pending = [self._reminder_of(job.kwargs) for job in jobs if job.next_run_time is not None]
        return sorted(pending, key=lambda r: (r.due_at, r.job_id))

    def cancel(self, job_id: str) -> bool:
        """Cancel a pending reminder; False when there is none (already fired or cancelled)."""
        try:
            self._require_running().remove_job(job_id, jobstore=REMINDER_STORE)
        except JobLookupError:
            return False
        return True

    @staticmethod
    def _reminder_of(kwargs: dict[str, Any]) -> Reminder:
        return Reminder(
            job_id=kwargs["job_id"],
            case_id=kwargs["case_id"],
            case_number=kwargs["case_number"],
            due_at=datetime.fromisoformat(kwargs["due_at"]),
            note=kwargs["note"],
            username=kwargs["username"],
        )

    def _deliver_reminder(self, reminder: Reminder) -> None:
        log.info("reminder %s fired for case %s", reminder.job_id, reminder.case_number)
        if self.on_reminder is None:
            return
        try:
            self.on_reminder(reminder)
        except Exception as exc:
            self._report_error(f"提醒处理失败 reminder callback failed: {exc}", exc)
