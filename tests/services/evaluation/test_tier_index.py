"""Migration 0031: the closed cases' index covers their department, so the tier figures
(tiers.csv) read a month's closed cases from the index alone; it matches the models and goes
down and up again."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from console.db import Database, alembic_config
from console.models import Base
from console.services.evaluation.report import month_period
from console.services.evaluation.tiers import tier_rates

NEW, OLD = "ix_cases_closed_at_state_department", "ix_cases_closed_at_state"


def _indexes(db: Database) -> set[str]:
    return {ix["name"] for ix in inspect(db.engine).get_indexes("cases")}


def _plan(db: Database, run: Callable[[Session], object]) -> list[str]:
    """SQLite's plan of the last statement ``run`` executes (with its values, as it ran)."""
    with db.read() as s:
        raw = s.connection().connection.driver_connection
        sql: list[str] = []
        raw.set_trace_callback(sql.append)
        run(s)
        raw.set_trace_callback(None)
        return [str(r[-1]) for r in s.execute(text(f"EXPLAIN QUERY PLAN {sql[-1]}"))]


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "closed_at" in str(d)] == []
    assert NEW in _indexes(db) and OLD not in _indexes(db)


def test_down_and_up_again(db: Database) -> None:
    config = alembic_config(db.engine)
    command.downgrade(config, "0030")
    assert OLD in _indexes(db) and NEW not in _indexes(db)
    command.upgrade(config, "head")
    assert NEW in _indexes(db) and OLD not in _indexes(db)


def test_the_tier_rates_read_the_closed_cases_from_the_index_alone(db: Database) -> None:
    """Without ANALYZE statistics too (a fresh database): not a state index (every closed
    case ever), not the table (row by row for the department)."""
    start, end = month_period("2026-10")
    plan = _plan(db, lambda s: tier_rates(s, start, end))
    cases = [step for step in plan if step.startswith("SEARCH cases")]
    assert cases == [f"SEARCH cases USING COVERING INDEX {NEW} (closed_at>? AND closed_at<?)"], plan
