"""Open311 GeoReport v2 through a real HTTP client against a running gateway."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.models import Case, CaseEvent, Category
from tests.gateway.conftest import Gateway
from tests.gateway.support import closed, dispatched, point, reported

SERVICE_KEYS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_KEYS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def _case(gateway: Gateway, number: str) -> Case:
    with gateway.db.read() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case is not None
        s.expunge(case)
        return case


def _assert_open311_error(response, status: int, field: str | None = None) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["code"] == status
    assert body[0]["description"]
    if field is not None:
        assert body[0]["field"] == field
        assert body[0]["description"].startswith(f"{field}: ")
    return body[0]["description"]


def test_services_are_every_category_with_a_unique_code(gateway: Gateway) -> None:
    with gateway.client() as c:  # reads need no key (GeoReport v2)
        r = c.get("/open311/v2/services.json")
    assert r.status_code == 200, r.text
    services = r.json()
    with gateway.db.read() as s:
        categories = s.execute(
            select(Category.taxonomy, Category.kind, Category.code, Category.name)
        ).all()
    codes = [x["service_code"] for x in services]
    assert len(codes) == len(set(codes)) == len(categories) > 500  # both generations, all
    for service in services:
        assert set(service) == SERVICE_KEYS and service["type"] == "realtime"
    # The test clock is in November 2026: GB/T 47678.5-2026 (5-digit codes) comes first.
    first_old = next(i for i, code in enumerate(codes) if len(code) == 5)
    assert all(len(code) == 6 for code in codes[:first_old])
    assert all(len(code) == 5 for code in codes[first_old:])
    by_code = {x["service_code"]: x for x in services}
    names = {(t, k, code): name for t, k, code, name in categories}
    # One code, two meanings before: 0305 is 部件 垃圾箱 and 事件 无证掘路 (CJ/T 214).
    assert by_code["C0305"]["service_name"] == names[("cjt214", "component", "0305")] == "垃圾箱"
    assert by_code["E0305"]["service_name"] == names[("cjt214", "event_type", "0305")]
    assert by_code["E0305"]["service_name"] == "无证掘路"
    garbage = by_code["E06010"]
    assert garbage["service_name"] == "暴露垃圾" and garbage["group"] == "市容环境类"
    assert garbage["description"] == "GB/T 47678.5-2026 事件 06010"
    assert garbage["metadata"] is True  # it has registration conditions
    assert {"暴露垃圾", "事件", "06010", "garbage"} <= set(garbage["keywords"].split(","))
    old = by_code["E0102"]  # CJ/T 214 暴露垃圾: listed (older cases carry it), marked
    assert old["service_name"] == "暴露垃圾" and old["group"] == "市容环境〔CJ/T 214〕"
    assert "新报告归入 E06010" in old["description"]
    # The demo's local extension classes: CJ/T 214's 06 / 07, the 2026 events' 11-14 (#16 §3).
    local = {x["service_code"] for x in services if "地方扩展" in x["description"]}
    assert {"C0701", "E0601", "E11001", "E14001"} <= local
    assert all(c[1:3] in ("06", "07") or c[1:3] in ("11", "12", "13", "14") for c in local)


def test_services_before_the_changeover_list_cjt214_first(gateway: Gateway) -> None:
    gateway.cases.clock.now = datetime(2026, 6, 30, 23, 0, tzinfo=LOCAL_TZ)  # type: ignore[attr-defined]
    with gateway.client() as c:
        services = c.get("/open311/v2/services.json").json()
    codes = [s["service_code"] for s in services]
    assert codes[:2] == ["C0101", "C0102"] and "E06010" in codes
    by_code = {s["service_code"]: s for s in services}
    assert by_code["E0102"]["group"] == "市容环境"  # in force: no mark
    assert by_code["E06010"]["group"] == "市容环境类〔GB/T 47678.5-2026〕"


def test_post_with_an_older_code_is_filed_under_its_successor(gateway: Gateway) -> None:
    """0102 (CJ/T 214 污水井盖) is no longer listed but still accepted: filed as 2026 01002."""
    lon, lat = point(gateway.db)
    with gateway.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.json",
            data={"service_code": "0102", "lat": str(lat), "long": str(lon), "description": "x"},
        )
    assert r.status_code == 201, r.text
    case = _case(gateway, r.json()[0]["service_request_id"])
    assert (case.taxonomy, case.kind, case.category_code) == (
        "gbt47678-5-2026",
        "component",
        "01002",
    )
    assert (case.original_taxonomy, case.original_category_code) == ("cjt214", "0102")
    assert case.number.startswith("C01002")


def test_service_definition_by_code_or_alias_and_unknown_code(gateway: Gateway) -> None:
    with gateway.client() as c:
        definition = c.get("/open311/v2/services/E06010.json").json()
        assert definition["service_code"] == "E06010"
        (attribute,) = definition["attributes"]
        assert attribute["variable"] is False and attribute["datatype"] == "text"
        assert attribute["order"] == 1 and "生活垃圾" in attribute["description"]
        # The friendly alias of open311_services.csv names the same category.
        assert c.get("/open311/v2/services/garbage.json").json() == definition
        component = c.get("/open311/v2/services/C0305.json").json()
        event = c.get("/open311/v2/services/E0305.json").json()
        assert (component["service_code"], event["service_code"]) == ("C0305", "E0305")
        assert component["attributes"] != event["attributes"]
        for unknown in ("nope", "C9999", "E060100", "X06010", "cjt214:E06010"):
            r = c.get(f"/open311/v2/services/{unknown}.json")
            assert "service_code" in _assert_open311_error(r, 404, "service_code")


def test_post_form_creates_a_case_through_the_service(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    with gateway.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.json",
            data={
                "jurisdiction_id": "610104",
                "service_code": "garbage",
                "lat": str(lat),
                "long": str(lon),
                "address_string": "莲湖路1号",
                "description": "路边成堆垃圾",
                "first_name": "张",
                "last_name": "三",
            },
        )
    assert r.status_code == 201, r.text
    (created,) = r.json()
    assert set(created) == {"service_request_id", "service_notice"}  # no token with an id
    case = _case(gateway, created["service_request_id"])
    assert (case.taxonomy, case.kind, case.category_code) == (
        "gbt47678-5-2026",
        "event_type",
        "06010",
    )
    assert case.original_taxonomy is None and case.original_category_code is None
    assert case.source == "hotline"  # the intake role's default (resources/gateway/sources.csv)
    assert case.state == "reported" and case.reporter == "张 三"
    assert (case.lon, case.lat, case.address) == (lon, lat, "莲湖路1号")
    with gateway.db.read() as s:
        events = s.execute(
            select(CaseEvent.action, CaseEvent.actor_role).where(CaseEvent.case_id == case.id)
        ).all()
    assert events == [("report", "intake")]


def test_post_json_with_source_and_api_key_in_the_body(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    secret = gateway.token("intake")
    body = {
        "api_key": secret,
        "service_code": "0101",
        "lat": lat,
        "long": lon,
        "description": "井盖缺失",
        "source": "公众",
    }
    with gateway.client() as c:  # no Authorization header: Open311's api_key
        r = c.post("/open311/v2/requests.json", json=body)
    assert r.status_code == 201, r.text
    case = _case(gateway, r.json()[0]["service_request_id"])
    assert case.source == "public" and case.kind == "component"
    assert case.address == f"坐标 {lon}, {lat}"  # lat/long stand for the address


def test_source_follows_the_role(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    fields = {"service_code": "garbage", "lat": lat, "long": lon}
    with gateway.client("inspector") as c:
        r = c.post("/open311/v2/requests.json", json=fields)
        assert r.status_code == 201
        assert _case(gateway, r.json()[0]["service_request_id"]).source == "inspector"
        r = c.post("/open311/v2/requests.json", json={**fields, "source": "12345"})
        assert "12345" in _assert_open311_error(r, 403)
    with gateway.client("dept-pro02") as c:  # the lifecycle: handlers do not report
        assert "发现上报" in _assert_open311_error(
            c.post("/open311/v2/requests.json", json=fields), 403
        )


def test_bad_posts_are_specific_rejections(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    base = {"service_code": "garbage", "lat": lat, "long": lon, "description": "x"}
    cases = [
        ({**base, "lat": lon, "long": lat}, "lat", "写反"),
        ({**base, "lat": 39.9, "long": 116.4}, "long", ""),  # Beijing: outside the district
        ({k: v for k, v in base.items() if k not in ("lat", "long")}, "long", "缺少位置"),
        ({**base, "lat": "north"}, "lat", "不是数字"),
        ({**base, "description": "长" * 4001}, "description", "过长"),
        ({**base, "first_name": "名" * 60}, "first_name", "过长"),
        ({**base, "description": {"nested": 1}}, "description", "文本"),
    ]
    with gateway.client("intake") as c:
        for body, field, words in cases:
            message = _assert_open311_error(
                c.post("/open311/v2/requests.json", json=body), 400, field
            )
            assert words in message, (body, message)
        other = {**base, "jurisdiction_id": "elsewhere"}  # Open311: an unknown one is a 404
        r = c.post("/open311/v2/requests.json", json=other)
        assert "610104" in _assert_open311_error(r, 404, "jurisdiction_id")
        _assert_open311_error(
            c.post(
                "/open311/v2/requests.json",
                content=b"{not json",
                headers={"Content-Type": "application/json"},
            ),
            400,
        )
        _assert_open311_error(
            c.post(
                "/open311/v2/requests.json",
                content=b"<xml/>",
                headers={"Content-Type": "application/xml"},
            ),
            415,
        )
    with gateway.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0  # nothing half-written


def test_injection_strings_are_stored_and_returned_as_text(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    nasty = "'); DROP TABLE cases; -- <script>alert('x')</script> %_\\ \u202e"
    with gateway.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.json",
            data={"service_code": "garbage", "lat": lat, "long": lon, "description": nasty},
        )
        assert r.status_code == 201
        number = r.json()[0]["service_request_id"]
        got = c.get(f"/open311/v2/requests/{number}.json")
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert json.loads(got.text)[0]["description"] == nasty.strip()
    assert _case(gateway, number).description == nasty.strip()


def test_get_requests_shapes_and_filters(gateway: Gateway) -> None:
    cases, db = gateway.cases, gateway.db
    open_one = dispatched(cases, db)
    closed_one = closed(cases, db)
    component = reported(cases, db, category_code="0101", kind="component")
    with gateway.client() as c:  # no key
        everything = c.get("/open311/v2/requests.json").json()
        assert {r["service_request_id"] for r in everything} == {
            open_one.number,
            closed_one.number,
            component.number,
        }
        for item in everything:
            assert set(item) == REQUEST_KEYS
        by_id = {r["service_request_id"]: r for r in everything}
        o = by_id[open_one.number]
        assert o["status"] == "open" and o["status_notes"] == "处置中"
        assert o["agency_responsible"] and o["expected_datetime"]
        assert o["service_code"] == "E06010" and o["service_notice"].startswith("处置时限")
        assert by_id[component.number]["service_code"] == "C0101"  # CJ/T 214: no successor
        assert (o["lat"], o["long"]) == (open_one.lat, open_one.lon)
        assert o["requested_datetime"].endswith("+08:00")
        c_ = by_id[closed_one.number]
        assert c_["status"] == "closed" and c_["status_notes"] == "已结案"
        assert closed_one.closed_at is not None
        assert c_["updated_datetime"] == closed_one.closed_at.astimezone(LOCAL_TZ).isoformat(
            timespec="seconds"
        )

        def numbers(**params: str) -> set[str]:
            r = c.get("/open311/v2/requests.json", params=params)
            assert r.status_code == 200, r.text
            return {x["service_request_id"] for x in r.json()}

        assert numbers(status="closed") == {closed_one.number}
        assert numbers(status="open") == {open_one.number, component.number}
        assert numbers(status="open,closed") == set(by_id)
        repeated = c.get(
            "/open311/v2/requests.json", params=[("status", "open"), ("status", "closed")]
        )
        assert {x["service_request_id"] for x in repeated.json()} == set(by_id)
        assert numbers(service_code="C0101") == {component.number}
        assert numbers(service_code="0101") == {component.number}  # the alias still works
        assert numbers(service_code="E0101") == set()  # the event 0101, not the component
        assert numbers(service_code="E06010", status="open") == {open_one.number}
        assert numbers(service_code="garbage", status="open") == {open_one.number}
        assert numbers(service_code="C0101,E06010") == set(by_id)
        both = [("service_code", "C0101"), ("service_code", "E06010"), ("status", "closed")]
        repeated = c.get("/open311/v2/requests.json", params=both)
        assert {x["service_request_id"] for x in repeated.json()} == {closed_one.number}
        # service_request_id overrides every other filter
        ids = f"{closed_one.number},{component.number}"
        assert numbers(service_request_id=ids, status="open") == {
            closed_one.number,
            component.number,
        }
        assert numbers(start_date="2026-11-24T00:00:00+08:00") == set()
        assert numbers(
            start_date="2026-11-23T00:00:00+08:00", end_date="2026-11-23T23:59:59+08:00"
        ) == set(by_id)
        for params, field in [
            ({"start_date": "2026-11-23T00:00:00"}, "start_date"),  # no zone
            ({"end_date": "yesterday"}, "end_date"),
            (
                {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
                "end_date",
            ),
            ({"status": "pending"}, "status"),
            ({"service_code": "nope"}, "service_code"),
            ({"service_code": "E06010,C9999"}, "service_code"),
        ]:
            _assert_open311_error(c.get("/open311/v2/requests.json", params=params), 400, field)


def test_one_request_by_id(gateway: Gateway) -> None:
    s = reported(gateway.cases, gateway.db)
    with gateway.client() as c:
        r = c.get(f"/open311/v2/requests/{s.number}.json")
        assert r.status_code == 200
        (one,) = r.json()
        assert one["service_request_id"] == s.number and one["status"] == "open"
        assert one["status_notes"] == "待立案" and one["media_url"] is None
        _assert_open311_error(c.get("/open311/v2/requests/E0000000000000000.json"), 404)
        assert "路径" in _assert_open311_error(c.get("/open311/v2/services.csv"), 404)


def test_openapi_schema_is_published_with_descriptions(gateway: Gateway) -> None:
    with gateway.client() as c:  # the schema needs no token
        r = c.get("/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    paths = schema["paths"]
    for path in (
        "/open311/v2/services.json",
        "/open311/v2/services/{service_code}.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests/{service_request_id}.json",
        "/open311/v2/discovery.json",
        "/open311/v2/discovery.xml",
        "/open311/v2/media/{attachment_id}",
        "/api/v1/tasks",
        "/api/v1/tasks/{case_id}/accept",
        "/api/v1/tasks/{case_id}/return",
        "/api/v1/tasks/{case_id}/feedback",
        "/api/v1/tasks/{case_id}/verification",
    ):
        assert path in paths, path
    assert set(paths["/open311/v2/requests.json"]) == {"get", "post"}
    components = schema["components"]["schemas"]
    for name in (
        "Service",
        "ServiceRequest",
        "ServiceDefinition",
        "Discovery",
        "Task",
        "ActionResult",
    ):
        assert components[name].get("description"), name
    service_request = components["ServiceRequest"]["properties"]
    assert all(p.get("description") for p in service_request.values())
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    feedback = paths["/api/v1/tasks/{case_id}/feedback"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(feedback)


def test_a_callers_name_and_phone_never_leave_through_open311(gateway: Gateway) -> None:
    """The intake form keeps the caller with the case; Open311 clients never get them."""
    s = reported(
        gateway.cases, gateway.db, source="hotline", reporter="王来电", reporter_phone="13912345678"
    )
    with gateway.client() as c:
        for path in (f"/open311/v2/requests/{s.number}.json", "/open311/v2/requests.json"):
            r = c.get(path)
            assert r.status_code == 200 and s.number in r.text
            assert "13912345678" not in r.text and "王来电" not in r.text
        r = c.get(f"/open311/v2/requests/{s.number}.xml")
        assert r.status_code == 200 and s.number in r.text and "13912345678" not in r.text


def test_every_code_a_request_carries_has_its_service(gateway: Gateway) -> None:
    """Cases in a spread of categories of both taxonomies (an older code filed under its
    successor, or kept when it has none): each request's code is listed and defined."""
    with gateway.db.read() as s:
        categories = s.execute(
            select(Category.taxonomy, Category.kind, Category.code).order_by(Category.id)
        ).all()
    for taxonomy, kind, code in categories[::16]:
        reported(gateway.cases, gateway.db, taxonomy=taxonomy, kind=kind, category_code=code)
    with gateway.client() as c:
        listed = {s["service_code"]: s for s in c.get("/open311/v2/services.json").json()}
        requests = c.get("/open311/v2/requests.json").json()
        carried = {r["service_code"]: r["service_name"] for r in requests}
        assert len(requests) == len(categories[::16]) and len(carried) > 25
        assert {code[0] for code in carried} == {"C", "E"}
        assert {len(code) for code in carried} == {5, 6}  # CJ/T 214 kept, and 2026 codes
        for code, name in carried.items():
            assert listed[code]["service_name"] == name
            definition = c.get(f"/open311/v2/services/{code}.json")
            assert definition.status_code == 200 and definition.json()["service_code"] == code
            by_code = c.get("/open311/v2/requests.json", params={"service_code": code}).json()
            assert by_code and {r["service_code"] for r in by_code} == {code}
