"""The audit is append-only on SQLite too: triggers (migration 0007) abort UPDATE and DELETE on
case_events and security_events, from raw SQL and from the ORM; INSERT goes on.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from console.db import Database, alembic_config
from console.models import CaseEvent, SecurityEvent
from console.services.cases.service import CaseService
from tests.services.console_support import CHIEF, INSPECTOR, report_input, street_points

AUDIT_TABLES = ("case_events", "security_events")


@pytest.fixture
def audited(demo_db: Database) -> Database:
    """One case with a two-event timeline, and two security log rows."""
    service = CaseService(demo_db)
    point = street_points(demo_db)[0][2]
    snap = service.report(INSPECTOR, report_input(point))
    service.register(CHIEF, snap.id, snap.version)
    with demo_db.session() as s:
        for kind in ("login_failed", "login_ok"):
            s.add(SecurityEvent(at=datetime.now(UTC), kind=kind, username="dispatcher"))
    return demo_db


def rows(db: Database, table: str) -> list[tuple[object, ...]]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


def refused(db: Database, sql: str) -> str:
    with pytest.raises(DBAPIError) as info, db.session() as s:
        s.execute(text(sql))
    return str(info.value.orig)


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_update_and_delete_are_refused(audited: Database, table: str) -> None:
    before = rows(audited, table)
    assert len(before) == 2
    first = before[0][0]
    for sql, operation in (
        (f"UPDATE {table} SET at = at WHERE id = {first}", "UPDATE"),
        (f"UPDATE {table} SET id = id + 1000", "UPDATE"),
        (f"DELETE FROM {table} WHERE id = {first}", "DELETE"),
        (f"DELETE FROM {table}", "DELETE"),  # no truncate shortcut past the trigger
    ):
        assert refused(audited, sql) == f"{table} is append-only: {operation} is not allowed"
    assert rows(audited, table) == before


def test_the_orm_path_is_refused_and_insert_goes_on(audited: Database) -> None:
    first_event = select(CaseEvent).order_by(CaseEvent.id).limit(1)
    with (
        pytest.raises(DBAPIError, match="case_events is append-only: UPDATE is not allowed"),
        audited.session() as s,
    ):
        s.scalars(first_event).one().note = "改写历史"
    with (
        pytest.raises(DBAPIError, match="case_events is append-only: DELETE is not allowed"),
        audited.session() as s,
    ):
        s.delete(s.scalars(first_event).one())
    with (
        pytest.raises(DBAPIError, match="security_events is append-only: DELETE is not allowed"),
        audited.session() as s,
    ):
        s.delete(s.scalars(select(SecurityEvent).limit(1)).one())

    # The console's own work only appends: the next action and the next log line go in.
    service = CaseService(audited)
    with audited.read() as s:
        case_id = s.scalar(select(CaseEvent.case_id).limit(1))
    snap = service.get(case_id)
    service.add_note(CHIEF, case_id, snap.version, note="已电话联系")
    with audited.session() as s:
        s.add(SecurityEvent(at=datetime.now(UTC), kind="locked", username="dispatcher"))
    with audited.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseEvent)) == 3
        assert s.scalar(select(func.count()).select_from(SecurityEvent)) == 3
        assert s.scalar(select(func.count()).where(CaseEvent.note == "改写历史")) == 0


def test_downgrade_drops_the_triggers_and_upgrade_restores_them(audited: Database) -> None:
    def triggers() -> set[str]:
        with audited.read() as s:
            return set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))

    ours = {f"{t}_no_{op}" for t in AUDIT_TABLES for op in ("update", "delete")}
    assert ours <= triggers()
    cfg = alembic_config(audited.engine)
    command.downgrade(cfg, "0006")
    assert not ours & triggers()
    with audited.session() as s:
        s.execute(text("UPDATE security_events SET detail = 'x'"))
    command.upgrade(cfg, "head")
    assert ours <= triggers()
    assert "UPDATE is not allowed" in refused(audited, "UPDATE security_events SET detail = 'y'")
