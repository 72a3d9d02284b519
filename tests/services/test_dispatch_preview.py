"""The dispatch dialog's preview: routed department, deadline as dispatch would set it, errors."""

from __future__ import annotations

import pytest

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.services.cases.service import CaseService
from console.services.dispatch_preview import department_options, propose_dispatch
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    local,
    report_input,
    street_points,
)

CAL = WorkCalendar()


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, calendar=CAL, clock=clock)


def propose(db: Database, ids: list[int], now):
    with db.read() as s:
        return propose_dispatch(s, ids, now, CAL)


def test_proposal_matches_what_dispatch_then_does(service, demo_db, clock) -> None:
    (_, _, p1), (_, _, p2) = street_points(demo_db)
    garbage = service.report(INTAKE, report_input(p1))
    garbage = service.register(CHIEF, garbage.id, garbage.version)
    urgent = service.report(INTAKE, report_input(p2, category_code="0101", kind="component"))
    urgent = service.register(CHIEF, urgent.id, urgent.version)
    clock.now = local(23, 11, 20)
    proposals = propose(demo_db, [urgent.id, garbage.id], clock.now)
    assert [p.case_id for p in proposals] == [urgent.id, garbage.id]
    for p in proposals:
        assert p.error is None and p.state == "registered" and p.street_name
    first, second = proposals
    # Routing: 部件 0101 上水井盖 → PRO14; 事件 0102 暴露垃圾 → PRO02.
    assert (first.department_name, first.limit_text) == ("西安市自来水有限公司莲湖营业所", "6小时")
    assert second.department_name == "区环境卫生管理中心" and second.limit_text == "4工作时"
    # 11:20 + 4 working hours: 40 min before lunch, 3 h 20 after.
    assert second.deadline_preview == local(23, 17, 20)
    assert first.deadline_preview == local(23, 17, 20)  # 6 natural hours
    for p, snap in ((first, urgent), (second, garbage)):
        assert p.number == snap.number and p.version == snap.version
        done = service.dispatch(DISPATCHER, p.case_id, p.version)
        assert done.department_id == p.department_id
        assert done.deadline_at == p.deadline_preview


def test_cases_that_cannot_be_dispatched_say_why(service, demo_db, clock) -> None:
    point = street_points(demo_db)[0][2]
    reported = service.report(INTAKE, report_input(point))
    dispatched = service.report(INTAKE, report_input(point))
    dispatched = service.register(CHIEF, dispatched.id, dispatched.version)
    dispatched = service.dispatch(DISPATCHER, dispatched.id, dispatched.version)
    a, b, missing = propose(demo_db, [reported.id, dispatched.id, 987_654], clock.now)
    assert a.error == "案件当前状态为「待立案」，不能派遣"
    assert a.deadline_preview is None and a.department_id is None and a.limit_text is None
    assert b.error is not None and "处置中" in b.error and b.state == "dispatched"
    assert missing.case_id == 987_654 and missing.error == "案件不存在"
    assert propose(demo_db, [], clock.now) == []


def test_department_options_order(demo_db) -> None:
    with demo_db.read() as s:
        options = department_options(s)
    kinds = [o.kind for o in options]
    assert kinds == sorted(kinds, key=["street_committee", "professional", "functional"].index)
    assert kinds[0] == "street_committee" and "functional" in kinds
    assert options[0].code == "SC610104001" and options[0].name == "青年路街道城管委"
    assert len({o.id for o in options}) == len(options)
