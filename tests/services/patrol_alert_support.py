"""A day's patrol on the demo district: every grid of one street and a few of another visited,
with real track points through PatrolService.add_points (shared by the patrol-alert tests)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shapely.geometry import shape
from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Patrol, Region
from console.services.catalog import grids_of_street, streets
from console.services.patrols import PatrolService, TrackPoint
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR

INSPECTOR_ID = int(INSPECTOR.id or 0)


@dataclass(frozen=True)
class District:
    """Street id → (name, its grid codes by code)."""

    streets: dict[int, tuple[str, list[str]]]

    def codes(self, street_id: int) -> list[str]:
        return self.streets[street_id][1]


def district(db: Database) -> District:
    with db.read() as s:
        found = {
            sid: (name, [c for _, c, _ in grids_of_street(s, sid)]) for sid, _, name in streets(s)
        }
    return District(found)


def patrol_grids(db: Database, clock: Clock, codes: list[str]) -> None:
    """One patrol through a point inside each grid of ``codes`` (10 minutes apart on the
    device's clock), received at ``clock.now``."""
    with db.read() as s:
        rows = s.execute(select(Region.code, Region.geometry).where(Region.code.in_(codes))).all()
    inside = {code: shape(json.loads(geometry)).representative_point() for code, geometry in rows}
    service = PatrolService(db, clock)
    with db.read() as s:  # a seeded demo may have left the inspector on patrol: end it first
        open_ids = s.scalars(
            select(Patrol.id).where(Patrol.user_id == INSPECTOR_ID, Patrol.ended_at.is_(None))
        ).all()
    for open_id in open_ids:
        service.end(INSPECTOR_ID, open_id)
    patrol = service.start(INSPECTOR_ID)
    t0 = clock.now
    points = [
        TrackPoint(inside[code].x, inside[code].y, t0 + timedelta(minutes=10 * k), 5.0)
        for k, code in enumerate(codes)
    ]
    for i in range(0, len(points), 400):
        service.add_points(INSPECTOR_ID, patrol.id, points[i : i + 400])


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)
