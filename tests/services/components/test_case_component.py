"""A case naming a register object: routed to the object's owner, shown with its other cases,
and its 结案 sets a broken object's status (with a component_changes row) or leaves it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert, select, update

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import ValidationError
from console.models import Case, Category, Component, ComponentChange, Department
from console.services.cases.detail import load_detail
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.dispatch_preview import propose_dispatch
from console.services.reference import data as reference_data
from tests.conftest import Clock
from tests.models.test_components import _row
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    department_id,
    handler,
    report_input,
    street_points,
)

DEG_PER_M = 1 / 111_195


def _component(
    db: Database, lon: float, lat: float, *, owner: str, status: str = "damaged", serial: int = 1
) -> int:
    row = _row(db, f"61010401001{serial:06d}") | {
        "lon": lon,
        "lat": lat,
        "status": status,
        "owner_department_id": department_id(db, owner),
        "address": "莲湖路<b>1</b>号",
    }
    with db.session() as s:
        return int(s.execute(insert(Component).returning(Component.id), [row]).scalar_one())


def _routed_code(db: Database, street_id: int) -> str:
    """The department the routing table sends 01001 to in the street."""
    with db.read() as s:
        routed = reference_data.route(s, "gbt47678-5-2026", "01001", street_id, kind="component")
        assert routed is not None
        return routed.code


def _other_department(db: Database, not_code: str) -> str:
    with db.read() as s:
        code = s.scalar(
            select(Department.code)
            .where(
                Department.code != not_code,
                Department.kind == "professional",
                Department.active.is_(True),
            )
            .order_by(Department.code)
        )
    assert code is not None
    return code


def _report(service: CaseService, point: tuple[float, float], component: int) -> CaseSnapshot:
    return service.report(
        INSPECTOR,
        report_input(
            point, kind="component", category_code="01001", component_id=component, address="x"
        ),
    )


@pytest.fixture
def owned(demo_db: Database) -> tuple[tuple[float, float], int, str, str]:
    """A point, a damaged object there owned by a department the route does not name, the
    owner's code and the route's."""
    street_id, _grid, (lon, lat) = street_points(demo_db)[0]
    routed = _routed_code(demo_db, street_id)
    owner = _other_department(demo_db, routed)
    return (lon, lat), _component(demo_db, lon, lat, owner=owner), owner, routed


def test_dispatch_goes_to_the_owner_before_the_route(
    demo_db: Database, clock: Clock, owned: tuple[tuple[float, float], int, str, str]
) -> None:
    point, component, owner, routed = owned
    service = CaseService(demo_db, clock=clock)
    named = service.register(CHIEF, (c := _report(service, point, component)).id, c.version)
    plain = service.report(
        INSPECTOR, report_input(point, kind="component", category_code="01001", address="x")
    )
    plain = service.register(CHIEF, plain.id, plain.version)
    with demo_db.read() as s:
        proposals = propose_dispatch(s, [named.id, plain.id], clock(), WorkCalendar())
    by_case = {p.case_id: p for p in proposals}
    assert by_case[named.id].department_id == department_id(demo_db, owner)
    assert by_case[named.id].department_reason == "部件主管部门"
    assert by_case[named.id].tier == "district"
    assert "部件主管部门" in (by_case[named.id].tier_text or "")
    assert by_case[plain.id].department_id == department_id(demo_db, routed)
    assert by_case[plain.id].department_reason == "默认路由"
    # The dispatch itself (no department chosen) agrees with the proposal.
    assert service.dispatch(DISPATCHER, named.id, named.version).department_id == (
        department_id(demo_db, owner)
    )
    assert service.dispatch(DISPATCHER, plain.id, plain.version).department_id == (
        department_id(demo_db, routed)
    )


def test_an_inactive_owner_leaves_the_route(
    demo_db: Database, clock: Clock, owned: tuple[tuple[float, float], int, str, str]
) -> None:
    point, component, owner, routed = owned
    with demo_db.session() as s:
        s.execute(update(Department).where(Department.code == owner).values(active=False))
    service = CaseService(demo_db, clock=clock)
    case = service.register(CHIEF, (c := _report(service, point, component)).id, c.version)
    with demo_db.read() as s:
        (proposal,) = propose_dispatch(s, [case.id], clock(), WorkCalendar())
    assert proposal.department_id == department_id(demo_db, routed)
    assert service.dispatch(DISPATCHER, case.id, case.version).department_id == (
        department_id(demo_db, routed)
    )


def _to_verified(service: CaseService, db: Database, case: CaseSnapshot) -> CaseSnapshot:
    s = service.register(CHIEF, case.id, case.version)
    s = service.dispatch(DISPATCHER, s.id, s.version)
    s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已更换")
    return service.verify_pass(INSPECTOR, s.id, s.version)


def _status(db: Database, component: int) -> tuple[str, datetime]:
    with db.read() as s:
        row = s.execute(
            select(Component.status, Component.updated_at).where(Component.id == component)
        ).one()
    return row.status, row.updated_at


def _changes(db: Database, component: int) -> list[tuple[str | None, str, str, int | None, str]]:
    with db.read() as s:
        return [
            (r.old_value, r.new_value, r.origin, r.case_id, r.actor_name)
            for r in s.scalars(
                select(ComponentChange).where(ComponentChange.component_id == component)
            )
        ]


def test_close_sets_a_broken_object_intact_by_default(
    demo_db: Database, clock: Clock, owned: tuple[tuple[float, float], int, str, str]
) -> None:
    point, component, _owner, _routed = owned
    service = CaseService(demo_db, clock=clock)
    case = _to_verified(service, demo_db, _report(service, point, component))
    clock.advance(minutes=5)
    closed = service.close(CHIEF, case.id, case.version)
    assert closed.state == "closed"
    status, updated = _status(demo_db, component)
    assert status == "intact" and updated == clock()
    assert _changes(demo_db, component) == [("damaged", "intact", "case", case.id, CHIEF.name)]


def test_close_may_set_another_status_or_leave_it(
    demo_db: Database, clock: Clock, owned: tuple[tuple[float, float], int, str, str]
) -> None:
    point, component, owner, _routed = owned
    service = CaseService(demo_db, clock=clock)
    first = _to_verified(service, demo_db, _report(service, point, component))
    service.act(CHIEF, first.id, "close", first.version, component_status="废弃")
    assert _status(demo_db, component)[0] == "scrapped"
    lon, lat = point
    other = _component(demo_db, lon, lat + DEG_PER_M, owner=owner, status="missing", serial=2)
    second = _to_verified(service, demo_db, _report(service, point, other))
    service.act(CHIEF, second.id, "close", second.version, component_status="keep")
    assert _status(demo_db, other)[0] == "missing"
    assert _changes(demo_db, other) == []


def test_a_refused_status_closes_nothing(
    demo_db: Database, clock: Clock, owned: tuple[tuple[float, float], int, str, str]
) -> None:
    point, component, _owner, _routed = owned
    service = CaseService(demo_db, clock=clock)
    case = _to_verified(service, demo_db, _report(service, point, component))
    with pytest.raises(ValidationError) as err:
        service.act(CHIEF, case.id, "close", case.version, component_status="修好了")
    assert err.value.field == "component_status" and "无法识别" in err.value.message
    with demo_db.read() as s:
        assert s.scalar(select(Case.state).where(Case.id == case.id)) == "verified"
    assert _status(demo_db, component)[0] == "damaged"
    assert _changes(demo_db, component) == []


def test_an_intact_object_is_left_and_a_status_for_it_refused(
    demo_db: Database, clock: Clock, owned: tuple[tuple[float, float], int, str, str]
) -> None:
    point, _component_id, owner, _routed = owned
    lon, lat = point
    intact = _component(demo_db, lon, lat, owner=owner, status="intact", serial=3)
    service = CaseService(demo_db, clock=clock)
    case = _to_verified(service, demo_db, _report(service, point, intact))
    with pytest.raises(ValidationError) as err:
        service.act(CHIEF, case.id, "close", case.version, component_status="damaged")
    assert err.value.field == "component_status"
    service.close(CHIEF, case.id, case.version)
    assert _status(demo_db, intact)[0] == "intact" and _changes(demo_db, intact) == []


def test_the_detail_shows_the_object_and_its_other_cases(
    demo_db: Database, clock: Clock, owned: tuple[tuple[float, float], int, str, str]
) -> None:
    point, component, owner, _routed = owned
    service = CaseService(demo_db, clock=clock)
    first = _report(service, point, component)
    clock.advance(hours=1)
    second = _report(service, point, component)
    clock.advance(hours=1)
    third = _report(service, point, component)
    service.void(CHIEF, second.id, second.version, note="重复")
    with demo_db.read() as s:
        detail = load_detail(s, third.id, clock(), WorkCalendar(), role="duty_chief")
        class_name = s.scalar(
            select(Category.name).where(
                Category.taxonomy == "gbt47678-5-2026", Category.code == "01001"
            )
        )
        owner_name = s.scalar(select(Department.name).where(Department.code == owner))
        plain = load_detail(s, first.id, clock(), WorkCalendar(), role="duty_chief")
    shown = detail.component
    assert shown is not None
    assert (shown.identifier, shown.name, shown.class_name) == (
        "61010401001000001",
        "供水井盖",
        class_name,
    )
    assert (shown.status, shown.status_label, shown.broken, shown.after_close) == (
        "damaged",
        "损坏",
        True,
        "intact",
    )
    assert shown.owner_name == owner_name and shown.address == "莲湖路<b>1</b>号"
    # The other cases, newest first, with their states; not the case itself.
    assert [(h.case_id, h.state) for h in shown.history] == [
        (second.id, "voided"),
        (first.id, "reported"),
    ]
    assert plain.component is not None and [h.case_id for h in plain.component.history] == [
        third.id,
        second.id,
    ]
