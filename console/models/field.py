"""The field app's table: each action a device sent, under the idempotency key it made for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class FieldSubmission(Base):
    """One action sent by a field device (a report, or a task step: console.services.
    field_reports and field_steps), keyed by the device's own idempotency key: a retry of the
    same request finds this row and gets the same answer.

    ``fingerprint`` is the SHA-256 of the request's canonical fields and photo bytes
    (console.services.idempotency): the same key with another request is refused. The row is
    written in the transaction that makes the case (or takes the step), so a key never points
    at nothing.
    """

    __tablename__ = "field_submissions"
    #: A key is the device's, per person: two people's apps may make the same one.
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    #: What the request did: "report", or the step's lifecycle action ("feedback", "accept", …).
    action: Mapped[str] = mapped_column(String(24))
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: The case it made; null for an Open311 POST that is still a pending report (below).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: An Open311 POST without a point: the pending report it made (console.models.open311).
    open311_pending_id: Mapped[int | None] = mapped_column(ForeignKey("open311_pending_reports.id"))
    #: The device token the request came with.
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The answer of the first request (JSON), given again to every replay.
    answer: Mapped[str] = mapped_column(Text)
    #: The device's own clock when the person acted: kept, never used (server time wins).
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The accuracy the device gave for its position, in metres.
    accuracy_m: Mapped[float | None] = mapped_column(Float)
