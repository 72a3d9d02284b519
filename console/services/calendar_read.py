"""Reading the shared calendar: the same statements whether a session or a bare connection runs
them.

The official years an admin imported and the change log's newest id (what every seat follows,
console.services.work_calendar) are read with the plain statements below and made into
:class:`YearSchedule` s here alone. A seat's session runs them (work_calendar's
``load_calendar`` and ``sync_calendar``); so does :func:`read_calendar`, the one-shot read of
`grid-console deadline`: on an SQLite file already at the schema's head it runs them through
the standard library's sqlite3 and never imports SQLAlchemy, Alembic or the models, so that the
command answers in about a tenth of a second (issue 14 §6). Any other database, or one that
needs migrating first, is opened through console.db.Database as before.

This module imports none of SQLAlchemy, Alembic or the models when it loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from console.config import default_db_url
from console.domain.worktime import WorkCalendar, YearSchedule, YearSource, YearStatus
from console.schema_head import open_sqlite_at_head

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Runs one of this module's statements and returns its rows.
Query = Callable[[str], Iterable[Sequence[Any]]]

REVISION_SQL = "SELECT MAX(id) FROM calendar_changes"
YEARS_SQL = "SELECT year FROM calendar_years"
DAYS_SQL = "SELECT year, day, kind, name FROM calendar_days"


def session_query(session: Session) -> Query:
    """The statements run in ``session``'s transaction."""
    from sqlalchemy import text  # at call time: the module loads without SQLAlchemy

    return lambda sql: session.execute(text(sql)).all()


def revision(query: Query) -> int:
    """The newest change's id: changes whenever any year's schedule does."""
    ((newest,),) = query(REVISION_SQL)
    return int(newest or 0)


def _as_date(value: date | str) -> date:
    # The driver's date (PostgreSQL), or SQLite's ISO text: a plain statement carries no
    # column type that would convert it.
    return value if isinstance(value, date) else date.fromisoformat(value)


def official_years(query: Query) -> dict[int, YearSchedule]:
    years: dict[int, dict[str, dict[date, str]]] = {
        int(year): {"holiday": {}, "workday": {}} for (year,) in query(YEARS_SQL)
    }
    for year, day, kind, name in query(DAYS_SQL):
        years.setdefault(int(year), {"holiday": {}, "workday": {}})[kind][_as_date(day)] = name
    return {
        year: YearSchedule(
            year=year,
            status=YearStatus.OFFICIAL,
            source=YearSource.DATABASE,
            holidays=days["holiday"],
            workdays=days["workday"],
        )
        for year, days in years.items()
    }


def sync(query: Query, calendar: WorkCalendar) -> bool:
    """Bring ``calendar``'s official years up to the database's; True when they changed."""
    newest = revision(query)
    if newest == calendar.revision:
        return False
    calendar.set_official(official_years(query), newest)
    return True


def calendar_from(query: Query, **kw: Any) -> WorkCalendar:
    """A calendar with the database's official years (``kw``: office hours, tz)."""
    calendar = WorkCalendar(**kw)
    sync(query, calendar)
    return calendar


def read_calendar(url: str | None = None, **kw: Any) -> WorkCalendar:
    """The calendar of the database at ``url`` (default: the embedded one), for a one-shot
    reader: opened, read in one transaction, closed.

    An SQLite file at the schema's head is read with sqlite3 alone; anything else through
    :class:`console.db.Database`, which creates and migrates the database when it must.
    """
    url = url or default_db_url()
    connection = open_sqlite_at_head(url)
    if connection is not None:
        try:
            return calendar_from(lambda sql: connection.execute(sql).fetchall(), **kw)
        finally:
            connection.close()
    from console.db import Database  # here: SQLAlchemy only when sqlite3 cannot do

    db = Database(url)
    try:
        with db.read() as s:
            return calendar_from(session_query(s), **kw)
    finally:
        db.dispose()


def provisional_text(year: int) -> str:
    return f"{year} 年节假日安排尚未导入，期限按法定假日推算"
