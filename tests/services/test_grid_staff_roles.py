"""一格七员 at work (#16 §4): each of the seven grid staff roles signs in with its demo account
and reports and self-handles what resources/org/grid_staff_duties.csv lists, no more — so
小事不出网格 is recorded. Real services on the real demo SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import PermissionDeniedError
from console.models import Case, CaseEvent
from console.models.org import GridStaffRole
from console.services.actors import Actor
from console.services.auth import sign_in
from console.services.cases.service import CaseService
from console.services.demo import demo_accounts
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR, report_input, street_points

PASSWORD = {a.username: a.password for a in demo_accounts()}


def signed_in(db: Database, clock: Clock, username: str) -> Actor:
    return sign_in(db, username, PASSWORD[username], clock.now)


def events(db: Database, case_id: int) -> list[str]:
    with db.read() as s:
        return list(
            s.scalars(
                select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )


def case_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def test_each_of_the_seven_signs_in_as_its_role(demo_db: Database, clock: Clock) -> None:
    for role in GridStaffRole:
        actor = signed_in(demo_db, clock, role.value)
        assert (actor.role, actor.id is not None) == (role.value, True)


def test_a_sanitation_worker_reports_and_self_handles_exposed_rubbish(
    demo_db: Database, clock: Clock
) -> None:
    worker = signed_in(demo_db, clock, "sanitation_worker")
    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    rubbish = service.report(worker, report_input(point, source="grid"))  # 06010 暴露垃圾
    handled = service.self_handle(worker, rubbish.id, rubbish.version, note="已清运")
    assert handled.state == "self_handled"
    assert events(demo_db, rubbish.id) == ["report", "self_handle"]


def test_a_sanitation_worker_leaves_street_order_to_others(demo_db: Database, clock: Clock) -> None:
    worker = signed_in(demo_db, clock, "sanitation_worker")
    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    stall = report_input(point, category_code="09006", description="路口占道经营")  # 占道经营
    before = case_count(demo_db)
    with pytest.raises(PermissionDeniedError) as refused:
        service.report(worker, stall)
    assert refused.value.message == (
        "环卫保洁员（sanitation_worker）的职责不含上报事件「09006 占道经营」"
        "（见 resources/org/grid_staff_duties.csv），请交由其他网格员上报"
    )
    assert case_count(demo_db) == before  # nothing written

    found = service.report(INSPECTOR, stall)  # the inspector reports it
    with pytest.raises(PermissionDeniedError) as refused:
        service.self_handle(worker, found.id, found.version, note="劝离")
    assert refused.value.message == (
        "环卫保洁员（sanitation_worker）的职责不含自行处置事件「09006 占道经营」"
        "（见 resources/org/grid_staff_duties.csv），请按常规上报，由指挥中心派遣"
    )
    assert events(demo_db, found.id) == ["report"]
    # …which is the enforcement officer's to settle in the grid
    officer = signed_in(demo_db, clock, "enforcement_officer")
    assert service.self_handle(officer, found.id, found.version, note="已劝离").state == (
        "self_handled"
    )


def test_a_frontage_inspector_self_handles_trading_outside_a_shop(
    demo_db: Database, clock: Clock
) -> None:
    inspector = signed_in(demo_db, clock, "frontage_inspector")
    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    shop = service.report(
        inspector, report_input(point, source="grid", category_code="09005")
    )  # 店外经营: 门前三包
    assert service.self_handle(inspector, shop.id, shop.version, note="已责令收回").state == (
        "self_handled"
    )
    assert events(demo_db, shop.id) == ["report", "self_handle"]


def test_the_supervisor_and_the_city_inspector_report_but_never_self_handle(
    demo_db: Database, clock: Clock
) -> None:
    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    for username in ("grid_supervisor", "city_inspector"):
        actor = signed_in(demo_db, clock, username)
        rubbish = service.report(actor, report_input(point, source="grid"))
        with pytest.raises(PermissionDeniedError):
            service.self_handle(actor, rubbish.id, rubbish.version, note="已清运")
        assert events(demo_db, rubbish.id) == ["report"]
