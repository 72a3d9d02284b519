"""The demo's component census (console.services.demo_census) on a real SQLite copy of the demo
template, at a small scale (the full census is asserted once, on the seed-demo command's
database, tests/commands/test_seed_demo_command.py), and the demo cases that name its objects."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import shapely
from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.component_identifier import identifier_problem, parse_identifier
from console.domain.demo_census import census_classes
from console.models import Case, Category, Component, Department, Region
from console.services.cases.service import CaseService
from console.services.components.repeats import NOT_A_FAULT, repeat_offenders, window_start
from console.services.components.rules import register_rules, statuses
from console.services.demo import seed_cases
from console.services.demo_census import seed_census
from console.services.duplicates import distance_m
from console.services.geography import load_grid_index
from console.services.reference import data as reference_data

NOW = datetime(2026, 7, 11, 12, 0, tzinfo=LOCAL_TZ)  # ten days after the 2026 changeover
SMALL = 12_000
COLUMNS = (
    Component.identifier,
    Component.name,
    Component.category_code,
    Component.lon,
    Component.lat,
    Component.status,
    Component.grid_id,
    Component.geometry,
)


@pytest.fixture(scope="module")
def census_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo template with a small census (seed 7), made once for the module."""
    path = tmp_path_factory.mktemp("census") / "census.sqlite3"
    shutil.copy(demo_template, path)
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as s:
            assert seed_census(s, seed=7, now=NOW, components=SMALL) > 0
    finally:
        db.dispose()
    return path


@pytest.fixture
def census_db(census_template: Path, tmp_path: Path) -> Database:
    path = tmp_path / "census.sqlite3"
    shutil.copy(census_template, path)
    db = Database(f"sqlite:///{path}")
    yield db  # type: ignore[misc]
    db.dispose()


def _rows(db: Database) -> list[tuple[object, ...]]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(*COLUMNS).order_by(Component.id))]


def test_about_the_asked_number_every_class_and_nothing_twice(census_db: Database) -> None:
    with census_db.read() as s:
        count = s.scalar(select(func.count()).select_from(Component)) or 0
        per_class = {
            code: n
            for code, n in s.execute(
                select(Component.category_code, func.count()).group_by(Component.category_code)
            )
        }
        demo = set(s.scalars(select(Component.is_demo).distinct()))
    assert SMALL * 0.9 < count < SMALL * 1.1
    assert demo == {True}
    # The large classes are all there; a thin one (古树名木, 0.08 a grid) may not be at 1/10.
    big = {c.code for c in census_classes() if c.per_km >= 2 or c.per_grid >= 0.8}
    assert big <= set(per_class)
    assert set(per_class) <= {c.code for c in census_classes()}
    with census_db.session() as s:  # the register holds objects: the seed adds none
        assert seed_census(s, seed=7, now=NOW) == 0
    assert len(_rows(census_db)) == count


def test_every_object_lies_in_the_grid_and_street_it_names(census_db: Database) -> None:
    with census_db.read() as s:
        lookup = load_grid_index(s)
        rows = s.execute(
            select(Component.lon, Component.lat, Component.grid_id, Component.street_id)
        ).all()
        district = shapely.from_geojson(
            s.scalar(select(Region.geometry).where(Region.level == "district"))
        )
    lons = np.array([r.lon for r in rows])
    lats = np.array([r.lat for r in rows])
    assert shapely.contains_xy(district, lons, lats).all()
    located = lookup.locate_many(lons, lats)  # (grid, unit, area, street) of each point
    assert located[:, 0].tolist() == [r.grid_id for r in rows]
    assert located[:, 3].tolist() == [r.street_id for r in rows]


