"""A known walk across the demo district's grids and its coverage worked out independently
(shapely on the grids' own polygons), for the patrol tests of the gateway and of the app."""

from __future__ import annotations

import math
from collections.abc import Sequence

import shapely
from sqlalchemy import select

from console.db import Database
from console.models import Region

EARTH_RADIUS_M = 6_371_008.8
#: Where the walk starts: inside 香米园社区第2网格 (北院门街道), as tests/field/conftest.py HERE.
START = (108.93, 34.27)
#: The grids an eastward walk of about 450 m from START crosses, in order.
EAST_GRIDS = ("香米园社区第2网格", "迎春社区第3网格", "迎春社区第4网格")


def east_walk(
    steps: int, step_m: float, start: tuple[float, float] = START
) -> list[tuple[float, float]]:
    """(lon, lat) of ``steps + 1`` points ``step_m`` metres apart, due east from ``start``."""
    lon0, lat0 = start
    per_degree = EARTH_RADIUS_M * math.cos(math.radians(lat0)) * math.pi / 180
    return [(lon0 + k * step_m / per_degree, lat0) for k in range(steps + 1)]


def expected_coverage(db: Database, points: Sequence[tuple[float, float]]) -> dict[str, float]:
    """Grid code → metres of the track (the points in order) inside it, by intersecting the
    track with each grid's polygon in a local equirectangular frame around the track's start
    (the service uses the district's centre: a few centimetres per km apart here). Grids with
    less than 0.5 m are left out (a corner touched)."""
    with db.read() as s:
        grids = s.execute(
            select(Region.code, Region.geometry).where(
                Region.level == "grid", Region.geometry.is_not(None)
            )
        ).all()
    lon0, lat0 = points[0]
    kx = EARTH_RADIUS_M * math.cos(math.radians(lat0)) * math.pi / 180
    ky = EARTH_RADIUS_M * math.pi / 180

    def local(geometry: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geometry, lambda c: ((c - (lon0, lat0)) * (kx, ky)).astype(float))

    track = local(shapely.LineString(points))
    out: dict[str, float] = {}
    for code, geometry in grids:
        polygon = local(shapely.from_geojson(geometry))
        metres = float(shapely.intersection(track, polygon).length)
        if metres >= 0.5:
            out[code] = metres
    return out


def grid_codes(db: Database, names: Sequence[str]) -> dict[str, str]:
    """Grid name → code for the named grids."""
    with db.read() as s:
        rows = s.execute(
            select(Region.name, Region.code).where(Region.level == "grid", Region.name.in_(names))
        ).all()
    return {name: code for name, code in rows}
