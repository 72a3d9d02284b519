"""The 待定位 queue: Open311 reports that came with an address but no point.

The intake seat lists them (:func:`pending_reports`) and places one on the map
(:func:`place`): the case is reported through :meth:`CaseService.report_with` and, in the same
transaction, the pending report is marked placed (only if nobody placed it meanwhile), its
extras and its idempotency key are moved onto the case. The client that sent it learns the
case number from ``GET tokens/{token}`` (:func:`token_status`). No Qt, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.errors import CaseNotFoundError, StaleVersionError
from console.models import Case, CaseEvent, Category, FieldSubmission, Open311Extras
from console.models import Open311PendingReport as Pending
from console.services.actors import Actor
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.report_input import ReportInput

#: The most pending reports one listing returns (oldest first).
MAX_LISTED = 500


@dataclass(frozen=True)
class PendingReport:
    """One report waiting for its point, as the intake seat lists it."""

    id: int
    token: str
    received_at: datetime
    service_code: str
    category_name: str
    description: str
    address: str
    address_id: str | None
    reporter: str | None
    source: str


@dataclass(frozen=True)
class TokenStatus:
    token: str
    #: The case number once the report was placed; None while it waits.
    service_request_id: str | None


def pending_reports(
    session: Session, limit: int = MAX_LISTED, *, with_caller: bool = True
) -> list[PendingReport]:
    """The reports not placed yet, oldest first; the caller's name only ``with_caller`` (a
    seat holding view_caller)."""
    rows = session.execute(
        select(Pending, Category.name)
        .outerjoin(
            Category,
            (Category.taxonomy == Pending.taxonomy)
            & (Category.kind == Pending.kind)
            & (Category.code == Pending.category_code),
        )
        .where(Pending.case_id.is_(None))
        .order_by(Pending.received_at, Pending.id)
        .limit(max(1, min(limit, MAX_LISTED)))
    ).all()
    return [
        PendingReport(
            p.id,
            p.token,
            p.received_at,
            p.service_code,
            name or p.category_code,
            p.description,
            p.address or "",
            p.address_id,
            p.reporter if with_caller else None,
            p.source,
        )
        for p, name in rows
    ]


def token_status(session: Session, token: str) -> TokenStatus | None:
    """The case a token's report became, if it did; None for a token nobody was given."""
    row = session.execute(
        select(Pending.token, Case.number)
        .outerjoin(Case, Case.id == Pending.case_id)
        .where(Pending.token == token)
    ).first()
    return TokenStatus(row[0], row[1]) if row is not None else None


def place(
    cases: CaseService, actor: Actor, pending_id: int, lon: float, lat: float
) -> CaseSnapshot:
    """The pending report as a case at (lon, lat), reported by ``actor`` (the intake seat)
    with the sender's source, name, phone and time of arrival; refused whole if the point is
    outside the district, the seat may not report, or another seat placed it first."""
    with cases.db.read() as s:
        pending = s.get(Pending, pending_id)
        if pending is None:
            raise CaseNotFoundError(f"待定位报告不存在: {pending_id}")
        s.expunge(pending)
    if pending.case_id is not None:
        raise StaleVersionError("该报告已由他人定位立案，请刷新待定位列表")
    report = ReportInput(
        category_code=pending.category_code,
        taxonomy=pending.taxonomy or None,
        kind=pending.kind or None,
        lon=lon,
        lat=lat,
        description=pending.description,
        address=pending.address or "",
        source=pending.source,
        reporter=pending.reporter,
        reporter_phone=pending.reporter_phone,
        reported_at=pending.received_at,
    )

    def mark(s: Session, case: Case, _event: CaseEvent, now: datetime) -> None:
        s.flush()
        placed = s.execute(
            update(Pending)
            .where(Pending.id == pending_id, Pending.case_id.is_(None))
            .values(case_id=case.id, placed_at=now, placed_by=actor.id)
        )
        if placed.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult's
            raise StaleVersionError("该报告已由他人定位立案，请刷新待定位列表")
        s.execute(
            update(Open311Extras)
            .where(Open311Extras.pending_id == pending_id)
            .values(case_id=case.id)
        )
        s.execute(
            update(FieldSubmission)
            .where(FieldSubmission.open311_pending_id == pending_id)
            .values(case_id=case.id)
        )

    snap, _ = cases.report_with(actor, report, mark)
    return snap
