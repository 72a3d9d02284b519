"""The notify scenario's code path on the real server, at a small size; and its skips.

Timings are the benchmark's business (``meets_goal``): the test checks that it ran, measured
something positive, saw every change on both seats, and left no schema behind.
"""

from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.bench.notify_bench import GOAL_P95_S, NotifySizes, run_notify_bench


def bench_schemas(url: str) -> set[str]:
    engine = create_engine(make_url(url).difference_update_query(["options"]))
    try:
        with engine.connect() as conn:
            return set(
                conn.scalars(
                    text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'grid_bench_%'")
                )
            )
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_small_notify_run_reports_both_seats(pg_url: str) -> None:
    sizes = NotifySizes(cases=30, changes=6, baseline_changes=4)
    before = bench_schemas(pg_url)
    lines: list[str] = []
    figures = run_notify_bench(pg_url, quick=True, log=lines.append, sizes=sizes)
    assert [f.name for f in figures] == ["notify latency p95 (s)"]
    f = figures[0]
    assert f.unit == "s" and f.higher_is_better is False and f.goal == GOAL_P95_S
    assert math.isfinite(f.value) and f.value > 0
    assert f.baseline is not None and math.isfinite(f.baseline) and f.baseline > 0
    assert f.meets_goal in (True, False)
    assert f"N={sizes.changes} commits" in f.note
    # The listening seat, then the polling one: every change written was seen.
    assert re.findall(r"(\d+)/(\d+) seen", f.note) == [
        (str(sizes.changes), str(sizes.changes)),
        (str(sizes.baseline_changes), str(sizes.baseline_changes)),
    ]
    assert any("the seat listens" in line for line in lines)
    assert bench_schemas(pg_url) == before  # the temporary schema is gone


def test_without_postgresql_the_scenario_is_skipped_with_a_reason() -> None:
    lines: list[str] = []
    assert run_notify_bench("sqlite:///:memory:", quick=True, log=lines.append) == []
    assert lines == [
        "notify: skipped — needs PostgreSQL, the database is sqlite "
        "(pass --db postgresql+psycopg://user@host/db or set GRID_CONSOLE_DB)"
    ]
    lines.clear()
    nobody = "postgresql+psycopg://postgres@127.0.0.1:9/test"  # the discard port: no server
    assert run_notify_bench(nobody, quick=True, log=lines.append) == []
    assert len(lines) == 1
    assert lines[0].startswith("notify: skipped — no PostgreSQL server reachable at ")
