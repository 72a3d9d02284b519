"""The console's scheduler: the periodic supervision scan, the end-of-day patrol-gap alerts
and a seat's reminders (no Qt).

APScheduler 3.x is kept at arm's length (style anchor 12, FlexGet and calibre-web): its jobs
are thin triggers. The scan job opens one session and calls the supervision service; a
reminder job only hands a :class:`Reminder` to the callback of the seat's running scheduler.

Two job stores:

* ``default`` (memory): the supervision scan, rebuilt from the settings on every
  :meth:`ConsoleScheduler.start` with the stable id ``supervision-scan``, the patrol-gap alerts
  (``patrol-gap-alerts``: at ``day_ends_at`` of resources/patrol/alerts.csv each day, and once
  at start to catch up on the days missed while down), and the monthly evaluation on a seat that
  writes it.
* ``reminders`` (SQLAlchemy): the seat's reminders ("remind me about case X at 15:00",
  "in 2 working hours"), in a SQLite file of that seat's own (console.scheduler.reminders;
  their rules are console.services.reminders). Reminders survive a restart and fire once; one
  that came due while the console was down fires on the next start.

Callbacks (``on_alerts``, ``on_patrol_alerts``, ``on_reminder``, ``on_error``) run on a
scheduler pool thread; a GUI
must hand them to its own thread (a queued signal), never touch widgets from them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.scheduler import reminders as reminder_jobs
from console.scheduler.reminders import (
    REMINDER_EXECUTOR,
    REMINDER_STORE,
    default_jobstore_url,
    running_scheduler,
)
from console.scheduler.stores import ClosingStore, MemoryStore, SeatStore
from console.services import reminders as reminder_rules
from console.services.actors import Actor
from console.services.cases.service import utc_now
from console.services.reminders import Reminder
from console.services.work_calendar import sync_calendar

if TYPE_CHECKING:
    from console.services.patrol_alerts import PatrolAlertRules, PatrolAlertService

# Compatibility alias, do not remove: the job store keeps each reminder job's function as its
# import path, and installs before the reminders moved to console.scheduler.reminders stored
# "console.scheduler:fire_reminder". Without this name their pending reminders would not load
# (APScheduler logs "Unable to restore job" and deletes them). New jobs store the new path.
fire_reminder = reminder_jobs.fire_reminder

__all__ = [
    "EVALUATION_JOB_ID",
    "PATROL_ALERT_JOB_ID",
    "REMINDER_STORE",
    "SCAN_JOB_ID",
    "ConsoleScheduler",
    "Reminder",
    "default_jobstore_url",
    "fire_reminder",
    "first_working_day",
    "running_scheduler",
]

log = logging.getLogger(__name__)

#: Stable id of the periodic supervision scan (memory job store).
SCAN_JOB_ID = "supervision-scan"
EVALUATION_JOB_ID = "monthly-evaluation"
#: Stable id of the end-of-day patrol-gap alerts (巡查缺漏).
PATROL_ALERT_JOB_ID = "patrol-gap-alerts"
#: A patrol-gap run that starts this late after its slot still runs (it raises a whole day).
PATROL_ALERT_MISFIRE_GRACE_S = 6 * 3600
#: A scan that starts later than this after its slot is skipped (coalesced into the next).
SCAN_MISFIRE_GRACE_S = 30

_SEAT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

ScanFn = Callable[[Session, datetime, WorkCalendar], list[Any]]


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
        on_patrol_alerts: Callable[[list[Any]], None] | None = None,
        patrol_alerts: bool = True,
        patrol_alert_rules: PatrolAlertRules | None = None,
        on_reminder: Callable[[Reminder], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        reports_dir: Path | None = None,
    ) -> None:
        if not _SEAT_ID.match(seat_id):
            raise ValueError(f"seat id must be 1–64 of [A-Za-z0-9_.-], got {seat_id!r}")
        if scan_interval_s <= 0:
            raise ValueError(f"scan interval must be > 0 s, got {scan_interval_s}")
        if jobstore_url is not None and reminder_jobs.same_database(jobstore_url, db.url):
            raise ValueError("the reminder job store must be a file of its own, not the case db")
        self.db = db
        self.seat_id = seat_id
        self._jobstore_url = jobstore_url
        self.scan_interval_s = scan_interval_s
        self.calendar = calendar or WorkCalendar()
        self.clock = clock
        self._scan = scan or _default_scan
        self.on_alerts = on_alerts
        #: Called after each patrol-gap run with the alerts it raised (maybe none).
        self.on_patrol_alerts = on_patrol_alerts
        #: Whether this scheduler raises the end-of-day patrol-gap alerts.
        self.patrol_alerts = patrol_alerts
        self._patrol_alert_rules = patrol_alert_rules
        self._patrol_alert_service: PatrolAlertService | None = None
        self._patrol_lock = threading.Lock()
        self.on_reminder = on_reminder
        self.on_error = on_error
        #: Where the monthly evaluation workbook goes (None: no monthly job on this seat).
        self.reports_dir = reports_dir
        self._scheduler: BackgroundScheduler | None = None
        self._stores: list[ClosingStore] = []
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
            path = reminder_jobs.sqlite_file(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            # Registered before the start: a reminder due at start finds us.
            reminder_jobs.register(self)
            try:
                self._stores = [MemoryStore(), SeatStore(url=url)]
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
                if self.patrol_alerts:
                    self._add_patrol_alert_job(scheduler)
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
                reminder_jobs.unregister(self)
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
                reminder_jobs.unregister(self)
            log.info("scheduler of seat %s stopped", self.seat_id)

    def _require_running(self) -> BackgroundScheduler:
        scheduler = self._scheduler
        if scheduler is None:
            raise RuntimeError("the scheduler is not running; call start() first")
        return scheduler

    # -- the supervision scan -----------------------------------------------------------------

    def _scan_job(self) -> None:
        self.run_scan_now()

    # -- the patrol-gap alerts ----------------------------------------------------------------

    def _add_patrol_alert_job(self, scheduler: BackgroundScheduler) -> None:
        """Each day at its end (alerts.csv), and once now: catch up on days missed while down."""
        try:
            service = self.patrol_alert_service()
        except Exception as exc:  # a broken alerts.csv must not stop the scan and reminders
            self._report_error(f"巡查缺漏提醒未启用 patrol-gap alerts disabled: {exc}", exc)
            return
        ends = service.rules.day_ends_at
        scheduler.add_job(
            self._patrol_alert_job,
            CronTrigger(hour=ends.hour, minute=ends.minute, timezone=LOCAL_TZ),
            id=PATROL_ALERT_JOB_ID,
            name="巡查缺漏 patrol-gap alerts",
            jobstore="default",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=PATROL_ALERT_MISFIRE_GRACE_S,
            replace_existing=True,
            next_run_time=datetime.now(LOCAL_TZ),
        )

    def patrol_alert_service(self) -> PatrolAlertService:
        """The service that raises the patrol-gap alerts (made once: it keeps the geography)."""
        if self._patrol_alert_service is None:
            from console.services.patrol_alerts import PatrolAlertService

            self._patrol_alert_service = PatrolAlertService(
                self.db, self.clock, rules=self._patrol_alert_rules
            )
        return self._patrol_alert_service

    def _patrol_alert_job(self) -> None:
        self.run_patrol_alerts_now()

    def run_patrol_alerts_now(self) -> list[Any]:
        """Raise the patrol-gap alerts of every day due and not checked yet (at most the
        catch-up bound back); the alerts raised. Several seats may run it at once: each
        (day, street) is raised once.

        ``on_patrol_alerts`` is called after every run with what this run raised, possibly
        nothing: every seat's job runs at the day's end, and the seats whose run found the day
        raised by another seat (or the duty server) re-read their dock then too, so every seat
        shows the day's gaps at its end, not at its next refresh. Errors are logged and go to
        ``on_error``, never raised."""
        with self._patrol_lock:
            try:
                raised = list(self.patrol_alert_service().catch_up())
            except Exception as exc:
                self._report_error(f"巡查缺漏提醒失败 patrol-gap alerts failed: {exc}", exc)
                return []
        if self.on_patrol_alerts is not None:
            try:
                self.on_patrol_alerts(raised)
            except Exception as exc:
                self._report_error(f"巡查缺漏提醒处理失败 patrol-gap callback failed: {exc}", exc)
        return raised

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
        due = reminder_rules.due_at(actor, at, self.clock())
        return self._add_reminder(case_id, due, note, actor.name)

    def remind_in_work_hours(self, case_id: int, hours: float, note: str, actor: Actor) -> Reminder:
        """Remind after ``hours`` of working time (工作时) from now, on the working calendar."""
        due = reminder_rules.due_in_work_hours(actor, hours, self.clock(), self.calendar)
        return self._add_reminder(case_id, due, note, actor.name)

    def _add_reminder(self, case_id: int, due: datetime, note: str, username: str) -> Reminder:
        scheduler = self._require_running()
        with self.db.read() as s:
            reminder = reminder_rules.new_reminder(s, case_id, due, note, username)
        reminder_jobs.add_job(scheduler, self.seat_id, reminder)
        return reminder

    def reminders(self) -> list[Reminder]:
        """The seat's pending reminders, soonest first."""
        return reminder_jobs.pending(self._require_running())

    def cancel(self, job_id: str) -> bool:
        """Cancel a pending reminder; False when there is none (already fired or cancelled)."""
        return reminder_jobs.cancel(self._require_running(), job_id)

    def deliver_reminder(self, reminder: Reminder) -> None:
        """A reminder of this seat fired (console.scheduler.reminders.fire_reminder)."""
        log.info("reminder %s fired for case %s", reminder.job_id, reminder.case_number)
        if self.on_reminder is None:
            return
        try:
            self.on_reminder(reminder)
        except Exception as exc:
            self._report_error(f"提醒处理失败 reminder callback failed: {exc}", exc)
