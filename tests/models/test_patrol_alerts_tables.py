"""Migration 0021: patrol-gap alerts (patrol_alerts, patrol_alert_days) on SQLite."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from console.db import Database, alembic_config
from console.models import Base, Region
from console.models.case_search import migration_options

TABLES = {"patrol_alerts", "patrol_alert_days"}
INSERT = text(
    "INSERT INTO patrol_alerts (day, street_id, street_name, grid_count, grid_codes, raised_at, "
    "message, recipient_name) VALUES ('2026-11-23', :street, 's', 1, 'g', "
    "'2026-11-23 14:00:00', 'm', 'r')"
)


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    assert set(inspect(db.engine).get_table_names()) >= TABLES


def test_one_alert_per_day_and_street_down_and_up(demo_db: Database) -> None:
    with demo_db.read() as s:
        street = s.scalar(select(Region.id).where(Region.level == "street").limit(1))
    with demo_db.engine.begin() as conn:
        conn.execute(INSERT, {"street": street})
    with pytest.raises(IntegrityError), demo_db.engine.begin() as conn:
        conn.execute(INSERT, {"street": street})
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0020")
    assert not TABLES & set(inspect(demo_db.engine).get_table_names())
    command.upgrade(config, "head")
    assert set(inspect(demo_db.engine).get_table_names()) >= TABLES
