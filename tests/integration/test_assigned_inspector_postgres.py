"""Migration 0018 (the inspector a report check or check task is assigned to) on PostgreSQL:
models and schema agree (the foreign key by its name), down and up with a case assigned."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from console.db import Database, alembic_config
from console.models import Base, Case
from console.models.case_search import migration_options
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR, INTAKE, report_input, street_points

pytestmark = pytest.mark.postgres


@pytest.fixture
def demo_pg(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def _columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("cases")}


def test_models_and_migrations_agree(demo_pg: Database) -> None:
    with demo_pg.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    names = {fk["name"] for fk in inspect(demo_pg.engine).get_foreign_keys("cases")}
    assert "fk_cases_assigned_inspector_id_users" in names


def test_an_assigned_case_goes_down_and_up(demo_pg: Database, clock: Clock) -> None:
    service = CaseService(demo_pg, clock=clock)
    point = street_points(demo_pg)[0][2]
    snap = service.report(INTAKE, report_input(point, source="hotline"))
    snap = service.act(
        INTAKE, snap.id, "request_report_check", snap.version, inspector_id=INSPECTOR.id
    )
    with demo_pg.read() as s:
        assert s.scalar(select(Case.assigned_inspector_id).where(Case.id == snap.id)) == 4
    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0017")
    assert "assigned_inspector_id" not in _columns(demo_pg)
    command.upgrade(config, "head")
    with demo_pg.read() as s:
        row = s.execute(
            select(Case.number, Case.assigned_inspector_id).where(Case.id == snap.id)
        ).one()
    assert tuple(row) == (snap.number, None)
