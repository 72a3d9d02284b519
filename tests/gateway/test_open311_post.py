"""Open311 POST requests as the GeoReport v2 spec allows, through a real gateway and httpx:
keys (403), a location by address alone (a token, the 待定位 queue), the other fields kept,
404s for unknown codes and jurisdictions, and retries that never file twice."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from sqlalchemy import func, select

from console.models import Case, FieldSubmission, Open311Extras, Open311PendingReport
from console.services.open311_pending import pending_reports, place
from tests.conftest import Clock
from tests.gateway.conftest import Gateway
from tests.gateway.support import point
from tests.services.console_support import INTAKE

URL = "/open311/v2/requests.json"
DATA = Path(__file__).resolve().parents[1] / "data" / "open311"


def _error(response: httpx.Response, status: int, field: str) -> str:
    assert response.status_code == status, response.text
    (body,) = response.json()
    assert body["code"] == status and body["field"] == field
    assert body["description"].startswith(f"{field}: ")
    return str(body["description"])


def _count(gateway: Gateway, model: Any) -> int:
    with gateway.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _located(gateway: Gateway, **over: object) -> dict[str, object]:
    lon, lat = point(gateway.db)
    return {"service_code": "garbage", "lat": lat, "long": lon, "description": "垃圾", **over}


def test_a_post_without_a_good_key_is_403_in_the_spec_shape(gateway: Gateway) -> None:
    body = _located(gateway)
    with gateway.client() as c:
        assert "缺少 api_key" in _error(c.post(URL, data=body), 403, "api_key")
        _error(c.post(URL, data={**body, "api_key": "not-a-key"}), 403, "api_key")
        r = c.post("/open311/v2/requests.xml", data=body)
        assert r.status_code == 403
        error = ET.fromstring(r.content).find("error")
        assert error is not None and error.findtext("code") == "403"
        # api_key as the spec puts it, in the body or the query
        secret = gateway.token("intake")
        assert c.post(URL, data={**body, "api_key": secret}).status_code == 201
        r = c.post(URL, params={"api_key": secret}, data={**body, "description": "另一处"})
        assert r.status_code == 201, r.text
    assert _count(gateway, Case) == 2


def test_unknown_service_code_and_jurisdiction_are_404(gateway: Gateway) -> None:
    with gateway.client("intake") as c:
        assert "zzz" in _error(
            c.post(URL, json=_located(gateway, service_code="zzz")), 404, "service_code"
        )
        message = _error(
            c.post(URL, json=_located(gateway, jurisdiction_id="elsewhere")), 404, "jurisdiction_id"
        )
        assert "610104" in message
        r = c.post("/open311/v2/requests.xml", data=_located(gateway, service_code="zzz"))
        assert r.status_code == 404 and b"service_code" in r.content
    assert _count(gateway, Case) == 0


def test_every_field_is_kept_for_staff(gateway: Gateway) -> None:
    long_text = "路面垃圾堆积，" * 570  # 3,990 characters: within the spec's 4,000
    form: dict[str, Any] = {
        **_located(gateway, description=long_text),
        "email": "zhang.san@example.cn",
        "phone": "029-8765 4321",
        "first_name": "三",
        "last_name": "张",
        "device_id": "ios-7F3A",
        "account_id": "acct-42",
        "media_url": "https://photos.example.cn/a/1.jpg",
        "attribute[WHISHETN]": "123",
        "attribute[ITEMS][]": ["沙发", "床垫"],  # a multivaluelist: the name repeated
    }
    with gateway.client("intake") as c:
        r = c.post(URL, data=form)
        assert r.status_code == 201, r.text
        (created,) = r.json()
        # the spec: account_id echoed, token absent with an id
        assert created.keys() == {"service_request_id", "service_notice", "account_id"}
        assert created["account_id"] == "acct-42"
        number = created["service_request_id"]
        public = c.get(f"/open311/v2/requests/{number}.json").text
    for secret in ("zhang.san@example.cn", "8765", "ios-7F3A", "acct-42", "张"):
        assert secret not in public
    with gateway.db.read() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        extras = s.scalars(select(Open311Extras).where(Open311Extras.case_id == case.id)).one()
        assert case.description == long_text and len(case.description) == 3990
        assert (case.reporter, case.reporter_phone) == ("三 张", "029-8765 4321")
        assert (extras.email, extras.device_id, extras.account_id) == (
            "zhang.san@example.cn",
            "ios-7F3A",
            "acct-42",
        )
        assert extras.media_url == "https://photos.example.cn/a/1.jpg"
        assert json.loads(extras.attributes or "") == {"ITEMS": ["沙发", "床垫"], "WHISHETN": "123"}


def test_bad_extra_fields_are_named(gateway: Gateway) -> None:
    with gateway.client("intake") as c:
        for over, field in [
            ({"email": "not-an-address"}, "email"),
            ({"phone": "call me"}, "phone"),
            ({"media_url": "javascript:alert(1)"}, "media_url"),
            ({"device_id": "d" * 65}, "device_id"),
            ({"description": "长" * 4001}, "description"),
            ({"attribute": ["not", "an object"]}, "attribute"),
        ]:
            _error(c.post(URL, json=_located(gateway, **over)), 400, field)
    assert _count(gateway, Case) == 0 and _count(gateway, Open311Extras) == 0


def check_address_alone(
    gateway: Gateway,
) -> None:
    body = {
        "service_code": "garbage",
        "address_string": "莲湖区西大街与北广济街十字东北角",
        "description": "垃圾成堆",
        "first_name": "李",
        "phone": "13800001111",
        "email": "li@example.cn",
    }
    with gateway.client("intake") as c:
        r = c.post(URL, data=body)
        assert r.status_code == 201, r.text
        (created,) = r.json()
        assert created.keys() == {"token", "service_notice"}  # no id yet
        token = created["token"]
        assert len(token) >= 20
        r = c.get(f"/open311/v2/tokens/{token}.json")
        assert r.status_code == 200 and r.json() == [{"token": token}]
        # address_id alone is a location too
        r = c.post(URL, json={"service_code": "0101", "address_id": "LH-000123"})
        assert r.status_code == 201 and "token" in r.json()[0]
        _error(c.post(URL, json={"service_code": "garbage"}), 400, "long")
    assert _count(gateway, Case) == 0
    with gateway.db.read() as s:
        waiting = pending_reports(s)
    first = next(p for p in waiting if p.token == token)
    assert first.address == body["address_string"] and first.description == "垃圾成堆"
    assert first.category_name == "暴露垃圾" and first.reporter == "李"
    assert {p.address for p in waiting} == {body["address_string"], "地址编号 LH-000123"}

    lon, lat = point(gateway.db)
    snap = place(gateway.cases, INTAKE, first.id, lon, lat)
    assert snap.state == "reported" and (snap.lon, snap.lat) == (lon, lat)
    with gateway.client() as c:  # no key needed to follow a token
        r = c.get(f"/open311/v2/tokens/{token}.json")
        assert r.json() == [{"service_request_id": snap.number, "token": token}]
        x = ET.fromstring(c.get(f"/open311/v2/tokens/{token}.xml").content)
        assert x.tag == "service_requests"
        assert x.findtext("request/service_request_id") == snap.number
        assert x.findtext("request/token") == token
        assert c.get("/open311/v2/tokens/nope.json").status_code == 404
    with gateway.db.read() as s:
        case = s.scalars(select(Case).where(Case.number == snap.number)).one()
        assert case.reporter_phone == "13800001111" and case.address == body["address_string"]
        extras = s.scalars(select(Open311Extras).where(Open311Extras.case_id == case.id)).one()
        assert extras.email == "li@example.cn"
        assert [p.token for p in pending_reports(s)] != [token]  # off the queue


def check_idempotency_key(gateway: Gateway) -> None:
    body = _located(gateway)
    with gateway.client("intake") as c:
        first = c.post(URL, data=body, headers={"Idempotency-Key": "k-1"})
        assert first.status_code == 201
        again = c.post(URL, data=body, headers={"Idempotency-Key": "k-1"})
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        other = c.post(
            URL, data={**body, "description": "别的"}, headers={"Idempotency-Key": "k-1"}
        )
        _error(other, 422, "Idempotency-Key")
        # an address-only POST's retry gets its token again
        pending = {"service_code": "garbage", "address_string": "西大街"}
        t1 = c.post(URL, data=pending, headers={"Idempotency-Key": "k-2"}).json()
        t2 = c.post(URL, data=pending, headers={"Idempotency-Key": "k-2"}).json()
        assert t1 == t2 and "token" in t1[0]
    assert _count(gateway, Case) == 1 and _count(gateway, Open311PendingReport) == 1


def test_the_same_request_within_the_window_is_one_case(gateway: Gateway, clock: Clock) -> None:
    body = _located(gateway)
    window = gateway.settings.limits.open311_repeat_seconds
    assert window == 600  # resources/gateway/limits.csv
    with gateway.client("intake") as c:
        first = c.post(URL, data=body).json()
        clock.now += timedelta(seconds=window - 1)
        r = c.post(URL, data=body)
        assert r.status_code == 200 and r.json() == first
        # another token of the same user is another client
        other = gateway.token("intake", rate=10_000)
        with gateway.client(secret=other) as c2:
            assert c2.post(URL, data=body).json() != first
        clock.now += timedelta(seconds=2)  # past the window: a new report
        later = c.post(URL, data=body)
        assert later.status_code == 201 and later.json() != first
        assert c.post(URL, data=body).json() == later.json()
    assert _count(gateway, Case) == 3
    with gateway.db.read() as s:
        keys = s.scalars(select(FieldSubmission.idempotency_key)).all()
    assert len(keys) == 3 and len(set(keys)) == 3  # the retired key was renamed, not lost


def check_two_at_once(gateway: Gateway) -> None:
    body = _located(gateway)
    keyed = _located(gateway, description="另一个问题")
    secret = gateway.token("intake", rate=10_000)
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(4)

    def send(data: dict[str, object], headers: dict[str, str]) -> None:
        with httpx.Client(base_url=gateway.url, timeout=30) as c:
            barrier.wait()
            answers.append(c.post(URL, data={**data, "api_key": secret}, headers=headers))

    threads = [
        threading.Thread(target=send, args=(body, {})),
        threading.Thread(target=send, args=(body, {})),
        threading.Thread(target=send, args=(keyed, {"Idempotency-Key": "same"})),
        threading.Thread(target=send, args=(keyed, {"Idempotency-Key": "same"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [200, 200, 201, 201], [r.text for r in answers]
    ids = {r.json()[0]["service_request_id"] for r in answers}
    assert len(ids) == 2 and _count(gateway, Case) == 2


def test_the_service_lists_codes_and_the_aliases_both_file(gateway: Gateway) -> None:
    with gateway.client("intake") as c:
        numbers = {}
        for code in ("E06010", "C01001", "garbage", "cjt214:C0101", "E0305"):
            r = c.post(URL, json=_located(gateway, service_code=code))
            assert r.status_code == 201, (code, r.text)
            numbers[code] = r.json()[0]["service_request_id"]
        _error(c.post(URL, json=_located(gateway, service_code="E99999")), 404, "service_code")
    with gateway.db.read() as s:
        filed = {
            code: s.execute(
                select(Case.taxonomy, Case.kind, Case.category_code).where(Case.number == n)
            ).one()
            for code, n in numbers.items()
        }
    assert filed["E06010"] == filed["garbage"] == ("gbt47678-5-2026", "event_type", "06010")
    assert filed["C01001"] == ("gbt47678-5-2026", "component", "01001")
    assert filed["E0305"][1] == "event_type"  # 事件 0305, never 部件 0305


def test_an_address_alone_waits_for_the_intake_seat_and_its_token_follows(gateway: Gateway) -> None:
    check_address_alone(gateway)


def test_idempotency_key_returns_the_first_answer(gateway: Gateway) -> None:
    check_idempotency_key(gateway)


def test_two_identical_posts_at_once_make_one_case(gateway: Gateway) -> None:
    check_two_at_once(gateway)


def test_the_spec_example_post_files_every_field(gateway: Gateway) -> None:
    """The GeoReport v2 spec's own POST example (tests/data/open311/), to requests.xml as it
    does, with what this district's client would put in its place: key, jurisdiction, a code
    of the service list and a point in the district."""
    example = (DATA / "post_service_request.txt").read_text(encoding="ascii").strip()
    fields = parse_qsl(example, keep_blank_values=True)
    lon, lat = point(gateway.db)
    ours = {
        "api_key": gateway.token("intake"),
        "jurisdiction_id": "610104",
        "service_code": "E06013",  # 道路破损, for the example's sinkhole
        "lat": str(lat),
        "long": str(lon),
    }
    body = [(k, ours.get(k, v)) for k, v in fields]
    with gateway.client() as c:
        r = c.post(
            "/open311/v2/requests.xml",
            content=urlencode(body).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    assert r.status_code == 201, r.text
    request = ET.fromstring(r.content).find("request")
    assert request is not None
    assert [child.tag for child in request] == [
        "service_request_id",
        "service_notice",
        "account_id",
    ]
    assert request.findtext("account_id") == "123456"
    number = request.findtext("service_request_id")
    with gateway.db.read() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        extras = s.scalars(select(Open311Extras).where(Open311Extras.case_id == case.id)).one()
        assert case.description == "A large sinkhole is destroying the street"
        assert (case.address, case.reporter, case.reporter_phone) == (
            "1234 5th street",
            "john smith",
            "111111111",
        )
        assert (extras.email, extras.device_id, extras.account_id) == (
            "smit333@sfgov.edu",
            "tt222111",
            "123456",
        )
        assert extras.media_url == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
        assert json.loads(extras.attributes or "") == {"WHISDORN": "COISL001", "WHISPAWN": "123456"}
