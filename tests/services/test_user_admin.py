"""The admin's use-cases on real SQLite: validation, the last admin, and the security log."""

from __future__ import annotations

import pytest

from console.db import Database
from console.errors import (
    AuthenticationError,
    PermissionDeniedError,
    ValidationError,
    WeakPasswordError,
)
from console.services.auth import security_policy, sign_in
from console.services.demo import demo_accounts
from console.services.user_admin import UserAdminDesk, role_options
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import department_id, report_input, street_points

PASSWORD = {a.username: a.password for a in demo_accounts()}


@pytest.fixture
def desk(demo_db: Database, clock: Clock) -> UserAdminDesk:
    actor = sign_in(demo_db, "admin", PASSWORD["admin"], clock())
    return UserAdminDesk(demo_db, actor, clock)


def kinds_and_details(desk: UserAdminDesk, username: str) -> list[tuple[str, str]]:
    return [(e.kind, e.detail) for e in reversed(desk.security_log(username=username))]


def test_list_users_shows_roles_departments_and_state(desk: UserAdminDesk) -> None:
    users = {u.username: u for u in desk.list_users()}
    assert users["dispatcher"].role_label == "派遣员"
    assert users["dispatcher"].has_password and users["dispatcher"].active
    handler = next(u for u in users.values() if u.role == "department")
    assert handler.department_name and handler.department_name in handler.display_name
    assert not any(u.locked for u in users.values())
    assert "system" not in dict(role_options())


def test_create_user_validates_and_logs(
    desk: UserAdminDesk, demo_db: Database, clock: Clock
) -> None:
    with pytest.raises(ValidationError, match="未知角色"):
        desk.create_user("zhang3", "张三", "janitor", "zhangsan-88")
    with pytest.raises(ValidationError, match="已存在"):
        desk.create_user("Dispatcher", "张三", "dispatcher", "zhangsan-88")
    with pytest.raises(ValidationError, match="部门"):
        desk.create_user("zhang3", "张三", "department", "zhangsan-88")
    with pytest.raises(ValidationError, match="用户名"):
        desk.create_user("张三", "张三", "dispatcher", "zhangsan-88")
    with pytest.raises(ValidationError, match="姓名"):
        desk.create_user("zhang3", "  ", "dispatcher", "zhangsan-88")
    with pytest.raises(WeakPasswordError):
        desk.create_user("zhang3", "张三", "dispatcher", "short")
    with pytest.raises(ValidationError, match="未知角色"):
        desk.create_user("robot", "机器人", "system", "machine-pass-1")

    dept = department_id(demo_db, "PRO02")
    made = desk.create_user("zhang3", "张三", "department", "zhangsan-88", department_id=dept)
    assert made.role == "department" and made.department_id == dept and made.has_password
    # Only the log says who made it; the password is nowhere in it.
    [(kind, detail)] = kinds_and_details(desk, "zhang3")
    assert kind == "user_created" and "处置人员(department)" in detail
    assert "zhangsan-88" not in detail
    actor = sign_in(demo_db, "zhang3", "zhangsan-88", clock())
    assert (actor.role, actor.department_id) == ("department", dept)


def test_change_role_logs_old_and_new(desk: UserAdminDesk, demo_db: Database) -> None:
    changed = desk.change_role("inspector", "dispatcher")
    assert changed.role == "dispatcher"
    (kind, detail) = kinds_and_details(desk, "inspector")[-1]
    assert kind == "role_changed" and detail == "监督员(inspector) → 派遣员(dispatcher)"
    with pytest.raises(ValidationError, match="没有变化"):
        desk.change_role("inspector", "dispatcher")
    with pytest.raises(ValidationError, match="部门"):
        desk.change_role("inspector", "department")
    dept = department_id(demo_db, "PRO04")
    moved = desk.change_role("inspector", "department", department_id=dept)
    assert moved.department_id == dept
    # Leaving the handler role clears the department.
    assert desk.change_role("inspector", "leader").department_id is None


