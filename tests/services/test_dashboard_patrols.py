"""The dashboard's patrol figures on a real SQLite file with real patrols: grids visited today
per street (an ended patrol's stored coverage and an open one's points), patrols open now and
km today; yesterday's patrol is not today's."""

from __future__ import annotations

from datetime import datetime

import pytest

from console.config import LOCAL_TZ
from console.db import Database
from console.services.dashboard import dashboard_numbers
from tests.services.evaluation.test_patrols import chain, grids_under, walk_month

TUESDAY = datetime(2026, 11, 3, 15, 0, tzinfo=LOCAL_TZ)


def test_todays_patrols_per_street_open_now_and_km(demo_db: Database) -> None:
    # Mon 2 Nov: A → B, ended. Tue 3 Nov: inside A, still open.
    month = walk_month(demo_db)
    with demo_db.read() as s:
        tuesday = dashboard_numbers(s, TUESDAY)
        monday = dashboard_numbers(s, datetime(2026, 11, 2, 18, 0, tzinfo=LOCAL_TZ))
        wednesday = dashboard_numbers(s, datetime(2026, 11, 4, 8, 0, tzinfo=LOCAL_TZ))
    under = grids_under(demo_db)
    _, _, street_a, _ = chain(demo_db, month.a)
    _, _, street_b, _ = chain(demo_db, month.b)

    by_street = {sid: (visited, grids) for sid, _, visited, grids in tuesday.patrol_by_street}
    assert len(by_street) == 9 and sum(g for _, g in by_street.values()) == 364
    assert by_street[street_a] == (1, under[street_a])  # only A today
    assert tuesday.grids_patrolled_today == 1
    assert tuesday.patrol_coverage_today == pytest.approx(1 / 364)
    assert tuesday.patrols_open == 1
    assert tuesday.patrol_km_today == round(month.open_distance / 1000.0, 2)

    visited_monday = {sid: v for sid, _, v, _ in monday.patrol_by_street}
    if street_a == street_b:
        assert visited_monday[street_a] == 2
    else:
        assert (visited_monday[street_a], visited_monday[street_b]) == (1, 1)
    assert monday.grids_patrolled_today == 2
    assert monday.patrol_km_today == round(month.distance / 1000.0, 2)

    # Wednesday: nothing walked yet; the grid manager's patrol is still open.
    assert wednesday.grids_patrolled_today == 0 and wednesday.patrol_coverage_today == 0.0
    assert wednesday.patrols_open == 1 and wednesday.patrol_km_today == 0.0
