"""The admin's devices and tokens on a real SQLite file: listed, revoked by an administrator
only (refused in the service), and every issue and revocation in the security log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console.db import Database
from console.errors import PermissionDeniedError, ValidationError
from console.models import SecurityEvent
from console.services import field_accounts
from console.services.api_tokens import ApiTokenService, TokenError
from console.services.auth import sign_in
from console.services.demo import demo_accounts
from console.services.user_admin import UserAdminDesk
from tests.conftest import Clock

PASSWORD = {a.username: a.password for a in demo_accounts()}


def desk_of(db: Database, clock: Clock, username: str) -> UserAdminDesk:
    return UserAdminDesk(db, sign_in(db, username, PASSWORD[username], clock()), clock)


def log(db: Database, kind: str) -> list[tuple[str, str | None, str | None]]:
    """(username, by whom, detail) of the security log's ``kind`` rows, oldest first."""
    with db.read() as s:
        rows = s.execute(
            select(SecurityEvent.username, SecurityEvent.actor_name, SecurityEvent.detail)
            .where(SecurityEvent.kind == kind)
            .order_by(SecurityEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def test_the_admin_lists_and_revokes_and_the_log_says_who(demo_db: Database, clock: Clock) -> None:
    tokens = ApiTokenService(demo_db, clock=clock)
    phone = tokens.create("inspector", "城管通-007")
    hotline = tokens.create("intake", "12345 热线平台", rate_per_minute=600)
    admin = desk_of(demo_db, clock, "admin")

    listed = admin.device_tokens()
    assert [(t.label, t.username, t.role, t.active) for t in listed] == [
        ("12345 热线平台", "intake", "intake", True),  # newest first
        ("城管通-007", "inspector", "inspector", True),
    ]
    assert listed[1].display_name.startswith("监督员") and listed[1].created_at == clock()
    assert listed[1].last_used_at is None
    tokens.authenticate(phone.secret)
    assert admin.device_tokens()[1].last_used_at == clock()

    clock.advance(minutes=5)
    revoked = admin.revoke_device_token(phone.id)
    assert (revoked.id, revoked.active, revoked.revoked_at) == (phone.id, False, clock())
    with pytest.raises(TokenError, match="已吊销"):
        tokens.authenticate(phone.secret)
    assert tokens.authenticate(hotline.secret).label == "12345 热线平台"

    # The filter: active ones by default, the revoked too on request.
    assert [t.label for t in admin.device_tokens()] == ["12345 热线平台"]
    every = admin.device_tokens(include_revoked=True)
    assert [(t.label, t.active) for t in every] == [("12345 热线平台", True), ("城管通-007", False)]

    admin_name = admin.actor.name
    assert log(demo_db, "token_issued") == [
        ("inspector", None, f"设备「城管通-007」（令牌 #{phone.id}）"),  # the command line's
        ("intake", None, f"设备「12345 热线平台」（令牌 #{hotline.id}）"),
    ]
    assert log(demo_db, "token_revoked") == [
        ("inspector", admin_name, f"设备「城管通-007」（令牌 #{phone.id}），管理员吊销")
    ]
    # Revoking again changes nothing and logs nothing; an unknown token is named.
    assert admin.revoke_device_token(phone.id).revoked_at == revoked.revoked_at
    assert len(log(demo_db, "token_revoked")) == 1
    with pytest.raises(ValidationError, match="令牌不存在"):
        admin.revoke_device_token(9999)
    # The admin screen's security log shows them too.
    kinds = [e.kind for e in admin.security_log(username="inspector")]
    assert kinds[:2] == ["token_revoked", "token_issued"]


@pytest.mark.parametrize("username", ["leader", "dispatcher", "inspector"])
def test_a_non_admin_is_refused_in_the_service(
    demo_db: Database, clock: Clock, username: str
) -> None:
    issued = ApiTokenService(demo_db, clock=clock).create("inspector", "城管通-007")
    desk = desk_of(demo_db, clock, username)
    with pytest.raises(PermissionDeniedError, match="无权管理外勤设备令牌"):
        desk.device_tokens()
    with pytest.raises(PermissionDeniedError, match="无权管理外勤设备令牌"):
        desk.revoke_device_token(issued.id)
    assert ApiTokenService(demo_db).authenticate(issued.secret).token_id == issued.id
    assert log(demo_db, "token_revoked") == []


def test_the_field_sign_in_and_sign_out_are_logged(demo_db: Database, clock: Clock) -> None:
    tokens = ApiTokenService(demo_db, clock=clock)
    session = field_accounts.sign_in_device(
        demo_db,
        tokens,
        {"username": "inspector", "password": PASSWORD["inspector"], "device_label": "phone"},
        clock(),
    )
    [(username, by, detail)] = log(demo_db, "token_issued")
    assert (username, detail) == (
        "inspector",
        f"设备「phone」（令牌 #{session.token_id}），外勤设备登录",
    )
    assert by == session.user.display_name  # the person signed the device in themselves
    field_accounts.sign_out_device(tokens, session.token_id)
    assert log(demo_db, "token_revoked") == [
        ("inspector", None, f"设备「phone」（令牌 #{session.token_id}），设备退出登录")
    ]
