"""map_data on a real SQLite file with the demo district: grid GeoJSON, case markers with their
traffic light (one query), open counts per grid, and the compact JSON for the JS API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Case, Category, Region
from console.services.actors import Actor
from console.services.bulk_intake import bulk_report
from console.services.demo import random_points_in_grids
from console.services.locator import DbLocator
from console.services.map_data import (
    MARKER_FIELDS,
    CaseMarker,
    case_markers,
    grid_feature_collection,
    marker_json,
    open_counts_by_grid,
)
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=LOCAL_TZ)
INTAKE = Actor(id=None, name="测试", role="intake")


@pytest.fixture
def cases(demo_db: Database) -> list[int]:
    """20 reported cases; then 3 made red, 3 yellow, 3 green (dispatched) and 2 closed."""
    with demo_db.read() as s:
        code, kind = s.execute(
            select(Category.code, Category.kind)
            .where(Category.taxonomy == reference_data.TAXONOMY_GBT2026)
            .order_by(Category.kind, Category.code)
        ).first()  # type: ignore[misc]
        lons, lats = random_points_in_grids(s, 20, seed=3)
    reports = [
        ReportInput(
            category_code=code,
            kind=kind,
            lon=float(lons[i]),
            lat=float(lats[i]),
            description="测试",
            address="<img src=x onerror=alert(1)>" if i == 0 else f"莲湖路{i}号",
            source="hotline",
            reported_at=NOW - timedelta(hours=2),
        )
        for i in range(20)
    ]
    result = bulk_report(demo_db, INTAKE, reports, now=NOW, locator=DbLocator(demo_db))
    assert not result.rejected
    with demo_db.session() as s:
        ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        hour = timedelta(hours=1)
        marks = {
            "red": (NOW - 2 * hour, NOW - hour),
            "yellow": (NOW - hour, NOW + hour),
            "green": (NOW + hour, NOW + 2 * hour),
        }
        for i, (warning, deadline) in enumerate(marks.values()):
            s.execute(
                update(Case)
                .where(Case.id.in_(ids[3 * i : 3 * i + 3]))
                .values(state="dispatched", warning_at=warning, deadline_at=deadline)
            )
        s.execute(update(Case).where(Case.id.in_(ids[9:11])).values(state="closed"))
    return ids


def test_grid_feature_collection(demo_db: Database) -> None:
    with demo_db.read() as s:
        fc = grid_feature_collection(s)
        n_grids = s.scalar(select(func.count()).select_from(Region).where(Region.level == "grid"))
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == n_grids == 364
    first = fc["features"][0]
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
    props = first["properties"]
    assert set(props) == {"id", "code", "name", "unit", "area", "street", "demo"}
    assert props["demo"] is True
    assert props["street"].endswith("街道") and props["unit"] and props["area"]
    assert props["code"].startswith("610104") and len(props["code"]) == 15
    json.dumps(fc)  # serialisable as is


def test_case_markers_open_cases_with_lights(demo_db: Database, cases: list[int]) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            statements.append(args[2])

    with demo_db.read() as s:
        event.listen(s.get_bind(), "before_cursor_execute", count)
        try:
            markers = case_markers(s, NOW)
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", count)
    assert len(statements) == 1  # one query, category names joined in
    by_id = {m.id: m for m in markers}
    assert set(by_id) == set(cases) - set(cases[9:11])  # closed cases are not on the map
    assert [by_id[i].light for i in cases[:9]] == ["red"] * 3 + ["yellow"] * 3 + ["green"] * 3
    assert all(by_id[i].light is None for i in cases[11:])  # reported: not on the clock
    m = by_id[cases[0]]
    assert m.address == "<img src=x onerror=alert(1)>"
    assert m.category_name and m.category_name != m.number
    assert m.number.startswith(("C", "E")) and m.is_open
    assert 108.8 < m.lon < 109.0 and 34.2 < m.lat < 34.3


def test_case_markers_for_given_ids_include_closed(demo_db: Database, cases: list[int]) -> None:
    with demo_db.read() as s:
        markers = case_markers(s, NOW, ids=[cases[0], cases[9], 10**9])
        assert case_markers(s, NOW, ids=[]) == []
    assert [(m.id, m.is_open) for m in markers] == [(cases[0], True), (cases[9], False)]
    assert markers[1].state == "closed"


def test_open_counts_by_grid(demo_db: Database, cases: list[int]) -> None:
    with demo_db.read() as s:
        counts = open_counts_by_grid(s)
        expected: dict[int, int] = {}
        for grid_id, state in s.execute(select(Case.grid_id, Case.state)):
            if state != "closed":
                expected[grid_id] = expected.get(grid_id, 0) + 1
    assert counts == expected
    assert sum(counts.values()) == 18


def test_marker_json_is_compact_and_raw() -> None:
    markers = [
        CaseMarker(
            1,
            "E01022026112300001",
            108.9123456789,
            34.26,
            "red",
            "dispatched",
            "暴露垃圾",
            "<script>alert(1)</script>",
            True,
        ),
        CaseMarker(
            2, "C01012026112300002", 108.91, 34.27, None, "reported", "上水井盖", "莲湖路", False
        ),
    ]
    text = marker_json(markers)
    assert " " not in text.replace("暴露垃圾", "")  # no padding
    rows = json.loads(text)
    assert len(rows[0]) == len(MARKER_FIELDS)
    first = dict(zip(MARKER_FIELDS, rows[0], strict=True))
    assert first["id"] == 1 and first["lon"] == 108.912346 and first["light"] == "red"
    assert first["address"] == "<script>alert(1)</script>"  # escaping is the page's job (DOM)
    assert first["urgent"] == 1 and first["state_label"] != "dispatched"
    assert rows[1][MARKER_FIELDS.index("light")] is None
    assert marker_json([]) == "[]"
