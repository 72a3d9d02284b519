"""The street tier's steps (issue 16 §2): a street seat settles a case dispatched to its
street's committee, or hands it up (提级) to the district, which approves or refuses. Real
services on the real demo SQLite."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import (
    CaseNotFoundError,
    IllegalTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from console.models import Case, CaseEvent, SubTask, User
from console.services.actors import Actor, actor_of
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    department_id,
    report_input,
    street_points,
)

#: The demo street seats' street (青年路街道) and its committee.
STREET_COMMITTEE = "SC610104001"


def _user(db: Database, username: str) -> Actor:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return actor_of(user)


def _dispatched(
    service: CaseService, db: Database, clock: Clock, *, street: int = 0, to: str
) -> CaseSnapshot:
    point = street_points(db)[street][2]
    clock.advance(minutes=1)
    s = service.report(INTAKE, report_input(point))
    s = service.register(CHIEF, s.id, s.version)
    return service.dispatch(DISPATCHER, s.id, s.version, department_id=department_id(db, to))


def _actions(db: Database, case_id: int) -> list[str]:
    with db.read() as s:
        return list(
            s.scalars(
                select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


def test_the_street_settles_its_own_case(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    seat = _user(demo_db, "street_duty_officer")
    s = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    s = service.act(seat, s.id, "accept", s.version)
    s = service.feedback(seat, s.id, s.version, note="街道城管中队已清运")
    assert s.state == "handled"
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    s = service.close(CHIEF, s.id, s.version)
    assert s.state == "closed"
    assert _actions(demo_db, s.id) == [
        "report", "register", "dispatch", "accept", "feedback", "verify_pass", "close",
    ]  # fmt: skip


def test_a_hand_up_approved_goes_to_a_professional_department(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    seat = _user(demo_db, "street_duty_officer")
    s = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    with pytest.raises(ValidationError, match="说明"):
        service.act(seat, s.id, "hand_up", s.version, note=" ")
    s = service.act(seat, s.id, "hand_up", s.version, note="涉及主干道路面塌陷，超出街道处置能力")
    assert s.state == "hand_up_requested"
    # The street cannot feed back a case it handed up; the district decides.
    with pytest.raises(IllegalTransitionError):
        service.feedback(seat, s.id, s.version, note="x")
    s = service.act(DISPATCHER, s.id, "approve_hand_up", s.version)
    assert s.state == "registered"
    with demo_db.read() as db_s:
        case = db_s.get(Case, s.id)
        assert case is not None
        assert case.department_id is None and case.deadline_at is None
        assert case.return_count == 0  # a hand-up is not a wrong dispatch
        approval = db_s.scalar(
            select(CaseEvent).where(
                CaseEvent.case_id == s.id, CaseEvent.action == "approve_hand_up"
            )
        )
        assert approval is not None and approval.data is not None
        assert json.loads(approval.data)["from_department"] == STREET_COMMITTEE
    s = service.dispatch(DISPATCHER, s.id, s.version, department_id=department_id(demo_db, "PRO01"))
    assert s.state == "dispatched"
    assert _actions(demo_db, s.id)[-4:] == ["dispatch", "hand_up", "approve_hand_up", "dispatch"]
    # Now a professional department's case: the street seat only looks.
    with pytest.raises(PermissionDeniedError, match="区专业部门"):
        service.act(seat, s.id, "hand_up", s.version, note="再次提级")


def test_a_hand_up_refused_returns_to_the_street(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    leader = _user(demo_db, "street_leader")
    s = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    s = service.act(leader, s.id, "hand_up", s.version, note="需区执法大队处理")
    with pytest.raises(ValidationError, match="说明"):
        service.act(DISPATCHER, s.id, "refuse_hand_up", s.version)
    s = service.act(DISPATCHER, s.id, "refuse_hand_up", s.version, note="属街道职责，请街道处置")
    assert s.state == "dispatched"
    with demo_db.read() as db_s:
        case = db_s.get(Case, s.id)
        assert case is not None and case.department_id == department_id(demo_db, STREET_COMMITTEE)


def test_the_street_seat_keeps_off_what_is_not_its_own(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    seat = _user(demo_db, "street_duty_officer")
    # A professional department's case in its street: visible, not its to work.
    district = _dispatched(service, demo_db, clock, to="PRO02")
    for action in ("accept", "hand_up"):
        with pytest.raises(PermissionDeniedError, match="区专业部门"):
            service.act(seat, district.id, action, district.version, note="x")
    with pytest.raises(PermissionDeniedError, match="区专业部门"):
        service.feedback(seat, district.id, district.version, note="x")
    # Another street's committee case: it does not exist for this seat.
    other = _dispatched(service, demo_db, clock, street=1, to="SC610104002")
    with pytest.raises(CaseNotFoundError):
        service.act(seat, other.id, "hand_up", other.version, note="x")
    # A unit head may note, not settle or hand up.
    unit_head = _user(demo_db, "unit_head")
    mine = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    with pytest.raises(PermissionDeniedError, match="无权"):
        service.act(unit_head, mine.id, "hand_up", mine.version, note="x")
    assert _actions(demo_db, district.id)[-1] == "dispatch"  # nothing written by the refusals
    assert _actions(demo_db, other.id)[-1] == "dispatch"


def test_the_street_seat_sees_the_hand_up_button_and_the_district_its_decision(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    s = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    seat = Workbench(demo_db, actor=_user(demo_db, "street_duty_officer"), clock=clock)
    assert {"accept", "hand_up", "feedback"} <= {a.action for a in seat.detail(s.id).actions}
    s = service.act(seat.actor, s.id, "hand_up", s.version, note="超出街道处置能力")
    dispatcher = Workbench(demo_db, username="dispatcher", clock=clock)
    assert {"approve_hand_up", "refuse_hand_up"} <= {
        a.action for a in dispatcher.detail(s.id).actions
    }
    # The dispatcher's 申请待批 tab holds it.
    from console.services.queue import QueueFilter

    ids = [r.id for r in dispatcher.queue_page(QueueFilter(tab="requests"), 0, 50)]
    assert s.id in ids


# -- 二级派遣 -------------------------------------------------------------------------------


def _forces(demo_db: Database, clock: Clock, case_id: int) -> dict[str, str]:
    """The forces the street seat's detail offers: label → key."""
    seat = Workbench(demo_db, actor=_user(demo_db, "street_duty_officer"), clock=clock)
    return {f.label: f.key for f in seat.detail(case_id).street_forces}


