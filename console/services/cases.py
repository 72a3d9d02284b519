"""Case use cases: each call is one transaction that changes a case and appends its event.

:class:`CaseService` is what the console, the CLI and the importers call. Every transition has
its own method; each takes the actor, the case id and the version the actor last saw
(optimistic locking: a stale version is a :class:`StaleVersionError`, never an overwrite) and
returns a fresh :class:`CaseSnapshot`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from console.config import LifecycleSettings
from console.db import Database
from console.domain.lifecycle import Lifecycle, default_lifecycle
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError, StaleVersionError
from console.models import Case
from console.services.actors import Actor
from console.services.case_dto import CaseSnapshot, snapshot
from console.services.locator import DbLocator, Locator
from console.services.report_input import ReportInput
from console.services.workflow import CaseWorkflow


def utc_now() -> datetime:
    return datetime.now(UTC)


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
    ) -> None:
        self.db = db
        self.clock = clock
        self.workflow = CaseWorkflow(
            calendar or WorkCalendar.from_override_file(),
            lifecycle or default_lifecycle(),
            locator or DbLocator(db),
            warning_share=(settings or LifecycleSettings()).warning_share,
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
        now = self.clock()
        with self.db.session() as s:
            case = self.workflow.report(s, actor, report, now)
            return snapshot(case, now)

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
        now = self.clock()
        try:
            with self.db.session() as s:
                case = s.get(Case, case_id)
                if case is None:
                    raise CaseNotFoundError(f"案件不存在: {case_id}")
                if expected_version is not None and case.version != expected_version:
                    raise StaleVersionError(
                        f"案件 {case.number} 已被他人修改（版本 {case.version}，"
                        f"您看到的是 {expected_version}），请刷新后重试"
                    )
                self.workflow.apply(s, actor, case, action, now, note=note, **params)
                s.flush()
                return snapshot(case, now)
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
