"""Migration 0030 (the component register) on PostgreSQL: matches the models, down and up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect

from console.db import Database, alembic_config
from tests.models.test_components import _diff

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    yield database
    database.dispose()


def test_postgres_migrates_down_and_up(pg_db: Database) -> None:
    assert _diff(pg_db) == []
    config = alembic_config(pg_db.engine)
    command.downgrade(config, "0029")
    assert "components" not in inspect(pg_db.engine).get_table_names()
    command.upgrade(config, "head")
    assert _diff(pg_db) == []
