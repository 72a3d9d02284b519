"""Migration 0014 on PostgreSQL: pg_trgm and the GIN indexes, back-filled (built over the cases
already there), down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from console.db import Database, alembic_config
from console.models.case_search import PG_INDEXES
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.integration import test_postgres
from tests.models.test_case_search_index import search
from tests.services.console_support import (
    INTAKE,
    copy_case_in_sql,
    report_input,
    street_points,
)

pytestmark = pytest.mark.postgres
demo_pg = test_postgres.demo_pg


def trigram_indexes(db: Database) -> set[str]:
    names = {ix["name"] for ix in inspect(db.engine).get_indexes("cases")}
    return names & set(PG_INDEXES.values())


def test_down_and_up_keeps_the_search(demo_pg: Database, clock: Clock) -> None:
    service = CaseService(demo_pg, clock=clock)
    point = street_points(demo_pg)[0][2]
    before = service.report(INTAKE, report_input(point, description="升级前的暴露垃圾"))
    assert trigram_indexes(demo_pg) == set(PG_INDEXES.values())
    with demo_pg.read() as s:
        assert s.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")) == 1
    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0013")
    assert trigram_indexes(demo_pg) == set()
    # Written while down in plain SQL: the ORM would write columns of later migrations.
    while_down_id = copy_case_in_sql(demo_pg, before.id, "降级期间的暴露垃圾")
    command.upgrade(config, "head")
    assert trigram_indexes(demo_pg) == set(PG_INDEXES.values())
    assert search(demo_pg, "暴露垃圾", clock) == {before.id, while_down_id}
    assert search(demo_pg, "降级期间", clock) == {while_down_id}
    with demo_pg.read() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(
            r[0]
            for r in s.execute(
                text("EXPLAIN SELECT id FROM cases WHERE description ILIKE '%降级期间%'")
            )
        )
    assert "ix_cases_description_trgm" in plan
