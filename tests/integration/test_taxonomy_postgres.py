"""Migration 0012 and the taxonomy changeover on PostgreSQL (fresh schema per test)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, update

from console.config import LOCAL_TZ
from console.db import Database, alembic_config
from console.models import Base, Case, DeadlineRule
from console.models.case_search import migration_options
from console.services.actors import Actor
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import report_input, street_points

pytestmark = pytest.mark.postgres

INSPECTOR = Actor(id=None, name="监督员甲", role="inspector")


@pytest.fixture
def demo_pg(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def test_models_and_migrations_agree(demo_pg: Database) -> None:
    with demo_pg.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    columns = {c["name"] for c in inspect(demo_pg.engine).get_columns("cases")}
    assert {"original_taxonomy", "original_category_code"} <= columns


def test_down_and_up_moves_the_urgent_rules_to_the_natural_clock(demo_pg: Database) -> None:
    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0011")
    urgent = DeadlineRule.condition.contains("紧急工作时")
    with demo_pg.session() as s:
        s.execute(update(DeadlineRule).where(urgent).values(limit_unit="work_hours"))
    command.upgrade(config, "head")
    with demo_pg.read() as s:
        units = s.scalars(select(DeadlineRule.limit_unit).where(urgent)).all()
    assert len(units) == 39 and set(units) == {"hours"}


def test_an_older_code_is_mapped_and_kept(demo_pg: Database) -> None:
    service = CaseService(demo_pg, clock=Clock(datetime(2026, 7, 1, 9, 0, tzinfo=LOCAL_TZ)))
    (_street, _grid, point), *_ = street_points(demo_pg)
    snap = service.report(INSPECTOR, report_input(point, category_code="0102"))
    with demo_pg.read() as s:
        row = s.execute(
            select(
                Case.taxonomy,
                Case.category_code,
                Case.original_taxonomy,
                Case.original_category_code,
            ).where(Case.id == snap.id)
        ).one()
    assert tuple(row) == ("gbt47678-5-2026", "06010", "cjt214", "0102")
