"""The security log: sign-ins, failures, lockouts and account changes. Append-only."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class SecurityEventKind(StrEnum):
    LOGIN_OK = "login_ok"
    LOGIN_FAILED = "login_failed"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    USER_CREATED = "user_created"
    ROLE_CHANGED = "role_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    PERMISSION_DENIED = "permission_denied"
    #: A gateway token issued (a field device signed in, or `grid-console token create`).
    TOKEN_ISSUED = "token_issued"
    #: A gateway token revoked (by an administrator, the CLI, or the device signing out).
    TOKEN_REVOKED = "token_revoked"


class SecurityEvent(Base):
    """One row per security-relevant fact. Rows are only ever inserted (never updated or
    deleted): on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0007)."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: The account concerned, as typed for a failed sign-in (it may not exist).
    username: Mapped[str] = mapped_column(String(50))
    #: Who did it (an admin changing a role); NULL for the system or an anonymous attempt.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(50))
    detail: Mapped[str | None] = mapped_column(Text)
