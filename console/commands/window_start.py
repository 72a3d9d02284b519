"""What the window commands (`gui`, `wall`) share: size, display checks, the empty database."""

from __future__ import annotations

import argparse
import os
import sys

from console.db import Database
from console.errors import ConsoleError, ValidationError
from console.services.geography import region_counts

EMPTY_DATABASE = (
    "数据库为空：请先运行 seed-demo，或用 import-geography 导入本区网格 "
    "(the database is empty: run seed-demo or import-geography first)"
)


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        default="zh_CN",
        choices=["zh_CN", "en"],
        help="interface language (default zh_CN)",
    )


def add_size_argument(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--size",
        default=default,
        metavar="WxH",
        help=f"window size for --screenshot (default {default})",
    )


def screen_size(text: str) -> tuple[int, int]:
    """``WxH`` → (width, height), within what a screen can be."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValidationError(f"--size 应为 宽x高，如 1920x1080: {text!r}") from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise ValidationError(f"--size 超出范围 (320x240 … 7680x4320): {text!r}")
    return width, height


def no_display() -> bool:
    """True on a Linux machine with no screen to open a window on (and no platform chosen)."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def prepare_window(args: argparse.Namespace) -> None:
    """Check the window arguments; offscreen rendering for --screenshot only."""
    args.window_size = screen_size(args.size)
    if not args.screenshot and no_display():
        raise ConsoleError(
            "没有可用的显示器：请在图形桌面中启动，或用 --screenshot FILE.png 离屏截图 "
            "(no display: start from a desktop session, or use --screenshot FILE.png)"
        )
    if args.screenshot:
        # A screenshot renders offscreen; a normal start uses the real screen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")


def is_empty(db: Database) -> bool:
    with db.read() as s:
        return not any(region_counts(s).values())


def db_label(db: Database) -> str:
    """The database as the status bar names it (no password)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite: {url.database}"
    return f"{url.get_backend_name()}: {url.host}/{url.database}"
