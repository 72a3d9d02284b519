"""GET /api/v1/components/nearby (issue 17): the register's objects of a 部件 category near a
point for the field app's report form — its answer, its token, its seat's region, its refusals —
and POST /api/v1/reports naming one (component_id)."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import insert, select, update

from console.db import Database
from console.models import Case, Component, Region, User
from tests.gateway.conftest import Gateway
from tests.gateway.test_field_reports import counts, photos
from tests.models.test_components import _row
from tests.services.console_support import street_points

DEG_PER_M = 1 / 111_195
NEARBY = "/api/v1/components/nearby"


def east(lon: float, lat: float, metres: float) -> float:
    """The longitude ``metres`` east of the point (a degree of longitude shrinks with cos lat)."""
    return lon + metres * DEG_PER_M / math.cos(math.radians(lat))


def add(db: Database, serial: int, lon: float, lat: float, **over: object) -> int:
    """A register object of 01001 (供水井盖) at the point; ``over`` replaces any column."""
    row = _row(db, f"61010401001{serial:06d}") | {"lon": lon, "lat": lat} | over
    with db.session() as s:
        return int(s.execute(insert(Component).returning(Component.id), [row]).scalar_one())


def place(db: Database, street_code: str) -> tuple[int, int, tuple[float, float]]:
    """(street id, grid id, a point in the grid) of the first grid of the street ``street_code``."""
    with db.read() as s:
        street = s.scalar(select(Region.id).where(Region.code == street_code))
    return next(p for p in street_points(db) if p[0] == street) if street else (0, 0, (0.0, 0.0))


def nearby(c: Any, code: str, point: tuple[float, float]) -> Any:
    return c.get(NEARBY, params={"category_code": code, "lon": point[0], "lat": point[1]})


def test_the_nearest_of_the_category_within_30_m_nearest_first(gateway: Gateway) -> None:
    street, grid, (lon, lat) = street_points(gateway.db)[0]
    here = {"street_id": street, "grid_id": grid}
    far = add(gateway.db, 1, east(lon, lat, 40), lat, **here)
    second = add(gateway.db, 2, lon, lat + 20 * DEG_PER_M, status="damaged", **here)
    first = add(gateway.db, 3, east(lon, lat, 5), lat, address="莲湖路 12 号", **here)
    add(gateway.db, 4, lon, lat, category_code="01002", identifier="61010401002000004", **here)
    with gateway.client("inspector") as c:
        answer = nearby(c, "01001", (lon, lat))
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [x["id"] for x in found] == [first, second]  # not the one 40 m off, nor 01002
    assert far not in [x["id"] for x in found]
    assert found[0] == {
        "id": first,
        "identifier": "61010401001000003",
        "name": "供水井盖",
        "category_code": "01001",
        "status": "intact",
        "status_label": "完好",
        "status_label_en": "intact",
        "distance_m": found[0]["distance_m"],
        "address": "莲湖路 12 号",
        "lon": east(lon, lat, 5),
        "lat": lat,
    }
    assert abs(found[0]["distance_m"] - 5) < 0.5
    assert abs(found[1]["distance_m"] - 20) < 0.5
    assert (found[1]["status_label"], found[1]["status_label_en"]) == ("损坏", "damaged")


def test_at_most_the_registers_five(gateway: Gateway) -> None:
    street, grid, (lon, lat) = street_points(gateway.db)[0]
    for k in range(8):
        add(gateway.db, 10 + k, east(lon, lat, k), lat, street_id=street, grid_id=grid)
    with gateway.client("inspector") as c:
        found = nearby(c, "01001", (lon, lat)).json()
    assert [x["identifier"][-2:] for x in found] == ["10", "11", "12", "13", "14"]


def test_a_token_is_needed(gateway: Gateway) -> None:
    with gateway.client() as c:
        answer = nearby(c, "01001", (108.93, 34.27))
    assert answer.status_code == 401


def test_a_street_seat_gets_its_streets_objects_a_grids_staff_any(gateway: Gateway) -> None:
    own_street, own_grid, own = place(gateway.db, "610104001")  # 青年路: the demo street seat's
    other = next(p for p in street_points(gateway.db) if p[0] != own_street)
    other_street, other_grid, there = other
    mine = add(gateway.db, 20, *own, street_id=own_street, grid_id=own_grid)
    theirs = add(gateway.db, 21, *there, street_id=other_street, grid_id=other_grid)
    with gateway.client("street_duty_officer") as c:
        assert [x["id"] for x in nearby(c, "01001", own).json()] == [mine]
        assert nearby(c, "01001", there).json() == []
    with gateway.client("unit_head") as c:  # 莲湖路第一社区: the first grid of 青年路 is in it
        assert [x["id"] for x in nearby(c, "01001", own).json()] == [mine]
        assert nearby(c, "01001", there).json() == []
    with gateway.client("inspector") as c:
        assert [x["id"] for x in nearby(c, "01001", there).json()] == [theirs]
    # a grid's staff may report next door, so may name what is there
    with gateway.client("grid_manager") as c:
        assert [x["id"] for x in nearby(c, "01001", there).json()] == [theirs]


def test_bad_input_is_refused_with_its_field(gateway: Gateway) -> None:
    lon, lat = 108.93, 34.27
    bad: list[tuple[dict[str, Any], str]] = [
        ({"category_code": "abc", "lon": lon, "lat": lat}, "category_code"),
        ({"category_code": "010011", "lon": lon, "lat": lat}, "category_code"),
        ({"category_code": "99999", "lon": lon, "lat": lat}, "category_code"),
        ({"category_code": "06010", "lon": lon, "lat": lat}, "category_code"),  # an event
        ({"lon": lon, "lat": lat}, "category_code"),
        ({"category_code": "01001", "lon": 181, "lat": lat}, "lon"),
        ({"category_code": "01001", "lon": "nan", "lat": lat}, "lon"),
        ({"category_code": "01001", "lon": lon, "lat": "inf"}, "lat"),
        ({"category_code": "01001", "lon": lon, "lat": "北纬"}, "lat"),
        ({"category_code": "01001", "lon": lon}, "lat"),
    ]
    with gateway.client("inspector") as c:
        for params, field in bad:
            answer = c.get(NEARBY, params=params)
            assert answer.status_code == 400, (params, answer.text)
            assert answer.json()["field"] == field, (params, answer.json())
        # 06010 is an event (暴露垃圾); the message says so, in Chinese
        answer = c.get(NEARBY, params={"category_code": "06010", "lon": lon, "lat": lat})
        assert "不是部件类别" in answer.json()["message"]
        # a CJ/T 214 component code is read as its successor (0101 上水井盖 → 01001)
        assert c.get(NEARBY, params={"category_code": "0101", "lon": lon, "lat": lat}).json() == []


def _report(gw: Gateway, c: Any, key: str, point: tuple[float, float], **over: str) -> Any:
    data = {
        "category_code": "01001",
        "kind": "component",
        "lon": f"{point[0]:.7f}",
        "lat": f"{point[1]:.7f}",
        "address": "莲湖路 12 号",
        "description": "井盖破损下陷",
        **over,
    }
    return c.post("/api/v1/reports", data=data, files=photos(1), headers={"Idempotency-Key": key})


def test_a_report_names_the_object_it_picked(gateway: Gateway) -> None:
    street, grid, (lon, lat) = street_points(gateway.db)[0]
    near = add(gateway.db, 30, east(lon, lat, 8), lat, street_id=street, grid_id=grid)
    far = add(gateway.db, 31, east(lon, lat, 60), lat, street_id=street, grid_id=grid)
    with gateway.client("inspector") as c:
        named = _report(gateway, c, "k-named", (lon, lat), component_id=str(near))
        assert named.status_code == 201, named.text
        none = _report(gateway, c, "k-none", (lon, lat), component_id="")
        assert none.status_code == 201, none.text
        before = counts(gateway)
        refused = _report(gateway, c, "k-far", (lon, lat), component_id=str(far))
        assert refused.status_code == 400
        assert refused.json()["field"] == "component_id"
        assert "超出 30 米" in refused.json()["message"]
        for n, junk in enumerate(("abc", "-1", "1.5", "9" * 19, "１２")):
            answer = _report(gateway, c, f"k-junk-{n}", (lon, lat), component_id=junk)
            assert answer.status_code == 400, (junk, answer.text)
            assert answer.json()["field"] == "component_id"
        assert counts(gateway) == before  # nothing filed by a refusal
        # the object is part of the request: the same key naming another is not a replay
        other = _report(gateway, c, "k-named", (lon, lat), component_id="")
        assert other.status_code == 422
        again = _report(gateway, c, "k-named", (lon, lat), component_id=str(near))
        assert again.status_code == 200
    with gateway.db.read() as s:
        assert s.scalar(select(Case.component_id).where(Case.id == named.json()["id"])) == near
        assert s.scalar(select(Case.component_id).where(Case.id == none.json()["id"])) is None


def test_documented_in_the_openapi(gateway: Gateway) -> None:
    with gateway.client() as c:
        schema = c.get("/openapi.json").json()
    operation = schema["paths"][NEARBY]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"category_code", "lon", "lat"}
    assert {"200", "400", "401"} <= set(operation["responses"])
    report = schema["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]
    assert "component_id" in report["multipart/form-data"]["schema"]["properties"]


def test_a_confined_account_without_its_region_is_offered_nothing(gateway: Gateway) -> None:
    street, grid, point = place(gateway.db, "610104001")
    add(gateway.db, 40, *point, street_id=street, grid_id=grid)
    with gateway.client("street_leader") as c:
        assert len(nearby(c, "01001", point).json()) == 1
        with gateway.db.session() as s:
            s.execute(update(User).where(User.username == "street_leader").values(region_id=None))
        assert nearby(c, "01001", point).json() == []
