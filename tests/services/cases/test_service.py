"""Case use cases on a real SQLite file: every transition, roles, conflicts, the clock."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import (
    CaseNotFoundError,
    IllegalTransitionError,
    InvalidCoordinatesError,
    MissingFieldError,
    OutsideDistrictError,
    PermissionDeniedError,
    StaleVersionError,
    TextTooLongError,
    UnknownCategoryError,
    UnknownDepartmentError,
    ValidationError,
)
from console.models import Case, CaseEvent, CaseNumberCounter, Department, Region, User
from console.services.actors import Actor
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    GRID,
    INSPECTOR,
    INTAKE,
    handler,
    local,
    own_grid,
)
from tests.services.console_support import report_input as garbage_report

WALL = Actor(7, "大屏", "wall")


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


@pytest.fixture
def point(demo_db: Database) -> tuple[float, float]:
    """A point well inside the first grid."""
    import shapely

    with demo_db.read() as s:
        geometry = s.scalar(select(Region.geometry).where(Region.level == "grid").limit(1))
    p = shapely.from_geojson(geometry).representative_point()
    return p.x, p.y


def test_demo_actor_ids_match_their_roles(demo_db: Database) -> None:
    with demo_db.read() as s:
        for actor in (INTAKE, CHIEF, DISPATCHER, INSPECTOR, WALL, GRID):
            user = s.get(User, actor.id)
            assert user is not None and user.role == actor.role


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Case)) or 0,
            s.scalar(select(func.count()).select_from(CaseEvent)) or 0,
            s.scalar(select(func.coalesce(func.sum(CaseNumberCounter.last), 0))) or 0,
        )


def events(db: Database, case_id: int) -> list[tuple[str, str | None, str]]:
    with db.read() as s:
        rows = s.execute(
            select(CaseEvent.action, CaseEvent.from_state, CaseEvent.to_state)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


# -- report ------------------------------------------------------------------------------


def test_report_creates_a_located_numbered_case(service: CaseService, point, demo_db) -> None:
    snap = service.report(INTAKE, garbage_report(point, source="hotline"))
    assert snap.state == "reported"
    assert re.fullmatch(r"E06010202611230001", snap.number)
    assert snap.version == 1 and snap.light is None
    with demo_db.read() as s:
        case = s.get(Case, snap.id)
        assert case is not None
        grid = s.get(Region, case.grid_id)
        unit = s.get(Region, case.unit_id)
        area = s.get(Region, case.area_id)
        street = s.get(Region, case.street_id)
        assert (grid.level, unit.level, area.level, street.level) == (
            "grid",
            "unit",
            "area",
            "street",
        )
        assert grid.parent_id == unit.id and unit.parent_id == area.id
        assert area.parent_id == street.id
    assert events(demo_db, snap.id) == [("report", None, "reported")]
    second = service.report(INTAKE, garbage_report(point))
    assert second.number.endswith("0002")


@pytest.mark.parametrize(
    ("over", "error", "message"),
    [
        ({"category_code": "9999"}, UnknownCategoryError, "9999"),
        ({"category_code": "0101", "kind": None}, ValidationError, "部件或事件"),
        ({"description": "  "}, MissingFieldError, "问题描述"),
        ({"address": "路" * 300}, TextTooLongError, "300"),
        ({"lon": "abc"}, InvalidCoordinatesError, "经度不是数字"),
        ({"lat": float("nan")}, InvalidCoordinatesError, "纬度"),
        ({"lon": 116.40, "lat": 39.91}, OutsideDistrictError, "不在辖区内"),
        ({"source": "carrier-pigeon"}, ValidationError, "未知来源"),
    ],
)
def test_bad_reports_are_refused_and_write_nothing(
    service: CaseService, point, demo_db, over, error, message
) -> None:
    before = counts(demo_db)
    with pytest.raises(error, match=message):
        service.report(INTAKE, garbage_report(point, **over))
    assert counts(demo_db) == before


def test_swapped_coordinates_are_explained(service: CaseService, point) -> None:
    with pytest.raises(InvalidCoordinatesError, match="写反"):
        service.report(INTAKE, garbage_report(point, lon=point[1], lat=point[0]))


@pytest.mark.parametrize("role", ["dispatcher", "leader", "wall", "department", "admin"])
def test_only_reporters_report(service: CaseService, point, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        service.report(Actor(9, "x", role), garbage_report(point))


# -- the whole loop ----------------------------------------------------------------------


def test_closed_loop_register_to_archive(service: CaseService, point, demo_db, clock) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    assert snap.state == "registered" and snap.limit_value == 4
    assert snap.limit_unit == "work_hours" and not snap.urgent
    clock.advance(minutes=10)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    with demo_db.read() as s:
        dept = s.get(Department, snap.department_id)
        assert dept is not None and dept.code == "PRO02"  # routing: 暴露垃圾 → 环卫
    # 09:10 + 4 working hours: 09:10-12:00 (2 h 50) + 14:00-15:10
    assert snap.deadline_at == local(23, 15, 10)
    dept_actor = handler(demo_db, snap.department_id)
    clock.advance(hours=1)
    snap = service.feedback(dept_actor, snap.id, snap.version, note="已清运")
    snap = service.verify_pass(INSPECTOR, snap.id, snap.version)
    snap = service.close(CHIEF, snap.id, snap.version)
    assert snap.state == "closed" and snap.closed_at == clock.now
    assert snap.light == "green"  # handled within the limit: stays green after closing
    snap = service.archive(CHIEF, snap.id, snap.version)
    assert snap.state == "archived"
    assert [e[0] for e in events(demo_db, snap.id)] == [
        "report",
        "register",
        "dispatch",
        "feedback",
        "verify_pass",
        "close",
        "archive",
    ]
    assert snap.version == 7


def test_rework_keeps_the_deadline(service: CaseService, point, demo_db, clock) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    deadline = snap.deadline_at
    dept_actor = handler(demo_db, snap.department_id)
    snap = service.feedback(dept_actor, snap.id, snap.version, note="已处理")
    clock.advance(hours=1)
    snap = service.verify_fail(INSPECTOR, snap.id, snap.version, note="仍有垃圾")
    assert snap.state == "dispatched" and snap.rework_count == 1
    assert snap.deadline_at == deadline and snap.handled_at is None


def test_return_and_redispatch_restart_the_clock(service, point, demo_db, clock) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    first_dept = snap.department_id
    wrong = handler(demo_db, first_dept)
    clock.advance(hours=2)
    snap = service.request_return(wrong, snap.id, snap.version, note="非本部门职责")
    assert snap.state == "return_requested" and snap.light == "green"
    snap = service.approve_return(DISPATCHER, snap.id, snap.version)
    assert snap.state == "registered" and snap.department_id is None
    assert snap.return_count == 1 and snap.deadline_at is None
    with demo_db.read() as s:
        other = s.scalar(select(Department.id).where(Department.code == "PRO04"))
    snap = service.dispatch(DISPATCHER, snap.id, snap.version, department_id=other)
    assert snap.department_id == other
    # 11:00 + 4 working hours = 11-12 (1h) + 14-17 (3h)
    assert snap.deadline_at == local(23, 17)
    with pytest.raises(PermissionDeniedError, match="未派遣给您所在的部门"):
        service.feedback(wrong, snap.id, snap.version, note="x")


def test_reject_return_keeps_the_department(service, point, demo_db) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    dept = snap.department_id
    snap = service.request_return(handler(demo_db, dept), snap.id, snap.version, note="不归我们")
    snap = service.reject_return(DISPATCHER, snap.id, snap.version, note="属于贵部门职责")
    assert snap.state == "dispatched" and snap.department_id == dept


def test_void_and_self_handle(service, point, demo_db) -> None:
    a = service.report(INTAKE, garbage_report(point))
    a = service.void(CHIEF, a.id, a.version, note="重复上报")
    assert a.state == "voided"
    with pytest.raises(IllegalTransitionError):
        service.register(CHIEF, a.id, a.version)
    b = service.report(GRID, garbage_report(point, source="grid"))
    b = service.self_handle(own_grid(b), b.id, b.version, note="网格员已清理")
    assert b.state == "self_handled"
    b = service.close(CHIEF, b.id, b.version)
    assert b.state == "closed"
    assert [e[0] for e in events(demo_db, b.id)] == ["report", "self_handle", "close"]


# -- the clock ---------------------------------------------------------------------------


def test_traffic_light_green_yellow_red(service, point, clock) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)  # Mon 09:00, 4 work hours
    # 80 % = 3.2 h: 09:00-12:00 then 0.2 h after lunch → 14:12; the limit ends 15:00.
    assert snap.warning_at == local(23, 14, 12)
    assert snap.deadline_at == local(23, 15)
    for at, light in [
        ((23, 11, 59), "green"),
        ((23, 13, 0), "green"),
        ((23, 14, 12), "yellow"),
        ((23, 14, 59), "yellow"),
        ((23, 15, 0), "red"),
        ((24, 9, 0), "red"),
    ]:
        clock.now = local(*at)
        assert service.get(snap.id).light == light, at


def test_suspension_stops_the_clock(service, point, clock) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    clock.now = local(23, 10)
    snap = service.suspend(CHIEF, snap.id, snap.version, note="待规划部门意见")
    assert snap.state == "suspended"
    clock.now = local(25, 16)  # two days later: would be long overdue on a running clock
    assert service.get(snap.id).light == "green"
    clock.now = local(24, 10)
    snap = service.resume(CHIEF, snap.id, snap.version)
    assert snap.state == "dispatched"
    # Paused 8 working hours (Mon 10-12, 14-18, Tue 8-10): deadline Mon 15:00 → Tue 15:00.
    assert snap.deadline_at == local(24, 15)
    assert snap.light == "green"


def test_extension_request_and_approval(service, point, demo_db, clock) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    dept = handler(demo_db, snap.department_id)
    with pytest.raises(ValidationError, match="正数"):
        service.request_extension(dept, snap.id, snap.version, amount=-1, note="x")
    snap = service.request_extension(dept, snap.id, snap.version, amount=2, note="需协调")
    assert snap.extension_requested == 2
    with pytest.raises(ValidationError, match="已有待审批"):
        service.request_extension(dept, snap.id, snap.version, amount=1, note="再申请")
    snap = service.approve_extension(DISPATCHER, snap.id, snap.version)
    assert snap.extension_value == 2 and snap.extension_requested is None
    assert snap.deadline_at == local(23, 17)
    with pytest.raises(ValidationError, match="没有待审批"):
        service.deny_extension(DISPATCHER, snap.id, snap.version, note="不同意")


def test_urgent_limit_runs_on_the_natural_clock(service, point, clock) -> None:
    clock.now = local(27, 22)  # Friday night
    snap = service.report(INTAKE, garbage_report(point, category_code="0401"))
    snap = service.register(CHIEF, snap.id, snap.version)
    assert snap.urgent and snap.limit_unit == "hours"
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    assert snap.deadline_at == local(28, 0)


# -- who may act, and conflicts --------------------------------------------------------


def test_wrong_role_changes_nothing(service, point, demo_db) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    before = counts(demo_db)
    for actor in (INTAKE, DISPATCHER, INSPECTOR, WALL):
        with pytest.raises(PermissionDeniedError):
            service.register(actor, snap.id, snap.version)
    assert counts(demo_db) == before
    assert service.get(snap.id).version == snap.version


def test_illegal_transition_changes_nothing(service, point, demo_db) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    before = counts(demo_db)
    with pytest.raises(IllegalTransitionError, match="待立案"):
        service.dispatch(DISPATCHER, snap.id, snap.version)
    with pytest.raises(IllegalTransitionError):
        service.close(CHIEF, snap.id, snap.version)
    assert counts(demo_db) == before


def test_stale_version_is_a_conflict(service, point) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    service.add_note(INTAKE, snap.id, snap.version, note="来电人补充：垃圾已发臭")
    with pytest.raises(StaleVersionError, match="已被他人修改"):
        service.register(CHIEF, snap.id, snap.version)
    assert service.get(snap.id).state == "reported"


def test_concurrent_dispatch_only_one_wins(demo_db, point, clock) -> None:
    seats = [CaseService(Database(demo_db.url), clock=clock) for _ in range(4)]
    snap = seats[0].report(INTAKE, garbage_report(point))
    snap = seats[0].register(CHIEF, snap.id, snap.version)
    outcomes: list[str] = []
    barrier = threading.Barrier(len(seats))

    def seat(service: CaseService) -> None:
        barrier.wait()
        try:
            service.dispatch(DISPATCHER, snap.id, snap.version)
            outcomes.append("ok")
        except StaleVersionError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=seat, args=(s,)) for s in seats]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in seats:
        s.db.dispose()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert [e[0] for e in events(demo_db, snap.id)].count("dispatch") == 1


def test_unknown_case_and_department(service, point) -> None:
    with pytest.raises(CaseNotFoundError):
        service.get(999_999)
    snap = service.report(INTAKE, garbage_report(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    with pytest.raises(UnknownDepartmentError):
        service.dispatch(DISPATCHER, snap.id, snap.version, department_id=999_999)


def test_notes_are_required_where_a_reason_is_due(service, point, demo_db) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    with pytest.raises(ValidationError, match="说明"):
        service.void(CHIEF, snap.id, snap.version, note="")
    assert service.get(snap.id).state == "reported"


def test_timestamps_are_aware(service, point, clock) -> None:
    snap = service.report(INTAKE, garbage_report(point))
    again = service.get(snap.id)
    assert again.reported_at == clock.now and again.reported_at.tzinfo is not None
    assert again.reported_at.utcoffset() == timedelta(0)
