"""The field gateway's tables: device tokens (api_tokens) and case photos (attachments)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class ApiToken(Base):
    """One handheld's (or one system's) bearer token, acting as a user.

    Only the SHA-256 of the secret is kept: the secret itself is shown once, at creation.
    A revoked token stays as a record of who had access.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The device or system it was issued to, e.g. "城管通-007" or "12345 热线平台".
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Requests per minute for this token; null: the default in resources/gateway/limits.csv.
    rate_per_minute: Mapped[float | None] = mapped_column(Float)


class Attachment(Base):
    """A file (a photo) attached to a case, stored under the attachments directory.

    ``case_event_id`` links it to the event it documents (a feedback, a verification);
    events are append-only, so the link lives here, never on the event.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The client's file name, cleaned, for display only: never used to build a path.
    filename: Mapped[str] = mapped_column(String(120))
    #: Sniffed from the file's first bytes, not taken from the client.
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: Relative to the attachments directory (content-addressed: ab/abcdef….jpg).
    stored_path: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The device token used, when it came through the gateway.
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
