"""Signing in, lockout and change password against a real SQLite demo database."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select

from console.db import Database
from console.errors import AccountLockedError, AuthenticationError, WeakPasswordError
from console.models import SecurityEvent, User
from console.services.auth import (
    WRONG_CREDENTIALS,
    change_password,
    check_password_rules,
    security_policy,
    sign_in,
)
from console.services.demo import demo_accounts
from tests.conftest import Clock

PASSWORD = {a.username: a.password for a in demo_accounts()}


def events(db: Database, username: str) -> list[tuple[str, str | None]]:
    with db.read() as s:
        rows = s.execute(
            select(SecurityEvent.kind, SecurityEvent.detail)
            .where(SecurityEvent.username == username)
            .order_by(SecurityEvent.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def user(db: Database, username: str) -> SimpleNamespace:
    """The user's row as plain values (read sessions end in a rollback)."""
    with db.read() as s:
        found = s.scalar(select(User).where(User.username == username))
        assert found is not None
        return SimpleNamespace(**{c.key: getattr(found, c.key) for c in User.__table__.c})


def test_sign_in_returns_the_actor_and_logs_it(demo_db: Database, clock: Clock) -> None:
    actor = sign_in(demo_db, "dispatcher", PASSWORD["dispatcher"], clock())
    assert actor.role == "dispatcher" and actor.id == user(demo_db, "dispatcher").id
    assert actor.name.startswith("派遣员")
    assert events(demo_db, "dispatcher") == [("login_ok", None)]
    assert user(demo_db, "dispatcher").last_login_at == clock()
    # Surrounding spaces in the name are a typing slip, not another user.
    assert sign_in(demo_db, " dispatcher ", PASSWORD["dispatcher"], clock()) == actor


def test_wrong_password_and_unknown_user_get_the_same_answer(
    demo_db: Database, clock: Clock
) -> None:
    with pytest.raises(AuthenticationError) as wrong:
        sign_in(demo_db, "dispatcher", "nope-2026", clock())
    with pytest.raises(AuthenticationError) as unknown:
        sign_in(demo_db, "nobody", "nope-2026", clock())
    assert type(wrong.value) is type(unknown.value) is AuthenticationError
    assert wrong.value.message == unknown.value.message == WRONG_CREDENTIALS
    assert events(demo_db, "dispatcher") == [("login_failed", "密码错误（连续第 1 次）")]
    assert events(demo_db, "nobody") == [("login_failed", "未知用户名")]
    assert user(demo_db, "dispatcher").failed_logins == 1
    # A success resets the count.
    sign_in(demo_db, "dispatcher", PASSWORD["dispatcher"], clock())
    assert user(demo_db, "dispatcher").failed_logins == 0


def test_no_password_is_logged_in_plain(demo_db: Database, clock: Clock) -> None:
    with pytest.raises(AuthenticationError):
        sign_in(demo_db, "leader", "Secret-typo-42", clock())
    sign_in(demo_db, "leader", PASSWORD["leader"], clock())
    with demo_db.read() as s:
        text = " ".join(str(v) for e in s.scalars(select(SecurityEvent)) for v in vars(e).values())
        stored = s.scalar(select(User.password_hash).where(User.username == "leader"))
    assert "Secret-typo-42" not in text and PASSWORD["leader"] not in text
    assert stored is not None and PASSWORD["leader"] not in stored


