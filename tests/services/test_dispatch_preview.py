"""The dispatch dialog's preview: routed department, deadline as dispatch would set it, errors."""

from __future__ import annotations

import shutil

import pytest

from console.config import RESOURCES_ENV, resources_dir
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.services.cases.service import CaseService
from console.services.dispatch_preview import department_options, propose_dispatch
from console.services.reference.data import street_committee_for
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


# --------------------------------------------------------------------------- tiers


def registered(service: CaseService, point, **over):
    snap = service.report(INTAKE, report_input(point, **over))
    return service.register(CHIEF, snap.id, snap.version)


def committee_of(db: Database, street_id: int) -> tuple[int, str]:
    with db.read() as s:
        dept = street_committee_for(s, street_id)
        assert dept is not None
        return dept.id, dept.name


def test_a_grid_matter_names_its_grid_staff_role(service, demo_db, clock) -> None:
    point = street_points(demo_db)[0][2]
    rubbish = registered(service, point)  # 06010 暴露垃圾
    (p,) = propose(demo_db, [rubbish.id], clock.now)
    assert (p.tier, p.grid_role, p.grid_role_name) == ("grid", "sanitation_worker", "环卫保洁员")
    assert p.tier_label == "网格（环卫保洁员）"
    assert p.tier_text == "建议层级：网格（环卫保洁员自行处置；小事不出网格、大事不出街道）"
    # Dispatched anyway: the routing table's department, as the dispatch then does.
    assert p.department_name == "区环境卫生管理中心" and p.error is None
    done = service.dispatch(DISPATCHER, p.case_id, p.version)
    assert done.department_id == p.department_id


def test_a_street_matter_goes_to_the_cases_own_street_committee(service, demo_db, clock) -> None:
    (street_a, _, point_a), (street_b, _, point_b) = street_points(demo_db)
    bikes_a = registered(service, point_a, category_code="09011")  # 共享单车乱象
    bikes_b = registered(service, point_b, category_code="09011")
    pa, pb = propose(demo_db, [bikes_a.id, bikes_b.id], clock.now)
    for p, street in ((pa, street_a), (pb, street_b)):
        assert (p.tier, p.tier_label, p.grid_role) == ("street", "街道", None)
        assert p.tier_text == "建议层级：街道（小事不出网格、大事不出街道）"
        assert (p.department_id, p.department_name) == committee_of(demo_db, street)
        assert p.department_name.endswith("街道城管委")
        # "By routing table" sends it to the same committee.
        assert service.dispatch(DISPATCHER, p.case_id, p.version).department_id == p.department_id
    assert pa.department_id != pb.department_id


def test_urgent_rubbish_goes_to_the_district_at_once(service, demo_db, clock) -> None:
    point = street_points(demo_db)[0][2]
    calm = registered(service, point)  # 06010 暴露垃圾, 4工作时
    urgent = registered(service, point, urgent=True)
    pc, pu = propose(demo_db, [calm.id, urgent.id], clock.now)
    assert (pc.tier, pc.grid_role_name) == ("grid", "环卫保洁员")
    assert (pu.tier, pu.grid_role) == ("district", None)
    assert pu.department_name == pc.department_name == "区环境卫生管理中心"
    # Street order is urgent once registered (紧急工作时) and stays a grid matter.
    peddler = registered(service, point, category_code="09001")  # 无照经营游商
    (pp,) = propose(demo_db, [peddler.id], clock.now)
    assert service.get(peddler.id).urgent
    assert (pp.tier, pp.grid_role_name) == ("grid", "城管执法员")


def test_a_district_matter_goes_to_its_department(service, demo_db, clock) -> None:
    point = street_points(demo_db)[0][2]
    cover = registered(service, point, category_code="01001")  # 供水井盖异常
    parked = registered(service, point, category_code="09009")  # 机动车乱停放
    pc, pp = propose(demo_db, [cover.id, parked.id], clock.now)
    assert (pc.tier, pc.tier_label, pc.grid_role) == ("district", "区", None)
    assert pc.tier_text == "建议层级：区（由区专业部门处置）"
    assert pc.department_name == "西安市自来水有限公司莲湖营业所"
    assert (pp.tier, pp.department_name) == ("district", "西安市公安局交通警察支队莲湖大队")


def test_a_case_that_cannot_go_has_no_tier(service, demo_db, clock) -> None:
    point = street_points(demo_db)[0][2]
    reported = service.report(INTAKE, report_input(point))
    (p,) = propose(demo_db, [reported.id], clock.now)
    assert p.error is not None and p.tier is None and p.tier_text is None


def test_a_gap_in_the_tier_table_is_said_but_does_not_bar_dispatch(
    service, demo_db, clock, tmp_path, monkeypatch
) -> None:
    point = street_points(demo_db)[0][2]
    rubbish = registered(service, point)
    copy = tmp_path / "resources"
    shutil.copytree(resources_dir(), copy)
    tiers = copy / "org" / "tiers.csv"
    kept = tiers.read_text(encoding="utf-8").splitlines(keepends=True)
    tiers.write_text("".join(x for x in kept if "2026,event_type,06" not in x), encoding="utf-8")
    monkeypatch.setenv(RESOURCES_ENV, str(copy))
    (p,) = propose(demo_db, [rubbish.id], clock.now)
    assert p.tier is None and p.tier_text is not None
    assert p.tier_text.startswith(
        "建议层级：无（tiers.csv：gbt47678-5-2026 事件 06010 没有层级规则"
    )
    assert p.error is None and p.department_name == "区环境卫生管理中心"
