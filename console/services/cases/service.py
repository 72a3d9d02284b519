"""Case use cases: each call is one transaction that changes a case and appends its event.

:class:`CaseService` is what the console, the CLI and the importers call. Every transition has
its own method; each takes the actor, the case id and the version the actor last saw
(optimistic locking: a stale version is a :class:`StaleVersionError`, never an overwrite) and
returns a fresh :class:`CaseSnapshot`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from console.config import LifecycleSettings
from console.db import Database
from console.domain.lifecycle import Lifecycle, default_lifecycle
from console.domain.worktime import WorkCalendar
from console.errors import (
    CaseNotFoundError,
    DatabaseUnavailableError,
    StaleVersionError,
    ValidationError,
)
from console.models import Case, CaseEvent
from console.services.actors import Actor
from console.services.cases.dto import CaseSnapshot, snapshot
from console.services.duplicates import DuplicateSettings
from console.services.locator import DbLocator, Locator
from console.services.report_input import ReportInput
from console.services.work_calendar import load_calendar, sync_calendar
from console.services.workflow import CaseWorkflow

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


#: PostgreSQL SQLSTATEs of a write that lost a race (serialization failure, deadlock, lock
#: timeout): rolled back, the same answer to the seat as a stale version.
_RACE_STATES = frozenset({"40001", "40P01", "55P03"})


def _lost_write(exc: OperationalError, subject: str) -> Exception | None:
    """The console error for a write the database refused because of another seat, if so."""
    if getattr(exc.orig, "sqlstate", None) in _RACE_STATES:
        return StaleVersionError(f"{subject}正被他人同时修改，本次操作未执行，请刷新后重试")
    if str(getattr(exc.orig, "sqlite_errorname", "")).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        # The busy timeout ran out: another seat held the file's write lock too long.
        return DatabaseUnavailableError(
            "数据库正忙（其他席位正在写入），本次操作未执行，请稍后重试"
        )
    return None


@contextmanager
def _lost_writes(subject: str) -> Iterator[None]:
    """Turn a write that lost to another seat into its console error; other errors pass."""
    try:
        yield
    except OperationalError as exc:
        lost = _lost_write(exc, subject)
        if lost is None:
            raise
        raise lost from exc


def load_case(session: Session, case_id: int, expected_version: int | None) -> Case:
    """The case to change, if it exists and is still at the version the actor saw."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFoundError(f"案件不存在: {case_id}")
    if expected_version is not None and case.version != expected_version:
        raise StaleVersionError(
            f"案件 {case.number} 已被他人修改（版本 {case.version}，"
            f"您看到的是 {expected_version}），请刷新后重试"
        )
    return case


