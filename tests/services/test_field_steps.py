"""The field's new lifecycle steps (issue 15) on a real SQLite file: 签收, 申请挂账 and its
decisions, 自处置审核 (rejected) — through CaseService, the detail's actions and the queue."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from console.db import Database
from console.errors import IllegalTransitionError, PermissionDeniedError, ValidationError
from console.models import Case, CaseEvent
from console.services.acceptance import ACCEPT_MARK, accepted_ids
from console.services.cases.detail import load_detail
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, matching_ids
from console.services.work_calendar import load_calendar
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    GRID,
    INSPECTOR,
    handler,
    own_grid,
    report_input,
    street_points,
)


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


def dispatched(service: CaseService, db: Database) -> CaseSnapshot:
    (_, _, point), _ = street_points(db)
    s = service.report(INSPECTOR, report_input(point))
    s = service.register(CHIEF, s.id, s.version)
    return service.dispatch(DISPATCHER, s.id, s.version)


def actions(db: Database, clock: Clock, case_id: int, role: str, dept: int | None = None):
    with db.read() as s:
        detail = load_detail(s, case_id, clock(), load_calendar(s), role=role, department_id=dept)
    return [a.action for a in detail.actions]


def last_event(db: Database, case_id: int) -> tuple[str, str | None, str, dict]:
    with db.read() as s:
        e = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id.desc())
        ).first()
        assert e is not None
        return e.action, e.from_state, e.to_state, json.loads(e.data or "{}")


def test_accept_is_a_step_once_per_arrival(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    s = dispatched(service, demo_db)
    pro = handler(demo_db, s.department_id)
    assert "accept" in actions(demo_db, clock, s.id, "department", pro.department_id)
    with pytest.raises(PermissionDeniedError):
        service.act(INSPECTOR, s.id, "accept", s.version)
    clock.advance(minutes=12)
    s = service.act(pro, s.id, "accept", s.version)
    assert s.state == "dispatched"
    assert last_event(demo_db, s.id) == (
        "accept", "dispatched", "dispatched", {"waited_seconds": 720},
    )  # fmt: skip
    assert "accept" not in actions(demo_db, clock, s.id, "department", pro.department_id)
    with pytest.raises(IllegalTransitionError, match="已签收"):
        service.act(pro, s.id, "accept", s.version)
    # Sent back for rework: the case arrives again and is accepted again.
    s = service.feedback(pro, s.id, s.version, note="已清运")
    s = service.verify_fail(INSPECTOR, s.id, s.version, note="未清理干净")
    with demo_db.read() as session:
        assert accepted_ids(session, [s.id]) == set()
    s = service.act(pro, s.id, "accept", s.version)
    with demo_db.read() as session:
        assert accepted_ids(session, [s.id]) == {s.id}


def test_an_acceptance_note_from_before_the_step_still_counts(
    demo_db: Database, service: CaseService
) -> None:
    s = dispatched(service, demo_db)
    pro = handler(demo_db, s.department_id)
    s = service.add_note(pro, s.id, s.version, note=f"{ACCEPT_MARK}{pro.name} 已签收")
    with pytest.raises(IllegalTransitionError, match="已签收"):
        service.act(pro, s.id, "accept", s.version)


def test_a_suspension_request_is_approved_or_refused_by_the_duty_chief(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    s = dispatched(service, demo_db)
    pro = handler(demo_db, s.department_id)
    assert "approve_suspension" not in actions(demo_db, clock, s.id, "duty_chief")
    with pytest.raises(ValidationError, match="须填写说明"):
        service.act(pro, s.id, "request_suspension", s.version)
    with pytest.raises(ValidationError, match="没有待审批的挂账申请"):
        service.act(CHIEF, s.id, "approve_suspension", s.version)
    s = service.act(pro, s.id, "request_suspension", s.version, note="管线迁改，需等待产权单位")
    assert s.state == "dispatched"
    assert "request_suspension" not in actions(
        demo_db, clock, s.id, "department", pro.department_id
    )
    chief = actions(demo_db, clock, s.id, "duty_chief")
    assert {"approve_suspension", "refuse_suspension"} <= set(chief)
    with pytest.raises(ValidationError, match="已有待审批的挂账申请"):
        service.act(pro, s.id, "request_suspension", s.version, note="再次申请")
    # The requests tab shows it (a pending request, not only return_requested).
    requests = QueueFilter(tab="requests")
    with demo_db.read() as session:
        assert matching_ids(session, requests, [s.id], clock()) == {s.id}

    refused = service.act(CHIEF, s.id, "refuse_suspension", s.version, note="可先行处置")
    assert refused.state == "dispatched"
    with demo_db.read() as session:
        assert session.get(Case, s.id).suspension_requested_at is None
        assert matching_ids(session, requests, [s.id], clock()) == set()

    s = service.act(pro, s.id, "request_suspension", refused.version, note="仍需等待")
    clock.advance(minutes=30)
    s = service.act(CHIEF, s.id, "approve_suspension", s.version)
    assert (s.state, last_event(demo_db, s.id)[:3]) == (
        "suspended", ("approve_suspension", "dispatched", "suspended"),
    )  # fmt: skip
    s = service.resume(CHIEF, s.id, s.version)
    assert s.state == "dispatched"


def test_the_duty_chief_rejects_a_self_handling(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    (_, _, point), _ = street_points(demo_db)
    s = service.report(GRID, report_input(point, source="grid"))
    s = service.self_handle(own_grid(s), s.id, s.version, note="已自行清理")
    assert {"close", "reject_self_handle"} <= set(actions(demo_db, clock, s.id, "duty_chief"))
    with pytest.raises(ValidationError, match="须填写说明"):
        service.act(CHIEF, s.id, "reject_self_handle", s.version)
    s = service.act(CHIEF, s.id, "reject_self_handle", s.version, note="现场仍有垃圾，转正常派遣")
    assert s.state == "reported"
    with demo_db.read() as session:
        assert session.get(Case, s.id).handled_at is None
    s = service.register(CHIEF, s.id, s.version)
    assert s.state == "registered"
