"""Migration 0024 (Open311 pending reports and extras) on PostgreSQL: models and schema agree,
down and up; a pending report placed once, and two seats placing it at once make one case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from console.db import Database, alembic_config
from console.models import Base
from console.models.case_search import migration_options
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.test_open311_pending import check_placing, check_placing_at_once

pytestmark = pytest.mark.postgres

TABLES = {"open311_pending_reports", "open311_extras"}


@pytest.fixture
def demo_pg(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def test_the_migration_matches_the_models_down_and_up(demo_pg: Database) -> None:
    with demo_pg.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0024_open311_pending-1")
    assert not TABLES & set(inspect(demo_pg.engine).get_table_names())
    command.upgrade(config, "head")
    assert set(inspect(demo_pg.engine).get_table_names()) >= TABLES


def test_a_pending_report_is_placed_once(demo_pg: Database, clock: Clock) -> None:
    check_placing(demo_pg, CaseService(demo_pg, clock=clock))


def test_two_seats_placing_at_once_make_one_case(demo_pg: Database, clock: Clock) -> None:
    check_placing_at_once(demo_pg, CaseService(demo_pg, clock=clock))
