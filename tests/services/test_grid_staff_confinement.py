"""一格七员 are confined to their own grid (users.region_id, roles.csv scope "grid"), in the
services: they self-handle (自处置) their grid's cases only, told which grid is whose; their
queue and their field tasks hold their grid's cases; an account without its grid is told so
rather than acting everywhere. They still report anywhere (what they find next door)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import shapely
from sqlalchemy import select

from console.db import Database
from console.errors import CaseNotFoundError, PermissionDeniedError, ValidationError
from console.gateway.settings import load_task_scopes
from console.models import CaseEvent, Region, User
from console.services import queue
from console.services.actors import Actor, actor_of
from console.services.case_scope import CaseScope, case_scope
from console.services.cases.service import CaseService
from console.services.field_tasks import list_tasks
from console.services.reference.files import read_grid_staff_roles
from console.services.user_admin import UserAdminDesk
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import INTAKE, Point, report_input

OWN, NEXT = "610104001001001", "610104001001002"  # the demo unit's first two grids


def account(db: Database, username: str) -> Actor:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return actor_of(user)


def grid_point(db: Database, code: str) -> tuple[int, Point]:
    with db.read() as s:
        grid = s.scalar(select(Region).where(Region.code == code))
        assert grid is not None and grid.geometry is not None
        p = shapely.from_geojson(grid.geometry).representative_point()
        return grid.id, (p.x, p.y)


def actions(db: Database, case_id: int) -> list[str]:
    with db.read() as s:
        return list(
            s.scalars(
                select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )


def test_every_grid_staff_role_is_confined_to_a_grid() -> None:
    for role in read_grid_staff_roles():
        assert case_scope(Actor(1, "x", role.code, region_id=5)) == CaseScope("grid", 5)
    scope = CaseScope("grid", 5)
    assert scope.holds(1, 2, 5) and not scope.holds(1, 2, 6)
    assert not CaseScope("grid", None).holds(1, 2, 5)  # no grid: sees nothing


def test_a_grid_staff_member_self_handles_in_its_own_grid_only(
    demo_db: Database, clock: Clock
) -> None:
    service = CaseService(demo_db, clock=clock)
    worker = account(demo_db, "sanitation_worker")  # 环卫保洁员 of the demo's first grid
    own_id, own_point = grid_point(demo_db, OWN)
    _, next_point = grid_point(demo_db, NEXT)
    assert worker.region_id == own_id
    mine = service.report(worker, report_input(own_point, source="grid"))  # 06010 暴露垃圾
    assert service.self_handle(worker, mine.id, mine.version, note="已清运").state == (
        "self_handled"
    )
    # next door: reported (found on the round), but self-handling it is refused by name
    theirs = service.report(worker, report_input(next_point, source="grid"))
    with pytest.raises(PermissionDeniedError) as refused:
        service.self_handle(worker, theirs.id, theirs.version, note="已清运")
    assert refused.value.message == (
        "该案件位于「莲湖路第一社区第2网格」，不在您负责的网格「莲湖路第一社区第1网格」内，"
        "不能自行处置；请按普通上报提交（不选自行处置），由指挥中心立案派遣"
    )
    assert actions(demo_db, theirs.id) == ["report"]  # nothing written
    # that grid's own staff member may
    colleague = replace(worker, region_id=theirs.grid_id)
    assert service.self_handle(colleague, theirs.id, theirs.version, note="已清运").state == (
        "self_handled"
    )


def test_an_account_without_its_grid_is_told_so(demo_db: Database, clock: Clock) -> None:
    service = CaseService(demo_db, clock=clock)
    _, point = grid_point(demo_db, OWN)
    nowhere = replace(account(demo_db, "grid_manager"), region_id=None)
    found = service.report(nowhere, report_input(point, source="grid"))  # a report: anywhere
    with pytest.raises(PermissionDeniedError) as refused:
        service.self_handle(nowhere, found.id, found.version, note="已清理")
    assert refused.value.message == (
        "您的账号（网格管理员）尚未指定所在网格，不能查看或处理案件；"
        "请管理员在“用户管理”中为该账号指定所在网格"
    )
    assert actions(demo_db, found.id) == ["report"]
    with demo_db.read() as s, pytest.raises(PermissionDeniedError, match="尚未指定所在网格"):
        list_tasks(s, load_task_scopes(), nowhere, clock(), 50)


def test_a_grid_staff_members_reads_are_its_grids(demo_db: Database, clock: Clock) -> None:
    """The console's queue, one case, and the field tasks: its own grid's cases only."""
    service = CaseService(demo_db, clock=clock)
    _, own_point = grid_point(demo_db, OWN)
    _, next_point = grid_point(demo_db, NEXT)
    mine = service.report(INTAKE, report_input(own_point))
    theirs = service.report(INTAKE, report_input(next_point))
    manager = account(demo_db, "grid_manager")
    seat = Workbench(demo_db, actor=manager, clock=clock)
    everything = queue.QueueFilter(tab="all_open")
    assert [r.id for r in seat.queue_page(everything, 0, 100)] == [mine.id]
    assert seat.queue_count(everything) == 1
    assert seat.detail(mine.id).snapshot.id == mine.id
    with pytest.raises(CaseNotFoundError):
        seat.detail(theirs.id)
    with demo_db.read() as s:
        tasks = list_tasks(s, load_task_scopes(), manager, clock(), 50)
    assert [t.id for t in tasks] == [mine.id]
    # the district's seat sees both
    district = Workbench(demo_db, username="dispatcher", clock=clock)
    assert district.queue_count(everything) == 2


def test_a_grid_staff_account_needs_a_grid(demo_db: Database, clock: Clock) -> None:
    desk = UserAdminDesk(demo_db, Actor(None, "测试", "system"), clock)
    own_id, _ = grid_point(demo_db, OWN)
    with demo_db.read() as s:
        unit = s.scalar(select(Region.id).where(Region.code == OWN[:12]))
    with pytest.raises(ValidationError, match="须指定所属网格"):
        desk.create_user("wg2", "网格员乙", "sanitation_worker", "Strong-pass-2026!")
    with pytest.raises(ValidationError, match="须为一个网格"):
        desk.create_user(
            "wg2", "网格员乙", "sanitation_worker", "Strong-pass-2026!", region_id=unit
        )
    made = desk.create_user(
        "wg2", "网格员乙", "sanitation_worker", "Strong-pass-2026!", region_id=own_id
    )
    assert made.region_id == own_id
    assert (own_id, OWN, "莲湖路第一社区第1网格", "grid") in desk.regions()
