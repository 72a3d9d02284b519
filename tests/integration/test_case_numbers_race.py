"""Two seats taking the first number of a new prefix at the same moment, on PostgreSQL and on
a SQLite file: both get a number, one after the other, and neither write fails."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from console.db import Database
from console.services.cases.numbers import peek, reserve
from tests.integration import test_postgres

pg_db = test_postgres.pg_db


def race(db: Database) -> tuple[int, int]:
    """Seat A reserves and holds its transaction open while seat B reserves the same new
    prefix; then A commits. Returns (A's number, B's number)."""
    got: dict[str, int] = {}
    failed: list[BaseException] = []

    def seat_b() -> None:
        try:
            with db.session() as s:
                got["b"] = reserve(s, "E0601202612030")
        except BaseException as exc:  # the failure is what the test reports
            failed.append(exc)

    with db.session() as s:
        got["a"] = reserve(s, "E0601202612030")
        b = threading.Thread(target=seat_b)
        b.start()
        time.sleep(0.5)  # B is now waiting on A's row (or, on SQLite, on the write lock)
        assert b.is_alive()
    b.join(timeout=30)
    assert not failed, failed
    return got["a"], got["b"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_first_number_of_a_prefix_taken_twice_at_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'race.sqlite3'}") if backend == "sqlite" else None
    if db is None:
        db = request.getfixturevalue("pg_db")
    assert race(db) == (1, 2)
    with db.read() as s:
        assert peek(s, "E0601202612030") == 2
