"""Open cases' deadlines moved when a year's holiday schedule changes.

A case's limit is kept in working time (its rule's limit, approved extensions, the clock time it
spent suspended); its ``warning_at`` and ``deadline_at`` are that limit laid on the calendar from
its dispatch. When days change between worked and off, every open case whose clock crosses one
of them gets both marks laid again on the new calendar, with a ``recompute_deadline`` event
(old → new) on its timeline. Alerts already raised stay raised. One set-based pass: 100,000
cases in well under two seconds (``bench``), beside :func:`recompute_per_case`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy import (
    case as sql_case,
)
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.lifecycle import FINAL_STATES
from console.domain.time_limits import LimitUnit, TimeLimit
from console.domain.traffic_light import clock_marks
from console.domain.worktime import WorkCalendar
from console.domain.worktime_batch import add_work_seconds_many, from_epoch_us, to_epoch_us
from console.models import Case, CaseEvent, UTCDateTime
from console.services.actors import Actor
from console.services.bulk_intake import big_page_cache

ACTION = "recompute_deadline"
_CASES = Case.__table__


@dataclass
class _Clocks:
    """The candidates' clocks as arrays (epoch µs for instants)."""

    ids: npt.NDArray[np.int64]
    dispatched: npt.NDArray[np.int64]
    warning: npt.NDArray[np.int64]
    deadline: npt.NDArray[np.int64]
    total: npt.NDArray[np.float64]  # the limit plus extensions, in seconds of its clock
    suspended: npt.NDArray[np.float64]


def _candidate_query(changed: Collection[date]) -> Select[Any]:
    """Open cases on the working clock whose span from dispatch to deadline meets a changed day.

    A day after the old deadline cannot move it; one before the dispatch neither.
    """
    first = datetime.combine(min(changed), time(0), tzinfo=LOCAL_TZ)
    after_last = datetime.combine(max(changed) + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    return (
        select(Case.id)
        .where(
            Case.state.not_in(FINAL_STATES),
            Case.deadline_at.is_not(None),
            Case.dispatched_at.is_not(None),
            Case.limit_value.is_not(None),
            Case.limit_unit != LimitUnit.HOURS.value,
            Case.dispatched_at < after_last,
            Case.deadline_at >= first,
        )
        .order_by(Case.id)
    )


def _instants(values: list[Any]) -> npt.NDArray[np.int64]:
    """Stored instants as epoch µs: SQLite's naive-UTC text parsed by numpy, else datetimes."""
    if values and isinstance(values[0], str):
        return np.array(values, dtype="datetime64[us]").astype(np.int64)
    return to_epoch_us(values)


def _read_clocks(session: Session, changed: Collection[date], day_s: float) -> _Clocks:
    # type_coerce to String: SQLite hands back its stored text (parsed in bulk, not per row);
    # PostgreSQL's driver still gives datetimes.
    query = _candidate_query(changed).with_only_columns(
        Case.id,
        type_coerce(Case.dispatched_at, String),
        type_coerce(func.coalesce(Case.warning_at, Case.deadline_at), String),
        type_coerce(Case.deadline_at, String),
        # the limit with its extensions, in seconds of its clock: one column, not three
        (Case.limit_value + func.coalesce(Case.extension_value, 0.0))
        * sql_case((Case.limit_unit == LimitUnit.WORKDAYS.value, day_s), else_=3600.0),
        Case.suspended_seconds,
    )
    if session.get_bind().dialect.name == "postgresql":
        # Locked for the transaction: a seat acting meanwhile waits, then sees the new marks.
        query = query.with_for_update(of=Case)
    result = session.connection().execute(query)
    # The driver's own tuples: Core's Row objects cost a tenth of the pass at 100,000 cases,
    # and no column here needs a result processor (instants are read as text, see above).
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    if not rows:
        empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0, np.float64)
        return _Clocks(empty_i, empty_i, empty_i, empty_i, empty_f, empty_f)
    ids, dispatched, warning, deadline, total, suspended = zip(*rows, strict=True)
    return _Clocks(
        ids=np.array(ids, dtype=np.int64),
        dispatched=_instants(list(dispatched)),
        warning=_instants(list(warning)),
        deadline=_instants(list(deadline)),
        total=np.array(total, np.float64),
        suspended=np.array(suspended, np.float64),
    )


def _iso(values: npt.NDArray[np.int64], unit: Literal["s", "us"], sep: str = "T") -> list[str]:
    """Epoch µs as ISO text in bulk (numpy), with ``sep`` between the date and the time."""
    text = np.datetime_as_string(values.astype("datetime64[us]"), unit=unit)
    if sep != "T":  # a fixed-width array: patch the one character in place
        chars = text.view(np.uint32).reshape(len(text), -1)
        chars[:, 10] = ord(sep)
    return text.tolist()


