"""Shared set-up for the console read-side tests: actors, points in two streets, a case zoo."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import shapely
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import aliased

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Department, Region, User
from console.services.actors import Actor
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.report_input import ReportInput
from tests.conftest import Clock

# The demo people (tests/conftest.py: demo_template) have ids in role order.
INTAKE = Actor(1, "受理员", "intake")
CHIEF = Actor(2, "值班长", "duty_chief")
DISPATCHER = Actor(3, "派遣员", "dispatcher")
INSPECTOR = Actor(4, "监督员", "inspector")
#: A grid manager: reports anywhere, self-handles only in its own grid (users.region_id; the
#: demo account's is the first street's first grid), so a test's self-handling acts as the
#: case's own grid's manager: :func:`own_grid`.
GRID = Actor(8, "网格员", "grid_manager")


def own_grid(case: CaseSnapshot, actor: Actor = GRID) -> Actor:
    """``actor`` (a grid staff role) as the staff member of ``case``'s grid."""
    return replace(actor, region_id=case.grid_id)


Point = tuple[float, float]


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in November 2026 (23rd = Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


def street_points(db: Database) -> list[tuple[int, int, Point]]:
    """(street id, grid id, a point inside the grid) for the first grid of two streets."""
    unit, area = aliased(Region), aliased(Region)
    with db.read() as s:
        rows = s.execute(
            select(area.parent_id, Region.id, Region.geometry)
            .join(unit, unit.id == Region.parent_id)
            .join(area, area.id == unit.parent_id)
            .where(Region.level == "grid")
            .order_by(area.parent_id, Region.code)
        ).all()
    picked: dict[int, tuple[int, int, Point]] = {}
    for street_id, grid_id, geometry in rows:
        if street_id not in picked:
            p = shapely.from_geojson(geometry).representative_point()
            picked[street_id] = (street_id, grid_id, (p.x, p.y))
    return list(picked.values())[:2]


def report_input(point: Point, **over: object) -> ReportInput:
    fields: dict[str, object] = dict(
        category_code="06010",  # 暴露垃圾 in GB/T 47678.5-2026, in force for these dates
        kind="event_type",
        lon=point[0],
        lat=point[1],
        description="成堆生活垃圾未清运",
        address="莲湖路1号",
    )
    fields.update(over)
    return ReportInput(**fields)  # type: ignore[arg-type]


def department_id(db: Database, code: str) -> int:
    with db.read() as s:
        found = s.scalar(select(Department.id).where(Department.code == code))
    assert found is not None
    return found


def handler(db: Database, dept_id: int | None) -> Actor:
    """The demo handler user of a department."""
    with db.read() as s:
        user = s.scalar(select(User).where(User.department_id == dept_id))
        assert user is not None
        return Actor(user.id, user.display_name, user.role, user.department_id)


def build_zoo(service: CaseService, db: Database, clock: Clock) -> dict[str, CaseSnapshot]:
    """One case in every state (and a few variants), reported a minute apart from Mon 09:00.

    All in the first street except ``reported`` (second street, hotline, a tricky description).
    ``dispatched`` went to PRO04 by hand; the others were routed (暴露垃圾 → PRO02).
    ``late_green`` was dispatched at 13:00, the rest between 09:00 and 09:30.
    """
    (_, _, p1), (_, _, p2) = street_points(db)
    zoo: dict[str, CaseSnapshot] = {}

    def new(point: Point = p1, actor: Actor = INTAKE, **over: object) -> CaseSnapshot:
        clock.advance(minutes=1)
        return service.report(actor, report_input(point, **over))

    def registered(**over: object) -> CaseSnapshot:
        s = new(**over)
        return service.register(CHIEF, s.id, s.version)

    def dispatched(**over: object) -> CaseSnapshot:
        s = registered(**over)
        return service.dispatch(DISPATCHER, s.id, s.version)

    zoo["reported"] = new(
        p2, source="hotline", description="<script>alert(1)</script> 进度100%_done"
    )
    s = new(p1, GRID, source="grid")
    zoo["self_handled"] = service.self_handle(own_grid(s), s.id, s.version, note="已自行清理")
    zoo["registered"] = registered(address="西大街88号")
    s = registered()
    zoo["dispatched"] = service.dispatch(
        DISPATCHER, s.id, s.version, department_id=department_id(db, "PRO04")
    )
    s = dispatched()
    zoo["suspended"] = service.suspend(CHIEF, s.id, s.version, note="待规划部门意见")
    s = dispatched()
    zoo["handled"] = service.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")
    s = dispatched()
    s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")
    zoo["verified"] = service.verify_pass(INSPECTOR, s.id, s.version)
    s = dispatched()
    zoo["return_requested"] = service.request_return(
        handler(db, s.department_id), s.id, s.version, note="非本部门职责"
    )
    s = dispatched()
    zoo["extension"] = service.request_extension(
        handler(db, s.department_id), s.id, s.version, amount=2, note="需协调"
    )
    zoo["urgent"] = dispatched(category_code="0101", kind="component", description="井盖缺失")
    s = dispatched()
    s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    zoo["closed"] = service.close(CHIEF, s.id, s.version)
    s = dispatched()
    s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    s = service.close(CHIEF, s.id, s.version)
    zoo["archived"] = service.archive(CHIEF, s.id, s.version)
    s = new()
    zoo["voided"] = service.void(CHIEF, s.id, s.version, note="重复上报")
    clock.now = local(23, 13)
    zoo["late_green"] = dispatched()
    return zoo


def copy_case_in_sql(db: Database, source_id: int, description: str) -> int:
    """A copy of a case with another description, by plain SQL over the columns the table has.

    For a database migrated down: the ORM writes the newest model's columns, which an older
    schema lacks; this writes only those there. The copy's number gets a suffix (unique)."""
    columns = [c["name"] for c in inspect(db.engine).get_columns("cases") if c["name"] != "id"]
    values = {"description": ":description", "number": "number || '-D'"}
    select_list = ", ".join(values.get(c, c) for c in columns)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO cases ({', '.join(columns)}) "
                f"SELECT {select_list} FROM cases WHERE id = :id"
            ),
            {"id": source_id, "description": description},
        )
        new_id = conn.scalar(text("SELECT max(id) FROM cases"))
    assert isinstance(new_id, int)
    return new_id
