"""`grid-console calendar import|show|log`: the State Council's holiday schedule, in the database.

``import FILE.csv`` loads a year's schedule (``date,kind,name``; the template is
resources/calendar/holiday_overrides.csv) and makes the year *official* for every seat; open
cases whose clocks cross a changed day get new deadlines. ``show --year Y`` prints the year's
holidays and adjusted workdays and whether they are official or provisional (derived from the
law). ``log`` lists every change: who, when, what.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from console.commands.user import cli_actor
from console.config import LOCAL_TZ
from console.db import Database
from console.domain.holiday_schedule import ParsedSchedule, read_schedule_file
from console.services.cases.service import utc_now
from console.services.work_calendar import change_log, load_calendar, save_year, year_view


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    load = sub.add_parser("import", help="load a year's official schedule from date,kind,name CSV")
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.add_argument("--year", type=int, help="the year (default: the file's first date's)")
    show = sub.add_parser("show", help="a year's holidays, adjusted workdays and status")
    show.add_argument("--year", type=int, help="default: this year")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    log = sub.add_parser("log", help="every change of the schedules: who, when, what")
    log.add_argument("--year", type=int)
    log.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    if args.action == "import":
        parsed = read_schedule_file(args.file, args.year)  # checked before the database opens
    db = Database(args.db)
    try:
        if args.action == "import":
            return _import(db, parsed, args.file.name)
        if args.action == "show":
            return _show(db, args.year or datetime.now(LOCAL_TZ).year, args.json)
        return _log(db, args.year, args.json)
    finally:
        db.dispose()


def _import(db: Database, parsed: ParsedSchedule, source: str) -> int:
    with db.session() as s:
        result = save_year(
            s, cli_actor(), load_calendar(s), parsed, source=source, action="import", now=utc_now()
        )
    print(
        f"{result.year} 年节假日安排已导入为正式安排（原为 {result.previous.value}）："
        f"{len(parsed.holidays)} 个假日，{len(parsed.workdays)} 个调休上班日；"
        f"{len(result.changed_days)} 天的工作日属性改变，{result.moved_cases} 件在办案件的期限已重算"
    )
    for note in result.notes:
        print(f"  注意 {note}")
    return 0


def _show(db: Database, year: int, as_json: bool) -> int:
    with db.read() as s:
        view = year_view(s, load_calendar(s), year)
    if as_json:
        print(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return 0
    label = "正式 official" if view.status.value == "official" else "暂定 provisional"
    print(f"{year} 年：{label}（来源 {view.source.value}）")
    if view.notice:
        print(view.notice)
    if view.updated_at:
        print(f"由 {view.updated_by} 于 {view.updated_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} 导入")
    print("放假 holidays:")
    for d in view.holidays:
        print(f"  {d.day} {'一二三四五六日'[d.day.weekday()]} {d.name}")
    print("调休上班 workdays:" + ("" if view.workdays else " （无）"))
    for d in view.workdays:
        print(f"  {d.day} {'一二三四五六日'[d.day.weekday()]} {d.name}")
    return 0


def _log(db: Database, year: int | None, as_json: bool) -> int:
    with db.read() as s:
        records = change_log(s, cli_actor(), year)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "at": r.at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
                        "year": r.year,
                        "actor": r.actor_name,
                        "action": r.action,
                        "detail": r.detail,
                    }
                    for r in records
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for r in records:
        print(
            f"#{r.id} {r.at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} {r.actor_name} {r.action} "
            f"{r.year}：+{len(r.detail.get('added', []))} −{len(r.detail.get('removed', []))}，"
            f"{r.detail.get('moved_cases', 0)} 件案件期限重算"
        )
    if not records:
        print("（没有变更记录）")
    return 0
