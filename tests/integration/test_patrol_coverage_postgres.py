"""Patrol coverage on PostgreSQL: migration 0022 agrees with the models and backfills on the
way up; the month's patrol section is the same as on SQLite; two ends of one patrol at once
store its coverage once (the row lock), the other is refused."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from console.db import Database, alembic_config
from console.models import Base
from console.models.case_search import migration_options
from console.models.patrol import PatrolGridCoverage
from console.services import geography
from console.services.demo import ensure_people
from console.services.evaluation.report import evaluate
from console.services.patrols import PatrolService, PatrolStateError
from console.services.reference import data as reference_data
from tests.conftest import Clock
from tests.services.evaluation.test_patrols import END, NOW, START, walk_month
from tests.services.test_patrols import INSPECTOR_ID, two_neighbours, walk

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_demo(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    with database.session() as s:
        geography.ensure_demo_district(s)
    with database.session() as s:
        reference_data.load_reference_data(s)
        ensure_people(s, random.Random(1))
    yield database
    database.dispose()


def stored(db: Database) -> list[tuple[int, str, int, float]]:
    with db.read() as s:
        return [
            (r.patrol_id, f"{r.day}", r.grid_id, round(r.metres, 6))
            for r in s.scalars(
                select(PatrolGridCoverage).order_by(
                    PatrolGridCoverage.patrol_id, PatrolGridCoverage.day, PatrolGridCoverage.grid_id
                )
            )
        ]


def test_models_agree_and_down_and_up_backfills(pg_demo: Database) -> None:
    with pg_demo.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    walk_month(pg_demo)
    rows = stored(pg_demo)
    assert rows  # the ended patrol's two grids
    config = alembic_config(pg_demo.engine)
    command.downgrade(config, "0021")
    assert "patrol_grid_coverage" not in inspect(pg_demo.engine).get_table_names()
    command.upgrade(config, "head")
    assert stored(pg_demo) == rows


def test_the_patrol_section_is_the_same_as_on_sqlite(pg_demo: Database, demo_db: Database) -> None:
    sections = []
    for database in (pg_demo, demo_db):
        walk_month(database)
        with database.read() as s:
            sections.append(evaluate(s, START, END, NOW).patrols)
    on_pg, on_sqlite = sections
    assert on_pg is not None and on_sqlite is not None
    assert on_pg.district == on_sqlite.district
    assert on_pg.district.met == 3 and on_pg.district.required == 1820
    for level in ("street", "area", "unit", "grid"):
        pg_rows = [(c.name, c.required, c.met, round(c.metres)) for c in on_pg.by_level[level]]
        lite_rows = [
            (c.name, c.required, c.met, round(c.metres)) for c in on_sqlite.by_level[level]
        ]
        assert pg_rows == lite_rows
    assert [(p.name, p.patrols, p.distance_km, p.reported) for p in on_pg.people] == [
        (p.name, p.patrols, p.distance_km, p.reported) for p in on_sqlite.people
    ]


def test_two_ends_at_once_store_the_coverage_once(pg_demo: Database, clock: Clock) -> None:
    service = PatrolService(pg_demo, clock)
    (_, a), (_, b) = two_neighbours(pg_demo)
    pa, pb = a.representative_point(), b.representative_point()
    patrol = service.start(INSPECTOR_ID)
    service.add_points(INSPECTOR_ID, patrol.id, walk((pa.x, pa.y), (pb.x, pb.y), 60, clock.now))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def end() -> None:
        barrier.wait()
        try:
            service.end(INSPECTOR_ID, patrol.id)
            outcomes.append("ended")
        except PatrolStateError:
            outcomes.append("refused")

    threads = [threading.Thread(target=end) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ended", "refused"]
    with pg_demo.read() as s:
        n = s.scalar(select(func.count()).select_from(PatrolGridCoverage))
        grids = s.scalar(select(func.count(func.distinct(PatrolGridCoverage.grid_id))))
    assert n == grids == 2
