"""The audit is append-only on PostgreSQL: triggers (migration 0007) refuse UPDATE, DELETE and
TRUNCATE on case_events and security_events, whoever asks (raw SQL or the ORM); INSERT, and so
the console's own work, goes on. Each test runs in a fresh schema of the real server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from console.cli import main
from console.db import Database, alembic_config
from console.models import CaseEvent, SecurityEvent
from console.services.actors import Actor
from console.services.cases.service import CaseService

pytestmark = pytest.mark.postgres

AUDIT_TABLES = ("case_events", "security_events")
DUTY_CHIEF = Actor(None, "值班长乙", "duty_chief")


@pytest.fixture
def audited(pg_url: str, capsys: pytest.CaptureFixture[str]) -> Iterator[Database]:
    """The demo district with a few cases (their timelines) and two security log rows."""
    assert main(["--db", pg_url, "seed-demo", "--cases", "5", "--days", "2", "--seed", "2"]) == 0
    capsys.readouterr()
    database = Database(pg_url)
    with database.session() as s:
        for kind in ("login_failed", "login_ok"):
            s.add(SecurityEvent(at=datetime.now(UTC), kind=kind, username="dispatcher"))
    yield database
    database.dispose()


def count(db: Database, table: str) -> int:
    with db.read() as s:
        return s.scalar(text(f"SELECT count(*) FROM {table}"))


def refused(db: Database, sql: str) -> str:
    """Run ``sql`` in its own transaction; the database's refusal message."""
    with pytest.raises(DBAPIError) as info, db.session() as s:
        s.execute(text(sql))
    return str(info.value.orig)


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_update_delete_and_truncate_are_refused(audited: Database, table: str) -> None:
    before = count(audited, table)
    assert before >= 2
    with audited.read() as s:
        first = s.execute(text(f"SELECT * FROM {table} ORDER BY id LIMIT 1")).one()._asdict()

    message = refused(audited, f"UPDATE {table} SET at = at WHERE id = {first['id']}")
    assert f"{table} is append-only: UPDATE is not allowed" in message
    message = refused(audited, f"DELETE FROM {table} WHERE id = {first['id']}")
    assert f"{table} is append-only: DELETE is not allowed" in message
    message = refused(audited, f"DELETE FROM {table}")
    assert f"{table} is append-only: DELETE is not allowed" in message
    message = refused(audited, f"TRUNCATE {table} CASCADE")
    assert f"{table} is append-only: TRUNCATE is not allowed" in message

    assert count(audited, table) == before
    with audited.read() as s:
        again = s.execute(text(f"SELECT * FROM {table} WHERE id = {first['id']}")).one()._asdict()
    assert again == first


def test_truncating_the_cases_cannot_take_the_timeline_along(audited: Database) -> None:
    message = refused(audited, "TRUNCATE cases CASCADE")
    assert "case_events is append-only: TRUNCATE is not allowed" in message
    assert count(audited, "cases") == 5


def test_inserting_goes_on(audited: Database) -> None:
    """The console's writes are inserts: a new action appends to the timeline, a sign-in logs."""
    service = CaseService(audited)
    with audited.read() as s:
        case_id, version = s.execute(
            text("SELECT id, version FROM cases WHERE state NOT IN ('closed', 'archived') LIMIT 1")
        ).one()
    before = count(audited, "case_events")
    service.add_note(DUTY_CHIEF, case_id, version, note="已电话联系处置部门")
    assert count(audited, "case_events") == before + 1
    with audited.session() as s:
        s.add(SecurityEvent(at=datetime.now(UTC), kind="locked", username="dispatcher"))
    assert count(audited, "security_events") == 3


def test_the_orm_path_is_refused_with_a_clear_error(audited: Database) -> None:
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
        pytest.raises(DBAPIError, match="security_events is append-only: UPDATE is not allowed"),
        audited.session() as s,
    ):
        s.scalars(select(SecurityEvent).limit(1)).one().kind = "login_ok"
    with audited.read() as s:
        assert s.scalar(select(func.count()).where(CaseEvent.note == "改写历史")) == 0
        assert s.scalar(select(func.count()).select_from(SecurityEvent)) == 2


def test_downgrade_drops_the_triggers_and_upgrade_restores_them(audited: Database) -> None:
    def triggers() -> set[tuple[str, str]]:
        with audited.read() as s:
            return set(
                s.execute(
                    text(
                        "SELECT event_object_table, trigger_name FROM information_schema.triggers "
                        "WHERE trigger_schema = current_schema()"
                    )
                ).all()
            ) | set(
                s.execute(  # TRUNCATE triggers are not in information_schema
                    text(
                        "SELECT c.relname, t.tgname FROM pg_trigger t "
                        "JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE c.relnamespace = current_schema()::regnamespace "
                        "AND NOT t.tgisinternal"
                    )
                ).all()
            )

    ours = {(t, f"{t}_{kind}") for t in AUDIT_TABLES for kind in ("append_only", "no_truncate")}
    assert ours <= triggers()
    cfg = alembic_config(audited.engine)
    command.downgrade(cfg, "0006")
    assert not ours & triggers()
    with audited.session() as s:
        s.execute(text("UPDATE security_events SET detail = 'x'"))
    command.upgrade(cfg, "head")
    assert ours <= triggers()
    assert "UPDATE is not allowed" in refused(audited, "UPDATE security_events SET detail = 'y'")
