"""The status bar's light counts: one query after every change batch, the same numbers as the
full statistics (issue 14 §1; a real SQLite demo database with cases in every light)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from console.db import Database
from console.services import queries
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import build_zoo


def test_light_counts_in_one_query_match_the_statistics(demo_db: Database, clock: Clock) -> None:
    build_zoo(CaseService(demo_db, clock=clock), demo_db, clock)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with demo_db.read() as s:
        full = queries.stats(s, clock())["lights"]
        event.listen(s.get_bind(), "before_cursor_execute", seen)
        try:
            counts = queries.light_counts(s, clock())
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", seen)
    assert counts == full
    assert sum(counts.values()) > 0 and len(counts) >= 2  # the zoo spans lights
    assert len(statements) == 1
