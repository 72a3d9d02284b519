"""Older (CJ/T 214) codes on intake after GB/T 47678.5-2026 took effect, on a real SQLite
demo database: through CaseService (one report) and bulk_report (many)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.errors import UnknownCategoryError, ValidationError
from console.models import Case, DeadlineRule
from console.services.bulk_intake import bulk_report
from console.services.cases.service import CaseService
from console.services.locator import DbLocator
from tests.conftest import Clock
from tests.services.console_support import CHIEF, INTAKE, report_input, street_points

OLD = "cjt214"
NEW = "gbt47678-5-2026"
JUNE_30 = datetime(2026, 6, 30, 10, 0, tzinfo=LOCAL_TZ)
JULY_1 = datetime(2026, 7, 1, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def point(demo_db: Database) -> tuple[float, float]:
    (_street, _grid, p), *_ = street_points(demo_db)
    return p


def _filed(db: Database, case_id: int) -> tuple[str, str, str, str | None, str | None]:
    """Where a case is filed, and the code as reported if it was mapped."""
    with db.read() as s:
        row = s.execute(
            select(
                Case.taxonomy,
                Case.kind,
                Case.category_code,
                Case.original_taxonomy,
                Case.original_category_code,
            ).where(Case.id == case_id)
        ).one()
    return tuple(row)  # type: ignore[return-value]


def test_an_older_code_is_filed_under_its_successor_and_kept(
    demo_db: Database, point: tuple[float, float]
) -> None:
    service = CaseService(demo_db, clock=Clock(JULY_1))
    snap = service.report(INTAKE, report_input(point, category_code="0102"))  # 暴露垃圾
    assert _filed(demo_db, snap.id) == (NEW, "event_type", "06010", OLD, "0102")
    assert snap.number == "E06010202607010001"
    # The 2026 rule and route apply: 4工作时, like the 2026 暴露垃圾 row.
    snap = service.register(CHIEF, snap.id, snap.version)
    assert (snap.limit_value, snap.limit_unit) == (4.0, "work_hours")
    with demo_db.read() as s:
        rule_taxonomy = s.scalar(
            select(DeadlineRule.taxonomy)
            .join(Case, Case.rule_id == DeadlineRule.id)
            .where(Case.id == snap.id)
        )
    assert rule_taxonomy == NEW


def test_the_day_before_the_older_code_stays(demo_db: Database, point) -> None:
    service = CaseService(demo_db, clock=Clock(JUNE_30))
    snap = service.report(INTAKE, report_input(point, category_code="0102"))
    assert _filed(demo_db, snap.id) == (OLD, "event_type", "0102", None, None)
    assert snap.number == "E0102202606300001"
    # A 2026 code before the changeover is taken as it is.
    snap = service.report(INTAKE, report_input(point, category_code="06010"))
    assert _filed(demo_db, snap.id) == (NEW, "event_type", "06010", None, None)


def test_the_report_time_not_the_clock_decides(demo_db: Database, point) -> None:
    service = CaseService(demo_db, clock=Clock(JULY_1))
    snap = service.report(INTAKE, report_input(point, category_code="0102", reported_at=JUNE_30))
    assert _filed(demo_db, snap.id) == (OLD, "event_type", "0102", None, None)


@pytest.mark.parametrize(
    ("over", "filed"),
    [
        # A key with its kind letter, and an explicit taxonomy, map the same way.
        ({"category_code": "C0102", "kind": None}, (NEW, "component", "01002", OLD, "0102")),
        (
            {"category_code": "0101", "kind": "event_type", "taxonomy": OLD},
            (NEW, "event_type", "06001", OLD, "0101"),
        ),
        # No successor (上水井盖 vs 供水井盖; the local 扩展事件): kept in CJ/T 214.
        ({"category_code": "0101", "kind": "component"}, (OLD, "component", "0101", None, None)),
        ({"category_code": "0601"}, (OLD, "event_type", "0601", None, None)),
    ],
)
def test_key_forms_explicit_taxonomy_and_codes_without_successor(
    demo_db: Database, point, over: dict[str, object], filed: tuple[object, ...]
) -> None:
    service = CaseService(demo_db, clock=Clock(JULY_1))
    snap = service.report(INTAKE, report_input(point, **over))
    assert _filed(demo_db, snap.id) == filed


@pytest.mark.parametrize(
    ("over", "error", "message"),
    [
        (
            {"category_code": "0198"},
            UnknownCategoryError,
            "分类标准 cjt214 中没有事件类别代码“0198”",
        ),
        ({"category_code": "06010", "taxonomy": "gbt"}, ValidationError, "未知的分类标准“gbt”"),
        ({"category_code": "0102", "kind": None}, ValidationError, "请指明部件或事件"),
    ],
)
def test_bad_codes_are_refused_clearly(
    demo_db: Database, point, over: dict[str, object], error: type[Exception], message: str
) -> None:
    service = CaseService(demo_db, clock=Clock(JULY_1))
    with pytest.raises(error, match=message):
        service.report(INTAKE, report_input(point, **over))


def test_bulk_intake_maps_by_each_report_time(demo_db: Database, point) -> None:
    reports = [
        report_input(point, category_code="0102", reported_at=JULY_1),
        report_input(point, category_code="0102", reported_at=JUNE_30),
        report_input(point, category_code="06010", reported_at=JULY_1),
        report_input(point, category_code="0601", reported_at=JULY_1),
        report_input(point, category_code="0198", reported_at=JULY_1),
        report_input(point, category_code="0102", taxonomy="gbt"),
    ]
    result = bulk_report(demo_db, INTAKE, reports, now=JULY_1, locator=DbLocator(demo_db))
    assert result.accepted == 4
    assert [(i, code) for i, code, _ in result.rejected] == [
        (4, "unknown_category"),
        (5, "invalid"),
    ]
    assert "未知类别代码 0198（cjt214）" in result.rejected[0][2]
    assert "未知的分类标准“gbt”" in result.rejected[1][2]
    filed = [_filed(demo_db, case_id) for case_id in result.case_ids]
    assert filed == [
        (NEW, "event_type", "06010", OLD, "0102"),
        (OLD, "event_type", "0102", None, None),
        (NEW, "event_type", "06010", None, None),
        (OLD, "event_type", "0601", None, None),
    ]
    assert result.numbers[0] == "E06010202607010001" and result.numbers[2].startswith("E06010")
