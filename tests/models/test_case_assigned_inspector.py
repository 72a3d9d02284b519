"""Migration 0018: the inspector a report check or a check task is assigned to (SQLite)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from console.db import Database, alembic_config
from console.models import Base, Case
from console.models.case_search import migration_options
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR, INTAKE, report_input, street_points


def _columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("cases")}


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    fks = inspect(db.engine).get_foreign_keys("cases")
    assert any(
        fk["constrained_columns"] == ["assigned_inspector_id"] and fk["referred_table"] == "users"
        for fk in fks
    )


def test_down_and_up_keeps_the_cases_and_their_history(demo_db: Database, clock: Clock) -> None:
    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    snap = service.report(INTAKE, report_input(point))
    snap = service.act(INTAKE, snap.id, "request_report_check", snap.version, inspector_id=4)
    assert INSPECTOR.id == 4
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0017")
    assert "assigned_inspector_id" not in _columns(demo_db)
    with demo_db.engine.connect() as conn:  # dropped in place: the case and its events remain
        assert conn.execute(text("SELECT number FROM cases")).scalar_one() == snap.number
        assert conn.execute(text("SELECT count(*) FROM case_events")).scalar_one() == 2
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    command.upgrade(config, "head")
    assert "assigned_inspector_id" in _columns(demo_db)
    with demo_db.read() as s:
        assert s.scalar(select(Case.assigned_inspector_id).where(Case.id == snap.id)) is None
