"""`grid-console` / `grid-console gui`: open the console on the database.

On first run the embedded database is created, migrated and seeded with the demo district.
Until the main window lands (issue #3) this prints what is in the database.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from console.commands.stats import format_stats
from console.db import Database
from console.services.cases import CaseService
from console.services.demo import seed_demo
from console.services.geography import region_counts
from console.services.queries import stats


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="do not seed the demo district into an empty database",
    )


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        with db.read() as s:
            empty = not any(region_counts(s).values())
        if empty and not args.no_seed:
            print("首次运行：正在生成演示区（莲湖区）… first run: seeding the demo district")
            seed_demo(db, CaseService(db).workflow, now=datetime.now(UTC))
        with db.read() as s:
            counts = stats(s, datetime.now(UTC))
    finally:
        db.dispose()
    print(f"数据库 database: {db.url}")
    print(format_stats(counts))
    print("（主窗口将在下一版本提供 — the main window arrives with the console issue）")
    return 0
