"""Open311 POSTs' own tables: reports still without a point (待定位), and what a request
carries that a case has no column for (contact, device, account, photo link, attributes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class Open311PendingReport(Base):
    """A POST with an address but no lat/long: not a case yet (a case needs its point and
    grid). The client gets ``token``; the intake seat places it on the map, which makes the
    case (``case_id``) in the same transaction that marks this row placed."""

    __tablename__ = "open311_pending_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: What the client follows it by (GET tokens/{token}): random, not guessable.
    token: Mapped[str] = mapped_column(String(40), unique=True)
    #: The token's user: the case is reported in their name once placed.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    source: Mapped[str] = mapped_column(String(12))
    service_code: Mapped[str] = mapped_column(String(64))
    taxonomy: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(12))
    category_code: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(256))
    address_id: Mapped[str | None] = mapped_column(String(64))
    reporter: Mapped[str | None] = mapped_column(String(50))
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    #: Set when placed: the case it became, when and by whom.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    placed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Open311Extras(Base):
    """The Open311 fields of a request beyond the case's own: staff see them in the case
    detail; Open311 reads never return them. Belongs to the case, or to the pending report
    until it is placed (then ``case_id`` is set too)."""

    __tablename__ = "open311_extras"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    pending_id: Mapped[int | None] = mapped_column(
        ForeignKey("open311_pending_reports.id"), unique=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    device_id: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(64))
    media_url: Mapped[str | None] = mapped_column(String(1024))
    address_id: Mapped[str | None] = mapped_column(String(64))
    #: attribute[code] values as sent, JSON {code: value or [values]}.
    attributes: Mapped[str | None] = mapped_column(Text)
