"""The evaluation of one function (职能, #16 §3) on PostgreSQL: the hand-counted month of
tests/services/evaluation/test_functions.py gives the same report per function as on SQLite
(every metric of every object), and the hand counts.

Each test runs in a fresh schema of the server named by $GRID_TEST_PG_URL; without a
reachable server the tests are skipped, except in CI ($CI set), where they fail.
"""

from __future__ import annotations

import pytest

from console.db import Database
from console.services.evaluation.report import evaluate
from tests.conftest import Clock
from tests.integration.test_evaluation_postgres import _table, pg_demo  # noqa: F401
from tests.services.console_support import local
from tests.services.evaluation.test_functions import build_function_month
from tests.services.evaluation.test_report import END, START, values

pytestmark = pytest.mark.postgres


def test_one_function_s_report_same_as_on_sqlite(
    pg_demo: Database,  # noqa: F811
    demo_db: Database,
) -> None:
    tables: list[dict[str, object]] = []
    for database in (pg_demo, demo_db):
        clock = Clock(local(23, 9))  # as the clock fixture: Monday 09:00
        build_function_month(database, clock)
        with database.read() as s:
            reports = {
                f: evaluate(s, START, END, clock.now, function=f) for f in ("安全稳定", "城市管理")
            }
        assert values(reports["安全稳定"].district)["reported"] == 3
        assert values(reports["城市管理"].district)["reported"] == 2
        tables.append({f: _table(r) for f, r in reports.items()})
    assert tables[0] == tables[1]
