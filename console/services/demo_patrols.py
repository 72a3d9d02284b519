"""Today's demo patrols (网格定期巡查), so the map's field layers show on a first start.

Two patrols of the local day of ``now``, walked along a few neighbouring grids on L-shaped legs
(east–west, then north–south, like the streets of a grid city), a point every 10 s at about
1.2 m/s with a few metres of GPS noise, sent through :class:`PatrolService` in five-minute
batches under a clock that walks with them (server time is the batch's):

* the inspector, out since up to two hours before ``now`` and still on patrol;
* the grid manager, a patrol of up to an hour and a half that ended half an hour before ``now``.

Deterministic for a seed and a ``now``. Nothing is added when the database holds patrols
already, or early in the local day (before 00:40) when there is no time to walk.
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

import numpy as np
import shapely
from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Patrol, User
from console.services.patrols import PatrolService, TrackPoint

STEP_S = 10
SPEED_MPS = 1.2
BATCH_S = 300
NOISE_M = 3.0


def _route(service: PatrolService, rng: random.Random, stops: int) -> list[tuple[float, float]]:
    """Representative points of ``stops`` grids, each the nearest not yet visited."""
    index = service.geo().index
    polygons = index.polygons  # projected (metres)
    centres = shapely.get_coordinates(shapely.point_on_surface(polygons))
    here = rng.randrange(len(centres))
    order = [here]
    left = set(range(len(centres))) - {here}
    while left and len(order) < stops:
        cands = sorted(left)
        d = np.hypot(*(centres[cands] - centres[here]).T)
        here = cands[int(np.argmin(d))]
        order.append(here)
        left.discard(here)
    return [(float(x), float(y)) for x, y in centres[order]]


def _walk(
    route: list[tuple[float, float]], seconds: float, rng: random.Random
) -> list[tuple[float, float]]:
    """Projected points every STEP_S along the route's L-shaped legs, there and back as
    often as the time allows."""
    corners: list[tuple[float, float]] = [route[0]]
    for a, b in itertools.pairwise(route):
        corners += [(b[0], a[1]), b]
    loop = corners + corners[-2::-1]
    seg = np.diff(np.asarray(loop), axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    total = float(lengths.sum()) or 1.0
    n = int(seconds // STEP_S) + 1
    at = (np.arange(n) * STEP_S * SPEED_MPS) % total
    cum = np.concatenate(([0.0], np.cumsum(lengths)))
    k = np.clip(np.searchsorted(cum, at, side="right") - 1, 0, len(lengths) - 1)
    frac = np.where(lengths[k] > 0, (at - cum[k]) / np.where(lengths[k] > 0, lengths[k], 1), 0)
    start = np.asarray(loop)[k]
    xy = start + seg[k] * frac[:, None]
    noise = np.array([[rng.gauss(0, NOISE_M), rng.gauss(0, NOISE_M)] for _ in range(n)])
    return [(float(x), float(y)) for x, y in xy + noise]


def _send(
    service: PatrolService,
    clock: list[datetime],
    user_id: int,
    started: datetime,
    xy: list[tuple[float, float]],
    accuracy: float,
    end_after: timedelta | None,
) -> None:
    lons, lats = service.geo().index.proj.lonlat([x for x, _ in xy], [y for _, y in xy])
    district = service.geo().district
    clock[0] = started
    patrol = service.start(user_id)
    points = []
    for j, (lon, lat) in enumerate(zip(lons.tolist(), lats.tolist(), strict=True)):
        if shapely.contains_xy(district, lon, lat):
            points.append(TrackPoint(lon, lat, started + timedelta(seconds=STEP_S * j), accuracy))
    per_batch = BATCH_S // STEP_S
    for k in range(0, len(points), per_batch):
        batch = points[k : k + per_batch]
        clock[0] = batch[-1].device_time + timedelta(seconds=2)
        service.add_points(user_id, patrol.id, batch)
    if end_after is not None:
        clock[0] = clock[0] + end_after
        service.end(user_id, patrol.id)


def seed_patrols(db: Database, now: datetime, seed: int = 7) -> int:
    """The demo's patrols of today (see the module); returns how many were made."""
    with db.read() as s:
        if s.scalar(select(func.count()).select_from(Patrol)):
            return 0
        users = {
            role: s.scalar(
                select(User.id).where(User.role == role, User.active).order_by(User.id).limit(1)
            )
            for role in ("inspector", "grid_manager")
        }
    local = now.astimezone(LOCAL_TZ)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if local - day_start < timedelta(minutes=40):
        return 0
    rng = random.Random(seed * 1000 + 15)
    clock = [now]
    service = PatrolService(db, lambda: clock[0])
    made = 0
    inspector, manager = users["inspector"], users["grid_manager"]
    if inspector is not None:
        started = max(day_start + timedelta(minutes=5), local - timedelta(hours=2))
        walked = (local - timedelta(minutes=1) - started).total_seconds()
        _send(
            service,
            clock,
            inspector,
            started,
            _walk(_route(service, rng, 7), walked, rng),
            6.0,
            None,
        )
        made += 1
    if manager is not None:
        ended = local - timedelta(minutes=30)
        started = max(day_start + timedelta(minutes=5), ended - timedelta(minutes=90))
        walked = (ended - started).total_seconds()
        if walked > 5 * 60:
            route = _route(service, rng, 5)
            _send(
                service,
                clock,
                manager,
                started,
                _walk(route, walked, rng),
                9.0,
                timedelta(seconds=30),
            )
            made += 1
    return made
