"""The gateway on PostgreSQL: migration 0009, tokens, a report and a feedback with a photo."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from console.db import Database
from console.models import ApiToken, Attachment
from console.services import geography
from console.services.cases.service import CaseService
from console.services.demo import ensure_people
from console.services.reference import data as reference_data
from tests.gateway.conftest import Gateway, serve, settings_for
from tests.gateway.support import PRO02_USER, dispatched, png_bytes, point
from tests.gateway.test_hostile_input import check_big_ids, check_nul

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_gateway(pg_url: str, tmp_path: Path) -> Iterator[Gateway]:
    db = Database(pg_url)
    try:
        with db.session() as s:
            geography.ensure_demo_district(s)
        with db.session() as s:
            reference_data.load_reference_data(s)
            ensure_people(s, random.Random(1))
        yield from serve(db, settings_for(tmp_path), CaseService(db))
    finally:
        db.dispose()


def test_report_and_feedback_on_postgresql(pg_gateway: Gateway) -> None:
    gw = pg_gateway
    lon, lat = point(gw.db)
    with gw.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.json",
            json={"service_code": "garbage", "lat": lat, "long": lon, "description": "垃圾"},
        )
        assert r.status_code == 201, r.text
        number = r.json()[0]["service_request_id"]
        assert c.get(f"/open311/v2/requests/{number}.json").json()[0]["status"] == "open"
    s = dispatched(gw.cases, gw.db)
    photo = png_bytes(seed=7)
    with gw.client(PRO02_USER) as c:
        r = c.post(
            f"/api/v1/tasks/{s.id}/feedback",
            data={"version": s.version, "note": "已清运"},
            files={"photo": ("a.png", photo, "image/png")},
        )
        assert r.status_code == 200, r.text
    with gw.db.read() as db:
        row = db.scalar(select(Attachment))
        assert row is not None and row.sha256 == hashlib.sha256(photo).hexdigest()
        used = list(db.scalars(select(ApiToken.last_used_at)))
        assert len(used) == 2 and all(used)  # both tokens' use recorded


def test_ids_beyond_integer_are_400_on_postgresql(pg_gateway: Gateway) -> None:
    """2^31 and up (past PostgreSQL's INTEGER), 0 and negatives: 400 naming the id (#13 §4)."""
    check_big_ids(pg_gateway)


def test_nul_in_text_is_400_on_postgresql(pg_gateway: Gateway) -> None:
    """psycopg refuses NUL in text: the gateway answers first, as on SQLite (#13 §4)."""
    check_nul(pg_gateway)
