"""Text that reads as the start of a case number: from the number's index as a range and the
partial indexes of migration 0015 (irregular numbers; on SQLite, addresses and descriptions
that could hold a number), on PostgreSQL the address's and description's trigram indexes —
the same cases as the LIKE scan, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from console.db import Database, alembic_config
from console.models import Case
from console.models.case_search import (
    IRREGULAR_NUMBERS_INDEX,
    NUMBER_LIKE_TEXTS_INDEX,
    PG_INDEXES,
)
from console.services.cases.search import (
    candidate_count,
    is_number_prefix,
    names_few_cases,
    number_range,
    text_condition,
)
from console.services.queue import QueueFilter, walks_newest
from tests.conftest import Clock
from tests.services.cases.test_search import (
    _found,
    _numbers,
    _report_texts,
    _scanned,
    any_db,
    demo_pg,
)

__all__ = ["any_db", "demo_pg"]  # the fixtures, shared with test_search


def test_the_range_holds_every_number_that_starts_with_the_text() -> None:
    assert number_range("E0102202612") == ("E0102202612", "E0102202613")
    assert number_range("c0101") == ("C0101", "C0102")  # any case: numbers are upper-case
    assert number_range("E0109") == ("E0109", "E011")  # a 9 carries: no ':' for a collation
    assert number_range("E0199") == ("E0199", "E02")
    assert number_range("C99") == ("C99", "D")
    assert all(is_number_prefix(t) for t in ("E0102202612", "c01", "e0601"))
    assert not any(is_number_prefix(t) for t in ("E", "E0", "E01号", "X0101", "0101", "E 01"))
    # A category and more: too few to count first. Shorter: counted (walks_newest).
    assert names_few_cases("E01022026") and names_few_cases("e0601020261")
    assert not any(names_few_cases(t) for t in ("E01", "C0101", "E0102202", "路E01022026"))


def _insert_numbered(s: Session, like_id: int, number: str, description: str) -> int:
    """A copy of case ``like_id`` with its own number and description (a script's insert)."""
    columns = [c.name for c in Case.__table__.columns if c.name not in ("id", "number")]
    names = ", ".join(columns)
    s.execute(
        text(f"INSERT INTO cases (number, {names}) SELECT :n, {names} FROM cases WHERE id = :i"),
        {"n": number, "i": like_id},
    )
    s.execute(
        text("UPDATE cases SET description = :d WHERE number = :n"),
        {"d": description, "n": number},
    )
    return int(s.scalar(select(Case.id).where(Case.number == number)) or 0)


def test_a_number_prefix_finds_what_the_like_scan_finds(any_db: Database, clock: Clock) -> None:
    ids = _report_texts(any_db, clock)  # one category, one day: E06010 + yyyymmdd + sequence
    number = _numbers(any_db)[0]
    short, longer = number[:11], number[:14]
    with any_db.session() as s:
        # Numbers no service writes (a script's): the text further in, lower-case, a
        # neighbour of the range's carried upper end; and a number prefix in a description.
        inner = _insert_numbered(s, ids[0], f"X-{short}-1", "脚本写入的案件")
        lower = _insert_numbered(s, ids[0], f"{longer.lower()}77", "小写编号")
        colon = _insert_numbered(s, ids[0], f"{number[:4]}:0", "冒号编号")
        text_only = _insert_numbered(s, ids[0], "Z-1", f"见{short.lower()}号案件")
    all_ids = set(ids)
    assert _found(any_db, short, clock.now) == all_ids | {inner, lower, text_only}
    assert _found(any_db, longer.lower(), clock.now) == all_ids | {lower}
    assert _found(any_db, number, clock.now) == {ids[0]}
    assert _found(any_db, number[:4] + "9", clock.now) == set()  # not E010:0, in its range
    assert colon in _found(any_db, ":0", clock.now)
    queries = [number[:k] for k in range(3, len(number) + 1)] + [
        short.lower(),
        number[:3] + "99",
        "E99",
        "e0601",  # in the numbers and in a description
        "C0",  # too short to read as a number: the trigram index
        "e0601号",  # not a number prefix: the trigram index
        number[0] + "9" * 12,  # past every number
    ]
    for query in queries:
        assert _found(any_db, query, clock.now) == _scanned(any_db, query), query


def _sqlite_plan(db: Database, query: str) -> str:
    stmt = select(func.count()).select_from(Case).where(text_condition(query))
    with db.read() as s:
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        return "\n".join(str(r[-1]) for r in s.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_sqlite_reads_a_number_prefix_from_the_indexes(demo_db: Database, clock: Clock) -> None:
    _report_texts(demo_db, clock)
    with demo_db.engine.connect() as conn:  # the statistics of a district's 2,000,000 cases
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'cases'")
        conn.exec_driver_sql(
            "INSERT INTO sqlite_stat1 VALUES ('cases', 'sqlite_autoindex_cases_1', '2000000 1')"
        )
        conn.exec_driver_sql("ANALYZE sqlite_schema")  # read them again
        conn.commit()
    plan = _sqlite_plan(demo_db, _numbers(demo_db)[0][:11])
    assert "(number>? AND number<?)" in plan, plan  # the unique index, as a range
    assert IRREGULAR_NUMBERS_INDEX in plan and NUMBER_LIKE_TEXTS_INDEX in plan, plan
    assert "cases_search" not in plan, plan  # its digit trigrams are in every number
    assert "SCAN cases" not in plan.splitlines(), plan  # no line reads the whole table


def test_a_short_number_prefix_is_counted_from_the_indexes(demo_db: Database, clock: Clock) -> None:
    ids = _report_texts(demo_db, clock)
    number = _numbers(demo_db)[0]
    with demo_db.session() as s:
        _insert_numbered(s, ids[0], f"X-{number[:5]}", "脚本写入的案件")

    def walks(query: str) -> bool:
        with demo_db.read() as s:
            return walks_newest(s, QueueFilter(tab="search", text=query), offset=0, limit=1)

    with demo_db.read() as s:
        assert candidate_count(s, number[:5]) == len(ids) + 1  # exact: the scripted one too
        assert candidate_count(s, "e0601") == len(_scanned(demo_db, "e0601"))
    assert walks(number[:5])  # 12 of 12 cases: the newest is the first step
    assert not walks(number[:9])  # a category and more: not counted first


@pytest.mark.postgres
def test_postgresql_reads_a_number_prefix_from_the_indexes(demo_pg: Database, clock: Clock) -> None:
    _report_texts(demo_pg, clock)
    stmt = select(Case.id).where(text_condition(_numbers(demo_pg)[0][:11]))
    with demo_pg.read() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))  # a handful of rows: force the choice
        sql = str(stmt.compile(demo_pg.engine, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(r[0] for r in s.execute(text(f"EXPLAIN {sql}")))
    assert "uq_cases_number" in plan and IRREGULAR_NUMBERS_INDEX in plan, plan
    assert PG_INDEXES["address"] in plan and PG_INDEXES["description"] in plan, plan
    assert PG_INDEXES["number"] not in plan, plan


def test_migration_0015_goes_down_and_up(any_db: Database, clock: Clock) -> None:
    ids = _report_texts(any_db, clock)
    number = _numbers(any_db)[0]
    with any_db.session() as s:
        inner = _insert_numbered(s, ids[0], f"X-{number}", "升级前的脚本案件")

    sqlite = any_db.dialect == "sqlite"
    added = (
        {IRREGULAR_NUMBERS_INDEX, NUMBER_LIKE_TEXTS_INDEX} if sqlite else {IRREGULAR_NUMBERS_INDEX}
    )

    def indexes() -> set[str]:
        names = {str(ix["name"]) for ix in inspect(any_db.engine).get_indexes("cases")}
        return names & {IRREGULAR_NUMBERS_INDEX, NUMBER_LIKE_TEXTS_INDEX}

    assert indexes() == added
    config = alembic_config(any_db.engine)
    command.downgrade(config, "0014")
    assert indexes() == set()
    command.upgrade(config, "head")
    assert indexes() == added
    assert _found(any_db, number, clock.now) == {ids[0], inner}
    assert _found(any_db, "E0601", clock.now) == _scanned(any_db, "E0601")  # in a description
