"""`grid-console user list|add|passwd|role|unlock|deactivate|activate`: accounts, for IT admins.

The person at the shell already holds the database's credentials, so the command acts as the
system (``manage_users``) and writes every change to the security log under their OS login
name. Passwords are read with getpass from a terminal, or as one line each from standard
input when it is not a terminal (scripts); never from the command line.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from sqlalchemy import select

from console.db import Database
from console.errors import ValidationError
from console.models import Department, Region
from console.services.actors import Actor
from console.services.user_admin import UserAdminDesk, UserRecord


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="every account: role, department, active, locked")
    add = sub.add_parser("add", help="a new account (the password is asked for)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the person's name as shown (显示名)")
    add.add_argument("--role", required=True, help="role code (resources/org/roles.csv)")
    add.add_argument("--department", metavar="CODE", help="department code, for handlers")
    add.add_argument(
        "--region",
        metavar="CODE",
        help="street, unit or grid code, for confined seats (街道/单元/网格: 一格七员)",
    )
    passwd = sub.add_parser("passwd", help="set a new password (also lifts a lock)")
    passwd.add_argument("username")
    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", help="role code (resources/org/roles.csv)")
    role.add_argument("--department", metavar="CODE", help="department code, for handlers")
    role.add_argument(
        "--region",
        metavar="CODE",
        help="street, unit or grid code, for confined seats (街道/单元/网格: 一格七员)",
    )
    for name, text in (
        ("unlock", "lift a lockout after failed sign-ins"),
        ("deactivate", "no more sign-ins for this account (its history stays)"),
        ("activate", "allow a deactivated account to sign in again"),
    ):
        sub.add_parser(name, help=text).add_argument("username")


def cli_actor() -> Actor:
    """The shell user, acting as the system (they hold the database credentials anyway)."""
    try:
        who = getpass.getuser()
    except Exception:  # no login name (a container): still say where it came from
        who = "?"
    return Actor(id=None, name=f"命令行 {who}"[:50], role="system")


def read_password(prompt: str) -> str:
    """A new password: asked twice on a terminal, one line of standard input otherwise."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        if getpass.getpass("再输入一次 again: ") != first:
            raise ValidationError("两次输入的密码不一致")
        return first
    line = sys.stdin.readline()
    if not line:
        raise ValidationError("标准输入中没有密码（一行一个）")
    return line.rstrip("\r\n")


def _department_id(db: Database, code: str | None) -> int | None:
    if code is None:
        return None
    with db.read() as s:
        found = s.scalar(select(Department.id).where(Department.code == code))
    if found is None:
        raise ValidationError(f"部门代码不存在: {code}", field="department")
    return found


def _region_id(db: Database, code: str | None) -> int | None:
    if code is None:
        return None
    with db.read() as s:
        found = s.scalar(select(Region.id).where(Region.code == code.strip()))
    if found is None:
        raise ValidationError(
            f"区域代码不存在: {code}（街道 9 位，单元 12 位，网格 15 位）", field="region"
        )
    return found


def _print_users(users: list[UserRecord]) -> None:
    width = max((len(u.username) for u in users), default=8)
    print(f"{'username'.ljust(width)}  {'role':<13} active  locked  password  name / department")
    for u in users:
        locked = u.locked_until.strftime("%H:%M") if u.locked_until else "-"
        print(
            f"{u.username.ljust(width)}  {u.role:<13} {'yes' if u.active else 'no ':<6}  "
            f"{locked:<6}  {'set' if u.has_password else 'NONE':<8}  {u.display_name}"
            + (f" / {u.department_name}" if u.department_name else "")
        )


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        desk = UserAdminDesk(db, cli_actor(), lambda: datetime.now(UTC))
        action = args.action
        if action == "list":
            _print_users(desk.list_users())
            return 0
        if action == "add":
            password = read_password(f"{args.username} 的初始密码 initial password")
            record = desk.create_user(
                args.username,
                args.name,
                args.role,
                password,
                department_id=_department_id(db, args.department),
                region_id=_region_id(db, args.region),
            )
            print(f"已创建 created: {record.username} ({record.role_label})")
        elif action == "passwd":
            password = read_password(f"{args.username} 的新密码 new password")
            desk.reset_password(args.username, password)
            print(f"已设置新密码 password set: {args.username}")
        elif action == "role":
            record = desk.change_role(
                args.username,
                args.role,
                department_id=_department_id(db, args.department),
                region_id=_region_id(db, args.region),
            )
            print(f"角色已修改 role changed: {record.username} → {record.role_label}")
        elif action == "unlock":
            desk.unlock(args.username)
            print(f"已解锁 unlocked: {args.username}")
        elif action in ("deactivate", "activate"):
            desk.set_active(args.username, action == "activate")
            print(
                f"{'已启用 activated' if action == 'activate' else '已停用 deactivated'}: "
                f"{args.username}"
            )
        return 0
    finally:
        db.dispose()
