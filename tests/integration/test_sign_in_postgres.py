"""Sign-in, lockout and the security log on the real PostgreSQL server (migration 0005)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from console.db import Database
from console.errors import AuthenticationError
from console.models import SecurityEvent, User
from console.services.actors import Actor
from console.services.auth import security_policy, sign_in
from console.services.passwords import hash_password
from console.services.user_admin import UserAdminDesk

pytestmark = pytest.mark.postgres


def test_sign_in_lockout_and_unlock_on_postgresql(pg_url: str) -> None:
    db = Database(pg_url)
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    try:
        with db.session() as s:
            s.add(
                User(
                    username="chief",
                    display_name="值班长",
                    role="duty_chief",
                    password_hash=hash_password("zhiban-2026"),
                )
            )
        assert sign_in(db, "chief", "zhiban-2026", now).role == "duty_chief"
        for _ in range(security_policy().max_failed_logins):
            with pytest.raises(AuthenticationError):
                sign_in(db, "chief", "wrong-pass-1", now)
        with pytest.raises(AuthenticationError):  # locked: the same answer as a wrong password
            sign_in(db, "chief", "zhiban-2026", now)
        desk = UserAdminDesk(db, Actor(None, "命令行 test", "system"), lambda: now)
        assert not desk.unlock("chief").locked
        assert sign_in(db, "chief", "zhiban-2026", now).role == "duty_chief"
        with db.read() as s:
            kinds = s.scalars(select(SecurityEvent.kind).order_by(SecurityEvent.id)).all()
            stored = s.scalar(select(User.locked_until).where(User.username == "chief"))
        failures = security_policy().max_failed_logins
        assert kinds == [
            "login_ok",
            *["login_failed"] * failures,
            "locked",
            "login_failed",
            "unlocked",
            "login_ok",
        ]
        assert stored is None
    finally:
        db.dispose()
