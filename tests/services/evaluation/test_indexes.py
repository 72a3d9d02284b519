"""Migration 0010's evaluation indexes: they match the models, go down and up again, and the
evaluation's queries read them (SQLite's plan)."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from console.db import Database, alembic_config
from console.models import Base
from console.services.evaluation.config import EvaluationConfig
from console.services.evaluation.positions import positions_by_case
from console.services.evaluation.report import _by_category, _daily, month_period

NEW = {"ix_case_events_case_action_actor", "ix_cases_reported_category"}


def _indexes(db: Database) -> set[str]:
    found = set()
    for table in ("cases", "case_events"):
        found |= {ix["name"] for ix in inspect(db.engine).get_indexes(table)}
    return found


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [
        d for d in diff if "ix_case_events_case_action" in str(d) or any(n in str(d) for n in NEW)
    ]
    assert ours == []
    assert _indexes(db) >= NEW
    assert "ix_case_events_case_action_at" not in _indexes(db)


def test_down_and_up_again(db: Database) -> None:
    config = alembic_config(db.engine)
    command.downgrade(config, "0009")
    assert not NEW & _indexes(db) and "ix_case_events_case_action_at" in _indexes(db)
    command.upgrade(config, "head")
    assert _indexes(db) >= NEW and "ix_case_events_case_action_at" not in _indexes(db)


def _plan(db: Database, run: Callable[[Session], object]) -> str:
    """SQLite's plan of the last statement ``run`` executes (with its values, as it ran)."""
    with db.read() as s:
        raw = s.connection().connection.driver_connection
        sql: list[str] = []
        raw.set_trace_callback(sql.append)
        run(s)
        raw.set_trace_callback(None)
        rows = s.execute(text(f"EXPLAIN QUERY PLAN {sql[-1]}")).all()
    return "\n".join(str(r[-1]) for r in rows)


def test_the_queries_read_the_indexes(db: Database) -> None:
    start, end = month_period("2026-10")
    config = EvaluationConfig.load()
    plan = _plan(db, lambda s: s.execute(positions_by_case(start, end, config, "sqlite", 1, 9)))
    assert "COVERING INDEX ix_case_events_case_action_actor" in plan
    plan = _plan(db, lambda s: _by_category(s, start, end))
    assert "COVERING INDEX ix_cases_reported_category" in plan
    # no ANALYZE statistics here: the daily closed counts still read the closed-time index
    plan = _plan(db, lambda s: _daily(s, start, end))
    assert "COVERING INDEX ix_cases_closed_at_state" in plan
    assert "ix_cases_state_" not in plan
