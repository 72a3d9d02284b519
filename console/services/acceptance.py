"""签收: whether a handler has accepted a case since it last arrived in its current state.

A case arrives when an event changes its state (dispatched, a return refused, a rework) and is
accepted by the ``accept`` step after that. Before ``accept`` was a step of its own, the
gateway recorded acceptance as a note starting with :data:`ACCEPT_MARK`; such notes in an
existing database still count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from console.models import CaseEvent

#: The note prefix the gateway wrote for an acceptance before it was a step (still read).
ACCEPT_MARK = "【签收】"

_ACCEPTED = or_(
    CaseEvent.action == "accept",
    and_(
        CaseEvent.action == "add_note",
        CaseEvent.note.startswith(ACCEPT_MARK, autoescape=True),
    ),
)
_MOVED = or_(CaseEvent.from_state.is_(None), CaseEvent.from_state != CaseEvent.to_state)


def accepted_ids(session: Session, ids: list[int]) -> set[int]:
    """The cases among ``ids`` accepted since their last change of state (two grouped reads)."""
    if not ids:
        return set()
    moved = dict(
        session.execute(
            select(CaseEvent.case_id, func.max(CaseEvent.id))
            .where(CaseEvent.case_id.in_(ids), _MOVED)
            .group_by(CaseEvent.case_id)
        ).all()
    )
    accepted = dict(
        session.execute(
            select(CaseEvent.case_id, func.max(CaseEvent.id))
            .where(CaseEvent.case_id.in_(ids), _ACCEPTED)
            .group_by(CaseEvent.case_id)
        ).all()
    )
    return {cid for cid, eid in accepted.items() if eid > moved.get(cid, 0)}


def arrival(session: Session, case_id: int) -> tuple[datetime | None, bool]:
    """(when the case last changed state, whether it was accepted since): the latest event
    that moved it and the latest acceptance, in one read."""
    moved = (
        select(CaseEvent.id, CaseEvent.at)
        .where(CaseEvent.case_id == case_id, _MOVED)
        .order_by(CaseEvent.id.desc())
        .limit(1)
        .subquery()
    )
    last_accept = (
        select(func.max(CaseEvent.id))
        .where(CaseEvent.case_id == case_id, _ACCEPTED)
        .scalar_subquery()
    )
    row = session.execute(select(moved.c.at, last_accept > moved.c.id)).first()
    if row is None:  # no event moved it (cannot happen: the report does)
        accepted = session.scalar(select(last_accept)) is not None
        return None, accepted
    return row[0], bool(row[1])
