"""Migration 0012: the original category of a mapped report, and the urgent rules' clock."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, update

from console.db import Database, alembic_config
from console.models import Base, DeadlineRule
from console.models.case_search import migration_options
from console.services.reference import data as reference_data

NEW_COLUMNS = {"original_taxonomy", "original_category_code"}


def _case_columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("cases")}


def test_the_migration_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    assert _case_columns(db) >= NEW_COLUMNS


def test_down_and_up_again_moves_urgent_rules_to_the_natural_clock(db: Database) -> None:
    with db.session() as s:
        reference_data.load_reference_data(s)
    config = alembic_config(db.engine)
    command.downgrade(config, "0011")
    assert not NEW_COLUMNS & _case_columns(db)
    # As a database loaded before the fix held them: 4 office hours.
    urgent = DeadlineRule.condition.contains("紧急工作时")
    with db.session() as s:
        s.execute(update(DeadlineRule).where(urgent).values(limit_unit="work_hours"))
    command.upgrade(config, "head")
    assert _case_columns(db) >= NEW_COLUMNS
    with db.read() as s:
        units = s.scalars(select(DeadlineRule.limit_unit).where(urgent)).all()
        others = s.scalars(
            select(DeadlineRule.limit_unit).where(
                DeadlineRule.kind == "event_type", DeadlineRule.category_code == "0102"
            )
        ).all()
    assert len(units) == 39 and set(units) == {"hours"}
    assert others == ["work_hours"]  # 暴露垃圾's 4工作时 is not touched
