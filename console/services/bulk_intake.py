"""Many reports at once: validated row by row, located in one vectorised pass, inserted in one
transaction with Core executemany. All or nothing: a failure rolls the whole batch back, and
rejected rows are reported with their index and reason rather than inserted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from console.db import Database
from console.domain.lifecycle import default_lifecycle
from console.errors import (
    ConsoleError,
    OutsideDistrictError,
)
from console.models import Case, CaseEvent, CaseNumberCounter
from console.services import duplicates
from console.services.actors import Actor
from console.services.cases import numbers as case_numbers
from console.services.category_intake import CategoryTable, FiledCategory, file_category
from console.services.locator import Locator
from console.services.report_input import ReportInput, validate
from console.services.taxonomy_schedule import TaxonomySchedule, read_schedule


@dataclass
class BulkResult:
    accepted: int = 0
    case_ids: list[int] = field(default_factory=list)
    #: (index in the input, error code, message)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    #: Pairs of possible duplicates recorded (console.services.duplicates).
    possible_duplicates: int = 0
    #: The case numbers given, in the order of ``case_ids``.
    numbers: list[str] = field(default_factory=list)


BULK_EVENT_DATA = json.dumps({"bulk": True})
#: Keys per IN list (well under every driver's parameter limit).
_CHUNK = 500
#: SQLite page cache during a bulk insert, KiB.
BULK_CACHE_KIB = 32 * 1024
#: Rows per insert chunk (a checkpoint between chunks; all in one transaction).
INSERT_CHUNK = 20_000


#: Bound values per statement: SQLite's default limit since 3.32 (the search index needs 3.34).
_SQLITE_MAX_PARAMS = 32_766


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) with one DB-API executemany.

    Values go through each column type's own bind processor (so UTCDateTime still converts
    to UTC), but the per-row statement machinery of Core is skipped: at 100,000 rows that
    machinery costs more than SQLite itself.
    """
    if not rows:
        return
    columns = list(rows[0])
    pick: Callable[[dict[str, Any]], Any] = itemgetter(*columns)
    if len(columns) == 1:
        one = columns[0]
        pick = lambda row: (row[one],)  # noqa: E731 - itemgetter of one key gives no tuple
    insert_rows(conn, table, columns, [list(pick(row)) for row in rows])