class CaseService:
    def __init__(
        self,
        db: Database,
        *,
        calendar: WorkCalendar | None = None,
        lifecycle: Lifecycle | None = None,
        locator: Locator | None = None,
        settings: LifecycleSettings | None = None,
        clock: Callable[[], datetime] = utc_now,
        duplicates: DuplicateSettings | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        if calendar is None:
            with db.read() as s:
                calendar = load_calendar(s)
        self.workflow = CaseWorkflow(
            calendar,
            lifecycle or default_lifecycle(),
            locator or DbLocator(db),
            warning_share=(settings or LifecycleSettings()).warning_share,
            duplicates=duplicates,
        )

    @property
    def lifecycle(self) -> Lifecycle:
        return self.workflow.lifecycle

    def get(self, case_id: int) -> CaseSnapshot:
        with self.db.read() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise CaseNotFoundError(f"案件不存在: {case_id}")
            return snapshot(case, self.clock())

    def report(self, actor: Actor, report: ReportInput) -> CaseSnapshot:
        """发现上报: a new case in state ``reported``."""
        return self.report_with(actor, report, None)[0]

    def report_with(
        self,
        actor: Actor,
        report: ReportInput,
        also: Callable[[Session, Case, CaseEvent, datetime], T] | None,
    ) -> tuple[CaseSnapshot, T | None]:
        """:meth:`report`, plus ``also(session, case, event, now)`` in the same transaction
        (the report's photos, a merge into the case it repeats): all committed or none."""
        now = self.clock()
        try:
            with _lost_writes("案件编号"), self.db.session() as s:
                case, event = self.workflow.report_event(s, actor, report, now)
                extra = also(s, case, event, now) if also is not None else None
                s.flush()
                return snapshot(case, now), extra
        except StaleDataError:
            raise StaleVersionError("相关案件已被他人修改，上报未保存，请刷新后重试") from None

    def act(
        self,
        actor: Actor,
        case_id: int,
        action: str,
        expected_version: int | None,
        *,
        note: str | None = None,
        **params: Any,
    ) -> CaseSnapshot:
        """Apply one transition in one transaction; the generic form of the methods below."""
        if action in _PAIR_ACTIONS:  # two cases, two versions: see merge / keep_apart
            other = params.pop("into_id" if action == "merge" else "other_id", None)
            if not isinstance(other, int):
                raise ValidationError("须选定另一件案件", field="into_id")
            other_version = params.pop(
                "into_version" if action == "merge" else "other_version", None
            )
            return _PAIR_ACTIONS[action](
                self, actor, case_id, expected_version, other, other_version, note=note
            )
        return self.act_with(actor, case_id, action, expected_version, None, note=note, **params)[0]

    def act_with(
        self,
        actor: Actor,
        case_id: int,
        action: str,
        expected_version: int | None,
        also: Callable[[Session, Case, CaseEvent, datetime], T] | None,
        *,
        note: str | None = None,
        **params: Any,
    ) -> tuple[CaseSnapshot, T | None]:
        """:meth:`act`, plus ``also(session, case, event, now)`` in the same transaction.

        For rows that belong with the transition (a photo's attachment row): they commit with
        its ``case_events`` row or not at all, under the same version and lost-race checks.
        """
        now = self.clock()
        try:
            with _lost_writes(f"案件 {case_id} "), self.db.session() as s:
                sync_calendar(s, self.workflow.calendar)  # the deadline on today's schedule
                case = load_case(s, case_id, expected_version)
                event = self.workflow.apply(s, actor, case, action, now, note=note, **params)
                s.flush()
                extra = also(s, case, event, now) if also is not None else None
                return snapshot(case, now), extra
        except StaleDataError:
            # Another seat committed between our read and our write.
            raise StaleVersionError(f"案件 {case_id} 已被他人修改，请刷新后重试") from None

    # One method per transition: the typed API the views and the CLI use.

    def register(
        self,
        actor: Actor,
        case_id: int,
        version: int | None,
        *,
        rule_id: int | None = None,
        note: str | None = None,
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "register", version, note=note, rule_id=rule_id)

    def void(self, actor: Actor, case_id: int, version: int | None, *, note: str) -> CaseSnapshot:
        return self.act(actor, case_id, "void", version, note=note)

    def dispatch(
        self,
        actor: Actor,
        case_id: int,
        version: int | None,
        *,
        department_id: int | None = None,
        note: str | None = None,
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "dispatch", version, note=note, department_id=department_id)

    def request_return(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "request_return", version, note=note)

    def approve_return(
        self, actor: Actor, case_id: int, version: int | None, *, note: str | None = None
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "approve_return", version, note=note)

    def reject_return(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "reject_return", version, note=note)

    def request_extension(
        self, actor: Actor, case_id: int, version: int | None, *, amount: float, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "request_extension", version, note=note, amount=amount)

    def approve_extension(
        self, actor: Actor, case_id: int, version: int | None, *, note: str | None = None
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "approve_extension", version, note=note)

    def deny_extension(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "deny_extension", version, note=note)

    def feedback(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "feedback", version, note=note)

    def verify_pass(
        self, actor: Actor, case_id: int, version: int | None, *, note: str | None = None
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "verify_pass", version, note=note)

    def verify_fail(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "verify_fail", version, note=note)

    def close(
        self, actor: Actor, case_id: int, version: int | None, *, note: str | None = None
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "close", version, note=note)

    def archive(
        self, actor: Actor, case_id: int, version: int | None, *, note: str | None = None
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "archive", version, note=note)

    def suspend(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "suspend", version, note=note)

    def resume(
        self, actor: Actor, case_id: int, version: int | None, *, note: str | None = None
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "resume", version, note=note)

    def self_handle(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "self_handle", version, note=note)

    def add_note(
        self, actor: Actor, case_id: int, version: int | None, *, note: str
    ) -> CaseSnapshot:
        return self.act(actor, case_id, "add_note", version, note=note)

    # Two cases at once: both versions checked, both timelines written, one transaction.

    def merge(
        self,
        actor: Actor,
        case_id: int,
        version: int | None,
        into_id: int,
        into_version: int | None,
        *,
        note: str | None = None,
    ) -> CaseSnapshot:
        """合并: ``case_id`` is a duplicate of ``into_id``; returns the merged case."""
        return self._pair(actor, case_id, version, into_id, into_version, note, merge=True)

    def keep_apart(
        self,
        actor: Actor,
        case_id: int,
        version: int | None,
        other_id: int,
        other_version: int | None,
        *,
        note: str | None = None,
    ) -> CaseSnapshot:
        """不是重复: the flagged pair are two problems; returns ``case_id`` refreshed."""
        return self._pair(actor, case_id, version, other_id, other_version, note, merge=False)

    def _pair(
        self,
        actor: Actor,
        case_id: int,
        version: int | None,
        other_id: int,
        other_version: int | None,
        note: str | None,
        *,
        merge: bool,
    ) -> CaseSnapshot:
        now = self.clock()
        try:
            with _lost_writes(f"案件 {case_id} 或 {other_id} "), self.db.session() as s:
                case = load_case(s, case_id, version)
                other = load_case(s, other_id, other_version)
                decide = self.workflow.merge if merge else self.workflow.keep_apart
                decide(s, actor, case, other, now, note=note)
                s.flush()
                return snapshot(case, now)
        except StaleDataError:
            raise StaleVersionError(
                f"案件 {case_id} 或 {other_id} 已被他人修改，请刷新后重试"
            ) from None


_PAIR_ACTIONS = {"merge": CaseService.merge, "keep_apart": CaseService.keep_apart}
