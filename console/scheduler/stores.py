"""Job stores that stop handing out due jobs once shut down (see ConsoleScheduler.shutdown)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore


class ClosingStore:
    """Mixin: after ``close()`` or ``shutdown()`` the store has no due jobs (they stay stored)."""

    _closed = False

    def close(self) -> None:
        """Hand out no more due jobs (the stored jobs stay)."""
        self._closed = True

    def shutdown(self) -> None:
        self._closed = True
        super().shutdown()  # type: ignore[misc]

    def get_due_jobs(self, now: datetime) -> list[Any]:
        if self._closed:
            return []
        return super().get_due_jobs(now)  # type: ignore[misc]

    def get_next_run_time(self) -> datetime | None:
        if self._closed:
            return None
        return super().get_next_run_time()  # type: ignore[misc]


class MemoryStore(ClosingStore, MemoryJobStore):
    """The periodic jobs, rebuilt on every start."""


class SeatStore(ClosingStore, SQLAlchemyJobStore):
    """A seat's reminders, in a database file of that seat's own."""
