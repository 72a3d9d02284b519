"""The first start's scenario: seeding the demo district into a fresh, empty SQLite file.

What `grid-console` does before its window can open on a new machine: the district, the
reference data, the people (argon2 hashes of the demo passwords) and 2,000 cases walked through
the real lifecycle. Timed from an empty file to the commit, alternately with the per-call path
(``seed_demo(fast=False)``: every rule, route and case number a query of its own, the
passwords hashed before the cases), each on a file of its own. Both must write the same cases
and timelines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from console.bench.harness import Figure, alternating_runs
from console.db import Database
from console.models import Case, CaseEvent
from console.services.cases.service import CaseService
from console.services.demo import seed_demo

Log = Callable[[str], None]
GOAL_S = 15.0
FIGURE = "first start: seed the demo district (s)"
#: A fixed clock: both paths walk the same histories.
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def _seed_once(path: Path, cases: int, *, fast: bool) -> tuple[float, tuple[int, int]]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")  # created and migrated before the clock starts
    try:
        workflow = CaseService(db).workflow
        started = time.perf_counter()
        seed_demo(db, workflow, cases=cases, now=NOW, fast=fast)
        elapsed = time.perf_counter() - started
        with db.read() as s:
            written = (
                s.scalar(select(func.count()).select_from(Case)) or 0,
                s.scalar(select(func.count()).select_from(CaseEvent)) or 0,
            )
    finally:
        db.dispose()
    return elapsed, written


def run_seed_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    cases = 300 if quick else 2000
    repeat = 1 if quick else 3
    value, baseline, written = alternating_runs(
        "seed",
        repeat,
        lambda: _seed_once(workdir / "seed-fast.sqlite3", cases, fast=True),
        lambda: _seed_once(workdir / "seed-per-call.sqlite3", cases, fast=False),
        log,
    )
    return [
        Figure(
            FIGURE,
            value,
            "s",
            baseline,
            higher_is_better=False,
            goal=GOAL_S,
            note=f"an empty SQLite file to the commit: 364 grids, people, {cases:,} cases "
            f"({written[1]:,} timeline events); baseline: the per-call path (each rule, route "
            f"and case number its own query, the 9 argon2 hashes before the cases); median of "
            f"{repeat}",
        )
    ]
