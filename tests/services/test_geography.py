"""Geography service on a real migrated SQLite file: demo save/load, lookup, import."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from sqlalchemy import func, select

from console.db import Database
from console.domain.demo_district import generate_demo_district, load_outline
from console.domain.geography_rules import RegionLevel
from console.domain.grid_index import GridIndex
from console.errors import GeographyImportError
from console.models import Case, Department, Region
from console.services.geography import (
    ensure_demo_district,
    import_geography,
    load_grid_index,
    region_counts,
    save_regions,
)

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "geo" / "two_streets.geojson"
DEMO_COUNTS = {"district": 1, "street": 9, "area": 41, "unit": 134, "grid": 364}
FILE_COUNTS = {"district": 1, "street": 2, "area": 2, "unit": 2, "grid": 4}


def fixture_data() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "layer.geojson") -> Path:
    path = tmp_path / name
    path.write_text(
        data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), "utf-8"
    )
    return path


def feature(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in data["features"] if f["properties"]["code"] == code)


def n_regions(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Region.id))) or 0


def test_demo_save_and_counts(db: Database) -> None:
    with db.session() as s:
        assert ensure_demo_district(s) is True
    with db.session() as s:
        assert ensure_demo_district(s) is False
        assert region_counts(s) == DEMO_COUNTS
        rows = {r.code: r for r in s.scalars(select(Region))}
    by_id = {r.id: r for r in rows.values()}
    for r in rows.values():
        assert r.is_demo and r.area_km2 and r.geometry
        if r.level != RegionLevel.DISTRICT:
            parent = by_id[r.parent_id]  # type: ignore[index]
            assert RegionLevel(parent.level).rank == RegionLevel(r.level).rank - 1
    assert abs(sum(r.area_km2 for r in rows.values() if r.level == "grid") - 40.0) < 0.5
    assert shapely.from_geojson(rows["610104"].geometry).equals_exact(load_outline(), 0)


def test_grid_lookup_resolves_all_levels(db: Database) -> None:
    specs = generate_demo_district(7)
    with db.session() as s:
        save_regions(s, specs)
    with db.session() as s:
        lookup = load_grid_index(s)
        rows = {r.id: r for r in s.scalars(select(Region))}
    ids = {r.code: r.id for r in rows.values()}
    grids = [sp for sp in specs if sp.level == RegionLevel.GRID]
    reference = GridIndex([ids[g.code] for g in grids], [g.geometry for g in grids])
    rng = np.random.default_rng(5)
    minx, miny, maxx, maxy = load_outline().bounds
    lons, lats = rng.uniform(minx, maxx, 3000), rng.uniform(miny, maxy, 3000)
    located = lookup.locate_many(lons, lats)
    assert located.shape == (3000, 4)
    assert located[:, 0].tolist() == reference.lookup_many(lons, lats).tolist()
    for grid_id, unit_id, area_id, street_id in located[located[:, 0] >= 0][:200].tolist():
        assert rows[grid_id].parent_id == unit_id
        assert rows[unit_id].parent_id == area_id
        assert rows[area_id].parent_id == street_id
    assert (located[located[:, 0] < 0] == -1).all()
    inside = load_outline().representative_point()
    path = lookup.locate(inside.x, inside.y)
    assert path is not None and rows[path.street_id].level == "street"
    assert lookup.locate(inside.y, inside.x) is None
    assert "写反" in lookup.explain_outside(inside.y, inside.x)
    assert "米" in lookup.explain_outside(108.80, 34.27)
    assert lookup.in_district(inside.x, inside.y)


def test_valid_import(db: Database, tmp_path: Path) -> None:
    data = fixture_data()
    result = import_geography(db, write(tmp_path, data))
    assert result.counts == FILE_COUNTS and result.total == 11
    with db.session() as s:
        assert region_counts(s) == FILE_COUNTS
        grid = s.scalars(select(Region).where(Region.code == "610104002001002")).one()
        assert grid.parent is not None and grid.parent.code == "610104002001"
        assert not grid.is_demo and 0.4 < (grid.area_km2 or 0) < 0.6
        lookup = load_grid_index(s)
    path = lookup.locate(108.915, 34.2675)
    assert path is not None and path.grid_id == grid.id


def test_import_attaches_to_an_existing_district(db: Database, tmp_path: Path) -> None:
    district = [sp for sp in generate_demo_district(7) if sp.level == RegionLevel.DISTRICT]
    with db.session() as s:
        save_regions(s, district)
    data = fixture_data()
    data["features"] = data["features"][1:]
    result = import_geography(db, write(tmp_path, data))
    assert result.counts["district"] == 0 and result.total == 10
    with db.session() as s:
        street = s.scalars(select(Region).where(Region.code == "610104001")).one()
        assert street.parent is not None and street.parent.code == "610104"


def rejected(db: Database, path: Path) -> GeographyImportError:
    before = n_regions(db)
    with pytest.raises(GeographyImportError) as info:
        import_geography(db, path)
    assert n_regions(db) == before
    return info.value


def test_rejects_overlapping_grids(db: Database, tmp_path: Path) -> None:
    data = fixture_data()
    feature(data, "610104001001002")["geometry"] = feature(data, "610104001001001")["geometry"]
    err = rejected(db, write(tmp_path, data))
    assert any(
        "610104001001001" in p and "610104001001002" in p and "重叠" in p for p in err.problems
    )


def test_rejects_a_grid_outside_its_unit(db: Database, tmp_path: Path) -> None:
    data = fixture_data()
    # Grid 1 of street 1 drawn over street 2's unit.
    feature(data, "610104001001001")["geometry"] = copy.deepcopy(
        feature(data, "610104002001001")["geometry"]
    )
    err = rejected(db, write(tmp_path, data))
    assert any(p.startswith("610104001001001:") and "超出上级" in p for p in err.problems)


def test_rejects_a_missing_parent(db: Database, tmp_path: Path) -> None:
    data = fixture_data()
    feature(data, "61010400201")["properties"]["parent_code"] = "610104008"
    err = rejected(db, write(tmp_path, data))
    assert any(p.startswith("61010400201:") and "610104008" in p for p in err.problems)


def test_rejects_an_unknown_level_and_reports_everything(db: Database, tmp_path: Path) -> None:
    data = fixture_data()
    feature(data, "610104002001")["properties"]["level"] = "小区"
    feature(data, "610104001001001")["properties"]["parent"] = "nope"
    del feature(data, "610104001001001")["properties"]["parent_code"]
    err = rejected(db, write(tmp_path, data))
    assert any(p.startswith("610104002001:") and "未知层级" in p for p in err.problems)
    assert any(p.startswith("610104001001001:") and "nope" in p for p in err.problems)
    assert str(len(err.problems)) in err.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "FeatureCollection", "features": [', "JSON"),
        ('{"type": "Feature", "properties": {}}', "FeatureCollection"),
        ("[1, 2]", "FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "没有要素"),
    ],
)
def test_rejects_files_that_are_not_layers(
    db: Database, tmp_path: Path, text: str, expected: str
) -> None:
    err = rejected(db, write(tmp_path, text))
    assert expected in err.message


def test_rejects_a_missing_file(db: Database, tmp_path: Path) -> None:
    assert "无法读取" in rejected(db, tmp_path / "absent.geojson").message


def test_existing_codes_need_replace(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, fixture_data())
    import_geography(db, path)
    err = rejected(db, path)
    assert any("已存在" in p and "--replace" in p for p in err.problems)


def test_replace_swaps_the_demo_geography(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        ensure_demo_district(s)
        street = s.scalars(select(Region).where(Region.code == "610104001")).one()
        s.add(
            Department(
                code="D-QNL", name="青年路街道城管委", kind="street_committee", street_id=street.id
            )
        )
        street_id = street.id
    with db.session() as s:
        demo_codes = set(s.scalars(select(Region.code)))
    file_codes = {f["properties"]["code"] for f in fixture_data()["features"]}
    result = import_geography(db, write(tmp_path, fixture_data()), replace=True)
    assert result.counts == FILE_COUNTS
    # Codes shared with the file are overwritten in place; the rest of the demo goes.
    assert result.removed == len(demo_codes - file_codes)
    with db.session() as s:
        assert region_counts(s) == FILE_COUNTS
        kept = s.scalars(select(Region).where(Region.code == "610104001")).one()
        assert kept.id == street_id and not kept.is_demo  # department link survives
        assert s.scalars(select(Department)).one().street_id == street_id


def test_replace_moves_a_kept_region_to_a_new_parent(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        ensure_demo_district(s)
    data = fixture_data()
    # A new area code for street 2: the demo's 61010400201 goes, its unit is re-parented.
    feature(data, "61010400201")["properties"]["code"] = "61010400209"
    feature(data, "610104002001")["properties"]["parent_code"] = "61010400209"
    import_geography(db, write(tmp_path, data), replace=True)
    with db.session() as s:
        unit = s.scalars(select(Region).where(Region.code == "610104002001")).one()
        assert unit.parent is not None and unit.parent.code == "61010400209"
        assert region_counts(s) == FILE_COUNTS


def test_replace_is_refused_while_a_department_names_a_street_that_would_go(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        ensure_demo_district(s)
        street = s.scalars(select(Region).where(Region.code == "610104009")).one()
        s.add(
            Department(
                code="D-ZY", name="枣园街道城管委", kind="street_committee", street_id=street.id
            )
        )
    before = n_regions(db)
    with pytest.raises(GeographyImportError) as info:
        import_geography(db, write(tmp_path, fixture_data()), replace=True)
    assert any("枣园街道城管委" in p for p in info.value.problems)
    assert n_regions(db) == before


def test_replace_is_refused_once_cases_exist(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        ensure_demo_district(s)
        ids = {r.level: r.id for r in s.scalars(select(Region))}
        now = datetime.now(UTC)
        s.add(
            Case(
                number="E0101202401010001",
                source="inspector",
                taxonomy="t",
                kind="event",
                category_code="0101",
                description="d",
                address="a",
                lon=108.9,
                lat=34.27,
                grid_id=ids["grid"],
                unit_id=ids["unit"],
                area_id=ids["area"],
                street_id=ids["street"],
                state="reported",
                reported_at=now,
                updated_at=now,
            )
        )
    err = rejected(db, write(tmp_path, fixture_data()))
    assert err.problems  # plain import: codes already exist
    before = n_regions(db)
    with pytest.raises(GeographyImportError, match="案件"):
        import_geography(db, write(tmp_path, fixture_data()), replace=True)
    assert n_regions(db) == before == sum(DEMO_COUNTS.values())


def test_the_demo_round_trips_through_the_importer(db: Database, tmp_path: Path) -> None:
    specs = generate_demo_district(7)
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": sp.code, "name": sp.name, "level": sp.level.value,
                               "parent": sp.parent_code},
                "geometry": shapely.geometry.mapping(sp.geometry),
            }
            for sp in specs
        ],
    }  # fmt: skip
    result = import_geography(db, write(tmp_path, data))
    assert result.counts == DEMO_COUNTS
