"""绩效评价 on PostgreSQL: the crafted month gives the same report as on SQLite (every metric
of every object, composites and grades), and random histories match the Python baseline.

Each test runs in a fresh schema of the server named by $GRID_TEST_PG_URL; without a
reachable server the tests are skipped, except in CI ($CI set), where they fail.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from console.db import Database
from console.services import geography
from console.services.demo import ensure_people
from console.services.evaluation.report import EvaluationReport, evaluate, month_period
from console.services.reference import data as reference_data
from tests.conftest import Clock
from tests.services.console_support import local
from tests.services.evaluation.test_formulas import bulletin_month
from tests.services.evaluation.test_random import assert_matches_baseline, fill_random
from tests.services.evaluation.test_report import END, START, build_month
from tests.services.evaluation.test_satisfaction import END as RATED_END
from tests.services.evaluation.test_satisfaction import START as RATED_START
from tests.services.evaluation.test_satisfaction import check_ratings, fill_rated

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_demo(pg_url: str) -> Iterator[Database]:
    """The demo district, reference data and people on PostgreSQL (as tests/conftest.py's
    demo_template on SQLite)."""
    database = Database(pg_url)
    with database.session() as s:
        geography.ensure_demo_district(s)
    with database.session() as s:
        reference_data.load_reference_data(s)
        ensure_people(s, random.Random(1))
    yield database
    database.dispose()


def _table(report: EvaluationReport) -> dict[tuple[str, int], tuple[object, ...]]:
    out: dict[tuple[str, int], tuple[object, ...]] = {
        (kind, o.object_id): (o.name, o.metrics, o.composite, o.grade, o.rank)
        for kind, scores in report.by_kind.items()
        for o in scores
    }
    out[("district", 0)] = (report.district,)
    return out


def test_crafted_month_same_as_on_sqlite(pg_demo: Database, demo_db: Database) -> None:
    reports = []
    for database in (pg_demo, demo_db):
        clock = Clock(local(23, 9))  # as the clock fixture: Monday 09:00
        build_month(database, clock)
        with database.read() as s:
            reports.append(evaluate(s, START, END, clock.now))
    on_pg, on_sqlite = reports
    assert _table(on_pg) == _table(on_sqlite)
    assert (on_pg.daily, on_pg.by_category, on_pg.by_street) == (
        on_sqlite.daily,
        on_sqlite.by_category,
        on_sqlite.by_street,
    )
    # the hand-computed district of tests/services/evaluation/test_report.py
    district = {m.key: m.value for m in on_pg.district}
    assert (district["due"], district["closed"], district["closed_on_time"]) == (7, 6, 5)
    assert (district["close_rate"], district["on_time_close_rate"]) == (85.71, 71.43)


def test_random_histories_match_the_python_baseline(pg_demo: Database) -> None:
    fill_random(pg_demo, 300, seed=4)
    assert_matches_baseline(pg_demo)


def test_the_bulletin_on_postgresql(pg_demo: Database) -> None:
    """The 天门 bulletin month of tests/services/evaluation/test_formulas.py: 972 / 911 / 737."""
    bulletin_month(pg_demo)
    start, end = month_period("2026-11")
    with pg_demo.read() as s:
        district = {m.key: m.value for m in evaluate(s, start, end, end).district}
    assert (district["due"], district["closed"], district["closed_on_time"]) == (972, 911, 737)
    assert (district["close_rate"], district["on_time_close_rate"]) == (93.72, 75.82)


def test_satisfaction_on_postgresql(pg_demo: Database, demo_db: Database) -> None:
    """群众满意率: the ratings inside and outside the month counted and drilled into as on
    SQLite (tests/services/evaluation/test_satisfaction.py), the same report on both."""
    check_ratings(pg_demo, fill_rated(pg_demo))
    fill_rated(demo_db)
    reports = []
    for database in (pg_demo, demo_db):
        with database.read() as s:
            reports.append(evaluate(s, RATED_START, RATED_END, RATED_END))
    assert _table(reports[0]) == _table(reports[1])
