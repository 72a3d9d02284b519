"""Gateway tokens: issued once, stored as a hash, revoked at once, touched sparingly."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from console.db import Database
from console.errors import MissingFieldError, TextTooLongError, ValidationError
from console.models import ApiToken, User
from console.services.api_tokens import TOKEN_PREFIX, ApiTokenService, TokenError, hash_secret
from tests.conftest import Clock


@pytest.fixture
def tokens(demo_db: Database, clock: Clock) -> ApiTokenService:
    return ApiTokenService(demo_db, clock=clock, touch_interval=timedelta(seconds=60))


def test_the_secret_is_shown_once_and_only_its_hash_is_kept(
    tokens: ApiTokenService, demo_db: Database
) -> None:
    issued = tokens.create("inspector", "城管通-007")
    assert issued.secret.startswith(TOKEN_PREFIX) and len(issued.secret) > 40
    assert issued.username == "inspector" and issued.label == "城管通-007"
    with demo_db.read() as s:
        row = s.get(ApiToken, issued.id)
        assert row is not None
        assert row.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
        assert issued.secret not in (row.token_hash, row.label)
        user = s.get(User, row.user_id)
        assert user is not None and user.username == "inspector"
    other = tokens.create("inspector", "城管通-008")
    assert other.secret != issued.secret and hash_secret(other.secret) != hash_secret(issued.secret)


def test_authenticate_gives_the_user_as_actor(tokens: ApiTokenService, demo_db: Database) -> None:
    issued = tokens.create("dept-pro02", "处置终端", rate_per_minute=30)
    who = tokens.authenticate(issued.secret)
    assert who.token_id == issued.id and who.rate_per_minute == 30 and who.label == "处置终端"
    assert who.actor.role == "department" and who.actor.department_id is not None
    with demo_db.read() as s:
        user = s.scalar(select(User).where(User.username == "dept-pro02"))
        assert user is not None and who.actor.id == user.id


@pytest.mark.parametrize(
    "secret",
    [
        None,
        "",
        "gdc_short",
        "nope",
        TOKEN_PREFIX + "A" * 43,
        "gdc_" + "x" * 43 + "'--",
        "gdc_" + "a" * 5000,
    ],
)
def test_unknown_or_malformed_secrets_are_refused(
    tokens: ApiTokenService, secret: str | None
) -> None:
    tokens.create("inspector", "x")
    with pytest.raises(TokenError) as info:
        tokens.authenticate(secret)
    assert info.value.code == "unauthorized" and info.value.message


def test_revoked_tokens_and_disabled_users_are_refused(
    tokens: ApiTokenService, demo_db: Database, clock: Clock
) -> None:
    a = tokens.create("inspector", "a")
    b = tokens.create("dept-pro02", "b")
    record = tokens.revoke(a.id)
    assert record.revoked_at == clock() and not record.active
    assert tokens.revoke(a.id).revoked_at == clock()  # twice: harmless, same time
    with pytest.raises(TokenError, match="吊销"):
        tokens.authenticate(a.secret)
    with demo_db.session() as s:
        s.execute(update(User).where(User.username == "dept-pro02").values(active=False))
    with pytest.raises(TokenError, match="停用"):
        tokens.authenticate(b.secret)
    with pytest.raises(ValidationError):
        tokens.revoke(9999)


def test_list_tokens(tokens: ApiTokenService) -> None:
    a = tokens.create("inspector", "a")
    b = tokens.create("intake", "热线平台", rate_per_minute=600)
    tokens.revoke(a.id)
    listed = tokens.list_tokens()
    assert [(r.id, r.label, r.username, r.role, r.active) for r in listed] == [
        (a.id, "a", "inspector", "inspector", False),
        (b.id, "热线平台", "intake", "intake", True),
    ]
    assert listed[1].rate_per_minute == 600
    assert [r.id for r in tokens.list_tokens(include_revoked=False)] == [b.id]


def test_create_checks_its_input(tokens: ApiTokenService) -> None:
    with pytest.raises(ValidationError, match="用户不存在"):
        tokens.create("nobody", "x")
    with pytest.raises(MissingFieldError):
        tokens.create("inspector", "  ")
    with pytest.raises(TextTooLongError):
        tokens.create("inspector", "长" * 101)
    for rate in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValidationError):
            tokens.create("inspector", "x", rate_per_minute=rate)
    assert tokens.list_tokens() == []


def test_last_used_is_written_at_most_once_per_interval(
    tokens: ApiTokenService, demo_db: Database, clock: Clock
) -> None:
    issued = tokens.create("inspector", "x")

    def last_used():  # type: ignore[no-untyped-def]
        with demo_db.read() as s:
            return s.scalar(select(ApiToken.last_used_at).where(ApiToken.id == issued.id))

    assert last_used() is None
    first = clock()
    tokens.authenticate(issued.secret)
    assert last_used() == first
    clock.advance(seconds=30)
    tokens.authenticate(issued.secret)
    assert last_used() == first
    clock.advance(seconds=31)
    tokens.authenticate(issued.secret)
    assert last_used() == clock()
