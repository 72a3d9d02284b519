"""Flagged pairs of possible duplicates: what the detail pane and the queue tab read, and the
dispatcher's decision recorded on the pair (console.services.workflow writes the timelines).

A pair one of whose cases has since finished (closed, voided, merged into a third) is not
shown, as there is nothing left to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from console.domain.lifecycle import FINAL_STATES
from console.models.case import Case, PossibleDuplicate
from console.services.case_scope import DISTRICT, CaseScope
from console.services.duplicates import KEPT_APART, MERGED, OPEN, distance_m, later_first


@dataclass(frozen=True)
class DuplicateCandidate:
    """The other case of an open pair, as the detail pane lists it."""

    pair_id: int
    case_id: int
    number: str
    version: int
    state: str
    distance_m: float
    reported_at: datetime
    source: str
    reporter: str | None
    address: str
    description: str
    #: True when this other case is the earlier report (the one the shown case may repeat).
    earlier: bool


def _pending() -> ColumnElement[bool]:
    return PossibleDuplicate.status == OPEN


def open_pairs(
    session: Session, case_id: int, scope: CaseScope = DISTRICT
) -> list[DuplicateCandidate]:
    """The undecided pairs of ``case_id`` whose other case is still open (and inside the
    seat's ``scope``), nearest first."""
    other = aliased(Case, name="other")
    p = PossibleDuplicate
    rows = session.execute(
        select(p.id, p.case_id, p.other_case_id, p.distance_m, other)
        .join(
            other,
            or_(
                and_(p.case_id == case_id, other.id == p.other_case_id),
                and_(p.other_case_id == case_id, other.id == p.case_id),
            ),
        )
        .where(
            _pending(),
            or_(p.case_id == case_id, p.other_case_id == case_id),
            other.state.not_in(sorted(FINAL_STATES)),
            scope.where(other),
        )
        .order_by(p.distance_m, other.id)
    ).all()
    return [
        DuplicateCandidate(
            pair_id=r.id,
            case_id=r.other.id,
            number=r.other.number,
            version=r.other.version,
            state=r.other.state,
            distance_m=r.distance_m,
            reported_at=r.other.reported_at,
            source=r.other.source,
            reporter=r.other.reporter,
            address=r.other.address,
            description=r.other.description,
            earlier=r.other.id == r.other_case_id,
        )
        for r in rows
    ]


def flagged_condition() -> ColumnElement[bool]:
    """Cases flagged as possible duplicates of a case still open, awaiting a decision.

    The later report of each open pair (the queue's "possible duplicates" tab); a SQL
    condition over ``cases`` for the queue's WHERE clause.
    """
    earlier = aliased(Case, name="earlier")
    p = PossibleDuplicate
    flagged = (
        select(p.case_id)
        .join(earlier, earlier.id == p.other_case_id)
        .where(_pending(), earlier.state.not_in(sorted(FINAL_STATES)))
    )
    return Case.id.in_(flagged)


# --------------------------------------------------------------------------- deciding


def pair_between(session: Session, a: int, b: int) -> PossibleDuplicate | None:
    """The pair row of two cases, either way round, or None."""
    return session.scalar(
        select(PossibleDuplicate).where(
            or_(
                and_(PossibleDuplicate.case_id == a, PossibleDuplicate.other_case_id == b),
                and_(PossibleDuplicate.case_id == b, PossibleDuplicate.other_case_id == a),
            )
        )
    )


def decide(session: Session, a: Case, b: Case, status: str, now: datetime) -> None:
    """Record the decision on the pair (a, b); a merge of an unflagged pair adds its row."""
    if status not in (KEPT_APART, MERGED):
        raise ValueError(status)
    pair = pair_between(session, a.id, b.id)
    if pair is None:
        later, earlier = later_first(a.id, a.reported_at, b.id, b.reported_at)
        session.add(
            PossibleDuplicate(
                case_id=later,
                other_case_id=earlier,
                distance_m=round(float(distance_m(a.lon, a.lat, b.lon, b.lat)), 1),
                flagged_at=now,
                status=status,
                decided_at=now,
            )
        )
        return
    pair.status = status
    pair.decided_at = now
