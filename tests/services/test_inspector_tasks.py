"""信息核实 (report check) and 核查任务 (check task), issue 15, on a real SQLite file: the steps
through CaseService, the assigned inspector's rule, the detail's actions and options, the queue."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from console.db import Database
from console.errors import IllegalTransitionError, PermissionDeniedError, ValidationError
from console.models import Case, CaseEvent, User
from console.services.actors import Actor, actor_of
from console.services.cases.detail import CaseDetail, load_detail
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, matching_ids
from console.services.work_calendar import load_calendar
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    handler,
    report_input,
    street_points,
)


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


def add_user(db: Database, username: str, role: str = "inspector", active: bool = True) -> Actor:
    with db.session() as s:
        user = User(username=username, display_name=f"{username}名", role=role, active=active)
        s.add(user)
        s.flush()
        return actor_of(user)


def reported(service: CaseService, db: Database) -> CaseSnapshot:
    (_, _, point), _ = street_points(db)
    return service.report(INTAKE, report_input(point, source="hotline"))


def handled(service: CaseService, db: Database) -> CaseSnapshot:
    s = reported(service, db)
    s = service.register(CHIEF, s.id, s.version)
    s = service.dispatch(DISPATCHER, s.id, s.version)
    return service.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")


def detail(db: Database, clock: Clock, case_id: int, actor: Actor) -> CaseDetail:
    with db.read() as s:
        return load_detail(
            s,
            case_id,
            clock(),
            load_calendar(s),
            role=actor.role,
            department_id=actor.department_id,
            user_id=actor.id,
        )


def actions(db: Database, clock: Clock, case_id: int, actor: Actor) -> list[str]:
    return [a.action for a in detail(db, clock, case_id, actor).actions]


def assigned(db: Database, case_id: int) -> int | None:
    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.assigned_inspector_id


def last_event(db: Database, case_id: int) -> tuple[str, str | None, str, dict]:
    with db.read() as s:
        e = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id.desc())
        ).first()
        assert e is not None
        return e.action, e.from_state, e.to_state, json.loads(e.data or "{}")


def test_a_report_checked_and_confirmed_goes_back_to_be_registered(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    s = reported(service, demo_db)
    seat = detail(demo_db, clock, s.id, INTAKE)
    (option,) = [a for a in seat.actions if a.action == "request_report_check"]
    assert option.input == "inspector" and not option.note_required
    # The seat chooses among the active inspectors (plain records, by name).
    assert [(i.id, i.username) for i in seat.inspectors] == [(INSPECTOR.id, "inspector")]
    name = seat.inspectors[0].name
    s = service.act(INTAKE, s.id, "request_report_check", s.version, inspector_id=INSPECTOR.id)
    assert s.state == "report_check" and assigned(demo_db, s.id) == INSPECTOR.id
    assert last_event(demo_db, s.id) == (
        "request_report_check", "reported", "report_check",
        {"inspector_id": INSPECTOR.id, "inspector": name},
    )  # fmt: skip
    mine = detail(demo_db, clock, s.id, INSPECTOR)
    assert mine.assigned_inspector == name and mine.inspectors == ()
    assert [a.action for a in mine.actions] == ["confirm_report", "reject_report", "add_note"]
    # Neither 立案 nor 作废 now; the check may go to another inspector (改派).
    assert actions(demo_db, clock, s.id, CHIEF) == ["request_report_check", "add_note"]
    with pytest.raises(IllegalTransitionError, match="待核实"):
        service.register(CHIEF, s.id, s.version)
    # The 待核实 tab lists it.
    with demo_db.read() as session:
        assert matching_ids(session, QueueFilter(tab="report_check"), [s.id], clock()) == {s.id}
    clock.advance(minutes=40)
    s = service.act(INSPECTOR, s.id, "confirm_report", s.version, note="现场属实")
    assert s.state == "reported" and assigned(demo_db, s.id) is None
    assert last_event(demo_db, s.id) == (
        "confirm_report", "report_check", "reported", {"confirmed": True},
    )  # fmt: skip
    s = service.register(CHIEF, s.id, s.version)
    assert s.state == "registered"


def test_a_report_not_found_on_site_is_voided(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    s = reported(service, demo_db)
    s = service.act(CHIEF, s.id, "request_report_check", s.version, inspector_id=INSPECTOR.id)
    with pytest.raises(ValidationError, match="须填写说明"):
        service.act(INSPECTOR, s.id, "reject_report", s.version)
    s = service.act(INSPECTOR, s.id, "reject_report", s.version, note="现场无此问题")
    assert s.state == "voided" and assigned(demo_db, s.id) is None
    with demo_db.read() as session:
        case = session.get(Case, s.id)
        assert case is not None and case.closed_at is not None and case.deadline_at is None
    assert last_event(demo_db, s.id)[:3] == ("reject_report", "report_check", "voided")


def test_only_the_assigned_inspector_answers_a_report_check(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    other = add_user(demo_db, "jiandu-b")
    s = reported(service, demo_db)
    s = service.act(INTAKE, s.id, "request_report_check", s.version, inspector_id=other.id)
    assert actions(demo_db, clock, s.id, INSPECTOR) == ["add_note"]
    assert actions(demo_db, clock, s.id, other)[:2] == ["confirm_report", "reject_report"]
    with pytest.raises(PermissionDeniedError, match="已指派给监督员「jiandu-b名」"):
        service.act(INSPECTOR, s.id, "confirm_report", s.version)
    # Reassigned (改派): now the first inspector's, no longer the other's.
    s = service.act(CHIEF, s.id, "request_report_check", s.version, inspector_id=INSPECTOR.id)
    assert s.state == "report_check" and assigned(demo_db, s.id) == INSPECTOR.id
    assert last_event(demo_db, s.id)[3]["previous_inspector_id"] == other.id
    with pytest.raises(PermissionDeniedError, match="只有其本人"):
        service.act(other, s.id, "confirm_report", s.version)
    s = service.act(INSPECTOR, s.id, "confirm_report", s.version)
    assert s.state == "reported"


def test_the_inspector_named_must_be_an_active_inspector(
    demo_db: Database, service: CaseService
) -> None:
    retired = add_user(demo_db, "jiandu-old", active=False)
    s = reported(service, demo_db)
    for bad in (None, 99999, DISPATCHER.id, retired.id, "4", True):
        with pytest.raises(ValidationError) as caught:
            service.act(INTAKE, s.id, "request_report_check", s.version, inspector_id=bad)
        assert caught.value.field == "inspector_id"
        assert "监督员" in caught.value.message
    with pytest.raises(PermissionDeniedError, match="无权"):  # an inspector does not assign
        service.act(INSPECTOR, s.id, "request_report_check", s.version, inspector_id=INSPECTOR.id)
    assert service.get(s.id).state == "reported"


def test_a_check_task_is_the_assigned_inspectors_alone(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    other = add_user(demo_db, "jiandu-b")
    s = handled(service, demo_db)
    # Unassigned: any inspector verifies, as before.
    assert actions(demo_db, clock, s.id, INSPECTOR)[:2] == ["verify_pass", "verify_fail"]
    assert detail(demo_db, clock, s.id, CHIEF).inspectors  # assign_check asks for one
    with pytest.raises(ValidationError, match="须选择"):
        service.act(CHIEF, s.id, "assign_check", s.version)
    s = service.act(CHIEF, s.id, "assign_check", s.version, inspector_id=other.id)
    assert s.state == "handled" and assigned(demo_db, s.id) == other.id
    # Reassigned to another: recorded with the one before.
    s = service.act(INTAKE, s.id, "assign_check", s.version, inspector_id=INSPECTOR.id)
    data = last_event(demo_db, s.id)[3]
    assert (data["inspector_id"], data["previous_inspector_id"]) == (INSPECTOR.id, other.id)
    assert actions(demo_db, clock, s.id, other) == ["add_note"]
    with pytest.raises(PermissionDeniedError, match="只有其本人可以执行「核查不通过"):
        service.verify_fail(other, s.id, s.version, note="未清理干净")
    s = service.verify_fail(INSPECTOR, s.id, s.version, note="未清理干净")
    assert s.state == "dispatched" and assigned(demo_db, s.id) is None
    # Reworked and handled again: unassigned, anyone's until assigned anew.
    s = service.feedback(handler(demo_db, s.department_id), s.id, s.version, note="已再次清运")
    assert assigned(demo_db, s.id) is None
    s = service.act(CHIEF, s.id, "assign_check", s.version, inspector_id=other.id)
    with pytest.raises(PermissionDeniedError, match="jiandu-b名"):
        service.verify_pass(INSPECTOR, s.id, s.version)
    s = service.verify_pass(other, s.id, s.version)
    assert s.state == "verified" and assigned(demo_db, s.id) is None
