"""Case numbers: C (部件) / E (事件) + category code + local date + 4-digit daily sequence.

The convention follows the Unicom platform ([S-F] in codes_and_lifecycle.md §2) with a 4-digit
sequence, since a busy district passes 99 cases of one class a day. Sequences come from a
counter row per prefix, bumped inside the caller's transaction, so two seats never hand out the
same number (SQLite serialises writers; PostgreSQL locks the counter row).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.models import CaseNumberCounter


def number_prefix(kind: str, category_code: str, at: datetime) -> str:
    letter = "C" if kind == "component" else "E"
    return f"{letter}{category_code}{at.astimezone(LOCAL_TZ):%Y%m%d}"


def reserve(session: Session, prefix: str, count: int = 1) -> int:
    """Reserve ``count`` sequence numbers under ``prefix``; returns the first one.

    One atomic upsert: when two seats take the first number of a prefix at once, the second
    waits for the first's row and bumps it (an update, then an insert when no row was seen,
    let both insert on PostgreSQL, and one failed on the unique key)."""
    return _reserve_core(session, prefix, count)


def _reserve_core(session: Session, prefix: str, count: int) -> int:
    """:func:`reserve` by one Core upsert on the counters table: atomic, no ORM flush, no
    identity-map synchronisation (each cost a bulk seed more than its whole case did), and one
    statement where most prefixes are new (a prefix is a class on a day)."""
    table = CaseNumberCounter.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        key, bump = [table.c.prefix], {"last": table.c.last + count}
        if dialect == "sqlite":
            from sqlalchemy.dialects import sqlite

            lite = sqlite.insert(table).values(prefix=prefix, last=count)
            stmt = lite.on_conflict_do_update(index_elements=key, set_=bump).returning(table.c.last)
        else:
            from sqlalchemy.dialects import postgresql

            pg = postgresql.insert(table).values(prefix=prefix, last=count)
            stmt = pg.on_conflict_do_update(index_elements=key, set_=bump).returning(table.c.last)
        return int(session.execute(stmt).scalar_one()) - count + 1
    last = session.execute(
        update(table)
        .where(table.c.prefix == prefix)
        .values(last=table.c.last + count)
        .returning(table.c.last)
    ).scalar_one_or_none()
    if last is None:
        session.execute(insert(table).values(prefix=prefix, last=count))
        last = count
    return int(last) - count + 1


def format_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence:04d}"


def peek(session: Session, prefix: str) -> int:
    """The last sequence used under ``prefix`` (0 if none); for tests and diagnostics."""
    value = session.scalar(select(CaseNumberCounter.last).where(CaseNumberCounter.prefix == prefix))
    return value or 0
