"""`grid-console scheduler [--interval S] [--once]`: the headless duty server.

Runs the supervision scan every ``S`` seconds (and the ``server`` seat's reminders) until
Ctrl-C or SIGTERM, printing one line per alert raised and per reminder that fires. ``--once``
runs one scan, prints what it raised and the count, and exits.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from console.config import LOCAL_TZ, data_dir
from console.db import Database
from console.errors import ValidationError
from console.scheduler import ConsoleScheduler, Reminder

SERVER_SEAT = "server"

_print_lock = threading.Lock()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reports",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the monthly evaluation goes on the month's first working day "
        "(default: reports/ in the user data dir)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=60,
        metavar="S",
        help="seconds between supervision scans (default 60)",
    )
    parser.add_argument(
        "--once", action="store_true", help="run one supervision scan, print the count, exit"
    )


def _say(line: str) -> None:
    with _print_lock:
        print(line, flush=True)


def _stamp(value: datetime | None = None) -> str:
    return (value or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def format_alert(alert: Any) -> str:
    """One line per alert: time, level, case, message, recipient."""
    raised_at = getattr(alert, "raised_at", None)
    level = getattr(alert, "level_label_zh", None) or getattr(alert, "level", "")
    number = getattr(alert, "case_number", None) or f"#{getattr(alert, 'case_id', '?')}"
    line = f"{_stamp(raised_at)} 预警 [{level}] {number} {getattr(alert, 'message', '')}"
    recipient = getattr(alert, "recipient_name", None)
    return f"{line} → {recipient}" if recipient else line


def format_reminder(reminder: Reminder) -> str:
    number = reminder.case_number or f"#{reminder.case_id}"
    note = f" {reminder.note}" if reminder.note else ""
    return f"{_stamp()} 提醒 {number}{note} ({reminder.username}, 定于 {_stamp(reminder.due_at)})"


def _print_alerts(alerts: list[Any]) -> None:
    for alert in alerts:
        _say(format_alert(alert))


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (main thread only); the old handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run(args: argparse.Namespace) -> int:
    if not args.interval > 0:
        raise ValidationError(f"--interval 必须大于 0 秒，收到 {args.interval}", field="interval")
    errors: list[str] = []

    def on_error(message: str) -> None:
        errors.append(message)
        _say(f"{_stamp()} 错误 {message}")

    db = Database(args.db)
    try:
        scheduler = ConsoleScheduler(
            db,
            seat_id=SERVER_SEAT,
            scan_interval_s=args.interval,
            on_alerts=_print_alerts,
            on_reminder=lambda r: _say(format_reminder(r)),
            on_error=on_error,
            reports_dir=args.reports or data_dir() / "reports",
        )
        if args.once:
            alerts = scheduler.run_scan_now()
            _say(f"扫描完成 scan done: {len(alerts)} 条预警 alerts raised")
            return 1 if errors else 0

        stop = threading.Event()
        with _stop_on_signals(stop):
            scheduler.start()
            try:
                _say(
                    f"{_stamp()} 督办调度已启动 duty scheduler running: "
                    f"每 {args.interval:g} 秒扫描一次 (Ctrl-C 停止)"
                )
                while not stop.wait(0.5):
                    pass
            finally:
                scheduler.shutdown(wait=True)
        _say(f"{_stamp()} 督办调度已停止 duty scheduler stopped")
        return 0
    finally:
        db.dispose()
