"""The queue's search from the trigram index: the same cases as the LIKE scan, on SQLite and
PostgreSQL, and current after every kind of write."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from console.db import Database
from console.models import Case
from console.services.actors import Actor
from console.services.bulk_intake import bulk_report
from console.services.cases.search import like_scan, text_condition
from console.services.cases.service import CaseService
from console.services.locator import DbLocator
from console.services.queue import QueueFilter, count_queue, page_ids_select, walks_newest
from tests.conftest import Clock
from tests.integration import test_postgres
from tests.services.console_support import CHIEF, INTAKE, report_input, street_points

demo_pg = test_postgres.demo_pg

IMPORTER = Actor(id=None, name="批量导入", role="intake")

#: (address, description): Chinese, Latin in mixed case, wildcards, quotes, text at the ends.
TEXTS = [
    ("莲湖路1号附近", "市容环境类：暴露垃圾，影响市容"),
    ("莲湖路12号", "垃圾箱满溢"),
    ("北大街100号", "道路积水 Road FLOODING near KFC"),
    ("西大街5号", "100%满溢_请处理"),
    ("劳动路", '含引号"和反斜杠\\的描述 abc'),
    ("桃园路", "末尾是垃圾"),
    ("Été 路", "ÉCOLE école Straße"),
    ("丰庆路", "路"),
    ("星火路", "温度 5 \u212a（开尔文）"),
    ("土门街", "多 空格  与\t制表符"),
    ("北关正街", "同e0601号工单一处"),  # text that reads as a case number's start
]
QUERIES = [
    "垃", "圾", "垃圾", "圾，", "莲湖路1", "莲湖路12号", "路", "附近", "影响市容", "末尾是垃圾",
    "12", "1", "100", "5号", "0", "kfc", "KfC", "road flooding", "Road", "ab", "ABC", "%", "_",
    "100%", "%满", "_请", "满溢_", "\\", '"', '引号"和', "école", "ÉCOLE", "É", "Ét", "é",
    "straße", "k", "K", "空格  与", "\t制", "不存在的文字", "x", "E", "E0", "C0",
]  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue("demo_db" if request.param == "sqlite" else "demo_pg")


def _report_texts(db: Database, clock: Clock) -> list[int]:
    service = CaseService(db, clock=clock)
    point = street_points(db)[0][2]
    ids = []
    for address, description in TEXTS:
        ids.append(
            service.report(INTAKE, report_input(point, address=address, description=description)).id
        )
    return ids


def _found(db: Database, query: str, now: datetime) -> set[int]:
    """What the queue's 查询 tab shows for ``query`` (every page), checked against its count."""
    f = QueueFilter(tab="search", text=query)
    with db.read() as s:
        ids = set(s.scalars(page_ids_select(f, now, offset=0, limit=10_000)))
        assert count_queue(s, f, now) == len(ids)
        walked = page_ids_select(f, now, offset=0, limit=10_000, walk_newest=True)
        assert set(s.scalars(walked)) == ids  # the other plan (SQLite), the same cases
    return ids


def _scanned(db: Database, query: str) -> set[int]:
    with db.read() as s:
        return set(s.scalars(select(Case.id).where(like_scan(query))))


def _numbers(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Case.number).order_by(Case.id)))


def test_the_index_answers_what_the_like_scan_answers(any_db: Database, clock: Clock) -> None:
    _report_texts(any_db, clock)
    number = _numbers(any_db)[0]
    prefixes = [number[:3], number[:9], number[:-1], number, number[-2:], number.lower()[:6]]
    for query in QUERIES + prefixes:
        assert _found(any_db, query, clock.now) == _scanned(any_db, query), query
    assert len(_found(any_db, "垃圾", clock.now)) == 3  # at the start, middle and end
    assert len(_found(any_db, number[:9], clock.now)) == len(TEXTS)  # one category, one day
    assert len(_found(any_db, "kfc", clock.now)) == 1


