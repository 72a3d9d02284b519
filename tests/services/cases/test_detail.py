"""The case detail pane's read: names, rule, clock, timeline, and the buttons per role."""

from __future__ import annotations

import pytest

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError
from console.services.cases.detail import load_detail
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    department_id,
    handler,
    local,
    report_input,
    street_points,
)

CAL = WorkCalendar()


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, calendar=CAL, clock=clock)


@pytest.fixture
def point(demo_db: Database) -> tuple[float, float]:
    return street_points(demo_db)[0][2]


def detail(db: Database, case_id: int, now, role: str, dept: int | None = None):
    with db.read() as s:
        return load_detail(s, case_id, now, CAL, role=role, department_id=dept)


def actions(db: Database, case_id: int, now, role: str, dept: int | None = None) -> list[str]:
    return [a.action for a in detail(db, case_id, now, role, dept).actions]


def test_unknown_case(demo_db: Database, clock) -> None:
    with pytest.raises(CaseNotFoundError):
        detail(demo_db, 424242, clock.now, "dispatcher")


def test_names_rule_limit_and_timeline(service, demo_db, clock, point) -> None:
    snap = service.report(INTAKE, report_input(point, description="<b>垃圾</b>"))
    snap = service.register(CHIEF, snap.id, snap.version, note="符合立案条件")
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    dept = handler(demo_db, snap.department_id)
    clock.advance(minutes=30)
    snap = service.request_extension(dept, snap.id, snap.version, amount=2, note="需协调")
    snap = service.approve_extension(DISPATCHER, snap.id, snap.version)
    d = detail(demo_db, snap.id, local(23, 11, 30), "dispatcher")
    assert d.snapshot.id == snap.id and d.snapshot.description == "<b>垃圾</b>"
    assert (d.category_name, d.major_name) == ("暴露垃圾", "市容环境类")
    assert d.street_name and d.area_name and d.unit_name and d.grid_name
    assert len(d.grid_code) == 15
    assert d.department_name == "区环境卫生管理中心"
    assert d.rule_condition and "生活垃圾" in d.rule_condition
    assert d.closing_condition == "彻底清理"
    assert d.limit_text == "4工作时+2工作时延期"
    # Deadline 09:00 + 6 working hours = 17:00; from 11:30: 0.5 h + 3 h.
    assert d.remaining_seconds == pytest.approx(3.5 * 3600)
    t = d.timeline
    assert [e.action for e in t] == [
        "report",
        "register",
        "dispatch",
        "request_extension",
        "approve_extension",
    ]
    assert [e.action_label for e in t] == ["上报", "立案", "派遣", "申请延期", "批准延期"]
    assert [e.event_id for e in t] == sorted(e.event_id for e in t)
    assert (t[0].from_state, t[0].from_label, t[0].to_label) == (None, None, "待立案")
    assert (t[1].from_label, t[1].to_label, t[1].note) == ("待立案", "待派遣", "符合立案条件")
    assert (t[0].actor_name, t[0].actor_role, t[0].actor_role_label) == (
        "受理员",
        "intake",
        "受理员",
    )
    # Each row names the actor's own department: the dispatcher has none (the target is in
    # the data), the handler who asked for more time is the sanitation centre's.
    assert t[2].department_name is None and t[2].actor_role == "dispatcher"
    assert t[2].data["department"] == "PRO02"
    assert t[3].department_name == "区环境卫生管理中心"
    assert t[3].note == "需协调" and t[3].data == {"amount": 2, "unit": "work_hours"}
    assert t[3].actor_role_label == "处置人员"
    assert t[0].data == {}
    assert t[3].at == local(23, 9, 30)
    hash(t[0])  # frozen entries stay hashable despite their dict


def test_limit_text_without_extension_or_limit(service, demo_db, clock, point) -> None:
    snap = service.report(INTAKE, report_input(point))
    d = detail(demo_db, snap.id, clock.now, "duty_chief")
    assert d.limit_text is None and d.remaining_seconds is None and d.rule_condition is None
    assert d.department_name is None
    snap = service.register(CHIEF, snap.id, snap.version)
    assert detail(demo_db, snap.id, clock.now, "duty_chief").limit_text == "4工作时"