def test_lines_and_areas_are_valid_shapes_inside_their_grid(census_db: Database) -> None:
    kinds = {c.code: c.geometry_kind for c in census_classes()}
    with census_db.read() as s:
        rows = s.execute(
            select(
                Component.category_code,
                Component.geometry_kind,
                Component.geometry,
                Component.lon,
                Component.lat,
                Region.geometry.label("grid"),
            ).join(Region, Region.id == Component.grid_id)
        ).all()
    shaped = [r for r in rows if r.geometry is not None]
    assert {r.geometry_kind for r in shaped} == {"line", "polygon"}
    assert all(r.geometry_kind == "point" for r in rows if r.geometry is None)
    assert all(kinds[r.category_code] == r.geometry_kind for r in rows)
    shapes = shapely.from_geojson([r.geometry for r in shaped])
    grids = shapely.from_geojson([r.grid for r in shaped])
    assert shapely.is_valid(shapes).all()
    assert shapely.within(shapes, grids).all()
    expected = {"line": "LineString", "polygon": "Polygon"}
    assert [shapely.get_type_id(g) for g in shapes] == [
        1 if r.geometry_kind == "line" else 3 for r in shaped
    ]
    assert {expected[r.geometry_kind] for r in shaped} == {"LineString", "Polygon"}
    # Its point (what distance and the map use) lies on a line, inside an area.
    points = shapely.points([r.lon for r in shaped], [r.lat for r in shaped])
    assert (shapely.distance(points, shapes) < 1e-6).all()


def test_identifiers_are_valid_unique_and_numbered_per_class(census_db: Database) -> None:
    with census_db.read() as s:
        county = s.scalar(select(Region.code).where(Region.level == "district"))
        rows = s.execute(
            select(Component.identifier, Component.category_code, Component.name)
        ).all()
    assert county == "610104"
    assert len({r.identifier for r in rows}) == len(rows)
    assert [identifier_problem(r.identifier, county, r.category_code) for r in rows] == [
        None
    ] * len(rows)
    serials: dict[str, list[int]] = {}
    for r in rows:
        serials.setdefault(r.category_code, []).append(parse_identifier(r.identifier).serial)
    for code, numbers in serials.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), code
    names = {c.code: c.name for c in census_classes()}
    assert all(r.name.startswith(names[r.category_code]) and len(r.name) <= 30 for r in rows)


def test_classes_owners_and_legacy_codes_are_the_reference_data(census_db: Database) -> None:
    """Each class is a 2026 component class of that name, owned by the department that routing
    gives the class (water covers → the water company, lamps → the lamp office, bins → 环卫…),
    with its one CJ/T 214 predecessor where it has one."""
    with census_db.read() as s:
        categories = {
            code: name
            for code, name in s.execute(
                select(Category.code, Category.name).where(
                    Category.taxonomy == reference_data.TAXONOMY_GBT2026,
                    Category.kind == "component",
                )
            )
        }
        predecessors: dict[str, list[str]] = {}
        for code, successor in s.execute(
            select(Category.code, Category.successor_code).where(
                Category.taxonomy == reference_data.TAXONOMY_CJT214,
                Category.kind == "component",
            )
        ):
            if successor:
                predecessors.setdefault(successor, []).append(code)
        departments = {d.id: d.code for d in s.scalars(select(Department))}
        rows = s.execute(
            select(
                Component.category_code,
                Component.legacy_category_code,
                Component.owner_department_id,
                Component.maintainer_department_id,
            ).distinct()
        ).all()
        routed = {}
        for c in census_classes():
            department = reference_data.route(
                s, reference_data.TAXONOMY_GBT2026, c.code, None, kind="component"
            )
            routed[c.code] = department.code if department is not None else None
    for c in census_classes():
        assert categories[c.code] == c.name, c.code
        assert routed[c.code] == c.owner, c.code
    owner_of = {c.code: c.owner for c in census_classes()}
    for r in rows:
        assert departments[r.owner_department_id] == owner_of[r.category_code]
        assert r.maintainer_department_id is None or r.maintainer_department_id in departments
        old = predecessors.get(r.category_code, [])
        assert r.legacy_category_code == (old[0] if len(old) == 1 else None), r.category_code
    assert owner_of["01001"] == "PRO14"  # 供水井盖: the water company
    assert owner_of["01037"] == "PRO07"  # 路灯: the lamp office
    assert owner_of["03005"] == "PRO02"  # 垃圾箱: 环境卫生管理中心


