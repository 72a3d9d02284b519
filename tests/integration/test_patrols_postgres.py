"""Migration 0020 (patrols) on PostgreSQL: models and schema agree, a patrol's points are
stored and its coverage read, and the tables go down and up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from console.db import Database, alembic_config
from console.models import Base
from console.models.case_search import migration_options
from console.services.patrols import PatrolService, TrackPoint
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR, street_points

pytestmark = pytest.mark.postgres
TABLES = {"patrols", "patrol_points", "patrol_batches"}


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


def test_a_patrol_on_postgres_and_down_and_up(demo_pg: Database, clock: Clock) -> None:
    service = PatrolService(demo_pg, clock)
    user = int(INSPECTOR.id or 0)
    _, grid_id, (lon, lat) = street_points(demo_pg)[0]
    for earlier in service.mine(user):  # the demo leaves the inspector on patrol today
        if earlier.ended_at is None:
            service.end(user, earlier.id)
    patrol = service.start(user)
    points = [
        TrackPoint(lon, lat + 0.00002 * k, clock.now + timedelta(seconds=10 * k), 4.0)
        for k in range(3)
    ]
    service.add_points(user, patrol.id, points, key="pg")
    assert service.add_points(user, patrol.id, points, key="pg")[1] is True
    ended = service.end(user, patrol.id)
    assert ended.points == 3 and ended.distance_m == pytest.approx(4.45, abs=0.1)
    coverage = {g.grid_id: g for g in service.coverage_of_patrol(patrol.id)}
    assert coverage[grid_id].visited
    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0019")
    assert not TABLES & set(inspect(demo_pg.engine).get_table_names())
    command.upgrade(config, "head")
    assert set(inspect(demo_pg.engine).get_table_names()) >= TABLES
