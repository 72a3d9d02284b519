"""A bulk-seed session: one writer adds thousands of cases in one transaction (the demo seed).

Inside such a session the reference data (deadline rules, routing, departments) cannot change,
and no caller holds counter rows as ORM objects. So the lookups that every registration and
dispatch repeat are read once per key, and case numbers move by plain Core statements instead
of a flush of the whole session and a sweep of its identity map per number. Outside it every
call reads afresh, as a seat must.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

_FLAG = "bulk_seed"
_MEMO = "bulk_seed_memo"


def mark_bulk_seed(session: Session) -> None:
    """Declare ``session`` a bulk seed (for its whole life)."""
    session.info[_FLAG] = True


def is_bulk_seed(session: Session) -> bool:
    return bool(session.info.get(_FLAG))


def seed_memo(session: Session) -> dict[Any, Any] | None:
    """The session's lookup memo in a bulk seed; None elsewhere (read afresh every time)."""
    if not is_bulk_seed(session):
        return None
    memo: dict[Any, Any] = session.info.setdefault(_MEMO, {})
    return memo