def test_proportions_and_statuses_follow_the_data_file(census_db: Database) -> None:
    with census_db.read() as s:
        rows = s.execute(select(Component.category_code, Component.status)).all()
    per_class = Counter(r.category_code for r in rows)
    road = {c.code: c for c in census_classes() if c.placement == "road"}
    lamps = road["01037"]
    for code, c in road.items():
        expected = per_class["01037"] * c.per_km / lamps.per_km
        if expected >= 200:  # rows along the same roads: in the ratio of their densities
            assert per_class[code] == pytest.approx(expected, rel=0.12), code
    assert set(Counter(r.status for r in rows)) <= set(statuses())
    share = Counter(r.status for r in rows)
    assert 0.9 < share["intact"] / len(rows) < 0.99  # mostly 完好
    assert share["damaged"] > share["missing"] > 0 and share["occupied"] > 0
    # 雨水箅子: 2.5 % damaged, 1 % missing, 1.5 % occupied in the file.
    grates = Counter(r.status for r in rows if r.category_code == "01004")
    total = sum(grates.values())
    assert grates["damaged"] / total == pytest.approx(0.025, abs=0.012)
    assert grates["occupied"] / total == pytest.approx(0.015, abs=0.01)


def test_the_same_seed_gives_the_same_census_another_seed_another(
    demo_template: Path, census_db: Database, tmp_path: Path
) -> None:
    made = {}
    for seed in (7, 8):
        path = tmp_path / f"seed{seed}.sqlite3"
        shutil.copy(demo_template, path)
        db = Database(f"sqlite:///{path}")
        try:
            with db.session() as s:
                seed_census(s, seed=seed, now=NOW, components=SMALL)
            made[seed] = _rows(db)
        finally:
            db.dispose()
    assert made[7] == _rows(census_db)
    assert made[8] != made[7]


def test_the_demo_cases_name_their_objects_and_repeat_offenders_count_right(
    census_db: Database,
) -> None:
    """Reported across the 2026 changeover: CJ/T 214 reports name objects by their old class.
    Every named object is of the case's class and within the register's radius; the repeat
    offenders are those named by at least 3 counted cases, each with its count."""
    with census_db.session() as s:
        seed_cases(s, CaseService(census_db).workflow, cases=320, days=20, seed=4, now=NOW)
    rules = register_rules()
    with census_db.read() as s:
        cases = s.execute(
            select(
                Case.id,
                Case.kind,
                Case.taxonomy,
                Case.category_code,
                Case.lon,
                Case.lat,
                Case.state,
                Case.reported_at,
                Component.id.label("object"),
                Component.category_code.label("object_code"),
                Component.legacy_category_code.label("object_legacy"),
                Component.lon.label("object_lon"),
                Component.lat.label("object_lat"),
            ).outerjoin(Component, Component.id == Case.component_id)
        ).all()
        offenders = repeat_offenders(s, NOW)
    named = [c for c in cases if c.object is not None]
    component_cases = [c for c in cases if c.kind == "component"]
    assert len(named) > len(component_cases) / 4
    assert {c.kind for c in named} == {"component"}
    assert {c.taxonomy for c in named} == {
        reference_data.TAXONOMY_CJT214,
        reference_data.TAXONOMY_GBT2026,
    }
    for c in named:
        assert c.category_code in (c.object_code, c.object_legacy), c.id
        assert distance_m(c.lon, c.lat, c.object_lon, c.object_lat) <= rules.nearby_radius_m
    # Counted by hand: cases per object in the window, voided and merged ones aside.
    start = window_start(NOW)
    counted = Counter(
        c.object for c in named if c.state not in NOT_A_FAULT and start <= c.reported_at <= NOW
    )
    expected = {obj: n for obj, n in counted.items() if n >= rules.repeat_cases}
    assert expected  # 320 cases: a pool of a few objects draws several each
    assert {o.component_id: o.cases for o in offenders} == expected
