"""Migration 0013 (the caller's phone) on PostgreSQL: models and schema agree, down and up;
the report form's save in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from console.db import Database, alembic_config
from console.errors import StaleVersionError
from console.models import Attachment, Base, Case
from console.models.case_search import migration_options
from console.services.cases.service import CaseService
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import INTAKE, report_input, street_points

pytestmark = pytest.mark.postgres


@pytest.fixture
def demo_pg(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def _columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("cases")}


def test_models_and_migrations_agree(demo_pg: Database) -> None:
    with demo_pg.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=migration_options()), Base.metadata
        )
    assert diff == []
    assert "reporter_phone" in _columns(demo_pg)


def test_the_phone_is_kept_and_the_column_goes_down_and_up(demo_pg: Database, clock: Clock) -> None:
    service = CaseService(demo_pg, clock=clock)
    point = street_points(demo_pg)[0][2]
    snap = service.report(INTAKE, report_input(point, reporter_phone="13912345678"))
    with demo_pg.read() as s:
        assert s.scalar(select(Case.reporter_phone).where(Case.id == snap.id)) == "13912345678"
    config = alembic_config(demo_pg.engine)
    command.downgrade(config, "0012")
    assert "reporter_phone" not in _columns(demo_pg)
    command.upgrade(config, "head")
    with demo_pg.read() as s:
        assert s.scalar(select(Case.number).where(Case.id == snap.id)) == snap.number


def test_the_report_form_saves_whole_or_nothing_on_postgresql(
    demo_pg: Database, clock: Clock, tmp_path: Path
) -> None:
    """Case, photo and merge in one transaction; a stale merge leaves no row and no file."""
    desk = Workbench(demo_pg, username="intake", clock=clock, attachments_dir=tmp_path / "att")
    point = street_points(demo_pg)[0][2]
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32)
    first = desk.file_report(report_input(point)).snapshot
    filed = desk.file_report(
        report_input(point, reporter_phone="13912345678"), [photo], (first.id, first.version)
    )
    assert filed.merged_into == first.number and filed.snapshot.state == "merged"
    with demo_pg.read() as s:
        assert s.scalar(select(func.count()).where(Attachment.case_id == filed.snapshot.id)) == 1
        cases = s.scalar(select(func.count()).select_from(Case))
    with pytest.raises(StaleVersionError):  # ``first`` moved on with the merge
        desk.file_report(report_input(point), [photo], (first.id, first.version))
    with demo_pg.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == cases
        assert s.scalar(select(func.count()).select_from(Attachment)) == 1
