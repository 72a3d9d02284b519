"""Column values as one canonical Python value whatever the engine gave, and a checksum of rows.

`grid-console copy-db` reads a row from SQLite (text timestamps, 0/1 booleans, ISO dates) and
the same row back from PostgreSQL (aware datetimes in the session's zone, real booleans, date
objects). Both go through the same :class:`RowShape`: each value becomes the one object
PostgreSQL's binary COPY is given and the checksum is taken over — an int, a float, a bool, a
str, a ``date``, a ``datetime`` in UTC (``datetime.UTC``), ``bytes``, or for JSON the parsed
value — so that equal data hashes equal on both sides and unequal data does not.

A value PostgreSQL could not hold unchanged is refused here, by name: an integer beyond the
column's range (binary COPY would silently keep its low 32 bits), a boolean other than 0/1, a
timestamp or date that does not parse.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Table,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

Convert = Callable[[Any], Any]

#: PostgreSQL's integer ranges, by the SQLAlchemy type that maps to each.
INT_RANGES: tuple[tuple[type[TypeEngine[Any]], int], ...] = (
    (SmallInteger, 15),
    (BigInteger, 63),
    (Integer, 31),
)


class BadValueError(ValueError):
    """A value that cannot be carried over unchanged; the message says why (Chinese)."""


def _integer(bits: int) -> Convert:
    low, high = -(2**bits), 2**bits - 1

    def convert(value: Any) -> int:
        if not isinstance(value, int):
            raise BadValueError(f"不是整数 (not an integer): {value!r:.60}")
        if not low <= value <= high:
            raise BadValueError(
                f"超出 PostgreSQL 整数列的范围 {low}…{high} (out of the column's range): {value}"
            )
        return int(value)

    return convert


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise BadValueError(f"不是数字 (not a number): {value!r:.60}")
    return float(value)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise BadValueError(f"不是数字 (not a number): {value!r:.60}") from None


def _boolean(value: Any) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise BadValueError(f"不是布尔值 0/1 (not a boolean): {value!r:.60}")


def _timestamp(value: Any) -> datetime:
    """UTC, aware; a naive value (SQLite's storage, console.models.UTCDateTime) is UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise BadValueError(f"不是时间 (not a timestamp): {value!r:.60}") from None
    if not isinstance(value, datetime):
        raise BadValueError(f"不是时间 (not a timestamp): {value!r:.60}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        raise BadValueError(f"是时间而不是日期 (a timestamp, not a date): {value!r:.60}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BadValueError(f"不是日期 (not a date): {value!r:.60}")


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise BadValueError(f"不是二进制数据 (not binary data): {value!r:.60}")


def _json(value: Any) -> Any:
    """The parsed value: SQLite keeps JSON as text, psycopg gives it parsed."""
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            raise BadValueError(f"不是 JSON (not JSON): {value!r:.60}") from None
    return value


def converter(column_type: TypeEngine[Any]) -> Convert | None:
    """How a value of ``column_type`` becomes canonical; None: it already is (text).

    Raises TypeError for a type this module does not know, so that a new kind of column
    stops the copy before it starts rather than being copied unchecked.
    """
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, Boolean):
        return _boolean
    for kind, bits in INT_RANGES:
        if isinstance(column_type, kind):
            return _integer(bits)
    if isinstance(column_type, Float):
        return _float
    if isinstance(column_type, Numeric):
        return _decimal
    if isinstance(column_type, DateTime):
        return _timestamp
    if isinstance(column_type, Date):
        return _date
    if isinstance(column_type, LargeBinary):
        return _bytes
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, String):  # Text and Unicode too
        return None
    raise TypeError(f"no canonical form for {column_type!r}")


class RowShape:
    """The canonical form of ``table``'s rows, columns in the table's order."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns: tuple[str, ...] = tuple(c.name for c in table.columns)
        self.conversions: tuple[tuple[int, Convert], ...] = tuple(
            (i, convert)
            for i, column in enumerate(table.columns)
            if (convert := converter(column.type)) is not None
        )
        self.key: tuple[int, ...] = tuple(
            self.columns.index(c.name) for c in table.primary_key.columns
        )
        self.json_columns: tuple[int, ...] = tuple(
            i for i, convert in self.conversions if convert is _json
        )

    def canonical(self, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Each row with every value canonical; a BadValueError names the row and column."""
        out: list[tuple[Any, ...]] = []
        conversions = self.conversions
        for row in rows:
            values = list(row)
            for i, convert in conversions:
                value = values[i]
                if value is not None:
                    try:
                        values[i] = convert(value)
                    except BadValueError as exc:
                        key = ", ".join(f"{self.columns[k]}={row[k]!r}" for k in self.key)
                        raise BadValueError(
                            f"表 {self.table.name} 行 ({key}) 列 {self.columns[i]}: {exc}"
                        ) from None
            out.append(tuple(values))
        return out


class Checksum:
    """SHA-256 over canonical rows in primary-key order, one ``repr`` line per row: ``repr``
    of an int, float (shortest exact form), bool, str, date, UTC datetime or bytes is
    unambiguous, and the same on both sides once the values are canonical. JSON values hash
    by their text with sorted keys (key order is not data)."""

    def __init__(self, shape: RowShape) -> None:
        self._hash = hashlib.sha256()
        self._json = shape.json_columns
        self.rows = 0

    def update(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._json:
            rows = [self._json_as_text(row) for row in rows]
        self._hash.update(("\n".join(map(repr, rows)) + "\n").encode("utf-8"))
        self.rows += len(rows)

    def _json_as_text(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i in self._json:
            if values[i] is not None:
                values[i] = json.dumps(values[i], sort_keys=True, ensure_ascii=False)
        return tuple(values)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
