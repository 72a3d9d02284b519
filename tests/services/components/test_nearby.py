"""The register's objects of a category near a point: within the radius, nearest first."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert

from console.db import Database
from console.models import Component
from console.services.components.nearby import nearby_components
from console.services.duplicates import distance_m
from tests.models.test_components import _row

LON, LAT = 108.93, 34.27
#: Degrees of latitude per metre, near enough for placing test objects.
DEG_PER_M = 1 / 111_195


def _place(db: Database, rows: list[tuple[str, str, float, float]]) -> None:
    values = []
    for identifier, category, east_m, north_m in rows:
        row = _row(db, identifier)
        row |= {
            "category_code": category,
            "lon": LON + east_m * DEG_PER_M / 0.8266,  # cos(34.27°)
            "lat": LAT + north_m * DEG_PER_M,
            "surveyed_on": date(2026, 5, 1),
            "updated_at": datetime(2026, 5, 1, tzinfo=UTC),
        }
        values.append(row)
    with db.session() as s:
        s.execute(insert(Component), values)


def test_objects_of_the_category_within_the_radius_nearest_first(demo_db: Database) -> None:
    _place(
        demo_db,
        [
            ("61010401001000001", "01001", 20, 0),  # 20 m east
            ("61010401001000002", "01001", 0, 5),  # 5 m north
            ("61010401001000003", "01001", 0, -29),  # just inside
            ("61010401001000004", "01001", 25, 25),  # 35 m: outside, though inside the box
            ("61010401002000001", "01002", 1, 1),  # another category, 1.4 m
        ],
    )
    with demo_db.read() as s:
        found = nearby_components(s, "01001", LON, LAT)
    assert [c.identifier[-1] for c in found] == ["2", "1", "3"]
    assert [round(c.distance_m) for c in found] == [5, 20, 29]
    for c in found:
        assert abs(c.distance_m - float(distance_m(LON, LAT, c.lon, c.lat))) < 0.1
    assert found[0].status_label == "完好"


def test_an_older_code_reads_its_successors_objects(demo_db: Database) -> None:
    _place(demo_db, [("61010401002000001", "01002", 3, 0)])  # 污水井盖: CJ/T 214 0102
    with demo_db.read() as s:
        assert [c.identifier for c in nearby_components(s, "0102", LON, LAT)] == [
            "61010401002000001"
        ]
        assert nearby_components(s, "0101", LON, LAT) == []  # 上水井盖: no successor listed


def test_limit_and_radius_are_the_callers_when_given(demo_db: Database) -> None:
    _place(demo_db, [(f"6101040100100000{n}", "01001", n * 10, 0) for n in range(1, 7)])
    with demo_db.read() as s:
        assert len(nearby_components(s, "01001", LON, LAT)) == 3  # 10, 20, 30 m
        assert len(nearby_components(s, "01001", LON, LAT, radius_m=100)) == 5  # nearby_max
        assert len(nearby_components(s, "01001", LON, LAT, radius_m=100, limit=10)) == 6
