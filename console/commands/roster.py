"""`grid-console roster show|set`: the duty roster (值班表) from a shell.

``show [--from DATE] [--days 7]`` prints who stands each shift; ``set DATE SHIFT ROLE USER``
puts an account on a shift (``-`` for nobody), with the same checks as the duty chief's week
view (the account's own role, no double booking). The person at the shell holds the database's
credentials, so the command acts as the system.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.errors import ValidationError
from console.models import User
from console.services import duty_roster, handover


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="who stands each shift")
    show.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="default: today")
    show.add_argument("--days", type=int, default=7)
    show.add_argument("--json", action="store_true")
    put = sub.add_parser("set", help="put an account on a shift (USER '-': nobody)")
    put.add_argument("day", metavar="YYYY-MM-DD", help="the day the shift starts")
    put.add_argument("shift", help="shift code (resources/duty/shifts.csv): day, night")
    put.add_argument("role", choices=handover.DUTY_ROLES)
    put.add_argument("user", metavar="USER", help="user name, or - for nobody")


def _day(text: str | None) -> date:
    if text is None:
        return datetime.now(LOCAL_TZ).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"日期 {text!r} 无效，应为 YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    if args.action == "show":
        first = _day(args.first)
        if not 1 <= args.days <= 62:
            raise ValidationError("--days 应在 1 到 62 之间")
    else:
        first = _day(args.day)
        duty_roster.shift_def(args.shift)  # checked before the database opens
    db = Database(getattr(args, "db", None))
    try:
        if args.action == "show":
            return _show(db, first, args.days, args.json)
        return _set(db, first, args.shift, args.role, args.user)
    finally:
        db.dispose()


def _show(db: Database, first: date, days: int, as_json: bool) -> int:
    start = datetime.combine(first, time(0), tzinfo=LOCAL_TZ)
    with db.read() as s:
        entries = handover.roster(s, start, start + timedelta(days=days))
    if as_json:
        print(json.dumps([e.to_json() for e in entries], ensure_ascii=False, indent=2))
        return 0
    labels, roles = handover.shift_labels(), handover.role_labels()
    for e in entries:
        code = handover.shift_bounds(e.starts_at)[2]
        print(
            f"{e.starts_at:%Y-%m-%d %H:%M}–{e.ends_at:%H:%M} {labels[code][0]} "
            f"{roles.get(e.role, (e.role,))[0]} {e.username} {e.display_name}"
        )
    if not entries:
        print("（该时段没有排班）")
    return 0


def _set(db: Database, day: date, shift: str, role: str, username: str) -> int:
    with db.session() as s:
        user_id = None
        if username != "-":
            user_id = s.scalar(select(User.id).where(User.username == username))
            if user_id is None:
                raise ValidationError(f"用户不存在: {username}", field="user")
        entries = handover.set_duty(s, day, shift, role, user_id)
    names = "、".join(f"{e.display_name}（{e.username}）" for e in entries) or "无人"
    print(f"{day} {shift}：{names}")
    return 0
