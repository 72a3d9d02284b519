"""Open311 POSTs from a real third-party client: ``civicbot`` 0.4.0 (PyPI), its
``Open311Client``, against a running gateway — an address-only report and its token, every
optional field, a client that sends no key, and a resend."""

from __future__ import annotations

import json

import pytest
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from sqlalchemy import func, select

from console.models import Case, Open311Extras
from console.services.open311_pending import pending_reports, place
from tests.gateway.conftest import Gateway
from tests.gateway.support import point
from tests.services.console_support import INTAKE


def _client(gateway: Gateway, *, key_required: bool = True) -> Open311Client:
    endpoint = Endpoint(
        id="lianhu",
        name="莲湖区",
        base_url=f"{gateway.url}/open311/v2",
        write=True,
        api_key_required_for_write=key_required,
    )
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0), timeout=30)
    return Open311Client(endpoint, transport, jurisdiction_id="610104")


def _cases(gateway: Gateway) -> int:
    with gateway.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Case)) or 0)


def test_an_address_only_report_gets_a_token_that_later_names_its_case(gateway: Gateway) -> None:
    client = _client(gateway)
    secret = gateway.token("intake")
    sent = client.create_request(
        "E06010",
        dry_run=False,
        confirm="SEND",
        api_key=secret,
        address_string="莲湖区西大街与北广济街十字东北角",
        description="垃圾成堆",
        first_name="钱",
        email="qian@example.cn",
    )
    (answer,) = sent.response
    assert set(answer) == {"token", "service_notice"}
    token = answer["token"]
    assert client.get_token(token) == [{"token": token}]
    with gateway.db.read() as s:
        (waiting,) = pending_reports(s)
    snap = place(gateway.cases, INTAKE, waiting.id, *point(gateway.db))
    assert client.get_token(token) == [{"service_request_id": snap.number, "token": token}]
    one = client.get_request(snap.number)
    assert one is not None and one["status"] == "open" and "qian@" not in json.dumps(one)


def test_every_optional_field_from_the_client_is_kept(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    sent = _client(gateway).create_request(
        "C01001",
        dry_run=False,
        confirm="SEND",
        api_key=gateway.token("intake"),
        lat=lat,
        lng=lon,
        address_id="LH-88",
        description="井盖缺失",
        media_url="https://img.example.cn/1.jpg",
        email="li@example.cn",
        first_name="李",
        last_name="四",
        phone="13800001111",
        device_id="android-9",
        account_id="acct-7",
        attributes={"DEPTH": "30cm", "NEAR": ["学校", "公交站"]},
    )
    (answer,) = sent.response
    assert answer["account_id"] == "acct-7" and "token" not in answer
    with gateway.db.read() as s:
        case = s.scalars(select(Case).where(Case.number == answer["service_request_id"])).one()
        extras = s.scalars(select(Open311Extras).where(Open311Extras.case_id == case.id)).one()
        caller = (case.reporter, case.reporter_phone, case.kind)
        kept = (extras.email, extras.device_id, extras.account_id, extras.address_id)
        media, attributes = extras.media_url, extras.attributes
    assert caller == ("李 四", "13800001111", "component")
    assert kept == ("li@example.cn", "android-9", "acct-7", "LH-88")
    assert media == "https://img.example.cn/1.jpg"
    assert json.loads(attributes or "") == {"DEPTH": "30cm", "NEAR": ["学校", "公交站"]}


def test_no_key_is_403_and_a_resend_is_the_same_case(gateway: Gateway) -> None:
    lon, lat = point(gateway.db)
    fields = {"lat": lat, "lng": lon, "description": "路边垃圾"}
    keyless = _client(gateway, key_required=False)
    with pytest.raises(HttpError) as raised:
        keyless.create_request("E06010", dry_run=False, confirm="SEND", **fields)
    assert raised.value.status == 403 and "api_key" in raised.value.body
    client, secret = _client(gateway), gateway.token("intake")
    first = client.create_request("E06010", dry_run=False, confirm="SEND", api_key=secret, **fields)
    again = client.create_request("E06010", dry_run=False, confirm="SEND", api_key=secret, **fields)
    assert again.response == first.response
    assert _cases(gateway) == 1
