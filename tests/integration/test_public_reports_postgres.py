"""Migration 0019 (the public page's tables) on PostgreSQL: models and schema agree, a public
report is tracked and rated once, and the tables go down and up with the case kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from console.db import Database, alembic_config
from console.models import Base, Case
from console.models.case_search import migration_options
from console.services.attachments import AttachmentStore
from console.services.cases.service import CaseService
from console.services.field_categories import CategoryFinder
from console.services.public_reports import AlreadyRatedError, PublicReportService
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, INSPECTOR, handler, street_points

pytestmark = pytest.mark.postgres
TABLES = {"public_reports", "public_ratings"}


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


def test_a_public_case_is_rated_once_and_goes_down_and_up(
    demo_pg: Database, clock: Clock, tmp_path: Path
) -> None:
    cases = CaseService(demo_pg, clock=clock)
    finder = CategoryFinder(demo_pg, cases.workflow.taxonomies, clock)
    service = PublicReportService(cases, AttachmentStore(tmp_path, max_bytes=1 << 20), finder)
    lon, lat = street_points(demo_pg)[0][2]
    data = {"category_code": "06010", "lon": str(lon), "lat": str(lat)}
    data |= {"address": "莲湖路1号", "description": "垃圾"}
    answer = service.submit("pg-key", data).answer
    assert service.submit("pg-key", data).answer == answer
    with demo_pg.read() as s:
        case_id, version = s.execute(
            select(Case.id, Case.version).where(Case.number == answer.number)
        ).one()
    snap = cases.register(CHIEF, case_id, version)
    snap = cases.dispatch(DISPATCHER, snap.id, snap.version)
    snap = cases.feedback(handler(demo_pg, snap.department_id), snap.id, snap.version, note="好")
    snap = cases.verify_pass(INSPECTOR, snap.id, snap.version)
    cases.close(CHIEF, snap.id, snap.version)
    service.rate(answer.number, answer.tracking_code, "satisfied")
    with pytest.raises(AlreadyRatedError):
        service.rate(answer.number, answer.tracking_code, "dissatisfied")
    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0018")
    assert not TABLES & set(inspect(demo_pg.engine).get_table_names())
    with demo_pg.read() as s:
        assert s.scalar(select(Case.state).where(Case.id == case_id)) == "closed"
    command.upgrade(config, "head")
    assert set(inspect(demo_pg.engine).get_table_names()) >= TABLES
