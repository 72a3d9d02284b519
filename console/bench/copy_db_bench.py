"""`copy-db` to PostgreSQL: N cases of an SQLite file copied into a temporary schema of the
server named by ``--db``, rows per second beside a plain INSERT loop.

The source is the foundation's synthetic district (console.bench.foundation: the demo
geography, reference data and ``fill_big_db``'s cases; 2,000,000 in the full run, where the
foundation's own database of that size is reused). The figure
is :func:`console.services.copy_db.copy_database`'s copy phase (one snapshot read, values made
canonical, one binary COPY per table), rows of every table per second; its verification (every
table read back and checksummed) is timed beside it in the note. The baseline, in the same run
into a second fresh schema: the same rows read and made canonical the same way, written with
``executemany`` of a parameterised INSERT, in one transaction.

With no PostgreSQL ``--db``, or no server there, the scenario is skipped with a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from console.bench.foundation import fill_big_db, prepare
from console.bench.harness import Figure
from console.bench.notify_bench import postgres_problem, temporary_schema
from console.config import default_db_url
from console.db import make_engine, upgrade
from console.models import Case
from console.services.copy_db import console_tables, copy_database
from console.services.copy_tables import (
    BATCH_ROWS,
    canonical_batches,
    parents_first,
    pg_quote,
    self_references,
)

Log = Callable[[str], None]
FIGURE = "copy-db to PostgreSQL (rows/s)"


def sizes_for(quick: bool) -> int:
    """The cases copied: the issue's 2,000,000 in the full run, a few thousand in --quick."""
    return 5_000 if quick else 2_000_000


def build_source(path: Path, cases: int, log: Log) -> Engine:
    """An SQLite file with the demo district and ``cases`` synthetic cases (made once)."""
    db = prepare(path)
    try:
        log(f"copy-db: filling the source with {cases:,} cases…")
        fill_big_db(db, cases, datetime.now(UTC))
    finally:
        db.dispose()
    return make_engine(f"sqlite:///{path}", read_only=True)


def foundation_source(workdir: Path, cases: int, log: Log) -> Engine | None:
    """The foundation scenario's big database (console.bench.foundation, ``big.sqlite3``),
    when it is there with exactly ``cases`` cases: the full run copies it instead of filling
    another 2,000,000 (copy-db only reads its source)."""
    path = workdir / "big.sqlite3"
    if not path.exists():
        return None
    engine = make_engine(f"sqlite:///{path}", read_only=True)
    with engine.connect() as conn:
        there = conn.scalar(select(func.count()).select_from(Case))
    if there != cases:
        engine.dispose()
        return None
    log(f"copy-db: the source is the foundation's database of {cases:,} cases")
    return engine


def insert_loop(source: Engine, target_url: str, batch: int = BATCH_ROWS) -> tuple[float, int]:
    """The baseline: every console table's rows, read as copy-db reads them, written with
    executemany of an INSERT into a migrated empty schema (one transaction). Seconds, rows."""
    target = make_engine(target_url)
    try:
        upgrade(target)
        rows = 0
        with source.connect() as src, src.begin(), target.connect() as conn, conn.begin():
            pg = conn.connection.driver_connection
            assert pg is not None
            started = time.perf_counter()
            for table in console_tables():
                names = [c.name for c in table.columns]
                sql = (
                    f"INSERT INTO {pg_quote(table.name)} ({', '.join(map(pg_quote, names))}) "
                    f"VALUES ({', '.join(['%s'] * len(names))})"
                )
                links = self_references(table)
                with pg.cursor() as cursor:
                    held = []
                    for part in canonical_batches(src, table, batch):
                        if links:
                            held.extend(part)
                        else:
                            cursor.executemany(sql, part)
                        rows += len(part)
                    if held:
                        cursor.executemany(sql, parents_first(held, links))
            elapsed = time.perf_counter() - started
        return elapsed, rows
    finally:
        target.dispose()


def run_copy_db_bench(
    db_url: str | None, workdir: Path, quick: bool, log: Log, cases: int | None = None
) -> list[Figure]:
    """The scenario on the PostgreSQL server of ``db_url`` (default: $GRID_CONSOLE_DB) with
    ``cases`` cases (default :func:`sizes_for`); no figure, and why, when there is no server."""
    url = db_url or default_db_url()
    problem = postgres_problem(url)
    if problem is not None:
        log(f"copy-db: skipped — {problem}")
        return []
    n = sizes_for(quick) if cases is None else cases
    source = foundation_source(workdir, n, log) or build_source(
        workdir / "copy-db-source.sqlite3", n, log
    )
    try:
        with source.connect() as conn:
            copied_cases = conn.scalar(select(func.count()).select_from(Case))
        with temporary_schema(url) as scoped:
            log(f"copy-db: copying {n:,} cases into a temporary schema…")
            target = make_engine(scoped)
            try:
                started = time.perf_counter()
                report = copy_database(source, target)
                total = time.perf_counter() - started
                with target.connect() as conn:
                    landed = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
            finally:
                target.dispose()
        if not report.matches or landed != copied_cases:
            raise AssertionError(f"copy-db: {landed} of {copied_cases} cases, report {report}")
        with temporary_schema(url) as scoped:
            log("copy-db: baseline, the same rows by executemany INSERT…")
            base_seconds, base_rows = insert_loop(source, scoped)
    finally:
        source.dispose()
    if base_rows != report.rows:
        raise AssertionError(f"copy-db: baseline wrote {base_rows} rows, the copy {report.rows}")
    return [
        Figure(
            FIGURE,
            report.rows / report.copy_seconds,
            "/s",
            base_rows / base_seconds,
            higher_is_better=True,
            ratio_goal=2,
            note=f"{n:,} cases, {report.rows:,} rows in {len(report.tables)} tables, SQLite → "
            f"PostgreSQL, binary COPY in batches of {BATCH_ROWS:,}: copy {report.copy_seconds:.1f} s, "
            f"then verify (every table read back and checksummed) {report.verify_seconds:.1f} s, "
            f"the whole command {total:.1f} s with the migration; baseline: the same rows by "
            f"executemany INSERT, {base_seconds:.1f} s",
        )
    ]
