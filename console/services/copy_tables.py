"""One table at a time, for copy-db (console.services.copy_db): read in primary-key order in
batches, made canonical (console.services.copy_values), written with binary COPY, and
checksummed — the same reading and checksum on either side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Engine, String, Table

from console.services.copy_values import Checksum, RowShape

#: Rows read from the source (and handed to COPY) at a time.
BATCH_ROWS = 5_000
STEP_COPY = "copy"
STEP_INDEX = "index"
STEP_VERIFY = "verify"
#: ``progress(step, table, done, total)``: a STEP_*, and rows of ``table`` so far (indexes
#: rebuilt so far for STEP_INDEX).
CopyProgress = Callable[[str, str, int, int], None]
#: PostgreSQL's JSON types: their values are handed to COPY wrapped (psycopg's Json, Jsonb).
JSON_OIDS = {114: "json", 3802: "jsonb"}


def quote(conn: Connection | Engine, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _order_by(conn: Connection, table: Table) -> str:
    """The primary key as ORDER BY; text keys in byte order on PostgreSQL (COLLATE "C"), as
    SQLite's BINARY collation orders them, so both sides hash rows in the same order."""
    parts = []
    for column in table.primary_key.columns:
        collate = (
            ' COLLATE "C"'
            if conn.dialect.name == "postgresql" and isinstance(column.type, String)
            else ""
        )
        parts.append(quote(conn, column.name) + collate)
    return ", ".join(parts)


def _select(conn: Connection, table: Table) -> str:
    columns = ", ".join(quote(conn, c.name) for c in table.columns)
    return f"SELECT {columns} FROM {quote(conn, table.name)} ORDER BY {_order_by(conn, table)}"


def read_batches(conn: Connection, table: Table, batch: int) -> Iterator[list[Any]]:
    """``table``'s rows as the driver gives them, in primary-key order, ``batch`` at a time,
    inside ``conn``'s transaction (on PostgreSQL a server-side cursor: nothing is held whole)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name=f"copy_db_{table.name}", binary=True)
        cursor.itersize = batch
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(_select(conn, table))
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def canonical_batches(
    conn: Connection, table: Table, batch: int
) -> Iterator[list[tuple[Any, ...]]]:
    """:func:`read_batches` with every value canonical (console.services.copy_values)."""
    shape = RowShape(table)
    for rows in read_batches(conn, table, batch):
        yield shape.canonical(rows)


def self_references(table: Table) -> list[tuple[int, int]]:
    """(child column, parent column) positions of ``table``'s foreign keys to itself."""
    names = [c.name for c in table.columns]
    return [
        (names.index(fk.parent.name), names.index(fk.column.name))
        for fk in table.foreign_keys
        if fk.column.table is table
    ]


def parents_first(rows: list[tuple[Any, ...]], links: list[tuple[int, int]]) -> list[Any]:
    """``rows`` with each row after the rows it references (regions: a street before its
    areas), otherwise in their order: PostgreSQL checks each foreign key as the row arrives."""
    placed: set[tuple[int, Any]] = set()
    waiting = list(rows)
    ordered: list[tuple[Any, ...]] = []
    while waiting:
        later = []
        for row in waiting:
            if all(row[child] is None or (parent, row[child]) in placed for child, parent in links):
                ordered.append(row)
                placed.update((parent, row[parent]) for _child, parent in links)
            else:
                later.append(row)
        if len(later) == len(waiting):  # a cycle or a missing parent: PostgreSQL will say
            ordered.extend(later)
            break
        waiting = later
    return ordered


def _column_oids(pg: Any, table: Table) -> list[int]:
    """The type of each of ``table``'s columns on the target (at head: every model column is
    there), for binary COPY."""
    oids = dict(
        pg.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
            (pg_quote(table.name),),
        ).fetchall()
    )
    return [int(oids[c.name]) for c in table.columns]


def pg_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_table(
    source: Connection,
    pg: Any,
    table: Table,
    *,
    batch: int = BATCH_ROWS,
    total: int = 0,
    progress: CopyProgress | None = None,
) -> Checksum:
    """Every row of ``table`` from ``source`` into the psycopg connection ``pg`` with one
    binary COPY, in the caller's transactions. The checksum of what was read."""
    shape = RowShape(table)
    checksum = Checksum(shape)
    oids = _column_oids(pg, table)
    json_at = [(i, JSON_OIDS[oid]) for i, oid in enumerate(oids) if oid in JSON_OIDS]
    links = self_references(table)
    columns = ", ".join(pg_quote(c) for c in shape.columns)
    tell = progress or (lambda step, name, done, total: None)
    with pg.cursor().copy(
        f"COPY {pg_quote(table.name)} ({columns}) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.set_types(oids)
        held: list[tuple[Any, ...]] = []
        for rows in canonical_batches(source, table, batch):
            checksum.update(rows)
            if links:  # self-referencing (small: the regions): written once all are read
                held.extend(rows)
                continue
            for row in _with_json(rows, json_at):
                copy.write_row(row)
            tell(STEP_COPY, table.name, checksum.rows, total)
        if held:
            for row in _with_json(parents_first(held, links), json_at):
                copy.write_row(row)
            tell(STEP_COPY, table.name, checksum.rows, total)
    if not checksum.rows:
        tell(STEP_COPY, table.name, 0, total)
    return checksum


def _with_json(rows: list[tuple[Any, ...]], json_at: list[tuple[int, str]]) -> list[Any]:
    if not json_at:
        return rows
    from psycopg.types.json import Json, Jsonb

    wrap = {"json": Json, "jsonb": Jsonb}
    out = []
    for row in rows:
        values = list(row)
        for i, kind in json_at:
            if values[i] is not None:
                values[i] = wrap[kind](values[i])
        out.append(values)
    return out


def checksum_of(
    conn: Connection,
    table: Table,
    *,
    batch: int = BATCH_ROWS,
    total: int = 0,
    progress: CopyProgress | None = None,
) -> Checksum:
    """The checksum of ``table`` as ``conn`` sees it (either side: the same canonical rows)."""
    checksum = Checksum(RowShape(table))
    tell = progress or (lambda step, name, done, total: None)
    tell(STEP_VERIFY, table.name, 0, total)
    for rows in canonical_batches(conn, table, batch):
        checksum.update(rows)
        tell(STEP_VERIFY, table.name, checksum.rows, total)
    return checksum
