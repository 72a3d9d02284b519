"""The public page's tables (/report/, no account): each public report's tracking code (only its
hash) and idempotency key (only its hash), and the public's 满意度 rating of a closed case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class PublicReport(Base):
    """A case reported on the public page: how its reporter follows it without an account.

    ``tracking_hash`` is the SHA-256 of the case number and the tracking code (the code is
    shown once and never stored). ``key_hash`` is the SHA-256 of the page's idempotency key:
    a retry of the same request finds this row and gets the same case and code back; the code
    is kept only sealed by the key (``sealed_code``: the code XOR a pad derived from the key),
    so the database alone never yields it.
    """

    __tablename__ = "public_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    tracking_hash: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: SHA-256 of the request's fields and photos: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    sealed_code: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PublicRating(Base):
    """The public's 满意度 of a finished case (满意 / 基本满意 / 不满意), once per case.

    Given on the public page with the case's tracking code, after the case was closed (state
    closed or archived). ``rating`` is ``satisfied``, ``basically_satisfied`` or
    ``dissatisfied``; ``rated_at`` is the server's time. The evaluation's 群众满意率 counts
    these rows (console/services/public_reports.py: RATINGS).

    ``case_id`` is the case of the tracking code (the reporter's own: once per code).
    ``counted_case_id`` is the case the rating is counted for in the evaluation: the case the
    reporter's case was merged into (合并, at the end of the chain) when it was, else the case
    itself; NULL (rows from before migration 0023) means the case itself.
    """

    __tablename__ = "public_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    counted_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    rating: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
