"""The demo seed across the changeover to GB/T 47678.5-2026, on a real SQLite database."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Case
from console.services.cases.service import CaseService
from console.services.demo import (
    STEP_CASES,
    STEP_FINISHING,
    STEP_GEOGRAPHY,
    STEP_PEOPLE,
    STEP_REFERENCE,
    seed_cases,
    seed_demo,
)

CHANGEOVER = datetime(2026, 7, 1, tzinfo=LOCAL_TZ)


def test_cases_before_july_2026_use_cjt214_and_after_it_2026_codes(demo_db: Database) -> None:
    now = datetime(2026, 7, 11, 12, 0, tzinfo=LOCAL_TZ)
    workflow = CaseService(demo_db).workflow
    with demo_db.session() as s:
        assert seed_cases(s, workflow, cases=120, days=20, seed=4, now=now) == 120
    with demo_db.read() as s:
        rows = s.execute(
            select(Case.reported_at, Case.taxonomy, Case.category_code, Case.original_taxonomy)
        ).all()
    before = [r for r in rows if r.reported_at < CHANGEOVER]
    after = [r for r in rows if r.reported_at >= CHANGEOVER]
    assert len(before) > 20 and len(after) > 20  # about half of 20 days on each side
    assert {r.taxonomy for r in before} == {"cjt214"}
    assert all(len(r.category_code) == 4 for r in before)
    assert {r.taxonomy for r in after} == {"gbt47678-5-2026"}
    assert all(len(r.category_code) == 5 for r in after)
    assert {r.original_taxonomy for r in rows} == {None}


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in key order (password hashes aside: argon2 salts are random)."""
    conn = sqlite3.connect(path)
    try:
        # Ordinary tables: the text search index (an FTS5 virtual table and its shadow tables)
        # is derived from the cases compared here, and its own files are not comparable.
        virtual = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
            )
        ]
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if r[0] not in virtual and not any(r[0].startswith(f"{v}_") for v in virtual)
        ]
        rows = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = ", ".join(c for c in columns if c != "password_hash")
            rows[table] = conn.execute(f"SELECT {kept} FROM {table} ORDER BY 1").fetchall()
        return rows
    finally:
        conn.close()


def test_the_fast_seed_writes_what_the_per_call_path_writes(tmp_path: Path) -> None:
    """Same seed, same clock: the bulk-seed session (memoised lookups, Core case numbers, the
    hashes computed meanwhile) changes nothing in the data, row for row, id for id."""
    now = datetime(2026, 11, 27, 12, 0, tzinfo=LOCAL_TZ)
    paths = {}
    steps: dict[bool, list[tuple[str, int, int]]] = {}
    for fast in (True, False):
        paths[fast] = tmp_path / f"fast-{fast}.sqlite3"
        db = Database(f"sqlite:///{paths[fast]}")
        try:
            steps[fast] = []
            report = seed_demo(
                db,
                CaseService(db).workflow,
                cases=150,
                days=10,
                seed=5,
                now=now,
                fast=fast,
                progress=lambda *step, fast=fast: steps[fast].append(step),
            )
            assert report.cases == 150 and report.sign_ins  # passwords given, flagged
        finally:
            db.dispose()
    fast_rows, per_call_rows = _rows(paths[True]), _rows(paths[False])
    assert len(fast_rows["cases"]) == 150 and len(fast_rows["case_events"]) > 450
    assert len(fast_rows["case_number_counters"]) > 100  # one per kind, class and day
    assert fast_rows == per_call_rows
    # Both tell the same steps: each step once, then the cases as they go, to the last one.
    for told in steps.values():
        names = [s for s, _, _ in told]
        assert names[:4] == [STEP_GEOGRAPHY, STEP_REFERENCE, STEP_PEOPLE, STEP_CASES]
        assert names[-1] == STEP_FINISHING
        counts = [(done, total) for s, done, total in told if s == STEP_CASES]
        assert counts[0] == (0, 150) and counts[-1] == (150, 150)
        assert [d for d, _ in counts] == sorted(d for d, _ in counts)
