"""Migration 0014: the search index is back-filled from the cases already there, kept by
triggers, and goes down and up again (SQLite here; PostgreSQL in tests/integration)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select, text

from console.db import Database, alembic_config
from console.models import Case
from console.services.cases.search import like_scan
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, page_ids_select
from tests.conftest import Clock
from tests.services.console_support import (
    INTAKE,
    copy_case_in_sql,
    report_input,
    street_points,
)


def search(db: Database, query: str, clock: Clock) -> set[int]:
    f = QueueFilter(tab="search", text=query)
    with db.read() as s:
        found = set(s.scalars(page_ids_select(f, clock.now, offset=0, limit=1000)))
        assert found == set(s.scalars(select(Case.id).where(like_scan(query))))
    return found


def search_objects(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'cases_search%'"))
        return {r[0] for r in rows}


def test_down_and_up_back_fills_the_cases_already_there(demo_db: Database, clock: Clock) -> None:
    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    before = service.report(INTAKE, report_input(point, description="升级前的暴露垃圾"))
    assert search(demo_db, "升级前", clock) == {before.id}
    assert {"cases_search", "cases_search_terms", "cases_search_insert"} <= search_objects(demo_db)
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0013")
    assert search_objects(demo_db) == set()
    assert "cases_search" not in inspect(demo_db.engine).get_table_names()
    # Written while down in plain SQL: the ORM would write columns of later migrations.
    while_down_id = copy_case_in_sql(demo_db, before.id, "降级期间的暴露垃圾")
    command.upgrade(config, "head")
    assert search(demo_db, "垃圾", clock) == {before.id, while_down_id}
    assert search(demo_db, "降级期间", clock) == {while_down_id}
    assert search(demo_db, "期间", clock) == {while_down_id}  # two characters: the term list
    after = service.report(INTAKE, report_input(point, description="升级后的暴露垃圾"))
    assert search(demo_db, "暴露垃圾", clock) == {before.id, while_down_id, after.id}
    with demo_db.engine.connect() as conn:  # the index is sound after the back-fill
        conn.execute(
            text("INSERT INTO cases_search(cases_search, rank) VALUES ('integrity-check', 0)")
        )
