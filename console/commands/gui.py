"""`grid-console` / `grid-console gui`: open the console on the database.

On first run the embedded database is created, migrated and seeded with the demo district.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from console.commands.window_start import EMPTY_DATABASE, db_label, is_empty, prepare_window
from console.db import Database
from console.errors import ConsoleError
from console.services.cases import CaseService
from console.services.demo import seed_demo


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="do not seed the demo district into an empty database",
    )
    parser.add_argument(
        "--user",
        default="dispatcher",
        help="sign in as this user (default: dispatcher; login arrives later)",
    )
    parser.add_argument(
        "--lang",
        default="zh_CN",
        choices=["zh_CN", "en"],
        help="interface language (default zh_CN)",
    )
    parser.add_argument(
        "--theme",
        choices=["light", "dark", "auto"],
        default=None,
        help="colour theme (default: the last one used, else by the clock)",
    )
    parser.add_argument(
        "--basemap",
        metavar="URL|FILE",
        help="basemap: an intranet XYZ tile URL with {z}/{x}/{y}, or a local .mbtiles file; "
        "prefix gcj02: for GCJ-02 tiles; 'none' for grids only (default: the last one set, "
        "else none)",
    )
    parser.add_argument(
        "--size",
        default="1600x950",
        metavar="WxH",
        help="window size for --screenshot (default 1600x950)",
    )
    parser.add_argument(
        "--screenshot", metavar="FILE.png", help="render the window offscreen to a PNG and exit"
    )


def run(args: argparse.Namespace) -> int:
    prepare_window(args)
    db = Database(args.db)
    empty = is_empty(db)
    if empty and args.no_seed:
        db.dispose()
        raise ConsoleError(EMPTY_DATABASE)
    if empty:
        print("首次运行：正在生成演示区（莲湖区）… first run: seeding the demo district")
        seed_demo(db, CaseService(db).workflow, now=datetime.now(UTC))

    from console.services.workbench import Workbench
    from console.views.app import run_gui

    try:
        return run_gui(args, lambda: Workbench(db, username=args.user), db_label=db_label(db))
    finally:
        db.dispose()
