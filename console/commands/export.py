"""`grid-console export --out FILE [--format open311|csv|xlsx] [filters]`: cases to a file.

The filters are a queue's (console.services.queue.QueueFilter): a queue tab (default
``search``: every state), street, source, category, period, text; ``--state`` narrows to
states. Every matching case is written, newest first, by default with every field
``grid-console ingest`` reads (the file imports into another district). Exit 0 with the count
on stdout, 2 when the filter or the file is wrong, or a case holds a character the chosen
encoding cannot (nothing is written).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.lifecycle import STATE_LABELS
from console.errors import ConsoleError, ValidationError
from console.services import catalog
from console.services.cases.export import COLUMNS, ENCODINGS, FORMATS, export_cases
from console.services.ingest.ingest import resolve_source
from console.services.queue import QueueFilter
from console.services.queue_tabs import tab_rules
from console.services.work_calendar import load_calendar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="the file to write")
    parser.add_argument(
        "--format", choices=FORMATS, help="default: from the extension (.json/.csv/.xlsx)"
    )
    parser.add_argument("--queue", default="search", help="queue tab code (default: search)")
    parser.add_argument(
        "--state",
        action="append",
        help="state code or Chinese name (repeatable): " + ", ".join(STATE_LABELS),
    )
    parser.add_argument("--street", help="street code, name or id")
    parser.add_argument("--source", help="来源: code or Chinese label (监督员, 12345 …)")
    parser.add_argument("--category", help="category code, e.g. 0102 or C0101 / E0102")
    parser.add_argument("--from", dest="date_from", help="reported on or after, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", help="reported on or before, YYYY-MM-DD")
    parser.add_argument("--text", help="search case number, address and description")
    parser.add_argument(
        "--columns",
        help="CSV/Excel columns, comma-separated keys (default: every field ingest reads, "
        "then state, street, grid, department, deadline, closing time, urgency): "
        + ", ".join(COLUMNS),
    )
    parser.add_argument(
        "--encoding",
        choices=tuple(ENCODINGS),
        default="utf-8",
        help="CSV: UTF-8 with BOM (default); GBK (a character GBK lacks is refused, naming "
        "the case); GB18030 (GBK's superset, holds every character)",
    )


def _state(value: str) -> str:
    value = value.strip()
    if value in STATE_LABELS:
        return value
    for code, (zh, en) in STATE_LABELS.items():
        if value in (zh, en) or value.lower() == en.lower():
            return code
    raise ValidationError(f"未知状态: {value}（可选: {', '.join(STATE_LABELS)}）", field="state")


def resolve_street(db: Database, value: str) -> int:
    with db.read() as s:
        found = catalog.streets(s)
    for street_id, code, name in found:
        if value.strip() in (code, name, str(street_id)):
            return street_id
    names = ", ".join(f"{code} {name}" for _, code, name in found)
    raise ValidationError(f"未知街道: {value}（可选: {names}）", field="street")


def _day(value: str | None, *, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError(f"日期格式不对: {value}（应为 2026-11-23）") from None
    at = datetime.combine(day, time(), tzinfo=LOCAL_TZ)
    return at + timedelta(days=1) if end else at  # --to is inclusive: up to its midnight


def build_filter(db: Database, args: argparse.Namespace) -> QueueFilter:
    if args.queue not in tab_rules():
        raise ValidationError(
            f"未知队列: {args.queue}（可选: {', '.join(tab_rules())}）", field="queue"
        )
    category = (args.category or "").strip() or None
    return QueueFilter(
        tab=args.queue,
        street_id=resolve_street(db, args.street) if args.street else None,
        source=resolve_source(args.source),
        category_code=category,
        reported_from=_day(args.date_from, end=False),
        reported_to=_day(args.date_to, end=True),
        text=(args.text or "").strip() or None,
    )


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        f = build_filter(db, args)
        states = [_state(v) for v in args.state] if args.state else None
        columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
        with db.read() as s:
            result = export_cases(
                s,
                args.out,
                now=datetime.now(UTC),
                calendar=load_calendar(s),
                filter=f,
                format=args.format,
                columns=columns,
                encoding=args.encoding,
                states=states,
            )
    except ConsoleError as exc:
        print(f"错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(f"已导出 exported: {result.count} 件 → {result.path}（{result.format}）")
    return 0
