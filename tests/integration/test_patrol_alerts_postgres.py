"""Migration 0021 (patrol-gap alerts) on PostgreSQL: models and schema agree, four seats raising
the same day at once raise each street's alert once, and the tables go down and up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, time

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from console.db import Database, alembic_config
from console.models import Base, PatrolAlert
from console.models.case_search import migration_options
from console.services.patrol_alerts import (
    PatrolAlertRecord,
    PatrolAlertRules,
    PatrolAlertService,
)
from tests.conftest import Clock
from tests.services.patrol_alert_support import at, district, patrol_grids

pytestmark = pytest.mark.postgres
TABLES = {"patrol_alerts", "patrol_alert_days"}
DAY = date(2026, 11, 23)


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


def test_seats_raising_at_once_raise_each_street_once(demo_pg: Database, clock: Clock) -> None:
    place = district(demo_pg)
    patrol_grids(demo_pg, clock, place.codes(min(place.streets)))
    clock.now = at(DAY, 22, 0)
    rules = PatrolAlertRules(time(22, 0), 7)
    seats = [PatrolAlertService(demo_pg, clock, rules=rules) for _ in range(4)]
    barrier = threading.Barrier(len(seats))
    results: list[list[PatrolAlertRecord]] = []
    errors: list[BaseException] = []

    def raise_(service: PatrolAlertService) -> None:
        service.patrols.geo()  # the geography read before the race, not inside it
        barrier.wait()
        try:
            results.append(service.raise_for_day(DAY))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=raise_, args=(s,)) for s in seats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    raised = [r for batch in results for r in batch]
    assert len(raised) == len(place.streets) - 1  # the patrolled street has none
    assert len({r.street_id for r in raised}) == len(raised)
    with demo_pg.read() as s:
        assert s.scalar(select(func.count()).select_from(PatrolAlert)) == len(raised)

    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0020")
    assert not TABLES & set(inspect(demo_pg.engine).get_table_names())
    command.upgrade(config, "head")
    assert set(inspect(demo_pg.engine).get_table_names()) >= TABLES
