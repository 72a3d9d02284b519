"""The copy-db scenario's code path on the real server with a few hundred cases; and its skip.

Timings are the benchmark's business (``meets_goal``): the test checks that both paths ran on
the same rows, measured something positive, and left no schema behind.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from console.bench.copy_db_bench import FIGURE, run_copy_db_bench, sizes_for
from tests.bench.test_notify_bench import bench_schemas


@pytest.mark.postgres
def test_a_small_copy_reports_rows_per_second_beside_the_insert_loop(
    pg_url: str,
    tmp_path: Path,
) -> None:
    before = bench_schemas(pg_url)
    lines: list[str] = []
    figures = run_copy_db_bench(pg_url, tmp_path, quick=True, log=lines.append, cases=300)
    assert [f.name for f in figures] == [FIGURE]
    f = figures[0]
    assert f.unit == "/s" and f.higher_is_better is True and f.ratio_goal is not None
    assert math.isfinite(f.value) and f.value > 0
    assert f.baseline is not None and math.isfinite(f.baseline) and f.baseline > 0
    assert f.meets_goal in (True, False)
    assert f.note.startswith("300 cases, ") and "executemany INSERT" in f.note
    assert any("baseline" in line for line in lines)
    assert bench_schemas(pg_url) == before  # both temporary schemas are gone
    built = tmp_path / "copy-db-source.sqlite3"
    assert built.exists()

    # The full run's source is the foundation's database when it has the size asked for.
    built.rename(tmp_path / "big.sqlite3")
    lines.clear()
    again = run_copy_db_bench(pg_url, tmp_path, quick=True, log=lines.append, cases=300)
    assert [f.name for f in again] == [FIGURE] and again[0].note.startswith("300 cases, ")
    assert "copy-db: the source is the foundation's database of 300 cases" in lines
    assert not built.exists()


def test_without_postgresql_the_scenario_is_skipped_with_a_reason(tmp_path: Path) -> None:
    lines: list[str] = []
    assert run_copy_db_bench("sqlite:///:memory:", tmp_path, quick=True, log=lines.append) == []
    assert lines == [
        "copy-db: skipped — needs PostgreSQL, the database is sqlite "
        "(pass --db postgresql+psycopg://user@host/db or set GRID_CONSOLE_DB)"
    ]
    assert list(tmp_path.iterdir()) == []  # no source was built
    assert sizes_for(quick=False) == 2_000_000 and sizes_for(quick=True) < 10_000
