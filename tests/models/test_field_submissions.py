"""Migration 0016: the field app's idempotency keys (field_submissions)."""

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
from tests.services.console_support import INSPECTOR, report_input, street_points

INSERT = text(
    "INSERT INTO field_submissions (user_id, idempotency_key, action, fingerprint, case_id, "
    "received_at, answer) VALUES (:user, :key, 'report', :fp, :case, '2026-11-23 01:00:00', '{}')"
)


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    assert "field_submissions" in inspect(db.engine).get_table_names()


def test_one_key_per_person_down_and_up(demo_db: Database, clock: Clock) -> None:
    point = street_points(demo_db)[0][2]
    case_id = CaseService(demo_db, clock=clock).report(INSPECTOR, report_input(point)).id
    row = {"user": INSPECTOR.id, "key": "k", "fp": "f" * 64, "case": case_id}
    with demo_db.engine.begin() as conn:
        conn.execute(INSERT, row)
    with pytest.raises(IntegrityError), demo_db.engine.begin() as conn:
        conn.execute(INSERT, {**row, "fp": "0" * 64})
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0015")
    assert "field_submissions" not in inspect(demo_db.engine).get_table_names()
    with demo_db.engine.connect() as conn:  # the case and its history stay
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1
    command.upgrade(config, "head")
    assert "field_submissions" in inspect(demo_db.engine).get_table_names()
