"""Open311 GeoReport v2 in XML, through a real HTTP client against a running gateway.

Every XML answer is parsed with ElementTree and compared, field by field, with its JSON twin.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from console.db import Database
from console.models import Case
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import read_open311
from tests.conftest import Clock
from tests.gateway.conftest import Gateway, serve, settings_for
from tests.gateway.support import closed, dispatched, point, reported

XML_TYPE = "application/xml; charset=utf-8"


def _xml(response: httpx.Response, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == XML_TYPE
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def _as_text(value: object) -> str | None:
    """A JSON value as the XML carries it: empty element for null, true/false, repr of floats."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _record(element: ET.Element) -> dict[str, Any]:
    """One flat XML record: child tag → text (None when empty), in document order."""
    return {child.tag: child.text for child in element}


def _same_record(xml: ET.Element, json: dict[str, Any]) -> None:
    assert [child.tag for child in xml] == list(json)  # same fields, in the same order
    assert _record(xml) == {k: _as_text(v) for k, v in json.items()}


def _error(response: httpx.Response, status: int, field: str | None = None) -> str:
    root = _xml(response, status)
    assert root.tag == "errors"
    (error,) = root
    assert error.tag == "error"
    assert error.findtext("code") == str(status)
    description = error.findtext("description")
    assert description
    if field is not None:
        assert error.findtext("field") == field
        assert description.startswith(f"{field}: ")
    return description


def test_services_xml_carries_the_json_values(gateway: Gateway) -> None:
    with gateway.client() as c:  # reads need no key
        as_json = c.get("/open311/v2/services.json").json()
        root = _xml(c.get("/open311/v2/services.xml", params={"jurisdiction_id": "610104"}))
    assert root.tag == "services"
    assert [s.tag for s in root] == ["service"] * len(as_json)
    assert len(as_json) > 3
    for xml, json in zip(root, as_json, strict=True):
        _same_record(xml, json)
    garbage = next(s for s in root if s.findtext("service_code") == "E06010")
    assert garbage.findtext("service_name") == "暴露垃圾"
    assert garbage.findtext("metadata") == "true" and garbage.findtext("type") == "realtime"


def test_service_definition_xml(gateway: Gateway) -> None:
    with gateway.client() as c:
        as_json = c.get("/open311/v2/services/garbage.json").json()
        root = _xml(c.get("/open311/v2/services/garbage.xml"))
        assert "nope" in _error(c.get("/open311/v2/services/nope.xml"), 404)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "E06010"  # the alias's category, by its code
    attributes = root.find("attributes")
    assert attributes is not None
    assert (
        [a.tag for a in attributes] == ["attribute"] * len(as_json["attributes"]) == ["attribute"]
    )
    for xml, json in zip(attributes, as_json["attributes"], strict=True):
        assert [child.tag for child in xml] == list(json)
        flat = {k: v for k, v in json.items() if k != "values"}
        assert {k: v for k, v in _record(xml).items() if k != "values"} == {
            k: _as_text(v) for k, v in flat.items()
        }
        values = xml.find("values")
        assert values is not None and [v.tag for v in values] == ["value"] * len(json["values"])
        assert [_record(v) for v in values] == json["values"]
    (attribute,) = attributes
    assert attribute.findtext("variable") == "false" and attribute.findtext("order") == "1"
    assert "生活垃圾" in (attribute.findtext("description") or "")


def test_post_requests_xml_creates_a_case(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    with gateway.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.xml",
            data={
                "jurisdiction_id": "610104",
                "service_code": "garbage",
                "lat": str(lat),
                "long": str(lon),
                "address_string": "莲湖路1号",
                "description": "路边成堆垃圾",
            },
        )
        root = _xml(r, 201)
        assert root.tag == "service_requests"
        (created,) = root
        assert created.tag == "request"
        # Open311: no token beside an id (and no account_id when none was sent)
        assert [child.tag for child in created] == ["service_request_id", "service_notice"]
        number = created.findtext("service_request_id")
        assert number
        assert created.findtext("service_notice") == "已受理，等待立案（待立案）"
        (one,) = _xml(c.get(f"/open311/v2/requests/{number}.xml"))
    assert one.findtext("status") == "open" and one.findtext("service_code") == "E06010"
    assert (float(one.findtext("lat") or 0), float(one.findtext("long") or 0)) == (lat, lon)
    with gateway.db.read() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case is not None and case.description == "路边成堆垃圾"


