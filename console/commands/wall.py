"""`grid-console wall`: the read-only video wall of the command center, full screen.

The district map with the open cases, the key numbers, a ticker of red and 督办 cases, street
rankings, panels rotating on a timer. Seeds nothing: an empty database is an error.
"""

from __future__ import annotations

import argparse

from console.commands.window_start import (
    EMPTY_DATABASE,
    add_lang_argument,
    add_size_argument,
    db_label,
    is_empty,
    prepare_window,
)
from console.db import Database
from console.errors import ConsoleError, ValidationError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--screen",
        type=int,
        default=None,
        metavar="N",
        help="the monitor to fill, 0 = the first (default: the primary screen)",
    )
    parser.add_argument(
        "--rotate",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds each panel stays before the next one (default 30)",
    )
    add_lang_argument(parser)
    parser.add_argument(
        "--user",
        default="wall",
        help="the read-only account the wall reads as (default: wall, the 大屏 role)",
    )
    parser.add_argument(
        "--basemap",
        metavar="URL|FILE",
        help="basemap: an intranet XYZ tile URL or a local .mbtiles file (default: none)",
    )
    add_size_argument(parser, "1920x1080")
    parser.add_argument(
        "--screenshot", metavar="FILE.png", help="render the wall offscreen to a PNG and exit"
    )


def run(args: argparse.Namespace) -> int:
    if not 2 <= args.rotate <= 3600:
        raise ValidationError(f"--rotate 应在 2 … 3600 秒之间: {args.rotate}", field="rotate")
    prepare_window(args)
    db = Database(args.db)
    try:
        if is_empty(db):
            raise ConsoleError(EMPTY_DATABASE)

        from console.services.workbench import Workbench
        from console.views.wall_app import run_wall

        return run_wall(args, lambda: Workbench(db, username=args.user), db_label=db_label(db))
    finally:
        db.dispose()
