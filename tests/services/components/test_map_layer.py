"""The map's component layer: compact rows in scope, by box, by class, since a time; the
classes present; a component's card with its newest cases."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from console.db import Database
from console.errors import ValidationError
from console.models import Case, Component, Region
from console.services.case_scope import CaseScope
from console.services.cases.service import CaseService
from console.services.components.map_desk import ComponentMapDesk
from console.services.components.map_layer import (
    CARD_CASES,
    ROW_FIELDS,
    Bbox,
    component_card,
    component_classes,
    last_change,
    layer_json,
    layer_rows,
)
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.models.test_components import _row
from tests.services.console_support import INSPECTOR, report_input, street_points

CLASSES = ("01001", "01003", "02001")
STATUSES = ("intact", "damaged", "missing", "intact", "occupied")


def seed_components(
    db: Database,
    street: int,
    grid: int,
    centre: tuple[float, float],
    n: int,
    *,
    first: int = 1,
    name: str = "供水井盖",
) -> list[int]:
    """``n`` objects in ``grid`` of ``street``, on a 20 × k lattice 5 m apart from ``centre``,
    classes and statuses in turn."""
    rows: list[dict[str, Any]] = []
    for k in range(n):
        serial = first + k
        category = CLASSES[k % len(CLASSES)]
        rows.append(
            _row(db, f"610104{category}{serial:06d}")
            | {
                "name": name,
                "category_code": category,
                "status": STATUSES[k % len(STATUSES)],
                "lon": centre[0] + (k % 20) * 5e-5,
                "lat": centre[1] + (k // 20) * 5e-5,
                "street_id": street,
                "grid_id": grid,
            }
        )
    with db.session() as s:
        return list(s.execute(insert(Component).returning(Component.id), rows).scalars())


@pytest.fixture
def two_streets(demo_db: Database) -> dict[str, Any]:
    (street_a, grid_a, point_a), (street_b, grid_b, point_b) = street_points(demo_db)
    a = seed_components(demo_db, street_a, grid_a, point_a, 300)
    b = seed_components(demo_db, street_b, grid_b, point_b, 100, first=1000)
    return {"a": (street_a, grid_a, point_a, a), "b": (street_b, grid_b, point_b, b)}


def test_rows_are_compact_arrays_of_the_scope(demo_db: Database, two_streets: Any) -> None:
    street_a, grid_a, _, ids_a = two_streets["a"]
    with demo_db.read() as s:
        everything = layer_rows(s)
        own = layer_rows(s, CaseScope("street", street_a))
        grid = layer_rows(s, CaseScope("grid", grid_a))
        unit_id = s.scalar(select(Region.parent_id).where(Region.id == grid_a))
        unit = layer_rows(s, CaseScope("unit", unit_id))
        nowhere = layer_rows(s, CaseScope("street", None))
    assert len(everything) == 400
    assert [r.id for r in own] == ids_a == [r.id for r in grid] == [r.id for r in unit]
    assert nowhere == []
    payload = json.loads(layer_json(own))
    assert ROW_FIELDS == ("id", "lon", "lat", "category", "status")
    assert payload["full"] is True
    assert sorted(payload["categories"]) == sorted(CLASSES)
    assert set(payload["statuses"]) == set(STATUSES)
    assert all(isinstance(row, list) and len(row) == 5 for row in payload["rows"])
    decoded = [
        (row[0], row[1], row[2], payload["categories"][row[3]], payload["statuses"][row[4]])
        for row in payload["rows"]
    ]
    assert decoded == [(r.id, round(r.lon, 6), round(r.lat, 6), r.category, r.status) for r in own]
    # arrays, not objects: no field name repeated per row
    assert '"lon"' not in layer_json(own)


def test_lines_and_polygons_travel_with_their_parts(demo_db: Database, two_streets: Any) -> None:
    _, _, (lon, lat), ids = two_streets["a"]
    rail = {
        "type": "LineString",
        "coordinates": [[lon, lat], [lon + 4e-4, lat], [lon + 4e-4, lat + 1e-4]],
    }
    park = {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + 3e-4, lat], [lon + 3e-4, lat + 2e-4], [lon, lat]],
            [
                [lon + 1e-4, lat + 5e-5],
                [lon + 2e-4, lat + 5e-5],
                [lon + 1e-4, lat + 1e-4],
                [lon + 1e-4, lat + 5e-5],
            ],
        ],
    }
    with demo_db.session() as s:
        for target, kind, shape in ((ids[0], "line", rail), (ids[1], "polygon", park)):
            s.execute(
                update(Component)
                .where(Component.id == target)
                .values(geometry_kind=kind, geometry=json.dumps(shape))
            )
        # Unreadable stored text: the object is still drawn as its point.
        s.execute(update(Component).where(Component.id == ids[2]).values(geometry="{oops"))
    with demo_db.read() as s:
        payload = json.loads(layer_json(layer_rows(s)))
    assert len(payload["rows"]) == 400  # every object keeps its point (the dot to click)
    shapes = {entry[0]: entry[1:] for entry in payload["shapes"]}
    assert set(shapes) == {ids[0], ids[1]}
    kind, flat = shapes[ids[0]]
    assert kind == 1 and flat == pytest.approx(
        [v for p in rail["coordinates"] for v in p], abs=1e-6
    )
    kind, flat = shapes[ids[1]]
    outer = park["coordinates"][0]
    assert kind == 2 and flat == pytest.approx([v for p in outer for v in p], abs=1e-6)  # no hole


def test_a_box_and_a_class_narrow_the_rows(demo_db: Database, two_streets: Any) -> None:
    _, _, (lon, lat), _ = two_streets["a"]
    box = Bbox(lon - 1e-6, lat - 1e-6, lon + 4.5e-4, lat + 2.5e-4)  # 10 columns × 6 rows
    with demo_db.read() as s:
        everything = layer_rows(s)
        inside = layer_rows(s, bbox=box)
        lids = layer_rows(s, categories=["01001"])
        major = layer_rows(s, categories=["01"])
        both = layer_rows(s, categories=["01003", "02"], bbox=box)
        none = layer_rows(s, categories=[])
    expected = [
        r for r in everything if box.west <= r.lon <= box.east and box.south <= r.lat <= box.north
    ]
    assert len(inside) == 60 and inside == expected
    assert lids and {r.category for r in lids} == {"01001"}
    assert {r.category for r in major} == {"01001", "01003"}
    assert len(major) == len([r for r in everything if r.category.startswith("01")])
    assert both == [r for r in inside if r.category in ("01003", "02001")]
    assert none == []


def test_since_gives_only_the_changed(demo_db: Database, two_streets: Any) -> None:
    _, _, _, ids_a = two_streets["a"]
    with demo_db.read() as s:
        until = last_change(s)
    assert until is not None
    with demo_db.session() as s:
        s.execute(
            update(Component)
            .where(Component.id == ids_a[7])
            .values(status="scrapped", updated_at=until + timedelta(minutes=5))
        )
    with demo_db.read() as s:
        changed = layer_rows(s, since=until)
        assert last_change(s) == until + timedelta(minutes=5)
    assert [(r.id, r.status) for r in changed] == [(ids_a[7], "scrapped")]
    assert json.loads(layer_json(changed, full=False))["full"] is False


def test_classes_name_item_and_class(demo_db: Database, two_streets: Any) -> None:
    street_b = two_streets["b"][0]
    with demo_db.read() as s:
        classes = component_classes(s)
        own = component_classes(s, CaseScope("street", street_b))
    assert [(c.code, c.count) for c in classes] == [("01001", 134), ("01003", 133), ("02001", 133)]
    assert (classes[0].name, classes[0].major_code, classes[0].major_name) == (
        "供水井盖",
        "01",
        "市政公用设施",
    )
    assert classes[2].major_name == "交通设施"
    assert sum(c.count for c in own) == 100


def test_a_card_lists_the_newest_cases_capped(
    demo_db: Database, two_streets: Any, clock: Clock
) -> None:
    street_a, _, point, ids_a = two_streets["a"]
    street_b = two_streets["b"][0]
    target = ids_a[0]  # 01001, at the lattice's corner
    service = CaseService(demo_db, clock=clock)
    filed = []
    for _ in range(CARD_CASES + 2):
        clock.advance(minutes=3)
        case = service.report(
            INSPECTOR,
            report_input(point, kind="component", category_code="01001", component_id=target),
        )
        filed.append(case)
    with demo_db.read() as s:
        card = component_card(s, target, CaseScope("street", street_a))
        with pytest.raises(ValidationError, match="不在部件库中"):
            component_card(s, target, CaseScope("street", street_b))
        reported = {
            cid: at
            for cid, at in s.execute(
                select(Case.id, Case.reported_at).where(Case.component_id == target)
            )
        }
    assert card.identifier == "61010401001000001" and card.category_name == "供水井盖"
    assert card.major_name == "市政公用设施" and card.status_label == "完好"
    assert card.owner_department
    assert card.cases_total == CARD_CASES + 2 and len(card.cases) == CARD_CASES
    newest_first = sorted(reported, key=lambda c: reported[c], reverse=True)[:CARD_CASES]
    assert [c.id for c in card.cases] == newest_first
    assert card.cases[0].number == filed[-1].number
    data = json.loads(card.to_json())
    assert data["name"] == card.name and len(data["cases"]) == CARD_CASES
    assert data["cases"][0][1] == filed[-1].number


def test_the_desk_keeps_a_street_seat_in_its_street(demo_db: Database, two_streets: Any) -> None:
    street_a, _, _, ids_a = two_streets["a"]
    _, _, _, ids_b = two_streets["b"]
    seat = Workbench(demo_db, username="duty_chief")
    district = ComponentMapDesk(demo_db, seat.actor, seat.clock)  # Workbench.component_map
    assert district.layer().count == 400
    actor = replace(seat.actor, role="street_duty_officer", region_id=street_a)
    street_seat = ComponentMapDesk(demo_db, actor, seat.clock)
    payload = street_seat.layer()
    assert payload.count == 300
    assert {row[0] for row in json.loads(payload.json)["rows"]} == set(ids_a)
    assert street_seat.card(ids_a[0]).id == ids_a[0]
    with pytest.raises(ValidationError):
        street_seat.card(ids_b[0])
    assert street_seat.layer(since=payload.until).count == 0