class CountingHasher(PasswordHasher):
    """A real argon2id hasher (cheap parameters) that counts its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified.append(hash if isinstance(hash, str) else hash.decode())
        return super().verify(hash, password)


def refusal(
    db: Database, clock: Clock, name: str, password: str
) -> tuple[AuthenticationError, int]:
    """The error sign_in raises and how many argon2 verifications it did."""
    hasher = CountingHasher()
    with pytest.raises(AuthenticationError) as exc:
        sign_in(db, name, password, clock(), hasher=hasher)
    return exc.value, len(hasher.verified)


def test_lockout_after_the_policy_limit_and_expiry(demo_db: Database, clock: Clock) -> None:
    policy = security_policy()
    for _ in range(policy.max_failed_logins):
        error, verified = refusal(demo_db, clock, "inspector", "wrong-2026")
        # The attempt that locks the account answers like every other wrong password.
        assert type(error) is AuthenticationError and error.message == WRONG_CREDENTIALS
        assert verified == 1
    until = clock() + timedelta(minutes=policy.lock_minutes)
    assert user(demo_db, "inspector").locked_until == until
    kinds = [k for k, _ in events(demo_db, "inspector")]
    assert kinds == ["login_failed"] * policy.max_failed_logins + ["locked"]
    assert events(demo_db, "inspector")[-1][1] == (
        f"连续 {policy.max_failed_logins} 次登录失败，锁定 {policy.lock_minutes:g} 分钟"
    )

    # While locked even the right password is refused with the same answer; the log says why.
    clock.advance(minutes=policy.lock_minutes - 1)
    error, verified = refusal(demo_db, clock, "inspector", PASSWORD["inspector"])
    assert type(error) is AuthenticationError and error.message == WRONG_CREDENTIALS
    assert verified == 1
    assert events(demo_db, "inspector")[-1] == ("login_failed", "账户锁定中")

    # Once the lock has run out the right password works and the count starts afresh.
    clock.advance(minutes=2)
    actor = sign_in(demo_db, "inspector", PASSWORD["inspector"], clock())
    assert actor.role == "inspector"
    row = user(demo_db, "inspector")
    assert row.failed_logins == 0 and row.locked_until is None


def test_locked_unknown_and_wrong_answer_alike_after_the_same_argon2_work(
    demo_db: Database, clock: Clock
) -> None:
    """No name can be told apart: a locked account, an unknown name, an account without a
    password and a wrong password raise the same error, with the same message, after exactly
    one argon2 verification each (a decoy hash where the user's is not checked)."""
    policy = security_policy()
    with demo_db.session() as s:
        found = s.scalar(select(User).where(User.username == "wall"))
        assert found is not None
        found.password_hash = None
    for _ in range(policy.max_failed_logins):
        refusal(demo_db, clock, "grid_manager", "wrong-2026")
    assert user(demo_db, "grid_manager").locked_until is not None
    answers = {
        "locked, right password": refusal(demo_db, clock, "grid_manager", PASSWORD["grid_manager"]),
        "locked, wrong password": refusal(demo_db, clock, "grid_manager", "wrong-2026"),
        "unknown": refusal(demo_db, clock, "nobody-at-all", "wrong-2026"),
        "no password": refusal(demo_db, clock, "wall", PASSWORD["wall"]),
        "wrong password": refusal(demo_db, clock, "dispatcher", "wrong-2026"),
    }
    for what, (error, verified) in answers.items():
        assert type(error) is AuthenticationError, what
        assert (error.code, error.message) == ("authentication_failed", WRONG_CREDENTIALS), what
        assert verified == 1, what
    # The caller is told nothing, the administrator's security log everything.
    assert events(demo_db, "grid_manager")[-2:] == [
        ("login_failed", "账户锁定中"),
        ("login_failed", "账户锁定中"),
    ]
    assert events(demo_db, "nobody-at-all") == [("login_failed", "未知用户名")]
    assert events(demo_db, "wall") == [("login_failed", "未设置密码")]


def test_an_expired_lock_counts_failures_from_zero(demo_db: Database, clock: Clock) -> None:
    policy = security_policy()
    for _ in range(policy.max_failed_logins):
        with pytest.raises(AuthenticationError):
            sign_in(demo_db, "intake", "wrong-2026", clock())
    clock.advance(minutes=policy.lock_minutes + 1)
    with pytest.raises(AuthenticationError) as exc:
        sign_in(demo_db, "intake", "wrong-2026", clock())
    assert not isinstance(exc.value, AccountLockedError)
    assert user(demo_db, "intake").failed_logins == 1


def test_inactive_user_and_user_without_password(demo_db: Database, clock: Clock) -> None:
    with demo_db.session() as s:
        s.scalar(select(User).where(User.username == "leader")).active = False  # type: ignore[union-attr]
        s.scalar(select(User).where(User.username == "wall")).password_hash = None  # type: ignore[union-attr]
    # A wrong password for an inactive account says no more than for any other.
    with pytest.raises(AuthenticationError) as wrong:
        sign_in(demo_db, "leader", "wrong-2026", clock())
    assert wrong.value.message == WRONG_CREDENTIALS
    with pytest.raises(AuthenticationError) as inactive:
        sign_in(demo_db, "leader", PASSWORD["leader"], clock())
    assert "已停用" in inactive.value.message
    with pytest.raises(AuthenticationError) as unset:
        sign_in(demo_db, "wall", PASSWORD["wall"], clock())
    assert unset.value.message == WRONG_CREDENTIALS  # the security log says 未设置密码
    with pytest.raises(AuthenticationError, match="请输入"):
        sign_in(demo_db, "", "x", clock())
    assert events(demo_db, "leader")[-1] == ("login_failed", "账户已停用")
    assert events(demo_db, "wall") == [("login_failed", "未设置密码")]


def test_an_old_hash_is_upgraded_on_sign_in(demo_db: Database, clock: Clock) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
    with demo_db.session() as s:
        row = s.scalar(select(User).where(User.username == "leader"))
        assert row is not None
        row.password_hash = weak.hash("lingdao-2026")
    sign_in(demo_db, "leader", "lingdao-2026", clock())
    stored = user(demo_db, "leader").password_hash
    assert stored is not None and "m=65536" in stored
    assert sign_in(demo_db, "leader", "lingdao-2026", clock()).role == "leader"


def test_change_password(demo_db: Database, clock: Clock) -> None:
    actor = sign_in(demo_db, "duty_chief", PASSWORD["duty_chief"], clock())
    assert user(demo_db, "duty_chief").demo_account
    with pytest.raises(WeakPasswordError, match="至少"):
        change_password(demo_db, actor, PASSWORD["duty_chief"], "a1", clock())
    with pytest.raises(WeakPasswordError, match="数字"):
        change_password(demo_db, actor, PASSWORD["duty_chief"], "abcdefghij", clock())
    with pytest.raises(WeakPasswordError, match="用户名"):
        change_password(demo_db, actor, PASSWORD["duty_chief"], "duty_chief-9", clock())
    with pytest.raises(WeakPasswordError, match="相同"):
        change_password(demo_db, actor, PASSWORD["duty_chief"], PASSWORD["duty_chief"], clock())
    with pytest.raises(AuthenticationError, match="原密码"):
        change_password(demo_db, actor, "wrong-2026", "night-shift-77", clock())
    assert user(demo_db, "duty_chief").failed_logins == 1

    clock.advance(minutes=1)
    change_password(demo_db, actor, PASSWORD["duty_chief"], "night-shift-77", clock())
    row = user(demo_db, "duty_chief")
    assert row.password_changed_at == clock() and row.failed_logins == 0
    assert not row.demo_account  # the published password is gone: no more login hint
    with pytest.raises(AuthenticationError):
        sign_in(demo_db, "duty_chief", PASSWORD["duty_chief"], clock())
    assert sign_in(demo_db, "duty_chief", "night-shift-77", clock()) == actor
    kinds = [k for k, _ in events(demo_db, "duty_chief")]
    assert kinds == ["login_ok", "login_failed", "password_changed", "login_failed", "login_ok"]


def test_rules_of_the_policy_file() -> None:
    policy = security_policy()
    assert policy.max_failed_logins >= 3 and policy.min_length >= 8
    check_password_rules("harbour-light-9", "dispatcher")
    for bad in ("short1", "nodigitshere", "12345678901", " padded-pass1 ", "x" * 129 + "1"):
        with pytest.raises(WeakPasswordError):
            check_password_rules(bad, "dispatcher")
