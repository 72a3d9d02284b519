"""The change feed every seat follows (ARCHITECTURE.md, "Data flow" point 2).

Each poll asks for the ``case_events`` rows a seat has not seen. Event ids come from a
sequence (PostgreSQL) or max(rowid)+1 (SQLite), and on PostgreSQL a transaction that took a
lower id can commit *after* one with a higher id: a reader that only remembers "the highest id
delivered" would skip it for ever. So the feed also remembers the ids below its high-water mark
it has not seen ("gaps") and asks for them again on every poll, until they turn up (delivered
then, once) or the grace period passes (a rolled-back transaction leaves a gap that never
fills). Both reads are primary-key lookups, so a poll stays cheap whatever the history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.models import CaseEvent
from console.services.cases.service import utc_now

log = logging.getLogger(__name__)

#: Gap ids per IN (...) list: well under SQLite's bound-parameter limit.
_ID_CHUNK = 500
#: Most gaps awaited at once; past it the lowest (oldest, least likely in flight) are dropped.
MAX_GAPS = 10_000


@dataclass(frozen=True)
class CaseChange:
    event_id: int
    case_id: int
    action: str
    at: datetime
    actor_name: str


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(ids)
    for i in range(0, len(items), _ID_CHUNK):
        yield items[i : i + _ID_CHUNK]


class ChangeFeed:
    """One seat's cursor over ``case_events``; not thread-safe (one store owns it)."""

    def __init__(
        self,
        *,
        gap_grace: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = 5000,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.gap_grace = gap_grace
        self.clock = clock
        self.batch_size = batch_size
        self._cursor: int | None = None
        #: Unseen id below the cursor → when the feed first noticed it missing.
        self._gaps: dict[int, datetime] = {}

    @property
    def cursor(self) -> int | None:
        """The highest event id delivered (or skipped as history); None before start."""
        return self._cursor

    @property
    def pending_gaps(self) -> frozenset[int]:
        """Ids below the cursor not seen yet, still awaited."""
        return frozenset(self._gaps)

    def start(self, session: Session) -> None:
        """Begin at the newest event: a new seat does not replay history."""
        self._cursor = int(session.scalar(select(func.max(CaseEvent.id))) or 0)
        self._gaps.clear()

    def poll(self, session: Session) -> list[CaseChange]:
        """Events not delivered yet, in id order; each event is delivered once."""
        if self._cursor is None:
            self.start(session)
            return []
        now = self.clock()
        columns = (
            CaseEvent.id,
            CaseEvent.case_id,
            CaseEvent.action,
            CaseEvent.at,
            CaseEvent.actor_name,
        )
        # Read everything before changing any state: a poll that fails half-way (the server
        # went away) leaves the cursor and the gaps as they were, and the next poll delivers
        # the same events once.
        found: list[CaseChange] = []
        for chunk in _chunks(self._gaps):
            rows = session.execute(select(*columns).where(CaseEvent.id.in_(chunk)))
            found.extend(CaseChange(*row) for row in rows)
        stmt = (
            select(*columns)
            .where(CaseEvent.id > self._cursor)
            .order_by(CaseEvent.id)
            .limit(self.batch_size)
        )
        fresh = [CaseChange(*row) for row in session.execute(stmt)]

        for change in found:
            del self._gaps[change.event_id]
        # Gaps still empty after the grace are rolled back (or lost): stop asking.
        expired = [i for i, since in self._gaps.items() if now - since > self.gap_grace]
        for event_id in expired:
            del self._gaps[event_id]
        expected = self._cursor + 1
        for change in fresh:
            for missing in range(max(expected, change.event_id - MAX_GAPS), change.event_id):
                self._gaps[missing] = now
            expected = change.event_id + 1
        if fresh:
            self._cursor = fresh[-1].event_id
        if len(self._gaps) > MAX_GAPS:
            dropped = sorted(self._gaps)[: len(self._gaps) - MAX_GAPS]
            log.warning("change feed: %d id gaps dropped (over %d)", len(dropped), MAX_GAPS)
            for event_id in dropped:
                del self._gaps[event_id]
        return sorted(found + fresh, key=lambda c: c.event_id)
