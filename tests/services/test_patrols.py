"""Patrols on a real SQLite file: a known path through two grids, refused batches, replays,
the unpatrolled grids, and the rules files."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest
import shapely
from shapely.geometry import LineString, shape
from sqlalchemy import func, select

from console.db import Database
from console.errors import OutsideDistrictError, PermissionDeniedError, ValidationError
from console.models import Patrol, PatrolPoint, Region
from console.services.idempotency import IdempotencyMismatchError
from console.services.patrol_rules import PatrolRulesError, parse_frequencies
from console.services.patrols import PatrolService, PatrolStateError, TrackPoint
from tests.conftest import Clock
from tests.services.console_support import DISPATCHER, GRID, INSPECTOR

R = 6_371_008.8
INSPECTOR_ID, GRID_ID, DISPATCHER_ID = (int(a.id or 0) for a in (INSPECTOR, GRID, DISPATCHER))


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(h))


def two_neighbours(db: Database) -> tuple[tuple[int, object], tuple[int, object]]:
    """Two grids sharing an edge (a line, not just a corner)."""
    with db.read() as s:
        rows = s.execute(
            select(Region.id, Region.geometry).where(Region.level == "grid").order_by(Region.id)
        ).all()
    grids = [(r.id, shape(json.loads(r.geometry))) for r in rows]
    for i, (ka, a) in enumerate(grids):
        for kb, b in grids[i + 1 :]:
            if a.touches(b) and a.intersection(b).length > 1e-4:
                return (ka, a), (kb, b)
    raise AssertionError("no neighbouring grids")


def walk(a: tuple[float, float], b: tuple[float, float], n: int, t0, step_s: int = 10):
    return [
        TrackPoint(
            a[0] + (b[0] - a[0]) * k / (n - 1),
            a[1] + (b[1] - a[1]) * k / (n - 1),
            t0 + timedelta(seconds=step_s * k),
            5.0,
        )
        for k in range(n)
    ]


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> PatrolService:
    return PatrolService(demo_db, clock)


def test_a_path_through_two_grids_gives_their_lengths(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    (ka, a), (kb, b) = two_neighbours(demo_db)
    pa = a.representative_point()
    pb = b.representative_point()
    start, end = (pa.x, pa.y), (pb.x, pb.y)
    line = LineString([start, end])
    total = haversine(start, end)
    patrol = service.start(INSPECTOR_ID)
    n = max(2, int(total / 5) + 2)  # ~5 m steps every 10 s
    points = walk(start, end, n, clock.now)
    half = n // 2
    service.add_points(INSPECTOR_ID, patrol.id, points[:half], key="b1")
    service.add_points(INSPECTOR_ID, patrol.id, points[half:], key="b2")
    clock.advance(hours=1)
    ended = service.end(INSPECTOR_ID, patrol.id)
    assert ended.distance_m == pytest.approx(total, abs=1.0)
    assert ended.duration_s == 3600
    assert ended.points == n

    # Expected: the line's part in each grid, measured on the sphere.
    expected = {}
    for key, poly in ((ka, a), (kb, b)):
        part = line.intersection(poly)
        expected[key] = sum(
            haversine(*[tuple(c) for c in (g.coords[0], g.coords[-1])])
            for g in getattr(part, "geoms", [part])
        )
    by_grid = {g.grid_id: g for g in service.coverage_of_patrol(patrol.id)}
    day = {g.grid_id: g for g in service.coverage_of_day(clock.now.date())}
    for key in (ka, kb):
        assert by_grid[key].visited and day[key].visited
        assert by_grid[key].length_m == pytest.approx(expected[key], abs=1.0)
        assert day[key].length_m == pytest.approx(expected[key], abs=1.0)
    others = [g for g in by_grid.values() if g.grid_id not in (ka, kb)]
    assert sum(g.length_m for g in others) == pytest.approx(0, abs=1.0)
    assert not any(g.visited for g in others if g.length_m == 0)

    # Both grids were patrolled today; every other grid (frequency 1 day) is listed.
    unpatrolled = {u.grid_id for u in service.unpatrolled(clock.now.date())}
    assert ka not in unpatrolled and kb not in unpatrolled
    assert len(unpatrolled) == len(by_grid) - 2 - sum(g.visited for g in others)


def test_an_impossible_speed_refuses_the_batch_and_writes_nothing(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    (_, a), (_, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    patrol = service.start(GRID_ID)
    points = walk((pa.x, pa.y), (pa.x, pa.y + 0.0001), 3, clock.now)
    # Point 3 jumps to the other grid one second later.
    far = TrackPoint(pb.x, pb.y, points[-1].device_time + timedelta(seconds=1))
    with pytest.raises(ValidationError, match=r"第 3 个轨迹点.*米/秒"):
        service.add_points(GRID_ID, patrol.id, [*points, far], key="k")
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(PatrolPoint)) == 0
    # The same key may then carry a good batch; a different batch under it is refused.
    service.add_points(GRID_ID, patrol.id, points, key="k")
    answer, replayed = service.add_points(GRID_ID, patrol.id, points, key="k")
    assert replayed and answer["accepted"] == 3
    with pytest.raises(IdempotencyMismatchError):
        service.add_points(GRID_ID, patrol.id, points[:2], key="k")
    # The speed check reaches back to the last stored point.
    with pytest.raises(ValidationError, match="第 0 个轨迹点"):
        service.add_points(GRID_ID, patrol.id, [far], key="k2")
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(PatrolPoint)) == 3


def test_outside_the_district_and_roles_and_one_open_patrol(
    service: PatrolService, clock: Clock
) -> None:
    with pytest.raises(PermissionDeniedError):
        service.start(DISPATCHER_ID)
    patrol = service.start(INSPECTOR_ID)
    with pytest.raises(PatrolStateError):
        service.start(INSPECTOR_ID)
    with pytest.raises(OutsideDistrictError, match="第 0 个"):
        service.add_points(INSPECTOR_ID, patrol.id, [TrackPoint(116.4, 39.9, clock.now)])
    service.end(INSPECTOR_ID, patrol.id)
    with pytest.raises(PatrolStateError):
        service.end(INSPECTOR_ID, patrol.id)
    assert [p.id for p in service.mine(INSPECTOR_ID)] == [patrol.id]
    assert service.start(INSPECTOR_ID).id != patrol.id


def test_unpatrolled_with_no_track_lists_every_grid(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    with demo_db.read() as s:
        grids = s.scalar(select(func.count()).select_from(Region).where(Region.level == "grid"))
        assert s.scalar(select(func.count()).select_from(Patrol)) == 0
    listed = service.unpatrolled(clock.now.date())
    assert len(listed) == grids and all(u.last_visit is None for u in listed)
    assert {u.every_days for u in listed} == {1}


def test_frequency_rules() -> None:
    rules = parse_frequencies("scope,every_days,note\n*,1,\n610104001,3,\n610104001001001,7,\n")
    assert rules.every_days("610104001001001") == 7
    assert rules.every_days("610104001001002") == 3
    assert rules.every_days("610104002001001") == 1
    with pytest.raises(PatrolRulesError, match="缺少默认行"):
        parse_frequencies("scope,every_days,note\n610104001,3,\n")
    with pytest.raises(PatrolRulesError, match=r"第 3 行.*正整数"):
        parse_frequencies("scope,every_days,note\n*,1,\n610104001,zero,\n")
    with pytest.raises(PatrolRulesError, match="范围"):
        parse_frequencies("scope,every_days,note\n*,1,\n6101,2,\n")
    assert shapely  # the module is shapely 2's
