"""export_components: the register back to CSV / GeoJSON with the importer's columns; an export
imports back with no change (issue 17)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from console.db import Database
from console.services import catalog
from console.services.components.exporter import export_components
from console.services.components.importer import import_components
from tests.services.components.register_files import (
    NOW,
    changes,
    ident,
    points,
    register,
    write_geojson,
)


def _census(db: Database, tmp_path: Path) -> None:
    """Points, a line and a polygon; a maintainer department and a contractor; formula-like
    text and quotes; a CJ/T 214 item whose successor has it as the legacy code."""
    (x, y), (x2, y2), (x3, y3) = points(db, 3)
    d = 0.0002
    props = {"owner_department_code": "SC610104001", "surveyed_on": "2026-05-01"}
    features = [
        (
            {"type": "Point", "coordinates": [x, y]},
            {**props, "identifier": ident("01002", 1), "address": "=1+1", "photo": "a.jpg",
             "maintainer": "区市政工程管理中心", "status": "损坏"},
        ),
        (
            {"type": "LineString", "coordinates": [[x2, y2], [x2 + d, y2 + d], [x2 + 2 * d, y2]]},
            {**props, "identifier": ident("01003", 1), "name": '“引号”,逗号',
             "maintainer": "某某养护公司"},
        ),
        (
            {"type": "Polygon",
             "coordinates": [[[x3, y3], [x3 + d, y3], [x3 + d, y3 + d], [x3, y3 + d], [x3, y3]]]},
            {**props, "identifier": ident("01002", 2), "category_code": "0102",
             "owner_department_code": "PRO01"},
        ),
    ]  # fmt: skip
    result = import_components(db, write_geojson(tmp_path / "census.geojson", features), now=NOW)
    assert result.rejected == [] and result.inserted == 3


@pytest.mark.parametrize("name", ["register.csv", "register.geojson"])
def test_an_export_imports_back_with_no_change(
    demo_db: Database, tmp_path: Path, name: str
) -> None:
    _census(demo_db, tmp_path)
    before = register(demo_db)
    path = tmp_path / name
    with demo_db.read() as s:
        exported = export_components(s, path)
    assert exported.count == 3 and exported.format == name.split(".")[1]
    again = import_components(demo_db, path, now=NOW)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 3, [])
    assert again.unknown_columns == []
    assert register(demo_db) == before and changes(demo_db) == []


def test_the_csv_has_the_importers_columns(demo_db: Database, tmp_path: Path) -> None:
    _census(demo_db, tmp_path)
    path = tmp_path / "r.csv"
    with demo_db.read() as s:
        export_components(s, path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = {r["identifier"]: r for r in csv.DictReader(f)}
    cover = rows[ident("01002", 1)]
    assert cover["address"] == "'=1+1"  # guarded for spreadsheets; the importer unguards
    assert cover["status"] == "damaged" and cover["maintainer_code"] == "PRO01"
    assert cover["geometry"] == "" and cover["geometry_kind"] == "point"
    line = rows[ident("01003", 1)]
    assert line["maintainer"] == "某某养护公司" and line["maintainer_code"] == ""
    assert json.loads(line["geometry"])["type"] == "LineString"
    polygon = rows[ident("01002", 2)]
    assert (polygon["category_code"], polygon["legacy_category_code"]) == ("01002", "0102")
    assert polygon["owner_department_code"] == "PRO01" and polygon["street"]


def test_geojson_features_keep_their_shapes(demo_db: Database, tmp_path: Path) -> None:
    _census(demo_db, tmp_path)
    path = tmp_path / "r.json"
    with demo_db.read() as s:
        export_components(s, path, format="geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    kinds = {f["properties"]["identifier"]: f["geometry"]["type"] for f in doc["features"]}
    assert kinds == {
        ident("01002", 1): "Point",
        ident("01003", 1): "LineString",
        ident("01002", 2): "Polygon",
    }
    point = next(f for f in doc["features"] if f["geometry"]["type"] == "Point")
    assert "lon" not in point["properties"]  # the geometry is the position
    line = next(f for f in doc["features"] if f["geometry"]["type"] == "LineString")
    assert {"lon", "lat"} <= set(line["properties"])


def test_one_streets_objects(demo_db: Database, tmp_path: Path) -> None:
    _census(demo_db, tmp_path)
    reg = register(demo_db)
    street_id = reg[ident("01002", 1)].street_id
    with demo_db.read() as s:
        result = export_components(s, tmp_path / "one.csv", street_id=street_id)
        other = next(sid for sid, _, _ in catalog.streets(s) if sid not in {
            c.street_id for c in reg.values()})  # fmt: skip
        empty = export_components(s, tmp_path / "none.csv", street_id=other)
    assert result.count == sum(1 for c in reg.values() if c.street_id == street_id)
    assert empty.count == 0
    assert (tmp_path / "none.csv").read_text(encoding="utf-8-sig").startswith("identifier,")