def test_actions_per_role_and_state(service, demo_db, clock, point) -> None:
    snap = service.report(INTAKE, report_input(point))
    assert actions(demo_db, snap.id, clock.now, "duty_chief") == [
        "request_report_check",
        "register",
        "void",
        "add_note",
    ]
    assert actions(demo_db, snap.id, clock.now, "intake") == ["request_report_check", "add_note"]
    assert actions(demo_db, snap.id, clock.now, "inspector") == ["self_handle", "add_note"]
    assert actions(demo_db, snap.id, clock.now, "dispatcher") == ["add_note"]
    assert actions(demo_db, snap.id, clock.now, "wall") == []
    assert actions(demo_db, snap.id, clock.now, "grid_manager") == ["self_handle", "add_note"]
    # 一格七员: 自处置 offered for what their duties list (06010 暴露垃圾: the sanitation
    # worker's, not the frontage inspector's; the supervisor self-handles nothing)
    assert actions(demo_db, snap.id, clock.now, "sanitation_worker") == ["self_handle", "add_note"]
    assert actions(demo_db, snap.id, clock.now, "frontage_inspector") == ["add_note"]
    assert actions(demo_db, snap.id, clock.now, "grid_supervisor") == ["add_note"]
    snap = service.register(CHIEF, snap.id, snap.version)
    assert actions(demo_db, snap.id, clock.now, "dispatcher") == ["dispatch", "add_note"]
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    d = detail(demo_db, snap.id, clock.now, "dispatcher")
    # No extension pending: nothing to approve or deny.
    assert [a.action for a in d.actions] == ["add_note"]
    assert d.actions[0].label_zh == "备注" and d.actions[0].note_required
    assert actions(demo_db, snap.id, clock.now, "duty_chief") == ["suspend", "add_note"]
    own = snap.department_id
    assert actions(demo_db, snap.id, clock.now, "department", own) == [
        "accept",
        "request_return",
        "request_extension",
        "feedback",
        "request_suspension",
        "add_note",
    ]
    snap = service.feedback(handler(demo_db, own), snap.id, snap.version, note="已清运")
    assert actions(demo_db, snap.id, clock.now, "inspector") == [
        "verify_pass",
        "verify_fail",
        "add_note",
    ]
    assert actions(demo_db, snap.id, clock.now, "duty_chief") == ["assign_check", "add_note"]
    snap = service.verify_pass(INSPECTOR, snap.id, snap.version)
    snap = service.close(CHIEF, snap.id, snap.version)
    assert actions(demo_db, snap.id, clock.now, "duty_chief") == ["archive"]
    assert actions(demo_db, snap.id, clock.now, "dispatcher") == []


def test_department_sees_no_actions_on_another_departments_case(
    service, demo_db, clock, point
) -> None:
    snap = service.report(INTAKE, report_input(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    other = department_id(demo_db, "PRO04")
    assert other != snap.department_id
    assert actions(demo_db, snap.id, clock.now, "department", other) == []
    assert actions(demo_db, snap.id, clock.now, "department", None) == []
    assert actions(demo_db, snap.id, clock.now, "department", snap.department_id)


def test_pending_extension_switches_the_buttons(service, demo_db, clock, point) -> None:
    snap = service.report(INTAKE, report_input(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    own = snap.department_id
    snap = service.request_extension(
        handler(demo_db, own), snap.id, snap.version, amount=1, note="需协调"
    )
    assert actions(demo_db, snap.id, clock.now, "dispatcher") == [
        "approve_extension",
        "deny_extension",
        "add_note",
    ]
    assert "request_extension" not in actions(demo_db, snap.id, clock.now, "department", own)
    d = detail(demo_db, snap.id, clock.now, "dispatcher")
    deny = next(a for a in d.actions if a.action == "deny_extension")
    assert (deny.label_zh, deny.label_en, deny.note_required) == (
        "驳回延期",
        "Deny extension",
        True,
    )


@pytest.mark.parametrize(
    ("code", "name", "note"),
    [
        ("06010", "暴露垃圾", ""),  # a 2026 code as reported
        ("0102", "暴露垃圾", "原报 CJ/T 214 0102"),  # an older code, filed as 06010
        ("0601", "共享单车乱停放", "地方扩展"),  # the local 扩展事件 class (no successor)
    ],
)
def test_category_note_marks_local_classes_and_mapped_codes(
    service, demo_db, clock, point, code: str, name: str, note: str
) -> None:
    snap = service.report(INTAKE, report_input(point, category_code=code))
    d = detail(demo_db, snap.id, clock.now, "dispatcher")
    assert (d.category_name, d.category_note) == (name, note)
