"""The tier figures on PostgreSQL: the same cases on every path (tests/services/evaluation/
test_tiers.py, through the real services) give the same hand-computed numbers, drill-downs
and street leader's report on the real server as on SQLite.

Each test runs in a fresh schema of the server named by $GRID_TEST_PG_URL; without a
reachable server the tests are skipped, except in CI ($CI set), where they fail.
"""

from __future__ import annotations

import pytest

from console.db import Database
from tests.conftest import Clock
from tests.integration.test_evaluation_postgres import pg_demo  # noqa: F401
from tests.services.console_support import local
from tests.services.evaluation.test_tiers import (
    build_paths,
    check_street_leader,
    check_tier_figures,
)

pytestmark = pytest.mark.postgres


def test_tier_figures_on_postgres(pg_demo: Database) -> None:  # noqa: F811
    clock = Clock(local(23, 9))  # as the clock fixture: Monday 09:00
    paths = build_paths(pg_demo, clock)
    check_tier_figures(pg_demo, paths)
    check_street_leader(pg_demo, paths, clock)
