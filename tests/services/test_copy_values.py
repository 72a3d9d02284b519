"""copy-db's canonical values and checksum: SQLite's raw row and PostgreSQL's typed row of the
same data hash alike, different data does not, and a value PostgreSQL cannot hold unchanged is
refused naming its table, row and column."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import ARRAY

from console.models import UTCDateTime
from console.services.copy_db import console_tables
from console.services.copy_tables import parents_first
from console.services.copy_values import BadValueError, Checksum, RowShape, converter

TABLE = Table(
    "sample",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime),
    Column("day", Date),
    Column("urgent", Boolean),
    Column("ratio", Float),
    Column("name", String(20)),
    Column("note", Text),
    Column("big", BigInteger),
    Column("blob", LargeBinary),
    Column("doc", JSON),
)

#: One row as SQLite's driver gives it: text timestamps (naive UTC), ISO dates, 0/1, JSON text.
SQLITE_ROW = (
    7,
    "2026-11-23 01:00:00.250000",
    "2026-11-23",
    1,
    0.1,
    "莲湖",
    None,
    2**40,
    b"\x00\xff",
    '{"b": 1, "a": [1, 2]}',
)
#: The same row as psycopg gives it: aware datetimes in the session's zone, real types.
PG_ROW = (
    7,
    datetime(2026, 11, 23, 9, 0, 0, 250000, tzinfo=ZoneInfo("Asia/Shanghai")),
    date(2026, 11, 23),
    True,
    0.1,
    "莲湖",
    None,
    2**40,
    memoryview(b"\x00\xff"),
    {"a": [1, 2], "b": 1},
)


def digest(rows: list[tuple[object, ...]]) -> str:
    shape = RowShape(TABLE)
    checksum = Checksum(shape)
    checksum.update(shape.canonical(rows))
    return checksum.hexdigest()


def test_the_same_data_from_either_engine_is_the_same_canonical_row() -> None:
    shape = RowShape(TABLE)
    [a] = shape.canonical([SQLITE_ROW])
    [b] = shape.canonical([PG_ROW])
    assert a[1] == datetime(2026, 11, 23, 1, 0, 0, 250000, tzinfo=UTC)
    assert a[1].tzinfo is UTC and b[1].tzinfo is UTC
    assert (a[2], a[3], a[8]) == (date(2026, 11, 23), True, b"\x00\xff")
    assert repr(a) != repr(b)  # only the JSON's key order differs…
    assert digest([SQLITE_ROW]) == digest([PG_ROW])  # …which is not data


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (1, "2026-11-23 01:00:00.250001"),  # a microsecond
        (3, 0),
        (4, 0.10000000000000002),  # the next float after 0.1
        (5, "莲湖 "),
        (6, ""),  # empty text is not NULL
        (9, '{"b": 1, "a": [2, 1]}'),
    ],
)
def test_different_data_hashes_differently(column: int, value: object) -> None:
    changed = list(SQLITE_ROW)
    changed[column] = value
    assert digest([tuple(changed)]) != digest([SQLITE_ROW])


def test_row_order_and_count_are_in_the_checksum() -> None:
    other = (8, *SQLITE_ROW[1:])
    assert digest([SQLITE_ROW, other]) != digest([other, SQLITE_ROW])
    assert digest([SQLITE_ROW]) != digest([SQLITE_ROW, SQLITE_ROW])
    assert digest([]) == digest([])


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        (0, 2**31, "超出 PostgreSQL 整数列的范围"),
        (0, -(2**31) - 1, "超出 PostgreSQL 整数列的范围"),
        (7, 2**63, "超出 PostgreSQL 整数列的范围"),
        (0, "12", "不是整数"),
        (3, 2, "不是布尔值"),
        (1, "yesterday", "不是时间"),
        (2, "2026-13-01", "不是日期"),
        (4, "0.5", "不是数字"),
        (8, "text", "不是二进制数据"),
        (9, "{not json", "不是 JSON"),
    ],
)
def test_a_value_postgresql_cannot_hold_is_refused_by_name(
    column: int, value: object, words: str
) -> None:
    bad = list(SQLITE_ROW)
    bad[column] = value
    with pytest.raises(BadValueError) as caught:
        RowShape(TABLE).canonical([SQLITE_ROW, tuple(bad)])
    message = str(caught.value)
    assert words in message
    assert f"表 sample 行 (id={bad[0]!r}) 列 {TABLE.columns[column].name}" in message


def test_integer_limits_are_the_columns() -> None:
    convert = converter(Integer())
    assert convert is not None
    assert convert(2**31 - 1) == 2**31 - 1 and convert(-(2**31)) == -(2**31)
    big = converter(BigInteger())
    assert big is not None and big(2**40) == 2**40


def test_a_naive_or_offset_timestamp_becomes_utc() -> None:
    convert = converter(UTCDateTime())
    assert convert is not None
    east8 = timezone(timedelta(hours=8))
    assert convert("2026-11-23T09:00:00+08:00") == datetime(2026, 11, 23, 1, tzinfo=UTC)
    assert convert(datetime(2026, 11, 23, 9, tzinfo=east8)).tzinfo is UTC
    assert convert(datetime(2026, 11, 23, 1)) == datetime(2026, 11, 23, 1, tzinfo=UTC)


def test_every_console_column_has_a_canonical_form() -> None:
    # A new kind of column must get one before copy-db copies it unchecked.
    for table in console_tables():
        RowShape(table)
    with pytest.raises(TypeError, match="no canonical form"):
        converter(ARRAY(Integer))


def test_parents_come_before_their_children() -> None:
    # (id, parent_id): a grid (4) stored before its unit (3), the unit before its street (2).
    rows = [(1, None), (4, 3), (3, 2), (2, 1), (5, None)]
    ordered = parents_first(rows, [(1, 0)])
    seen: set[int] = set()
    for row_id, parent in ordered:
        assert parent is None or parent in seen
        seen.add(row_id)
    assert sorted(ordered) == sorted(rows)
    # A parent that is missing does not hang: the row goes last, for PostgreSQL to refuse.
    assert parents_first([(9, 8), (1, None)], [(1, 0)]) == [(1, None), (9, 8)]
