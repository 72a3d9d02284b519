"""Migration 0019: the public page's tables (public_reports, public_ratings) on SQLite."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from console.db import Database, alembic_config
from console.models import Base
from console.models.case_search import migration_options
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import INTAKE, report_input, street_points

RATE = text(
    "INSERT INTO public_ratings (case_id, rating, comment, rated_at) "
    "VALUES (:case, :rating, NULL, '2026-11-23 01:00:00')"
)


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    assert {"public_reports", "public_ratings"} <= set(inspect(db.engine).get_table_names())


def test_one_rating_per_case_down_and_up(demo_db: Database, clock: Clock) -> None:
    point = street_points(demo_db)[0][2]
    case_id = CaseService(demo_db, clock=clock).report(INTAKE, report_input(point)).id
    with demo_db.engine.begin() as conn:
        conn.execute(RATE, {"case": case_id, "rating": "satisfied"})
    with pytest.raises(IntegrityError), demo_db.engine.begin() as conn:
        conn.execute(RATE, {"case": case_id, "rating": "dissatisfied"})
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0018")
    names = set(inspect(demo_db.engine).get_table_names())
    assert not {"public_reports", "public_ratings"} & names
    with demo_db.engine.connect() as conn:  # the case stays
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1
    command.upgrade(config, "head")
    assert {"public_reports", "public_ratings"} <= set(inspect(demo_db.engine).get_table_names())
