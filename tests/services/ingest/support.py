"""Shared helpers for the ingest tests: points inside the demo district, writing fixtures."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Case
from console.services.actors import Actor
from console.services.demo import random_points_in_grids

IMPORTER = Actor(id=None, name="批量导入", role="intake")
NOW = datetime(2026, 11, 23, 11, 0, tzinfo=LOCAL_TZ)


def points(db: Database, n: int = 20) -> list[tuple[float, float]]:
    with db.read() as s:
        lons, lats = random_points_in_grids(s, n, seed=5)
    return [(round(float(x), 6), round(float(y), 6)) for x, y in zip(lons, lats, strict=True)]


def case_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def cases(db: Database) -> list[SimpleNamespace]:
    """Every case's columns, as plain attributes (usable after the session closed)."""
    columns = Case.__table__.columns
    with db.read() as s:
        rows = s.execute(select(*columns).order_by(Case.id)).all()
    return [SimpleNamespace(**row._mapping) for row in rows]


def seeded(url: str) -> Database:
    """``url``'s database with the demo district, reference data and people (no cases), as the
    demo template of tests/conftest.py has them: for the server's tests."""
    import random

    from console.services import geography
    from console.services.demo import ensure_people
    from console.services.reference import data as reference_data

    database = Database(url)
    with database.session() as s:
        geography.ensure_demo_district(s)
    with database.session() as s:
        reference_data.load_reference_data(s)
        ensure_people(s, random.Random(1))
    return database
