"""Migration 0024: Open311 pending reports and extras; field_submissions may point at a pending
report instead of a case."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from console.db import Database, alembic_config
from console.models import Base
from console.models.case_search import migration_options
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import load_services
from console.services.open311_intake import Open311Intake
from tests.conftest import Clock
from tests.services.console_support import INTAKE

TABLES = {"open311_pending_reports", "open311_extras"}


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    assert set(inspect(db.engine).get_table_names()) >= TABLES


def test_down_and_up_with_a_pending_report(demo_db: Database, clock: Clock) -> None:
    table = load_services()
    intake = Open311Intake(
        CaseService(demo_db, clock=clock), lambda _s, c: table.get(c), timedelta(minutes=10)
    )
    answer = intake.submit(
        INTAKE, {"service_code": "garbage", "address_string": "西大街"}, source="hotline"
    )
    assert answer.token
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0024_open311_pending-1")
    assert not TABLES & set(inspect(demo_db.engine).get_table_names())
    with demo_db.engine.connect() as conn:  # the key of a report that never became a case goes
        assert conn.execute(text("SELECT count(*) FROM field_submissions")).scalar_one() == 0
    command.upgrade(config, "head")
    assert set(inspect(demo_db.engine).get_table_names()) >= TABLES