def insert_rows(conn: Connection, table: Table, columns: list[str], data: list[list[Any]]) -> None:
    """:func:`insert_many` for rows already given as lists of ``columns``' values (a caller
    that builds them so saves making a dict per row). The lists are converted in place."""
    if not data:
        return
    dialect = conn.dialect
    processors = [table.c[c].type._cached_bind_processor(dialect) for c in columns]
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    if dialect.paramstyle == "qmark":
        marks = ", ".join("?" for _ in columns)
    else:  # psycopg: format / pyformat
        marks = ", ".join("%s" for _ in columns)
    # Column by column, each distinct value converted once: a batch repeats the same few
    # timestamps (its "now", report times to the minute) thousands of times.
    for i, process in enumerate(processors):
        if process is None:
            continue
        seen: dict[Any, Any] = {}
        for values in data:
            value = values[i]
            try:
                values[i] = seen[value]
            except KeyError:
                values[i] = seen[value] = process(value)
            except TypeError:  # unhashable
                values[i] = process(value)
    # The driver's own cursor: it takes the lists as they are (Core would want tuples).
    # dbapi_connection is None only once the connection was invalidated, never mid-transaction.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect.paramstyle == "qmark":
            # SQLite: ~1,000 rows per statement. A statement whose trigger writes the FTS5
            # search index (migration 0014) opens a savepoint, where FTS5 flushes what it
            # holds: once per row, ~40 µs a case; once per statement, ~10 µs (the tokenising).
            per = max(1, _SQLITE_MAX_PARAMS // len(columns))
            for start in range(0, len(data) - len(data) % per, per):
                part = data[start : start + per]
                tuples = ", ".join([f"({marks})"] * per)
                flat = [v for row in part for v in row]
                cursor.execute(f"INSERT INTO {table.name} ({names}) VALUES {tuples}", flat)
            data = data[len(data) - len(data) % per :]
        cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", data)
    finally:
        cursor.close()


@contextmanager
def big_page_cache(conn: Connection) -> Iterator[None]:
    """On SQLite, a larger page cache for one bulk write: the cases table's many indexes
    are updated at random places, and with the default 2 MB cache their pages spill and are
    read back over and over (twice as slow at 200,000 rows)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


def _reserve_ids(session: Session, count: int) -> list[int]:
    """``count`` fresh case ids, taken inside the caller's write transaction."""
    if session.bind is not None and session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('cases', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    # SQLite: the transaction began IMMEDIATE and holds the write lock, so nobody else can
    # take ids between this read and our insert.
    first = (session.scalar(select(func.max(Case.id))) or 0) + 1
    return list(range(first, first + count))


def _reserve_numbers(session: Session, counts: dict[str, int]) -> dict[str, int]:
    """``case_numbers.reserve`` for many prefixes in a few statements: prefix → first number.

    The counter rows are read locked (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the write lock), then bumped and created with executemany.
    """
    table = CaseNumberCounter.__table__
    prefixes = list(counts)
    last: dict[str, int] = {}
    for start in range(0, len(prefixes), _CHUNK):
        chunk = prefixes[start : start + _CHUNK]
        query = select(table.c.prefix, table.c.last).where(table.c.prefix.in_(chunk))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        last.update({prefix: value for prefix, value in session.execute(query)})
    firsts: dict[str, int] = {}
    bumped: list[dict[str, Any]] = []
    created: list[dict[str, Any]] = []
    for prefix, count in counts.items():
        before = last.get(prefix)
        firsts[prefix] = (before or 0) + 1
        if before is None:
            created.append({"prefix": prefix, "last": count})
        else:
            bumped.append({"key": prefix, "new_last": before + count})
    if bumped:
        session.execute(
            update(table)
            .where(table.c.prefix == bindparam("key"))
            .values(last=bindparam("new_last")),
            bumped,
        )
    if created:
        session.execute(table.insert(), created)
    return firsts


def validated(
    reports: Sequence[ReportInput],
    rejected: list[tuple[int, str, str]],
    *,
    now: datetime | None = None,
) -> list[tuple[int, ReportInput]]:
    """(index, cleaned report) of the reports that validate; each fault is appended to
    ``rejected`` as (index, code, message). Needs no database. ``now``: report times are
    checked against it (default: the clock)."""
    cleaned: list[tuple[int, ReportInput]] = []
    for index, raw in enumerate(reports):
        try:
            cleaned.append((index, validate(raw, now=now)))
        except ConsoleError as exc:
            rejected.append((index, exc.code, exc.message))
    return cleaned


def checked_rows(
    session: Session,
    cleaned: Sequence[tuple[int, ReportInput]],
    locator: Locator,
    rejected: list[tuple[int, str, str]],
    *,
    now: datetime | None = None,
    taxonomies: TaxonomySchedule | None = None,
) -> list[tuple[ReportInput, FiledCategory, Any]]:
    """Of the ``validated`` reports, those with a known category inside the district:
    (report, where its category is filed, located grid path), in input order; each fault is
    appended to ``rejected``. What ``bulk_report`` inserts and a dry run counts as valid.
    A report without a time is filed by ``now`` (default: the current time)."""
    table = CategoryTable(session)
    schedule = taxonomies or read_schedule()
    at_now = now or datetime.now(UTC)
    located = locator.locate_many(
        np.fromiter((r.lon for _, r in cleaned), float, len(cleaned)),
        np.fromiter((r.lat for _, r in cleaned), float, len(cleaned)),
    )
    passed: list[tuple[ReportInput, FiledCategory, Any]] = []
    for (index, report), loc in zip(cleaned, located, strict=True):
        try:
            filed = file_category(
                table,
                schedule,
                report.taxonomy,
                report.category_code,
                report.kind,
                report.reported_at or at_now,
            )
        except ConsoleError as err:
            rejected.append((index, err.code, err.message))
            continue
        if loc[0] < 0:
            reason = locator.explain_outside(report.lon, report.lat)
            outside = OutsideDistrictError(f"位置 ({report.lon}, {report.lat}): {reason}")
            rejected.append((index, outside.code, outside.message))
        else:
            passed.append((report, filed, loc))
    return passed


def bulk_report(
    db: Database,
    actor: Actor,
    reports: Sequence[ReportInput],
    *,
    now: datetime,
    locator: Locator,
    duplicate_rule: duplicates.DuplicateSettings | None = None,
    checkpoint: Callable[[int, int], None] | None = None,
) -> BulkResult:
    """Report every valid row of ``reports`` as a new case; reject the rest with reasons.

    ``checkpoint(inserted, to_insert)`` is called between insert chunks inside the
    transaction: for progress, and it may raise to cancel (everything is rolled back).
    """
    transition = default_lifecycle().check("report", None, actor.role)
    result = BulkResult()
    cleaned = validated(reports, result.rejected, now=now)
    with db.session() as s:
        rows: list[dict[str, object]] = []
        by_prefix: dict[str, list[int]] = defaultdict(list)
        prefixes: dict[tuple[str, str, datetime], str] = {}  # report times repeat
        passed = checked_rows(s, cleaned, locator, result.rejected, now=now)
        for report, filed, loc in passed:
            at = report.reported_at or now
            prefix_key = (filed.kind, filed.code, at)
            prefix = prefixes.get(prefix_key)
            if prefix is None:
                prefix = prefixes[prefix_key] = case_numbers.number_prefix(*prefix_key)
            by_prefix[prefix].append(len(rows))
            rows.append(
                {
                    "source": report.source,
                    "external_id": report.external_id,
                    "reporter": report.reporter or actor.name,
                    "taxonomy": filed.taxonomy,
                    "kind": filed.kind,
                    "category_code": filed.code,
                    "original_taxonomy": filed.original_taxonomy,
                    "original_category_code": filed.original_code,
                    "urgent": False,
                    "description": report.description,
                    "address": report.address,
                    "lon": report.lon,
                    "lat": report.lat,
                    "grid_id": int(loc[0]),
                    "unit_id": int(loc[1]),
                    "area_id": int(loc[2]),
                    "street_id": int(loc[3]),
                    "state": transition.to_state,
                    "reported_at": at,
                    "updated_at": now,
                    "extension_value": 0.0,
                    "suspended_seconds": 0.0,
                    "rework_count": 0,
                    "return_count": 0,
                    "dispatch_count": 0,
                    "version": 1,
                }
            )
        # Inserted in report-time order (input order among equal times): the indexes that
        # lead with a time then grow at their ends instead of at random places (a third less
        # SQLite work at 200,000 rows), and each day's sequence numbers follow the clock.
        # A row's values are typed object; its "reported_at" is the aware datetime put in above.
        order = sorted(range(len(rows)), key=lambda i: rows[i]["reported_at"])  # type: ignore[arg-type, return-value]
        rows = [rows[i] for i in order]
        where = [0] * len(rows)  # input position → inserted position
        for new, old in enumerate(order):
            where[old] = new
        by_prefix = {p: sorted(where[i] for i in positions) for p, positions in by_prefix.items()}
        firsts = _reserve_numbers(s, {p: len(positions) for p, positions in by_prefix.items()})
        for prefix, positions in by_prefix.items():
            first = firsts[prefix]
            for offset, pos in enumerate(positions):
                rows[pos]["number"] = case_numbers.format_number(prefix, first + offset)
        if not rows:
            return result
        ids = _reserve_ids(s, len(rows))
        for case_id, row in zip(ids, rows, strict=True):
            row["id"] = case_id
        # Core executemany with ids known up front: no RETURNING, which SQLite would run row
        # by row to keep the order.
        conn = s.connection()
        with big_page_cache(conn):
            for start in range(0, len(rows), INSERT_CHUNK):
                if checkpoint is not None:
                    checkpoint(start, len(rows))
                part = rows[start : start + INSERT_CHUNK]
                insert_many(conn, Case.__table__, part)
                insert_many(
                    conn,
                    CaseEvent.__table__,
                    [
                        {
                            "case_id": row["id"],
                            "at": row["reported_at"],
                            "action": "report",
                            "from_state": None,
                            "to_state": transition.to_state,
                            "actor_id": actor.id,
                            "actor_name": actor.name,
                            "actor_role": actor.role,
                            "department_id": None,
                            "note": None,
                            "data": BULK_EVENT_DATA,
                        }
                        for row in part
                    ],
                )
            if checkpoint is not None:
                checkpoint(len(rows), len(rows))
        result.case_ids = [ids[where[old]] for old in range(len(rows))]  # in input order
        result.numbers = [str(rows[where[old]]["number"]) for old in range(len(rows))]
        result.accepted = len(ids)
        # In the same transaction, one set-based pass: the batch is flagged with its inserts.
        result.possible_duplicates = duplicates.flag_many(
            s,
            [
                # The row's values are typed object: lon/lat are the validated floats and
                # reported_at the datetime of the rows built above.
                duplicates.NewCase(
                    case_id,
                    str(row["taxonomy"]),
                    str(row["kind"]),
                    str(row["category_code"]),
                    float(row["lon"]),  # type: ignore[arg-type]
                    float(row["lat"]),  # type: ignore[arg-type]
                    row["reported_at"],  # type: ignore[arg-type]
                )
                for case_id, row in zip(ids, rows, strict=True)
            ],
            now,
            settings=duplicate_rule,
        )
    return result
