"""Signing in, lockout and changing one's own password (the policy: resources/org/security_policy.toml).

Every attempt is written to the security log, failed ones included: the failure's log row and
counter are committed before the error is raised. A refused sign-in never tells whether the
user name exists, whether the account is locked or has no password: an unknown name, a locked
account, an account without a password and a wrong password get the one answer
(:data:`WRONG_CREDENTIALS`) after the same argon2 work (one verification, against a decoy
hash when there is no real one to check). Only the security log, which administrators read,
says which it was (``账户锁定中``, ``未知用户名``, ``未设置密码``); the answer itself says a
run of wrong passwords locks the account for a while and an administrator can unlock it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ, resource
from console.db import Database
from console.errors import (
    AccountLockedError,
    AuthenticationError,
    ConsoleError,
    ValidationError,
    WeakPasswordError,
)
from console.models import SecurityEvent, SecurityEventKind, User
from console.services.actors import Actor, actor_of
from console.services.passwords import (
    hash_password,
    needs_rehash,
    spend_verify_time,
    verify_password,
)

#: The one answer to a wrong name, a wrong password, a locked account or one without a password.
WRONG_CREDENTIALS = "用户名或密码错误（连续多次输错会临时锁定账户，如需解锁请联系管理员）"


@dataclass(frozen=True)
class SecurityPolicy:
    max_failed_logins: int
    lock_minutes: float
    min_length: int
    max_length: int
    require_letter: bool
    require_digit: bool
    forbid_username: bool


@cache
def security_policy() -> SecurityPolicy:
    path = resource("org", "security_policy.toml")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    try:
        lockout, rules = data["lockout"], data["password"]
        policy = SecurityPolicy(
            max_failed_logins=int(lockout["max_failed_logins"]),
            lock_minutes=float(lockout["lock_minutes"]),
            min_length=int(rules["min_length"]),
            max_length=int(rules["max_length"]),
            require_letter=bool(rules["require_letter"]),
            require_digit=bool(rules["require_digit"]),
            forbid_username=bool(rules["forbid_username"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"{path.name} 缺少或写错了设置: {exc}") from None
    if policy.max_failed_logins < 1 or policy.lock_minutes <= 0 or policy.min_length < 1:
        raise ValidationError(f"{path.name}: 锁定次数、锁定分钟数和最短长度须为正数")
    return policy


def check_password_rules(
    password: str, username: str, policy: SecurityPolicy | None = None
) -> None:
    """Raise WeakPasswordError naming the first rule ``password`` breaks."""
    p = policy or security_policy()
    if len(password) < p.min_length:
        raise WeakPasswordError(f"密码至少 {p.min_length} 位", field="password")
    if len(password) > p.max_length:
        raise WeakPasswordError(f"密码最多 {p.max_length} 位", field="password")
    if password != password.strip():
        raise WeakPasswordError("密码首尾不能是空格", field="password")
    if p.require_letter and not any(c.isalpha() for c in password):
        raise WeakPasswordError("密码须包含字母", field="password")
    if p.require_digit and not any(c.isdigit() for c in password):
        raise WeakPasswordError("密码须包含数字", field="password")
    if p.forbid_username and username and username.lower() in password.lower():
        raise WeakPasswordError("密码不能包含用户名", field="password")


def log_event(
    session: Session,
    kind: SecurityEventKind | str,
    username: str,
    at: datetime,
    *,
    actor: Actor | None = None,
    detail: str | None = None,
) -> None:
    """Append one row to the security log (rows are never updated or deleted)."""
    session.add(
        SecurityEvent(
            at=at,
            kind=str(kind),
            username=username[:50],
            actor_id=actor.id if actor is not None else None,
            actor_name=actor.name[:50] if actor is not None else None,
            detail=detail,
        )
    )


def _local(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%H:%M")


def _locked_message(until: datetime) -> str:
    return f"账户已被锁定（连续登录失败次数过多），请于 {_local(until)} 后再试，或请管理员解锁"


def sign_in(
    db: Database,
    username: str,
    password: str,
    now: datetime,
    *,
    policy: SecurityPolicy | None = None,
    hasher: PasswordHasher | None = None,
) -> Actor:
    """The actor ``username`` signs in as, or AuthenticationError.

    A wrong password counts a failure; ``max_failed_logins`` in a row lock the account for
    ``lock_minutes``. A lock that has run out is lifted by the next attempt. Every refusal but
    a disabled account's (told only after the right password) is :data:`WRONG_CREDENTIALS`,
    after one argon2 verification with ``hasher`` (default: passwords' own).
    """
    p = policy or security_policy()
    name = (username or "").strip()
    if not name or not password:
        raise AuthenticationError("请输入用户名和密码")
    refused: ConsoleError | None = None
    actor: Actor | None = None
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == name).with_for_update())
        if user is None:
            spend_verify_time(password, hasher)
            log_event(s, SecurityEventKind.LOGIN_FAILED, name, now, detail="未知用户名")
            refused = AuthenticationError(WRONG_CREDENTIALS)
        elif user.locked_until is not None and user.locked_until > now:
            # Not the user's hash: even the right password must not be told apart here.
            spend_verify_time(password, hasher)
            log_event(s, SecurityEventKind.LOGIN_FAILED, name, now, detail="账户锁定中")
            refused = AuthenticationError(WRONG_CREDENTIALS)
        else:
            if user.locked_until is not None:  # the lock ran out: a fresh count
                user.locked_until = None
                user.failed_logins = 0
            refused, actor = _check(s, user, password, now, p, hasher)
    if refused is not None:
        raise refused  # after the commit: the failure and its log row are kept
    assert actor is not None
    return actor


def _check(
    s: Session,
    user: User,
    password: str,
    now: datetime,
    p: SecurityPolicy,
    hasher: PasswordHasher | None,
) -> tuple[ConsoleError | None, Actor | None]:
    name = user.username
    if user.password_hash is None:
        # The log tells an administrator to set one (user management or `user passwd`).
        spend_verify_time(password, hasher)
        log_event(s, SecurityEventKind.LOGIN_FAILED, name, now, detail="未设置密码")
        return AuthenticationError(WRONG_CREDENTIALS), None
    if not verify_password(user.password_hash, password, hasher):
        user.failed_logins = (user.failed_logins or 0) + 1
        log_event(
            s,
            SecurityEventKind.LOGIN_FAILED,
            name,
            now,
            detail=f"密码错误（连续第 {user.failed_logins} 次）",
        )
        if user.failed_logins >= p.max_failed_logins:
            user.locked_until = now + timedelta(minutes=p.lock_minutes)
            log_event(
                s,
                SecurityEventKind.LOCKED,
                name,
                now,
                detail=f"连续 {user.failed_logins} 次登录失败，锁定 {p.lock_minutes:g} 分钟",
            )
        return AuthenticationError(WRONG_CREDENTIALS), None
    if not user.active:
        log_event(s, SecurityEventKind.LOGIN_FAILED, name, now, detail="账户已停用")
        return AuthenticationError(f"账户 {name} 已停用，请联系管理员"), None
    user.failed_logins = 0
    user.last_login_at = now
    if needs_rehash(user.password_hash, hasher):
        user.password_hash = hash_password(password, hasher)
    log_event(s, SecurityEventKind.LOGIN_OK, name, now)
    return None, actor_of(user)


def change_password(
    db: Database,
    actor: Actor,
    old_password: str,
    new_password: str,
    now: datetime,
    *,
    policy: SecurityPolicy | None = None,
) -> None:
    """``actor`` changes their own password: the old one must be right, the new one follow
    the policy. A wrong old password counts as a failed sign-in (and may lock the account)."""
    p = policy or security_policy()
    if actor.id is None:
        raise ValidationError("系统用户没有密码")
    refused: ConsoleError | None = None
    with db.session() as s:
        user = s.get(User, actor.id, with_for_update=True)
        if user is None or not user.active:
            raise AuthenticationError("账户不存在或已停用，请重新登录")
        check_password_rules(new_password, user.username, p)
        if new_password == old_password:
            raise WeakPasswordError("新密码不能与原密码相同", field="password")
        if user.locked_until is not None and user.locked_until > now:
            raise AccountLockedError(_locked_message(user.locked_until), user.locked_until)
        if not verify_password(user.password_hash, old_password):
            user.failed_logins = (user.failed_logins or 0) + 1
            log_event(
                s,
                SecurityEventKind.LOGIN_FAILED,
                user.username,
                now,
                actor=actor,
                detail=f"修改密码时原密码错误（连续第 {user.failed_logins} 次）",
            )
            refused = AuthenticationError("原密码不正确")
            if user.failed_logins >= p.max_failed_logins:
                user.locked_until = now + timedelta(minutes=p.lock_minutes)
                log_event(
                    s,
                    SecurityEventKind.LOCKED,
                    user.username,
                    now,
                    detail=f"连续 {user.failed_logins} 次密码错误，锁定 {p.lock_minutes:g} 分钟",
                )
                refused = AccountLockedError(_locked_message(user.locked_until), user.locked_until)
        else:
            set_password(user, new_password, now)
            log_event(s, SecurityEventKind.PASSWORD_CHANGED, user.username, now, actor=actor)
    if refused is not None:
        raise refused


def set_password(user: User, password: str, now: datetime) -> None:
    """Store a new hash for ``user`` (rules checked by the caller) and clear any lock."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_until = None
    user.demo_account = False  # the published demo password no longer applies
