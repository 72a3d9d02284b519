"""A patrol's coverage stored when it ends (patrol_grid_coverage), on a real SQLite file with
real patrols through PatrolService: the rows equal the coverage computed from the track, a
second end writes nothing, a patrol over midnight is split as a day's coverage is, and a
period's figures (period_patrols) read the stored rows and the open patrols' points alike."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.db import Database
from console.models.patrol import PatrolGridCoverage
from console.services.patrols import PatrolService, PatrolStateError, period_patrols
from tests.conftest import Clock
from tests.services.test_patrols import INSPECTOR_ID, haversine, two_neighbours, walk


def stored(db: Database, patrol_id: int) -> dict[tuple[str, int], tuple[float, bool]]:
    with db.read() as s:
        rows = s.execute(
            select(PatrolGridCoverage).where(PatrolGridCoverage.patrol_id == patrol_id)
        ).scalars()
        return {(f"{r.day:%Y-%m-%d}", r.grid_id): (r.metres, r.visited) for r in rows}


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> PatrolService:
    return PatrolService(demo_db, clock)


def test_end_stores_each_grid_visited_and_a_second_end_writes_nothing(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    (ka, a), (kb, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    total = haversine((pa.x, pa.y), (pb.x, pb.y))
    patrol = service.start(INSPECTOR_ID)
    points = walk((pa.x, pa.y), (pb.x, pb.y), max(2, int(total / 5) + 2), clock.now)
    service.add_points(INSPECTOR_ID, patrol.id, points, key="b1")
    # Open: nothing stored yet; the period's figures come from the points.
    assert stored(demo_db, patrol.id) == {}
    with demo_db.read() as s:
        live = period_patrols(s, *_day(clock.now))
    assert set(live.visited_days) == {ka, kb}
    assert live.by_user[INSPECTOR_ID][0] == 1
    assert live.by_user[INSPECTOR_ID][1] == pytest.approx(total, abs=1.0)
    assert live.open_now == 1

    clock.advance(minutes=40)
    ended = service.end(INSPECTOR_ID, patrol.id)
    rows = stored(demo_db, patrol.id)
    computed = {g.grid_id: g for g in service.coverage_of_patrol(patrol.id) if g.visited}
    today = f"{clock.now:%Y-%m-%d}"
    assert set(rows) == {(today, ka), (today, kb)} == {(today, k) for k in computed}
    for key in (ka, kb):
        metres, visited = rows[(today, key)]
        assert visited and metres == pytest.approx(computed[key].length_m, abs=1e-6)
    assert sum(m for m, _ in rows.values()) == pytest.approx(ended.distance_m, abs=1.0)

    with demo_db.read() as s:
        after = period_patrols(s, *_day(clock.now))
    assert after.visited_days == live.visited_days
    assert after.metres == pytest.approx(live.metres)
    assert after.by_user[INSPECTOR_ID] == (1, pytest.approx(ended.distance_m))
    assert after.open_now == 0

    with pytest.raises(PatrolStateError):
        service.end(INSPECTOR_ID, patrol.id)
    assert stored(demo_db, patrol.id) == rows
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(PatrolGridCoverage)) == 2


def test_a_patrol_over_midnight_is_split_by_day_as_coverage_of_day(
    demo_db: Database, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 23, 23, 50, tzinfo=LOCAL_TZ)
    service = PatrolService(demo_db, clock)
    (ka, a), (kb, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    patrol = service.start(INSPECTOR_ID)
    points = walk((pa.x, pa.y), (pb.x, pb.y), 60, clock.now)
    # Half before midnight (server time), half after.
    service.add_points(INSPECTOR_ID, patrol.id, points[:30], key="before")
    clock.advance(minutes=15)
    service.add_points(INSPECTOR_ID, patrol.id, points[30:], key="after")
    service.end(INSPECTOR_ID, patrol.id)
    rows = stored(demo_db, patrol.id)
    for day in (clock.now.date() - timedelta(days=1), clock.now.date()):
        expected = {
            (f"{day:%Y-%m-%d}", g.grid_id): g.length_m
            for g in service.coverage_of_day(day)
            if g.visited
        }
        got = {k: m for k, (m, _) in rows.items() if k[0] == f"{day:%Y-%m-%d}"}
        assert set(got) == set(expected) and got
        for key, metres in expected.items():
            assert got[key] == pytest.approx(metres, abs=1e-6)
    assert {k[1] for k in rows} <= {ka, kb}


def test_a_patrol_without_points_ends_with_no_rows(
    service: PatrolService, demo_db: Database
) -> None:
    patrol = service.start(INSPECTOR_ID)
    assert service.end(INSPECTOR_ID, patrol.id).distance_m == 0.0
    assert stored(demo_db, patrol.id) == {}


def _day(now: datetime) -> tuple[datetime, datetime]:
    start = now.astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def test_an_open_patrols_figures_follow_its_batches(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    """Read between batches, the open patrol's figures are brought up to date from the new
    points only (the segment joining two batches included) and equal the whole track's."""
    (ka, a), (kb, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    total = haversine((pa.x, pa.y), (pb.x, pb.y))
    points = walk((pa.x, pa.y), (pb.x, pb.y), max(2, int(total / 5) + 2), clock.now)
    patrol = service.start(INSPECTOR_ID)
    seen = []
    for k, batch in enumerate(
        (points[:3], points[3 : len(points) // 2], points[len(points) // 2 :])
    ):
        service.add_points(INSPECTOR_ID, patrol.id, batch, key=f"b{k}")
        with demo_db.read() as s:
            seen.append(period_patrols(s, *_day(clock.now)))
    assert set(seen[0].visited_days) == {ka}
    assert set(seen[-1].visited_days) == {ka, kb}
    whole = {g.grid_id: g.length_m for g in service.coverage_of_patrol(patrol.id) if g.visited}
    assert seen[-1].metres == pytest.approx(whole, abs=1e-6)
    assert seen[-1].by_user[INSPECTOR_ID][1] == pytest.approx(total, abs=1.0)
    service.end(INSPECTOR_ID, patrol.id)
    with demo_db.read() as s:
        ended = period_patrols(s, *_day(clock.now))
    assert ended.metres == pytest.approx(seen[-1].metres, abs=1e-6)
    assert ended.open_now == 0