def test_get_requests_xml_matches_json_and_the_importer_reads_it(gateway: Gateway) -> None:
    cases, db = gateway.cases, gateway.db
    open_one = dispatched(cases, db)
    closed_one = closed(cases, db)
    component = reported(cases, db, category_code="0101", kind="component")
    with gateway.client("intake") as c:
        for params in ({}, {"status": "closed"}, {"service_code": "0101"}):
            as_json = c.get("/open311/v2/requests.json", params=params).json()
            response = c.get("/open311/v2/requests.xml", params=params)
            root = _xml(response)
            assert root.tag == "service_requests" and len(root) == len(as_json) > 0
            for xml, json in zip(root, as_json, strict=True):
                _same_record(xml, json)
        everything = c.get("/open311/v2/requests.xml").content
        (one,) = _xml(c.get(f"/open311/v2/requests/{closed_one.number}.xml"))
        _same_record(one, c.get(f"/open311/v2/requests/{closed_one.number}.json").json()[0])
    assert one.findtext("status") == "closed" and one.findtext("status_notes") == "已结案"
    assert one.findtext("address_id") == "" and one.findtext("media_url") == ""
    # The console's own Open311 importer takes the gateway's XML as it is.
    parsed = read_open311(everything)
    assert {(r.data or {}).get("service_request_id") for r in parsed.records} == {
        open_one.number,
        closed_one.number,
        component.number,
    }


def test_errors_in_xml(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    base = {"service_code": "garbage", "lat": lat, "long": lon, "description": "x"}
    with gateway.client(secret="gdc_" + "x" * 43) as refused:  # a key sent must be a good one
        r = refused.get("/open311/v2/services.xml")
        _error(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")
    with gateway.client() as anonymous:
        params = {"jurisdiction_id": "elsewhere"}
        for path in ("services", "services/E06010", "requests", "requests/E1"):
            described = _error(anonymous.get(f"/open311/v2/{path}.xml", params=params), 404)
            assert described.startswith("jurisdiction_id: ") and "610104" in described
    with gateway.client("intake") as c:
        assert "写反" in _error(
            c.post("/open311/v2/requests.xml", json={**base, "lat": lon, "long": lat}), 400, "lat"
        )
        _error(c.get("/open311/v2/requests.xml", params={"status": "pending"}), 400, "status")
        _error(c.get("/open311/v2/requests/E0000000000000000.xml"), 404)
        _error(c.get("/open311/v2/nothing-here.xml"), 404)
        _error(c.post("/open311/v2/requests.xml", content=b"{oops", headers=_json_type()), 400)
        # The JSON twin keeps answering in JSON.
        r = c.get("/open311/v2/requests/E0000000000000000.json")
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    with gateway.client("dept-pro02") as c:  # handlers do not report
        assert "发现上报" in _error(c.post("/open311/v2/requests.xml", json=base), 403)
    with gateway.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0  # nothing half-written


def test_oversized_body_is_refused_in_xml(demo_db: Database, tmp_path: Path, clock: Clock) -> None:
    settings = settings_for(tmp_path, max_body_bytes=2048)
    for small in serve(demo_db, settings, CaseService(demo_db, clock=clock)):
        lon, lat = point(demo_db)
        with small.client("intake") as c:
            big = {**_body(lon, lat), "description": "长" * 1000}
            assert "2048" in _error(c.post("/open311/v2/requests.xml", json=big), 413)


def _json_type() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def test_injection_text_round_trips_as_text(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    nasty = (
        "<script>alert('x')</script> ]]> & &amp; <![CDATA[ y ]]> \"q\" "
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'boom'>]>&e; 名"
    )
    with gateway.client("intake") as c:
        created = _xml(
            c.post(
                "/open311/v2/requests.xml",
                json={**_body(lon, lat), "description": nasty, "address_string": "<b>&</b>"},
            ),
            201,
        )
        number = created[0].findtext("service_request_id")
        r = c.get(f"/open311/v2/requests/{number}.xml")
        (one,) = _xml(r)
        # A control character XML cannot carry becomes U+FFFD there; JSON keeps it.
        bell = c.post(
            "/open311/v2/requests.json", json={**_body(lon, lat), "description": "响\x07铃"}
        )
        bell_number = bell.json()[0]["service_request_id"]
        (rung,) = _xml(c.get(f"/open311/v2/requests/{bell_number}.xml"))
        assert c.get(f"/open311/v2/requests/{bell_number}.json").json()[0]["description"] == (
            "响\x07铃"
        )
    assert one.findtext("description") == nasty
    assert one.findtext("address") == "<b>&</b>"
    assert b"<script>" not in r.content and b"<b>" not in r.content  # escaped, never markup
    assert b"&lt;script&gt;" in r.content
    assert rung.findtext("description") == "响\ufffd铃"


def _body(lon: float, lat: float) -> dict[str, Any]:
    return {"service_code": "garbage", "lat": lat, "long": lon}


def test_openapi_lists_the_xml_twins(gateway: Gateway) -> None:
    with gateway.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    for path in (
        "services",
        "services/{service_code}",
        "requests",
        "requests/{service_request_id}",
    ):
        for method, operation in paths[f"/open311/v2/{path}.xml"].items():
            ok = operation["responses"]["201" if method == "post" else "200"]
            assert set(ok["content"]) == {"application/xml"}
            assert set(operation["responses"]["401"]["content"]) == {"application/xml"}
    assert set(paths["/open311/v2/requests.xml"]) == {"get", "post"}
