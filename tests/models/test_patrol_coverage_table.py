"""Migration 0022: patrol_grid_coverage on SQLite — the models agree, and going down and up
again backfills the ended patrols' rows from their points exactly as end() stored them."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from console.db import Database, alembic_config
from console.models import Base
from console.models.case_search import migration_options
from console.models.patrol import PatrolGridCoverage
from console.services.patrols import PatrolService
from tests.conftest import Clock
from tests.services.test_patrols import INSPECTOR_ID, two_neighbours, walk


def rows(db: Database) -> list[tuple[int, str, int, float, bool]]:
    with db.read() as s:
        return [
            (r.patrol_id, f"{r.day}", r.grid_id, round(r.metres, 6), r.visited)
            for r in s.scalars(
                select(PatrolGridCoverage).order_by(
                    PatrolGridCoverage.patrol_id, PatrolGridCoverage.grid_id
                )
            )
        ]


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    assert "patrol_grid_coverage" in inspect(db.engine).get_table_names()


def test_down_and_up_backfills_the_ended_patrols(demo_db: Database, clock: Clock) -> None:
    service = PatrolService(demo_db, clock)
    (_, a), (_, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    patrol = service.start(INSPECTOR_ID)
    service.add_points(INSPECTOR_ID, patrol.id, walk((pa.x, pa.y), (pb.x, pb.y), 40, clock.now))
    service.end(INSPECTOR_ID, patrol.id)
    open_one = service.start(INSPECTOR_ID)
    service.add_points(
        INSPECTOR_ID, open_one.id, walk((pa.x, pa.y), (pa.x, pa.y + 0.0001), 2, clock.now)
    )
    stored = rows(demo_db)
    assert len(stored) == 2 and {r[0] for r in stored} == {patrol.id}

    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0021")
    assert "patrol_grid_coverage" not in inspect(demo_db.engine).get_table_names()
    command.upgrade(config, "head")
    assert rows(demo_db) == stored  # the open patrol gets its rows when it ends
