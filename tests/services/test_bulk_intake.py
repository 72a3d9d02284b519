"""bulk_report on a real SQLite file with the demo district: accepted rows, rejected rows with
their index, code and reason, case numbers, events, and all-or-nothing writes."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Case, CaseEvent, CaseNumberCounter, Category
from console.services.actors import Actor
from console.services.bulk_intake import bulk_report
from console.services.cases import numbers as case_numbers
from console.services.demo import random_points_in_grids
from console.services.locator import DbLocator
from console.services.reference import data as reference_data
from console.services.report_input import MAX_ADDRESS, ReportInput

IMPORTER = Actor(id=None, name="批量导入", role="intake")
# Monday 2026-11-23 10:00 in Xi'an: every row below is reported on that local date.
AT = datetime(2026, 11, 23, 10, 0, tzinfo=LOCAL_TZ)
NOW = datetime(2026, 11, 23, 11, 0, tzinfo=LOCAL_TZ)
NUMBER = re.compile(r"^[CE]\d{4}\d{8}\d{4}$")


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Case)) or 0,
            s.scalar(select(func.count()).select_from(CaseEvent)) or 0,
            s.scalar(select(func.count()).select_from(CaseNumberCounter)) or 0,
        )


@pytest.fixture
def categories(demo_db: Database) -> list[tuple[str, str]]:
    """Three (code, kind) pairs whose code is unique to its kind: CJ/T 214 codes without a
    2026 successor, which intake keeps as they are (every 2026 部件 code is also a 事项 code;
    mapped codes: tests/services/test_category_intake.py)."""
    with demo_db.read() as s:
        rows = s.execute(
            select(Category.code, Category.kind, Category.successor_code)
            .where(Category.taxonomy == reference_data.TAXONOMY_CJT214)
            .order_by(Category.kind, Category.code)
        ).all()
    by_code: dict[str, list[str]] = defaultdict(list)
    for code, kind, _ in rows:
        by_code[code].append(kind)
    kept = {code for code, _, successor in rows if successor is None}
    unique = [(c, kinds[0]) for c, kinds in by_code.items() if len(kinds) == 1 and c in kept]
    components = [p for p in unique if p[1] == "component"]
    events = [p for p in unique if p[1] == "event_type"]
    return [components[0], events[0], events[1]]


@pytest.fixture
def points(demo_db: Database) -> list[tuple[float, float]]:
    with demo_db.read() as s:
        lons, lats = random_points_in_grids(s, 40, seed=11)
    return [(float(x), float(y)) for x, y in zip(lons, lats, strict=True)]


def row(code: str, lon: Any, lat: Any, **kw: Any) -> ReportInput:
    fields: dict[str, Any] = {
        "category_code": code,
        "lon": lon,
        "lat": lat,
        "description": "井盖缺失，影响通行",
        "address": "莲湖路100号附近",
        "source": "hotline",
        "reported_at": AT,
    }
    fields.update(kw)
    return ReportInput(**fields)


def test_valid_rows_become_cases(
    demo_db: Database, categories: list[tuple[str, str]], points: list[tuple[float, float]]
) -> None:
    reports = [
        row(code, lon, lat, kind=kind)
        for (lon, lat), (code, kind) in zip(points[:9], categories * 3, strict=True)
    ]
    result = bulk_report(demo_db, IMPORTER, reports, now=NOW, locator=DbLocator(demo_db))
    assert result.rejected == []
    assert result.accepted == 9 and len(result.case_ids) == 9
    with demo_db.read() as s:
        cases = {c.id: c for c in s.scalars(select(Case))}
        assert set(cases) == set(result.case_ids)
        for case_id, report in zip(result.case_ids, reports, strict=True):
            case = cases[case_id]
            assert case.state == "reported"
            assert (case.category_code, case.kind) == (report.category_code, report.kind)
            assert (case.lon, case.lat) == (report.lon, report.lat)
            assert case.reported_at == AT and case.updated_at == NOW
            assert case.reporter == IMPORTER.name and case.source == "hotline"
            assert case.version == 1
            assert None not in (case.grid_id, case.unit_id, case.area_id, case.street_id)


def test_case_numbers_are_unique_and_consecutive_per_prefix(
    demo_db: Database, categories: list[tuple[str, str]], points: list[tuple[float, float]]
) -> None:
    locator = DbLocator(demo_db)
    # 3 categories × 4 rows, interleaved, with a bad row in between that must not use a number.
    pairs = (categories * 4)[:12]
    reports = [
        row(code, lon, lat, kind=kind)
        for (lon, lat), (code, kind) in zip(points, pairs, strict=False)
    ]
    reports.insert(
        5,
        row(categories[0][0], points[20][0], points[20][1], kind=categories[0][1], description=""),
    )
    first = bulk_report(demo_db, IMPORTER, reports, now=NOW, locator=locator)
    assert first.accepted == 12
    assert [(i, code) for i, code, _ in first.rejected] == [(5, "missing_field")]

    def numbers(ids: list[int]) -> list[str]:
        with demo_db.read() as s:
            by_id = dict(s.execute(select(Case.id, Case.number).where(Case.id.in_(ids))).all())
        return [by_id[i] for i in ids]

    first_numbers = numbers(first.case_ids)
    assert len(set(first_numbers)) == 12
    assert all(NUMBER.match(n) for n in first_numbers)
    per_prefix: dict[str, list[int]] = defaultdict(list)
    for n in first_numbers:  # in input order
        per_prefix[n[:-4]].append(int(n[-4:]))
    assert len(per_prefix) == 3
    for code, kind in categories:
        prefix = case_numbers.number_prefix(kind, code, AT)
        assert prefix.endswith("20261123")
        assert per_prefix[prefix] == [1, 2, 3, 4]

    # A second batch continues each counter where the first left off.
    second = bulk_report(
        demo_db,
        IMPORTER,
        [
            row(code, lon, lat, kind=kind)
            for (lon, lat), (code, kind) in zip(points[30:], pairs[:5], strict=False)
        ],
        now=NOW,
        locator=locator,
    )
    assert second.accepted == 5 and second.rejected == []
    second_per_prefix: dict[str, list[int]] = defaultdict(list)
    for n in numbers(second.case_ids):
        second_per_prefix[n[:-4]].append(int(n[-4:]))
    c0 = case_numbers.number_prefix(categories[0][1], categories[0][0], AT)
    c1 = case_numbers.number_prefix(categories[1][1], categories[1][0], AT)
    c2 = case_numbers.number_prefix(categories[2][1], categories[2][0], AT)
    assert dict(second_per_prefix) == {c0: [5, 6], c1: [5, 6], c2: [5]}
    with demo_db.read() as s:
        assert case_numbers.peek(s, c0) == 6
        assert case_numbers.peek(s, c2) == 5
        all_numbers = s.scalars(select(Case.number)).all()
    assert len(all_numbers) == len(set(all_numbers)) == 17


def test_one_report_event_per_case(
    demo_db: Database, categories: list[tuple[str, str]], points: list[tuple[float, float]]
) -> None:
    reports = [row(categories[1][0], lon, lat) for lon, lat in points[:6]]  # kind inferred
    result = bulk_report(demo_db, IMPORTER, reports, now=NOW, locator=DbLocator(demo_db))
    assert result.accepted == 6
    with demo_db.read() as s:
        events = s.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
        assert sorted(e.case_id for e in events) == sorted(result.case_ids)
        for e in events:
            assert e.action == "report"
            assert (e.from_state, e.to_state) == (None, "reported")
            assert (e.actor_name, e.actor_role, e.actor_id) == (IMPORTER.name, "intake", None)
            assert e.at == AT
        kinds = set(s.scalars(select(Case.kind)))
    assert kinds == {categories[1][1]}


def test_bad_rows_are_rejected_with_index_code_and_reason(
    demo_db: Database, categories: list[tuple[str, str]], points: list[tuple[float, float]]
) -> None:
    code, kind = categories[0]
    (lon, lat), (lon2, lat2) = points[0], points[1]
    reports = [
        row(code, lon, lat, kind=kind),  # 0: good
        row("9999", lon, lat),  # 1: unknown category
        row(code, 108.5, 34.0, kind=kind),  # 2: west of the district
        row(code, lat2, lon2, kind=kind),  # 3: longitude and latitude swapped
        row(code, lon, lat, kind=kind, description="   "),  # 4: no description
        row(code, lon, lat, kind=kind, address="莲" * (MAX_ADDRESS + 1)),  # 5: address too long
        row(code, "东经108度", lat, kind=kind),  # 6: not a number
        row(code, str(lon2), str(lat2), kind=kind),  # 7: good: numeric text
        row(code, lon, lat, kind="event_type" if kind == "component" else "component"),  # 8
    ]
    before = counts(demo_db)
    result = bulk_report(demo_db, IMPORTER, reports, now=NOW, locator=DbLocator(demo_db))
    assert result.accepted == 2
    rejected = {index: (err, message) for index, err, message in result.rejected}
    assert sorted(rejected) == [1, 2, 3, 4, 5, 6, 8]
    assert rejected[1][0] == "unknown_category" and "9999" in rejected[1][1]
    assert rejected[2][0] == "outside_district"
    assert "不在辖区内" in rejected[2][1] and "米" in rejected[2][1]
    assert "写反" not in rejected[2][1]
    assert rejected[3][0] == "invalid_coordinates"
    assert "经纬度可能写反了" in rejected[3][1]
    assert rejected[4][0] == "missing_field" and "问题描述" in rejected[4][1]
    assert rejected[5][0] == "text_too_long" and "地址" in rejected[5][1]
    assert str(MAX_ADDRESS + 1) in rejected[5][1]
    assert rejected[6][0] == "invalid_coordinates" and "东经108度" in rejected[6][1]
    assert rejected[8][0] == "unknown_category"

    after = counts(demo_db)
    assert after[0] - before[0] == 2 and after[1] - before[1] == 2
    with demo_db.read() as s:
        stored = s.execute(select(Case.lon, Case.lat).where(Case.id.in_(result.case_ids))).all()
    assert sorted(stored) == sorted([(lon, lat), (lon2, lat2)])


def test_a_batch_of_only_bad_rows_writes_nothing(
    demo_db: Database, categories: list[tuple[str, str]], points: list[tuple[float, float]]
) -> None:
    code, kind = categories[0]
    lon, lat = points[0]
    good = row(code, lon, lat, kind=kind)
    bulk_report(demo_db, IMPORTER, [good], now=NOW, locator=DbLocator(demo_db))
    before = counts(demo_db)
    with demo_db.read() as s:
        last = case_numbers.peek(s, case_numbers.number_prefix(kind, code, AT))
    assert last == 1
    bad = [
        replace(good, category_code="9999"),
        replace(good, lon=108.5, lat=34.0),
        replace(good, address=""),
        replace(good, lat=float("nan")),
    ]
    result = bulk_report(demo_db, IMPORTER, bad, now=NOW, locator=DbLocator(demo_db))
    assert result.accepted == 0 and result.case_ids == []
    assert sorted((i, c) for i, c, _ in result.rejected) == [
        (0, "unknown_category"),
        (1, "outside_district"),
        (2, "missing_field"),
        (3, "invalid_coordinates"),
    ]
    assert counts(demo_db) == before
    with demo_db.read() as s:
        assert case_numbers.peek(s, case_numbers.number_prefix(kind, code, AT)) == 1
    # and the next good row takes the next number
    again = bulk_report(demo_db, IMPORTER, [good], now=NOW, locator=DbLocator(demo_db))
    with demo_db.read() as s:
        number = s.scalar(select(Case.number).where(Case.id == again.case_ids[0]))
    assert number == case_numbers.format_number(case_numbers.number_prefix(kind, code, AT), 2)


def test_an_empty_batch(demo_db: Database) -> None:
    before = counts(demo_db)
    result = bulk_report(demo_db, IMPORTER, [], now=NOW, locator=DbLocator(demo_db))
    assert (result.accepted, result.case_ids, result.rejected) == (0, [], [])
    assert counts(demo_db) == before
