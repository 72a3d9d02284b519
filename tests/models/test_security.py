"""Migration 0005 and the models agree: users' sign-in columns and the security log."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from console.db import Database
from console.models import Base, SecurityEvent, User


def test_migration_matches_the_models_for_users_and_the_security_log(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if {"users", "security_events"} & set(map(str, _tables(d)))]
    assert ours == []
    columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
    assert {"password_hash", "failed_logins", "locked_until", "password_changed_at"} <= columns


def _tables(diff: object) -> list[str]:
    """Table names a compare_metadata entry (a tuple, or a list of tuples) mentions."""
    found: list[str] = []
    items = diff if isinstance(diff, list) else [diff]
    for item in items:
        for part in item:  # type: ignore[union-attr]
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            if isinstance(part, str):
                found.append(part)
            if table is not None:
                found.append(table.name)
            elif name:
                found.append(str(name))
    return found


def test_a_security_event_round_trips_with_an_aware_time(db: Database) -> None:
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    with db.session() as s:
        s.add(User(username="u1", display_name="用户", role="dispatcher"))
        s.add(SecurityEvent(at=at, kind="login_failed", username="u1", detail="密码错误"))
    with db.read() as s:
        event = s.scalar(select(SecurityEvent))
        user = s.scalar(select(User))
        assert event is not None and event.at == at and event.actor_id is None
        assert user is not None and user.failed_logins == 0 and user.password_hash is None
        assert user.demo_account is False