def test_the_last_admin_stays(desk: UserAdminDesk) -> None:
    with pytest.raises(ValidationError, match="最后一个"):
        desk.change_role("admin", "leader")
    with pytest.raises(ValidationError, match="自己"):
        desk.set_active("admin", False)
    desk.create_user("admin2", "第二管理员", "admin", "second-admin-1")
    assert desk.change_role("admin", "leader").role == "leader"


def test_deactivate_and_reactivate(desk: UserAdminDesk, demo_db: Database, clock: Clock) -> None:
    assert not desk.set_active("leader", False).active
    with pytest.raises(AuthenticationError, match="停用"):
        sign_in(demo_db, "leader", PASSWORD["leader"], clock())
    with pytest.raises(ValidationError, match="停用状态"):
        desk.set_active("leader", False)
    assert desk.set_active("leader", True).active
    assert sign_in(demo_db, "leader", PASSWORD["leader"], clock()).role == "leader"
    kinds = [k for k, _ in kinds_and_details(desk, "leader")]
    assert kinds[:2] == ["user_deactivated", "login_failed"] and "user_reactivated" in kinds


def test_unlock_and_reset_password(desk: UserAdminDesk, demo_db: Database, clock: Clock) -> None:
    for _ in range(security_policy().max_failed_logins):
        with pytest.raises(AuthenticationError):
            sign_in(demo_db, "intake", "wrong-2026", clock())
    [locked] = [u for u in desk.list_users() if u.username == "intake"]
    assert locked.locked and locked.failed_logins == security_policy().max_failed_logins
    assert not desk.unlock("intake").locked
    with pytest.raises(ValidationError, match="未被锁定"):
        desk.unlock("intake")
    assert sign_in(demo_db, "intake", PASSWORD["intake"], clock()).role == "intake"

    desk.reset_password("intake", "fresh-start-pw9")
    with pytest.raises(AuthenticationError):
        sign_in(demo_db, "intake", PASSWORD["intake"], clock())
    assert sign_in(demo_db, "intake", "fresh-start-pw9", clock()).role == "intake"
    kinds = [k for k, _ in kinds_and_details(desk, "intake")]
    assert "unlocked" in kinds and "password_reset" in kinds
    with pytest.raises(ValidationError, match="不存在"):
        desk.reset_password("nobody", "fresh-start-pw9")


def test_only_the_admin_may(demo_db: Database, clock: Clock) -> None:
    leader = Workbench(demo_db, username="leader", clock=clock).user_admin()
    for call in (
        leader.list_users,
        leader.security_log,
        lambda: leader.create_user("x1", "X", "dispatcher", "abcdefg-12"),
        lambda: leader.change_role("dispatcher", "leader"),
        lambda: leader.set_active("dispatcher", False),
        lambda: leader.reset_password("dispatcher", "abcdefg-12"),
        lambda: leader.unlock("dispatcher"),
    ):
        with pytest.raises(PermissionDeniedError):
            call()
    admin = Workbench(demo_db, username="admin", clock=clock).user_admin()
    assert all(u.role == "dispatcher" for u in admin.list_users() if u.username == "dispatcher")


def test_an_open_seat_of_a_deactivated_or_demoted_user_can_no_longer_act(
    desk: UserAdminDesk, demo_db: Database, clock: Clock
) -> None:
    seat = Workbench.signed_in(demo_db, "intake", PASSWORD["intake"], clock=clock)
    case = seat.cases.report(seat.actor, report_input(street_points(demo_db)[0][2]))
    note = seat.act("add_note", case.id, case.version, note="第一条备注")
    desk.change_role("intake", "inspector")
    with pytest.raises(PermissionDeniedError, match="角色已被管理员变更"):
        seat.act("add_note", case.id, note.version, note="以旧角色再写")
    desk.change_role("intake", "intake")
    desk.set_active("intake", False)
    with pytest.raises(PermissionDeniedError, match="已被停用"):
        seat.act("add_note", case.id, note.version, note="停用后再写")
    (outcome,) = seat.dispatch_many([(case.id, note.version)], department_id=None)
    assert outcome.snapshot is None and outcome.error and "已被停用" in outcome.error
    # nothing was written after the first note
    assert seat.cases.get(case.id).version == note.version
