"""`grid-console wall`: the read-only video wall of the command center, full screen.

The district map with the open cases, the key numbers, a ticker of red and 督办 cases, street
rankings, panels rotating on a timer. Seeds nothing: an empty database is an error.
"""

from __future__ import annotations

import argparse
import os

from console.commands.gui import _label, _no_display, _screen_size
from console.db import Database
from console.errors import ConsoleError, ValidationError
from console.services.geography import region_counts


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
    parser.add_argument(
        "--lang",
        default="zh_CN",
        choices=["zh_CN", "en"],
        help="interface language (default zh_CN)",
    )
    parser.add_argument(
        "--user",
        default="dispatcher",
        help="the account the wall reads as (default: dispatcher)",
    )
    parser.add_argument(
        "--basemap",
        metavar="URL|FILE",
        help="basemap: an intranet XYZ tile URL or a local .mbtiles file (default: none)",
    )
    parser.add_argument(
        "--size",
        default="1920x1080",
        metavar="WxH",
        help="window size for --screenshot (default 1920x1080)",
    )
    parser.add_argument(
        "--screenshot", metavar="FILE.png", help="render the wall offscreen to a PNG and exit"
    )


def run(args: argparse.Namespace) -> int:
    args.window_size = _screen_size(args.size)
    if not 2 <= args.rotate <= 3600:
        raise ValidationError(f"--rotate 应在 2 … 3600 秒之间: {args.rotate}", field="rotate")
    if not args.screenshot and _no_display():
        raise ConsoleError(
            "没有可用的显示器：请在图形桌面中启动，或用 --screenshot FILE.png 离屏截图 "
            "(no display: start from a desktop session, or use --screenshot FILE.png)"
        )
    if args.screenshot:
        # Offscreen rendering for screenshots only; a normal start uses the real screens.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    db = Database(args.db)
    try:
        with db.read() as s:
            empty = not any(region_counts(s).values())
        if empty:
            raise ConsoleError(
                "数据库为空：请先运行 seed-demo，或用 import-geography 导入本区网格 "
                "(the database is empty: run seed-demo or import-geography first)"
            )

        from console.services.workbench import Workbench
        from console.views.wall_app import run_wall

        return run_wall(args, lambda: Workbench(db, username=args.user), db_label=_label(db))
    finally:
        db.dispose()
