"""Helpers for the scheduler tests: polling, a scan that finds nothing, a reminder recorder."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from console.config import LOCAL_TZ
from console.domain.worktime import WorkCalendar
from console.scheduler import Reminder


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` s pass; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def no_scan(_session: Any, _now: datetime, _calendar: WorkCalendar) -> list[Any]:
    return []


def now_local() -> datetime:
    return datetime.now(LOCAL_TZ)


class Fired:
    """An on_reminder callback that records what fired (from the pool thread)."""

    def __init__(self) -> None:
        self.reminders: list[Reminder] = []
        self._lock = threading.Lock()

    def __call__(self, reminder: Reminder) -> None:
        with self._lock:
            self.reminders.append(reminder)

    def __len__(self) -> int:
        with self._lock:
            return len(self.reminders)
