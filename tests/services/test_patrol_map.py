"""The map's patrol layers on a real SQLite file, patrols made through PatrolService: the last
known positions exactly, the tracks simplified within their vertex budget and error bound, the
coverage the same as the service's own, and who may read them."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from console.db import Database
from console.errors import PermissionDeniedError
from console.models import User
from console.services.patrol_map import patrol_layers, simplify_tracks
from console.services.patrols import PatrolService, TrackPoint
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import GRID, INSPECTOR
from tests.services.test_patrols import two_neighbours, walk

INSPECTOR_ID, GRID_ID = int(INSPECTOR.id or 0), int(GRID.id or 0)


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> PatrolService:
    return PatrolService(demo_db, clock)


def send(
    service: PatrolService, clock: Clock, user: int, patrol: int, points: list[TrackPoint]
) -> None:
    """In batches of 500, the clock (server time) a minute on per batch."""
    for k in range(0, len(points), 500):
        service.add_points(user, patrol, points[k : k + 500])
        clock.advance(minutes=1)


def today(clock: Clock) -> date:
    return clock.now.date()


def test_last_positions_names_roles_and_open_patrols(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    (ka, a), (kb, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    # Yesterday the inspector patrolled grid B: not on today's map.
    clock.advance(days=-1)
    old = service.start(INSPECTOR_ID)
    send(
        service,
        clock,
        INSPECTOR_ID,
        old.id,
        walk((pb.x, pb.y), (pb.x, pb.y + 0.001), 20, clock.now),
    )
    service.end(INSPECTOR_ID, old.id)
    clock.advance(days=1)

    # Today: the inspector walks A to B and is still out; the grid manager walked in A, ended.
    inspector = service.start(INSPECTOR_ID)
    path = walk((pa.x, pa.y), (pb.x, pb.y), 40, clock.now)
    path = [*path[:-1], TrackPoint(path[-1].lon, path[-1].lat, path[-1].device_time, 3.5)]
    send(service, clock, INSPECTOR_ID, inspector.id, path[:25])
    last_at = clock.now
    send(service, clock, INSPECTOR_ID, inspector.id, path[25:])
    manager = service.start(GRID_ID)
    mine = walk((pa.x, pa.y), (pa.x + 0.0005, pa.y), 10, clock.now)
    send(service, clock, GRID_ID, manager.id, mine)
    manager_at = clock.now - timedelta(minutes=1)
    clock.advance(minutes=5)
    service.end(GRID_ID, manager.id)

    layers = patrol_layers(demo_db, service, today(clock), clock.now)
    with demo_db.read() as s:
        names = {u: s.get(User, u).display_name for u in (INSPECTOR_ID, GRID_ID)}  # type: ignore[union-attr]
    people = {p.user_id: p for p in layers.people}
    assert set(people) == {INSPECTOR_ID, GRID_ID}
    me = people[INSPECTOR_ID]
    assert (me.lon, me.lat, me.accuracy) == (path[-1].lon, path[-1].lat, 3.5)
    assert me.at == last_at and me.open and me.patrol_id == inspector.id
    assert (me.name, me.role) == (names[INSPECTOR_ID], "inspector")
    gm = people[GRID_ID]
    assert (gm.lon, gm.lat, gm.accuracy) == (mine[-1].lon, mine[-1].lat, 5.0)
    assert gm.at == manager_at and not gm.open and gm.role == "grid_manager"
    # Today's tracks only, one per patrol, its ends the first and last points sent.
    tracks = {t.patrol_id: t for t in layers.tracks}
    assert set(tracks) == {inspector.id, manager.id}
    assert tracks[inspector.id].points == 40 and tracks[inspector.id].open
    assert tracks[inspector.id].coords[0] == pytest.approx((pa.x, pa.y), abs=1e-9)
    assert tracks[inspector.id].coords[-1] == pytest.approx((pb.x, pb.y), abs=1e-9)
    # A straight walk simplifies to its two ends.
    assert len(tracks[inspector.id].coords) == 2 and len(tracks[manager.id].coords) == 2
    # Both grids visited today; B only by the inspector's crossing, not yesterday's walk.
    visited = {g.grid_id for g in layers.coverage if g.visited}
    assert {ka, kb} <= visited

    payload = json.loads(layers.to_json())
    assert payload["day"] == today(clock).isoformat() and payload["points"] == 50
    row = next(p for p in payload["people"] if p[0] == INSPECTOR_ID)
    assert row[1:3] == [names[INSPECTOR_ID], "inspector"]
    assert row[3] == last_at.isoformat(timespec="seconds")
    assert row[6:9] == [3.5, 1, round((clock.now - last_at).total_seconds())]
    assert {r[0] for r in payload["coverage"]} == visited


def test_tracks_are_simplified_within_the_vertex_budget(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    """A long zigzag walk (3,000 points, a point every 10 s) drawn with at most 60 vertices,
    every point sent within the stated bound of the drawn line."""
    (_, a), _ = two_neighbours(demo_db)
    c = a.representative_point()
    rng = np.random.default_rng(3)
    n = 3000
    t = np.arange(n)
    lons = c.x + 0.0006 * np.sin(t / 40.0) + rng.normal(0, 0.00002, n)
    lats = c.y + 0.0004 * np.sin(t / 97.0) + rng.normal(0, 0.00002, n)
    inside = shapely.contains_xy(a, lons, lats)
    assert inside.all()
    points = [
        TrackPoint(float(x), float(y), clock.now + timedelta(seconds=10 * k), 4.0)
        for k, (x, y) in enumerate(zip(lons, lats, strict=True))
    ]
    patrol = service.start(INSPECTOR_ID)
    send(service, clock, INSPECTOR_ID, patrol.id, points)

    full = patrol_layers(demo_db, service, today(clock), clock.now)
    small = patrol_layers(demo_db, service, today(clock), clock.now, max_vertices=60)
    assert full.points == small.points == n
    assert full.vertices <= 4000 and full.tolerance_m == 2.0  # under budget at the first round
    assert 2 < small.vertices <= 60 and small.tolerance_m > full.tolerance_m
    (track,) = small.tracks
    assert track.coords[0] == (lons[0], lats[0]) and track.coords[-1] == (lons[-1], lats[-1])
    # Every point within the bound of the drawn line (metres on the service's projection).
    proj = service.geo().index.proj
    x, y = proj.xy([p[0] for p in track.coords], [p[1] for p in track.coords])
    drawn = LineString(np.column_stack((x, y)))
    px, py = proj.xy(lons, lats)
    worst = max(drawn.distance(Point(u, v)) for u, v in zip(px, py, strict=True))
    assert 0 < worst <= small.tolerance_m + 1e-6
    # The coverage is the service's own for the day, whatever the drawing.
    mine = {g.grid_id: (round(g.length_m, 6), g.visited) for g in small.coverage}
    theirs = {
        g.grid_id: (round(g.length_m, 6), g.visited) for g in service.coverage_of_day(today(clock))
    }
    assert mine == theirs and sum(v for _, v in mine.values()) >= 1


def test_two_hundred_tracks_fit_the_default_budget() -> None:
    """200 people × 8 h (576,000 points, random walks: the worst case for simplification)
    come down to at most MAX_VERTICES, every track keeping its ends."""
    from console.bench.patrol_bench import STEP_DEG
    from console.domain.patrol_coverage import LocalProjection

    rng = np.random.default_rng(11)
    people, each = 200, 8 * 360
    steps = rng.normal(0.0, STEP_DEG, (people, each, 2)).cumsum(axis=1)
    lon = (108.92 + steps[:, :, 0]).ravel()
    lat = (34.26 + steps[:, :, 1]).ravel()
    pid = np.repeat(np.arange(people), each)
    coords, bound = simplify_tracks(pid, lon, lat, LocalProjection(108.92, 34.26))
    assert len(coords) == people
    assert 2 * people < sum(len(c) for c in coords) <= 4000
    assert all(
        tuple(c[0]) == pytest.approx((lon[k * each], lat[k * each])) for k, c in enumerate(coords)
    )
    assert math.isfinite(bound) and bound > 2.0


def test_a_one_point_track_and_an_empty_day(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    empty = patrol_layers(demo_db, service, today(clock), clock.now)
    assert (empty.people, empty.tracks, empty.points) == ((), (), 0)
    assert empty.coverage and not any(g.visited for g in empty.coverage)
    (_, a), _ = two_neighbours(demo_db)
    c = a.representative_point()
    patrol = service.start(GRID_ID)
    service.add_points(GRID_ID, patrol.id, [TrackPoint(c.x, c.y, clock.now)])
    layers = patrol_layers(demo_db, service, today(clock), clock.now)
    (track,) = layers.tracks
    assert track.coords == ((c.x, c.y),) and layers.people[0].accuracy is None
    # Another day shows nothing of it.
    assert patrol_layers(demo_db, service, today(clock) + timedelta(days=1), clock.now).tracks == ()


def test_only_the_command_centre_reads_positions(demo_db: Database, clock: Clock) -> None:
    chief = Workbench(demo_db, username="duty_chief", clock=clock)
    assert chief.patrol_layers().day == today(clock)
    with demo_db.read() as s:
        handler = s.scalar(
            User.__table__.select()
            .with_only_columns(User.username)
            .where(User.role == "department")
        )
    with pytest.raises(PermissionDeniedError):
        Workbench(demo_db, username=str(handler), clock=clock).patrol_layers()


def test_short_and_long_tracks_keep_their_order() -> None:
    from console.domain.patrol_coverage import LocalProjection

    pid = np.array([5, 5, 5, 6, 9, 9])
    lon = np.array([108.90, 108.901, 108.902, 108.95, 108.93, 108.931])
    lat = np.array([34.26, 34.26, 34.26, 34.27, 34.25, 34.251])
    coords, bound = simplify_tracks(pid, lon, lat, LocalProjection(108.92, 34.26))
    assert [len(c) for c in coords] == [2, 1, 2]  # a straight line, a point, a segment
    assert coords[0][0] == pytest.approx((108.90, 34.26)) and coords[0][-1] == pytest.approx(
        (108.902, 34.26)
    )
    assert tuple(coords[1][0]) == (108.95, 34.27)
    assert coords[2][-1] == pytest.approx((108.931, 34.251)) and bound == 2.0


def test_a_reader_reads_only_new_points_and_gives_the_same_layers(
    service: PatrolService, demo_db: Database, clock: Clock
) -> None:
    """Read, walk on, read again: the second read fetches only the new points, and its
    layers are those of a fresh read (coverage the service's own for the day)."""
    from console.services.patrol_map import PatrolMapReader

    (_, a), (kb, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    reader = PatrolMapReader(demo_db, service)
    inspector = service.start(INSPECTOR_ID)
    path = walk((pa.x, pa.y), (pb.x, pb.y), 60, clock.now)
    send(service, clock, INSPECTOR_ID, inspector.id, path[:20])
    first = reader.layers(today(clock), clock.now)
    assert reader.last_read_points == 20 and first.points == 20
    send(service, clock, INSPECTOR_ID, inspector.id, path[20:])
    manager = service.start(GRID_ID)
    send(service, clock, GRID_ID, manager.id, walk((pb.x, pb.y), (pb.x, pb.y + 4e-4), 9, clock.now))
    again = reader.layers(today(clock), clock.now)
    assert reader.last_read_points == 40 + 9
    fresh = patrol_layers(demo_db, service, today(clock), clock.now)
    assert again.people == fresh.people and again.tracks == fresh.tracks
    mine = [(g.grid_id, g.visited) for g in again.coverage]
    assert mine == [(g.grid_id, g.visited) for g in fresh.coverage]
    assert [g.length_m for g in again.coverage] == pytest.approx(
        [g.length_m for g in fresh.coverage], abs=1e-6
    )
    theirs = {g.grid_id: g.length_m for g in service.coverage_of_day(today(clock))}
    assert {g.grid_id: g.length_m for g in again.coverage} == pytest.approx(theirs, abs=1e-6)
    assert next(g for g in again.coverage if g.grid_id == kb).length_m > 0
    # Nothing new: nothing read, the same layers; another day starts empty.
    assert reader.layers(today(clock), clock.now).tracks == again.tracks
    assert reader.last_read_points == 0
    assert reader.layers(today(clock) + timedelta(days=1), clock.now).tracks == ()
