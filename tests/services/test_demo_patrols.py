"""The demo's patrols of today, on real SQLite files: the map's field layers have something
to show on a first start — one patrol still open, one ended, inside the district, the same
for the same seed and clock, and none added twice or before there is time to walk."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Patrol, PatrolPoint
from console.services.demo_patrols import seed_patrols
from console.services.patrol_map import patrol_layers
from console.services.patrols import PatrolService
from tests.conftest import Clock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ)


def points(db: Database) -> list[tuple[object, ...]]:
    with db.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(
                    PatrolPoint.patrol_id,
                    PatrolPoint.seq,
                    PatrolPoint.at,
                    PatrolPoint.lon,
                    PatrolPoint.lat,
                ).order_by(PatrolPoint.patrol_id, PatrolPoint.seq)
            )
        ]


def test_one_open_one_ended_patrol_today(demo_db: Database, clock: Clock) -> None:
    assert seed_patrols(demo_db, NOW) == 2
    layers = patrol_layers(demo_db, PatrolService(demo_db, clock), NOW.date(), NOW)
    people = {p.role: p for p in layers.people}
    assert set(people) == {"inspector", "grid_manager"}
    out, back = people["inspector"], people["grid_manager"]
    assert out.open and NOW - timedelta(minutes=3) < out.at <= NOW
    assert not back.open and back.at <= NOW - timedelta(minutes=29)
    # Two hours and an hour and a half of a point every 10 s, drawn with far fewer vertices.
    assert 1000 < layers.points <= 720 + 540 + 2
    assert len(layers.tracks) == 2 and layers.vertices < layers.points
    assert sum(g.visited for g in layers.coverage) >= 5
    with demo_db.read() as s:
        ended = s.scalars(select(Patrol.ended_at).where(Patrol.ended_at.is_not(None))).all()
    assert len(ended) == 1
    # Once only.
    assert seed_patrols(demo_db, NOW + timedelta(hours=1)) == 0


def test_the_same_for_the_same_seed_and_clock(demo_template: Path, tmp_path: Path) -> None:
    got = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copy(demo_template, path)
        db = Database(f"sqlite:///{path}")
        try:
            seed_patrols(db, NOW)
            got.append(points(db))
        finally:
            db.dispose()
    assert got[0] == got[1] and len(got[0]) > 1000


def test_nothing_just_after_midnight(demo_db: Database) -> None:
    assert seed_patrols(demo_db, NOW.replace(hour=0, minute=20)) == 0
    assert points(demo_db) == []
