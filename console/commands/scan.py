"""`grid-console scan [--now ISO] [--json]`: run one supervision scan and print what it raised.

The console's seats and the duty server run the same scan every minute; this is the admin's
one-off (and a way to catch up by hand after downtime). Safe beside running seats: every alert
is raised exactly once whoever scans first.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import datetime

from console.commands.time_option import aware_time
from console.config import LOCAL_TZ
from console.db import Database
from console.services.supervision import AlertRecord, scan
from console.services.work_calendar import load_calendar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--now",
        metavar="ISO8601",
        help="scan as of this instant, with a timezone offset, e.g. 2026-11-24T09:00+08:00 "
        "(default: now)",
    )
    parser.add_argument("--json", action="store_true", help="print the raised alerts as JSON")


def parse_now(text: str | None) -> datetime:
    """The ``--now`` value as an aware datetime; the current time when absent."""
    value = aware_time(text, "now", "2026-11-24T09:00+08:00")
    return value if value is not None else datetime.now(LOCAL_TZ)


def as_json(record: AlertRecord) -> dict[str, object]:
    data: dict[str, object] = asdict(record)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.astimezone(LOCAL_TZ).isoformat()
    return data


def format_line(record: AlertRecord) -> str:
    due = record.due_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return (
        f"#{record.id} {record.level_label_zh} {record.case_number} → {record.recipient_name}"
        f"（到期 {due}）：{record.message}"
    )


def run(args: argparse.Namespace) -> int:
    now = parse_now(args.now)  # validate before opening anything
    db = Database(args.db)
    try:
        with db.session() as s:
            records = scan(s, now, load_calendar(s))
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([as_json(r) for r in records], ensure_ascii=False, indent=2))
        return 0
    for record in records:
        print(format_line(record))
    stamp = now.astimezone(LOCAL_TZ).isoformat(timespec="seconds")
    if records:
        print(f"{len(records)} alerts raised at {stamp}（共 {len(records)} 条提醒）")
    else:
        print(f"0 alerts at {stamp}（没有新的提醒）")
    return 0