def test_a_sub_dispatch_to_the_unit_comes_back_through_the_street(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    seat, unit_head = _user(demo_db, "street_duty_officer"), _user(demo_db, "unit_head")
    s = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    with demo_db.read() as db_s:
        case = db_s.get(Case, s.id)
        assert case is not None and case.unit_id == unit_head.region_id  # the demo unit's case
    forces = _forces(demo_db, clock, s.id)
    unit_key = next(k for k in forces.values() if k.startswith("unit:"))
    assert any(k.startswith("staff:") for k in forces.values())  # the grid's 一格七员
    assert any(label.endswith("环卫所") for label in forces)  # the street's stations
    s = service.act(seat, s.id, "accept", s.version)
    s = service.act(seat, s.id, "sub_dispatch", s.version, force=unit_key, hours=4)
    assert s.state == "dispatched"
    # The district's dispatcher sees what the street is waiting on.
    dispatcher = Workbench(demo_db, username="dispatcher", clock=clock)
    waiting = dispatcher.detail(s.id).sub_task
    assert waiting is not None and waiting.target_name.endswith("（单元长）")
    assert waiting.deadline_at == clock() + timedelta(hours=4)
    # The street cannot feed back to the district before its force has.
    with pytest.raises(ValidationError, match="尚未反馈"):
        service.feedback(seat, s.id, s.version, note="已处置")
    clock.advance(hours=2)
    s = service.act(unit_head, s.id, "sub_feedback", s.version, note="社区已组织清理")
    assert dispatcher.detail(s.id).sub_task is None
    s = service.feedback(seat, s.id, s.version, note="社区已清理，街道复核属实")
    assert s.state == "handled"
    assert _actions(demo_db, s.id)[-4:] == ["accept", "sub_dispatch", "sub_feedback", "feedback"]
    with demo_db.read() as db_s:
        event = db_s.scalar(
            select(CaseEvent).where(CaseEvent.case_id == s.id, CaseEvent.action == "sub_feedback")
        )
        assert event is not None and json.loads(event.data or "{}")["on_time"] is True
        task = db_s.scalar(select(SubTask).where(SubTask.case_id == s.id))
        assert task is not None and task.done_by_name == unit_head.name
        assert task.note == "社区已组织清理"


def test_a_sub_dispatch_is_refused_clearly_and_writes_nothing(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    seat = _user(demo_db, "street_duty_officer")
    s = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    forces = _forces(demo_db, clock, s.id)
    station = next(k for k in forces.values() if k.startswith("station:"))
    with demo_db.read() as db_s:
        case = db_s.get(Case, s.id)
        assert case is not None and case.deadline_at is not None
        beyond = (case.deadline_at - clock()).total_seconds() / 3600 + 1
    with pytest.raises(ValidationError, match="不能晚于区里"):
        service.act(seat, s.id, "sub_dispatch", s.version, force=station, hours=beyond)
    with pytest.raises(ValidationError, match="不是本案件可派"):
        service.act(seat, s.id, "sub_dispatch", s.version, force="station:nowhere", hours=2)
    with pytest.raises(ValidationError, match="时限"):
        service.act(seat, s.id, "sub_dispatch", s.version, force=station, hours=-1)
    with pytest.raises(ValidationError, match="没有待反馈"):
        service.act(seat, s.id, "sub_feedback", s.version, note="x")
    assert _actions(demo_db, s.id)[-1] == "dispatch"
    s = service.act(seat, s.id, "sub_dispatch", s.version, force=station, hours=2)
    with pytest.raises(ValidationError, match="已有未反馈"):
        service.act(seat, s.id, "sub_dispatch", s.version, force=station, hours=2)
    # A station's task is the street's to record; the unit head may not answer for it.
    with pytest.raises(PermissionDeniedError, match="不是派给您所在单元"):
        service.act(_user(demo_db, "unit_head"), s.id, "sub_feedback", s.version, note="x")
    clock.advance(hours=3)  # late: the event says so
    s = service.act(seat, s.id, "sub_feedback", s.version, note="环卫所已清运")
    with demo_db.read() as db_s:
        event = db_s.scalar(
            select(CaseEvent).where(CaseEvent.case_id == s.id, CaseEvent.action == "sub_feedback")
        )
        assert event is not None and json.loads(event.data or "{}")["on_time"] is False
    with demo_db.read() as db_s:
        assert db_s.scalar(select(func.count()).select_from(SubTask)) == 1


def test_an_overdue_sub_task_alerts_the_street_not_the_district(
    service: CaseService, demo_db: Database, clock: Clock
) -> None:
    from console.domain.worktime import WorkCalendar
    from console.services.supervision import scan

    seat = _user(demo_db, "street_duty_officer")
    s = _dispatched(service, demo_db, clock, to=STREET_COMMITTEE)
    label, station = next(
        (label, k) for label, k in _forces(demo_db, clock, s.id).items() if k.startswith("station:")
    )
    s = service.act(seat, s.id, "sub_dispatch", s.version, force=station, hours=1)
    with demo_db.session() as db_s:
        assert [r.level for r in scan(db_s, clock(), WorkCalendar())] == []  # not yet due
    clock.advance(minutes=61)
    with demo_db.session() as db_s:
        raised = scan(db_s, clock(), WorkCalendar())
    assert [(r.case_id, r.level, r.level_label_zh) for r in raised] == [
        (s.id, "sub_task_overdue", "二级派遣超时")
    ]
    assert label in raised[0].message and s.number in raised[0].message
    with demo_db.session() as db_s:
        assert scan(db_s, clock(), WorkCalendar()) == []  # once
    street = Workbench(demo_db, actor=seat, clock=clock).alerts_for_panel()
    district = Workbench(demo_db, username="dispatcher", clock=clock).alerts_for_panel()
    assert [a.level for a in street.records] == ["sub_task_overdue"]
    assert street.unacknowledged == 1
    assert all(a.level != "sub_task_overdue" for a in district.records)
    # The committee's own handler is the street too.
    committee = department_id(demo_db, STREET_COMMITTEE)
    with demo_db.read() as db_s:
        handler = db_s.scalar(select(User).where(User.department_id == committee))
        assert handler is not None
        handler_actor = actor_of(handler)
    handler_board = Workbench(demo_db, actor=handler_actor, clock=clock).alerts_for_panel()
    assert [a.level for a in handler_board.records] == ["sub_task_overdue"]