def _local_text(values: npt.NDArray[np.int64]) -> list[str]:
    """ISO local times with their offset, for the timeline (the district's fixed offset)."""
    offset = datetime(2000, 1, 1, tzinfo=LOCAL_TZ).utcoffset()
    assert offset is not None
    hours, minutes = divmod(offset // timedelta(minutes=1), 60)
    suffix = f"+{hours:02d}:{minutes:02d}"
    return [t + suffix for t in _iso(values + offset // timedelta(microseconds=1), "s")]


_MARKS = Table(
    "recompute_marks",
    MetaData(),
    Column("case_id", Integer, primary_key=True),
    Column("warning_at", UTCDateTime),
    Column("deadline_at", UTCDateTime),
    Column("data", Text),
    prefixes=["TEMPORARY"],
)


def _stage_marks(
    session: Session,
    ids: npt.NDArray[np.int64],
    warning: npt.NDArray[np.int64],
    deadline: npt.NDArray[np.int64],
    data: list[str],
) -> None:
    """The new marks in a temporary table, so one UPDATE and one INSERT … SELECT apply them."""
    conn = session.connection()
    _MARKS.drop(conn, checkfirst=True)
    _MARKS.create(conn)
    if conn.dialect.name == "sqlite":
        # Straight to the driver in the text form SQLAlchemy stores (naive UTC, µs).
        # dbapi_connection is None only once the connection was invalidated, never mid-session.
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(
                "INSERT INTO recompute_marks (case_id, warning_at, deadline_at, data) "
                "VALUES (?, ?, ?, ?)",
                # sqlite3 takes any iterable of rows; SQLAlchemy's DB-API protocol says Sequence
                zip(  # type: ignore[arg-type]
                    ids.tolist(),
                    _iso(warning, "us", " "),
                    _iso(deadline, "us", " "),
                    data,
                    strict=True,
                ),
            )
        finally:
            cursor.close()
    else:
        conn.execute(
            insert(_MARKS),
            [
                {"case_id": i, "warning_at": w, "deadline_at": d, "data": j}
                for i, w, d, j in zip(
                    ids.tolist(),
                    from_epoch_us(warning),
                    from_epoch_us(deadline),
                    data,
                    strict=True,
                )
            ],
        )


def recompute_open_deadlines(
    session: Session,
    calendar: WorkCalendar,
    changed: Collection[date],
    actor: Actor,
    now: datetime,
    *,
    warning_share: float = 0.8,
    note: str,
) -> int:
    """Lay every affected open case's marks on ``calendar`` again; how many cases moved."""
    if not changed:
        return 0
    clocks = _read_clocks(session, changed, calendar.workday_seconds)
    if len(clocks.ids) == 0:
        return 0
    new_warning = add_work_seconds_many(
        calendar, clocks.dispatched, clocks.total * warning_share + clocks.suspended
    )
    new_deadline = add_work_seconds_many(
        calendar, clocks.dispatched, clocks.total + clocks.suspended
    )
    moved = np.nonzero((new_warning != clocks.warning) | (new_deadline != clocks.deadline))[0]
    if len(moved) == 0:
        return 0
    old_d, new_d = _local_text(clocks.deadline[moved]), _local_text(new_deadline[moved])
    # The timeline says the deadline old → new; the warning follows from it and the limit.
    data = [
        f'{{"old_deadline": "{a}", "new_deadline": "{b}"}}'
        for a, b in zip(old_d, new_d, strict=True)
    ]
    with big_page_cache(session.connection()):
        _write_marks(
            session,
            clocks.ids[moved],
            new_warning[moved],
            new_deadline[moved],
            data,
            actor,
            now,
            note,
        )
    return len(moved)


def _write_marks(
    session: Session,
    ids: npt.NDArray[np.int64],
    warning: npt.NDArray[np.int64],
    deadline: npt.NDArray[np.int64],
    data: list[str],
    actor: Actor,
    now: datetime,
    note: str,
) -> None:
    """The new marks onto the cases, and one timeline event each: two set-based statements."""
    _stage_marks(session, ids, warning, deadline, data)
    session.execute(
        update(_CASES)
        .where(_CASES.c.id == _MARKS.c.case_id)
        .values(
            warning_at=_MARKS.c.warning_at,
            deadline_at=_MARKS.c.deadline_at,
            updated_at=now,
            version=_CASES.c.version + 1,
        )
    )
    events = CaseEvent.__table__
    session.execute(
        insert(events).from_select(
            [
                "case_id",
                "at",
                "action",
                "from_state",
                "to_state",
                "actor_id",
                "actor_name",
                "actor_role",
                "department_id",
                "note",
                "data",
            ],
            select(
                _CASES.c.id,
                literal(now, UTCDateTime),
                literal(ACTION),
                _CASES.c.state,
                _CASES.c.state,
                literal(actor.id, Integer),
                literal(actor.name),
                literal(actor.role),
                _CASES.c.department_id,
                literal(note),
                _MARKS.c.data,
            )
            .join_from(_MARKS, _CASES, _CASES.c.id == _MARKS.c.case_id)
            .order_by(_CASES.c.id),
        )
    )
    _MARKS.drop(session.connection())


def recompute_per_case(
    session: Session, calendar: WorkCalendar, changed: Collection[date], *, warning_share: float
) -> int:
    """The naive baseline: each case loaded as an object and its marks laid one by one.

    Kept for the benchmark (same answers, measured beside the set-based pass); writes the
    marks only, no events.
    """
    ids = list(session.scalars(_candidate_query(changed)))
    moved = 0
    for case in (
        case
        for i in range(0, len(ids), 500)  # under SQLite's bound-parameter limit
        for case in session.scalars(select(Case).where(Case.id.in_(ids[i : i + 500])))
    ):
        assert case.dispatched_at is not None and case.limit_value is not None
        assert case.limit_unit is not None
        marks = clock_marks(
            calendar,
            case.dispatched_at,
            TimeLimit(case.limit_value, LimitUnit(case.limit_unit)),
            extension=case.extension_value,
            suspended_seconds=case.suspended_seconds,
            warning_share=warning_share,
        )
        if (marks.warning_at, marks.deadline_at) != (case.warning_at, case.deadline_at):
            case.warning_at, case.deadline_at = marks.warning_at, marks.deadline_at
            moved += 1
    session.flush()
    return moved
