"""Bearer tokens for the field gateway: one per handheld or per system, acting as a user.

A token is a random secret shown once at creation; only its SHA-256 is stored, so a copy of
the database gives no one access. Revoking keeps the row (who had access, until when).
The gateway's own mechanism: independent of console sign-in passwords. Issuing and revoking
are written to the security log in the same transaction (who, which device, by whom).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update

from console.db import Database
from console.errors import ConsoleError, MissingFieldError, TextTooLongError, ValidationError
from console.models import ApiToken, SecurityEventKind, User
from console.services.actors import Actor
from console.services.auth import log_event
from console.services.cases.service import utc_now

#: Marks a gateway secret, so a leaked one is recognisable in logs and scanners.
TOKEN_PREFIX = "gdc_"
_SECRET_BYTES = 32
_SECRET_SHAPE = re.compile(r"gdc_[A-Za-z0-9_-]{20,100}")
MAX_LABEL = 100


class TokenError(ConsoleError):
    """No usable token: missing, unknown, revoked, or its user is disabled (HTTP 401)."""

    code = "unauthorized"


@dataclass(frozen=True)
class IssuedToken:
    """A new token. ``secret`` exists only here: it is never stored and never shown again."""

    id: int
    secret: str
    label: str
    username: str


@dataclass(frozen=True)
class TokenRecord:
    id: int
    label: str
    username: str
    display_name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    rate_per_minute: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class TokenPrincipal:
    """Who is calling: the token and the user it acts as."""

    token_id: int
    label: str
    actor: Actor
    rate_per_minute: float | None


def _detail(token: ApiToken, note: str | None) -> str:
    """The security log's words for a token: its device and number, and how."""
    text = f"设备「{token.label}」（令牌 #{token.id}）"
    return f"{text}，{note}" if note else text


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiTokenService:
    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utc_now,
        touch_interval: timedelta = timedelta(seconds=60),
    ) -> None:
        self.db = db
        self.clock = clock
        self.touch_interval = touch_interval

    def create(
        self,
        username: str,
        label: str,
        *,
        rate_per_minute: float | None = None,
        actor: Actor | None = None,
        note: str | None = None,
    ) -> IssuedToken:
        """A new token for the active user ``username``; the secret is returned once.

        Logged as token_issued for ``username``, by ``actor`` (None: the command line),
        with ``note`` (how it was issued) after the device's name."""
        label = (label or "").strip()
        if not label:
            raise MissingFieldError("缺少设备名称（--label）", field="label")
        if len(label) > MAX_LABEL:
            raise TextTooLongError(
                f"设备名称过长: {len(label)} 字，最多 {MAX_LABEL} 字", field="label"
            )
        if rate_per_minute is not None and (
            not math.isfinite(rate_per_minute) or rate_per_minute <= 0
        ):
            raise ValidationError(f"每分钟请求数必须为正数: {rate_per_minute}", field="rate")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                raise ValidationError(f"用户不存在或已停用: {username}", field="user")
            token = ApiToken(
                token_hash=hash_secret(secret),
                user_id=user.id,
                label=label,
                created_at=self.clock(),
                rate_per_minute=rate_per_minute,
            )
            s.add(token)
            s.flush()
            log_event(
                s,
                SecurityEventKind.TOKEN_ISSUED,
                user.username,
                token.created_at,
                actor=actor,
                detail=_detail(token, note),
            )
            return IssuedToken(token.id, secret, label, user.username)

    def list_tokens(self, *, include_revoked: bool = True) -> list[TokenRecord]:
        return self._records() if include_revoked else self._records(ApiToken.revoked_at.is_(None))

    def _records(self, *where: ColumnElement[bool]) -> list[TokenRecord]:
        stmt = (
            select(ApiToken, User.username, User.display_name, User.role)
            .join(User, User.id == ApiToken.user_id)
            .where(*where)
            .order_by(ApiToken.id)
        )
        with self.db.read() as s:
            return [
                TokenRecord(
                    t.id,
                    t.label,
                    username,
                    display_name,
                    role,
                    t.created_at,
                    t.last_used_at,
                    t.revoked_at,
                    t.rate_per_minute,
                )
                for t, username, display_name, role in s.execute(stmt)
            ]

    def revoke(
        self, token_id: int, *, actor: Actor | None = None, note: str | None = None
    ) -> TokenRecord:
        """Revoke at once (the next request with it gets 401); revoking twice is harmless.

        The revocation is logged as token_revoked for the token's user, by ``actor`` (None:
        the command line or the device itself), with ``note``; a second revocation logs
        nothing."""
        with self.db.session() as s:
            token = s.get(ApiToken, token_id, with_for_update=True)
            if token is None:
                raise ValidationError(f"令牌不存在: {token_id}", field="id")
            if token.revoked_at is None:
                token.revoked_at = self.clock()
                username = s.scalar(select(User.username).where(User.id == token.user_id))
                log_event(
                    s,
                    SecurityEventKind.TOKEN_REVOKED,
                    username or "?",
                    token.revoked_at,
                    actor=actor,
                    detail=_detail(token, note),
                )
        return self._records(ApiToken.id == token_id)[0]

    def authenticate(self, secret: str | None) -> TokenPrincipal:
        """The principal behind ``secret``, or :class:`TokenError`."""
        if not secret:
            raise TokenError("缺少访问令牌（Authorization: Bearer <令牌>）")
        # The shape check keeps junk (and huge headers) away from the database.
        if not _SECRET_SHAPE.fullmatch(secret):
            raise TokenError("访问令牌无效")
        # Only the columns a principal needs: this runs on every request.
        with self.db.read() as s:
            row = s.execute(
                select(
                    ApiToken.id,
                    ApiToken.label,
                    ApiToken.rate_per_minute,
                    ApiToken.revoked_at,
                    ApiToken.last_used_at,
                    User.id.label("user_id"),
                    User.display_name,
                    User.role,
                    User.department_id,
                    User.region_id,
                    User.active,
                )
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == hash_secret(secret))
            ).first()
        if row is None:
            raise TokenError("访问令牌无效")
        if row.revoked_at is not None:
            raise TokenError("访问令牌已吊销")
        if not row.active:
            raise TokenError("令牌所属用户已停用")
        principal = TokenPrincipal(
            row.id,
            row.label,
            Actor(row.user_id, row.display_name, row.role, row.department_id, row.region_id),
            row.rate_per_minute,
        )
        last_used = row.last_used_at
        now = self.clock()
        if last_used is None or now - last_used >= self.touch_interval:
            # At most once per interval: a write per request would queue every request
            # behind the database's write lock.
            with self.db.session() as s:
                s.execute(
                    update(ApiToken)
                    .where(ApiToken.id == principal.token_id)
                    .values(last_used_at=now)
                )
        return principal
