"""Migration 0030: the component register (components, component_changes, cases.component_id)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from console.db import Database, alembic_config
from console.models import Base, Component, Department, Region
from console.models.case_search import migration_options


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        return list(
            compare_metadata(
                MigrationContext.configure(conn, opts=migration_options()), Base.metadata
            )
        )


def _row(db: Database, identifier: str) -> dict[str, object]:
    with db.read() as s:
        grid = s.execute(select(Region.id, Region.parent_id).where(Region.level == "grid")).first()
        street = s.scalar(select(Region.id).where(Region.level == "street"))
        department = s.scalar(select(Department.id))
    assert grid is not None and street is not None and department is not None
    return {
        "identifier": identifier,
        "name": "供水井盖",
        "category_code": "01001",
        "geometry_kind": "point",
        "lon": 108.93,
        "lat": 34.27,
        "owner_department_id": department,
        "status": "intact",
        "grid_id": grid.id,
        "street_id": street,
        "surveyed_on": date(2026, 6, 1),
        "is_demo": False,
        "updated_at": datetime(2026, 6, 1, tzinfo=UTC),
    }


def test_the_migration_matches_the_models(db: Database) -> None:
    assert _diff(db) == []
    assert {"components", "component_changes"} <= set(inspect(db.engine).get_table_names())


def test_an_identifier_is_stored_once(demo_db: Database) -> None:
    with demo_db.session() as s:
        s.execute(insert(Component), [_row(demo_db, "61010401001000001")])
    with pytest.raises(IntegrityError), demo_db.session() as s:
        s.execute(insert(Component), [_row(demo_db, "61010401001000001")])


def test_down_and_up_keeps_the_cases(demo_db: Database) -> None:
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0029")
    assert "components" not in inspect(demo_db.engine).get_table_names()
    assert "component_id" not in {c["name"] for c in inspect(demo_db.engine).get_columns("cases")}
    command.upgrade(config, "head")
    assert _diff(demo_db) == []