def test_the_index_follows_updates_deletes_and_the_bulk_intake(
    any_db: Database, clock: Clock
) -> None:
    ids = _report_texts(any_db, clock)
    with any_db.session() as s:  # no service rewrites the text, but a script may
        s.execute(
            text("UPDATE cases SET description = '井盖缺失', address = '青年路7号' WHERE id = :i"),
            {"i": ids[1]},
        )
    assert ids[1] not in _found(any_db, "垃圾箱", clock.now)
    assert _found(any_db, "井盖缺", clock.now) == {ids[1]} == _found(any_db, "青年路7", clock.now)
    assert _found(any_db, "井盖", clock.now) == {ids[1]}
    point = street_points(any_db)[0][2]
    reports = [
        report_input(
            point, address=f"洒金桥{i}号", description="批量导入的积存垃圾", source="hotline"
        )
        for i in range(30)
    ]
    result = bulk_report(any_db, IMPORTER, reports, now=clock.now, locator=DbLocator(any_db))
    assert _found(any_db, "积存垃圾", clock.now) == set(result.case_ids)
    assert _found(any_db, "洒金桥1", clock.now) == set(
        result.case_ids[1:2] + result.case_ids[10:20]
    )
    with any_db.session() as s:  # a case without a timeline (events forbid deleting theirs)
        _insert_bare_case(s, ids[0], "西华门99号", "待删除的案件")
    assert len(_found(any_db, "待删除", clock.now)) == 1
    with any_db.session() as s:
        s.execute(text("DELETE FROM cases WHERE number = 'X-DELETE-ME'"))
    assert _found(any_db, "待删除", clock.now) == set()
    assert _found(any_db, "西华门", clock.now) == _scanned(any_db, "西华门") == set()


def test_void_and_merge_keep_the_cases_findable(any_db: Database, clock: Clock) -> None:
    ids = _report_texts(any_db, clock)
    service = CaseService(any_db, clock=clock)
    service.void(CHIEF, ids[0], None, note="重复")
    service.merge(CHIEF, ids[1], None, ids[5], None)
    assert _found(any_db, "垃圾", clock.now) == {ids[0], ids[1], ids[5]}
    assert _found(any_db, "垃圾箱", clock.now) == {ids[1]}


def _insert_bare_case(s: Session, like_id: int, address: str, description: str) -> None:
    """A copy of case ``like_id`` with its own number and text, written with plain SQL."""
    columns = [c.name for c in Case.__table__.columns if c.name not in ("id", "number")]
    names = ", ".join(columns)
    s.execute(
        text(
            f"INSERT INTO cases (number, {names}) SELECT 'X-DELETE-ME', {names} FROM cases "
            "WHERE id = :i"
        ),
        {"i": like_id},
    )
    s.execute(
        text("UPDATE cases SET address = :a, description = :d WHERE number = 'X-DELETE-ME'"),
        {"a": address, "d": description},
    )


def test_sqlite_reads_the_index_for_two_characters_or_more(demo_db: Database) -> None:
    def plan(query: str) -> str:
        stmt = select(func.count()).select_from(Case).where(text_condition(query))
        with demo_db.read() as s:
            sql = str(stmt.compile(demo_db.engine, compile_kwargs={"literal_binds": True}))
            return " ".join(str(r[-1]) for r in s.execute(text(f"EXPLAIN QUERY PLAN {sql}")))

    for query in ("垃圾", "莲湖路1", "E0102号", "ab"):
        assert "cases_search VIRTUAL TABLE" in plan(query), query
    # A number prefix (E0102) reads the number's index instead: test_search_numbers.
    for query in ("垃", "é路"):  # one character; a cased letter outside ASCII in two
        assert "cases_search" not in plan(query) and "SCAN cases" in plan(query), query


@pytest.mark.postgres
def test_postgresql_reads_the_trigram_indexes(demo_pg: Database, clock: Clock) -> None:
    _report_texts(demo_pg, clock)
    stmt = select(Case.id).where(text_condition("莲湖路1"))
    with demo_pg.read() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))  # a handful of rows: force the choice
        sql = str(stmt.compile(demo_pg.engine, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(r[0] for r in s.execute(text(f"EXPLAIN {sql}")))
    assert "ix_cases_address_trgm" in plan and "ix_cases_description_trgm" in plan, plan


def test_a_common_text_walks_the_report_time_index(demo_db: Database, clock: Clock) -> None:
    _report_texts(demo_db, clock)
    number = _numbers(demo_db)[0]

    def walks(query: str, limit: int) -> bool:
        with demo_db.read() as s:
            f = QueueFilter(tab="search", text=query)
            return walks_newest(s, f, offset=0, limit=limit)

    assert walks("垃圾", 1)  # 3 of 11 cases: the newest one is a few steps away
    assert not walks("垃圾", 50)  # a page longer than the table: read the 3 by id
    assert not walks("不存在的文字", 1) and not walks("路", 1)  # none; one character scans
    assert not walks(number[:9], 1)  # a number's start names few cases: no count first
