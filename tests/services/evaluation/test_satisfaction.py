"""群众满意率: the public's ratings (console.models.PublicRating) in the monthly evaluation.

评价数 counts the cases rated in the period (by rated_at), 满意数 those rated 满意 or 基本满意,
for the rated case's regions (street, area, unit, grid, 全区) and its department; the rate is
unknown when nothing was rated. It is in no composite (weights.csv has no such term).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from console.db import Database
from console.models import Case, Department, PublicRating
from console.services import geography
from console.services.evaluation.config import EvaluationConfig
from console.services.evaluation.export import write_evaluation_xlsx
from console.services.evaluation.report import (
    EvaluationReport,
    ObjectScore,
    case_ids_for,
    evaluate,
    month_period,
)
from console.services.reference import data as reference_data

START, END = month_period("2026-10")
KEYS = ("rated", "satisfied", "satisfaction_rate")


def add_case(cid: int, grid: dict[str, int], department: int | None) -> dict[str, Any]:
    closed = START - timedelta(days=20)  # closed long before: rated in the month all the same
    return {
        "id": cid, "number": f"S{cid:012d}", "source": "public", "reporter": "公众",
        "taxonomy": reference_data.TAXONOMY_GBT2026, "kind": "event_type",
        "category_code": "0102", "urgent": False, "description": "满意度", "address": "莲湖路",
        "lon": 108.9, "lat": 34.27, **grid, "state": "closed", "department_id": department,
        "reported_at": closed - timedelta(days=2), "closed_at": closed, "updated_at": closed,
        "extension_value": 0.0, "suspended_seconds": 0.0, "rework_count": 0,
        "return_count": 0, "dispatch_count": 0, "version": 1,
    }  # fmt: skip


@pytest.fixture
def rated(demo_db: Database) -> dict[str, Any]:
    return fill_rated(demo_db)


def fill_rated(demo_db: Database) -> dict[str, Any]:
    """Cases in two grids of two streets and two departments, rated inside and outside
    October 2026 (the month's first instant in, its end out)."""
    with demo_db.read() as s:
        lookup = geography.load_grid_index(s)
        d1, d2 = list(s.scalars(select(Department.id).order_by(Department.id)))[:2]
    first = 0
    other = next(
        i for i in range(len(lookup.grid_ids)) if lookup.street_ids[i] != lookup.street_ids[first]
    )
    g1, g2 = (
        {f"{lv}_id": int(getattr(lookup, f"{lv}_ids")[i]) for lv in ("grid", "unit", "area", "street")}
        for i in (first, other)
    )  # fmt: skip
    plan = {  # case: (grid, department, rating, rated_at)
        "a": (g1, d1, "satisfied", START),
        "b": (g2, d2, "basically_satisfied", START + timedelta(days=10)),
        "c": (g1, d1, "dissatisfied", END - timedelta(seconds=1)),
        "d": (g2, d1, "satisfied", START - timedelta(seconds=1)),  # September
        "e": (g1, None, "satisfied", END),  # November
        "f": (g1, d1, None, None),  # never rated
        "g": (g2, None, "dissatisfied", START + timedelta(days=3)),  # no department
    }
    ids = {name: i + 1 for i, name in enumerate(plan)}
    with demo_db.session() as s:
        s.connection().execute(
            Case.__table__.insert(),
            [add_case(ids[k], grid, dept) for k, (grid, dept, *_) in plan.items()],
        )
        s.connection().execute(
            PublicRating.__table__.insert(),
            [
                {"case_id": ids[k], "rating": rating, "rated_at": at}
                for k, (_, _, rating, at) in plan.items()
                if rating is not None
            ],
        )
    return {"ids": ids, "g1": g1, "g2": g2, "d1": d1, "d2": d2}


def values(metrics: Any) -> dict[str, object]:
    return {m.key: m.value for m in metrics if m.key in KEYS}


def obj(report: EvaluationReport, kind: str, object_id: int) -> ObjectScore:
    return next(o for o in report.by_kind[kind] if o.object_id == object_id)


def test_ratings_of_the_month_by_region_and_department(demo_db: Database, rated: Any) -> None:
    check_ratings(demo_db, rated)


def check_ratings(demo_db: Database, rated: dict[str, Any]) -> None:
    """The month's counts and rates of the ratings of :func:`fill_rated`, and the drill-down."""
    ids, g1, g2, d1, d2 = (rated[k] for k in ("ids", "g1", "g2", "d1", "d2"))
    with demo_db.read() as s:
        report = evaluate(s, START, END, END)
    # in October: a (满意), b (基本满意), c (不满意), g (不满意); not d (September), e (November)
    assert values(report.district) == {"rated": 4, "satisfied": 2, "satisfaction_rate": 50.0}
    rate = report.district_metric("satisfaction_rate")
    assert (rate.numerator, rate.denominator) == (2, 4)
    for level in ("grid", "unit", "area", "street"):
        assert values(obj(report, level, g1[f"{level}_id"]).metrics) == {
            "rated": 2, "satisfied": 1, "satisfaction_rate": 50.0,  # a, c
        }, level  # fmt: skip
        assert values(obj(report, level, g2[f"{level}_id"]).metrics) == {
            "rated": 2, "satisfied": 1, "satisfaction_rate": 50.0,  # b, g
        }, level  # fmt: skip
    assert values(obj(report, "department", d1).metrics) == {
        "rated": 2, "satisfied": 1, "satisfaction_rate": 50.0,  # a, c
    }  # fmt: skip
    assert values(obj(report, "department", d2).metrics) == {
        "rated": 1, "satisfied": 1, "satisfaction_rate": 100.0,  # b
    }  # fmt: skip
    # a region or department with no rating: the rate is unknown, not 0 %
    others = [
        o for o in report.by_kind["grid"] if o.object_id not in (g1["grid_id"], g2["grid_id"])
    ]
    assert others and all(o.metric("satisfaction_rate").value is None for o in others)

    def cases(kind: str, object_id: int, metric: str) -> set[int]:
        with demo_db.read() as s:
            found = case_ids_for(s, START, END, kind=kind, object_id=object_id, metric=metric)
        return set(found)

    names = {v: k for k, v in ids.items()}
    assert {names[i] for i in cases("district", 0, "rated")} == set("abcg")
    assert {names[i] for i in cases("district", 0, "satisfaction_rate")} == set("ab")
    assert {names[i] for i in cases("grid", g1["grid_id"], "satisfied")} == {"a"}
    assert {names[i] for i in cases("street", g2["street_id"], "rated")} == set("bg")
    assert {names[i] for i in cases("department", d1, "rated")} == set("ac")
    # the drill-down's cases equal every count of every object
    for kind in ("street", "area", "unit", "grid", "department"):
        for o in report.by_kind[kind]:
            for key in ("rated", "satisfied"):
                assert len(cases(kind, o.object_id, key)) == o.metric(key).value, (kind, key)


def test_informational_only_not_in_the_composite(demo_db: Database, rated: Any) -> None:
    config = EvaluationConfig.load()
    terms = {t.metric for kind in config.weights.values() for t in kind}
    assert not terms & set(KEYS)
    with demo_db.read() as s:
        report = evaluate(s, START, END, END)
    # the grid with ratings only (its cases closed in September): a case, but no composite
    grid = obj(report, "grid", rated["g1"]["grid_id"])
    assert grid.status != "no_cases" and grid.composite is None


def test_a_month_without_ratings_shows_the_rate_unknown(
    demo_db: Database, rated: Any, tmp_path: Path
) -> None:
    start, end = month_period("2026-12")
    with demo_db.read() as s:
        report = evaluate(s, start, end, end)
        assert case_ids_for(s, start, end, kind="district", object_id=0, metric="rated") == []
    assert values(report.district) == {"rated": 0, "satisfied": 0, "satisfaction_rate": None}
    for kind in ("street", "grid", "department"):
        assert all(o.metric("satisfaction_rate").value is None for o in report.by_kind[kind])
    # the workbook: the rate's cell empty, its inputs 0 / 0 beside it
    book = load_workbook(write_evaluation_xlsx(report, tmp_path / "eval.xlsx"))
    sheet = book["街道"]
    header = [c.value for c in sheet[1]]
    column = header.index("群众满意率") + 1
    assert header[column : column + 2] == ["群众满意率·分子", "群众满意率·分母"]
    row = [c.value for c in sheet[2]]
    assert row[column - 1] is None and row[column : column + 2] == [0, 0]
    assert "评价数" in header and "满意数" in header


def test_the_workbook_has_the_rate_and_its_inputs(
    demo_db: Database, rated: Any, tmp_path: Path
) -> None:
    with demo_db.read() as s:
        report = evaluate(s, START, END, END)
    book = load_workbook(write_evaluation_xlsx(report, tmp_path / "eval.xlsx"))
    district = {r[0]: r[2:5] for r in book["全区"].iter_rows(values_only=True) if r and r[0]}
    assert district["群众满意率"] == (0.5, 2, 4)
    assert district["评价数"][0] == 4 and district["满意数"][0] == 2
    sheet = book["部门"]
    header = [c.value for c in sheet[1]]
    column = header.index("群众满意率")
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[rated["d2"]][column : column + 3] == (1.0, 1, 1)
    assert sheet.cell(2, column + 1).number_format == "0.00%"
