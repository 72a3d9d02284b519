"""`grid-console` / `grid-console gui`: open the console on the database.

On first run the embedded database is created, migrated and seeded with the demo district.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from console.db import Database
from console.errors import ConsoleError, ValidationError
from console.services.cases import CaseService
from console.services.demo import seed_demo
from console.services.geography import region_counts


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


def _screen_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValidationError(f"--size 应为 宽x高，如 1920x1080: {text!r}") from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise ValidationError(f"--size 超出范围 (320x240 … 7680x4320): {text!r}")
    return width, height


def _no_display() -> bool:
    """True on a Linux machine with no screen to open a window on (and no platform chosen)."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def run(args: argparse.Namespace) -> int:
    args.window_size = _screen_size(args.size)
    if not args.screenshot and _no_display():
        raise ConsoleError(
            "没有可用的显示器：请在图形桌面中启动，或用 --screenshot FILE.png 离屏截图 "
            "(no display: start from a desktop session, or use --screenshot FILE.png)"
        )
    if args.screenshot:
        # Offscreen rendering for screenshots only; a normal start uses the real screen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    db = Database(args.db)
    with db.read() as s:
        empty = not any(region_counts(s).values())
    if empty and args.no_seed:
        db.dispose()
        raise ConsoleError(
            "数据库为空：请先运行 seed-demo，或用 import-geography 导入本区网格 "
            "(the database is empty: run seed-demo or import-geography first)"
        )
    if empty:
        print("首次运行：正在生成演示区（莲湖区）… first run: seeding the demo district")
        seed_demo(db, CaseService(db).workflow, now=datetime.now(UTC))

    from console.services.workbench import Workbench
    from console.views.app import run_gui

    try:
        return run_gui(args, lambda: Workbench(db, username=args.user), db_label=_label(db))
    finally:
        db.dispose()


def _label(db: Database) -> str:
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite: {url.database}"
    return f"{url.get_backend_name()}: {url.host}/{url.database}"
