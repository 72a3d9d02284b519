"""Real third-party Open311 GeoReport v2 clients against a running gateway.

* ``georeport`` 0.3.1 (PyPI): reads only — services, a definition, requests, one request, in
  JSON and in XML (xmltodict). It has no call that creates a request.
* ``civicbot`` 0.4.0 (PyPI), its ``Open311Client``: reads, and ``create_request`` (sent only
  with ``dry_run=False`` and ``confirm="SEND"``), which puts the ``api_key`` in the POST form.

Neither sends a key on a read: reads are public. Photos are fetched by their media_url with
plain ``requests``, as a client's user would open them.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport
from sqlalchemy import func, select

from console.models import Case, Category
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from tests.gateway.conftest import Gateway
from tests.gateway.support import dispatched, png_bytes, point, reported
from tests.services.console_support import handler

JURISDICTION = "610104"


def _categories(gateway: Gateway) -> int:
    with gateway.db.read() as s:
        count: int = s.scalar(select(func.count()).select_from(Category)) or 0
    return count


def _civicbot(gateway: Gateway) -> Open311Client:
    endpoint = Endpoint(
        id="lianhu",
        name="莲湖区",
        base_url=f"{gateway.url}/open311/v2",
        write=True,
        api_key_required_for_write=True,
    )
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0), timeout=30)
    return Open311Client(endpoint, transport, jurisdiction_id=JURISDICTION)


def _after_photo(gateway: Gateway) -> tuple[str, bytes]:
    """A dispatched case with the handler's after-photo: (its number, the photo's bytes)."""
    case = dispatched(gateway.cases, gateway.db)
    store = AttachmentStore(gateway.settings.attachments_dir, max_bytes=1 << 20)
    data = png_bytes(9, 9, seed=3)
    snap, _ = AttachmentService(gateway.cases, store).act_with_photo(
        handler(gateway.db, case.department_id),
        case.id,
        "feedback",
        case.version,
        note="已清运",
        photo=PhotoUpload(data, "after.png"),
    )
    return snap.number, data


# --------------------------------------------------------------------------- georeport


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_and_requests(gateway: Gateway, fmt: str) -> None:
    number, photo = _after_photo(gateway)
    component = reported(gateway.cases, gateway.db, category_code="0101", kind="component")
    client = GeoReport(f"{gateway.url}/open311/v2", jurisdiction=JURISDICTION, output_format=fmt)
    services = client.get_service_list()
    assert len(services) == _categories(gateway)
    by_code: dict[str, Any] = {s["service_code"]: s for s in services}
    assert by_code["E06010"]["service_name"] == "暴露垃圾"
    assert by_code["C0305"]["service_name"] == "垃圾箱"
    assert by_code["E0305"]["service_name"] == "无证掘路"
    definition = client.get_service_definition("E06010")
    assert definition["service_code"] == "E06010"
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: <attributes><attribute>… is a dict holding the one attribute
        attributes = [attributes["attribute"]]
    assert "生活垃圾" in attributes[0]["description"]

    listed = client.get_service_requests(status="open")
    numbers = {r["service_request_id"] for r in listed}
    assert numbers == {number, component.number}
    if fmt == "json":  # georeport's XML path fails on an empty <service_requests/> (its
        # xmltodict reads None there), so the empty answer is checked in JSON only
        assert client.get_service_requests(status="closed") == []

    one = client.get_service_request(number)
    assert one["service_request_id"] == number and one["status"] == "open"
    assert one["service_code"] == "E06010" and one["service_name"] == "暴露垃圾"
    assert one["agency_responsible"] and one["status_notes"] == "待核查"
    # Its after-photo opens for anyone, with no key, from the link the read gave.
    got = requests.get(one["media_url"], timeout=30)
    assert got.status_code == 200 and got.content == photo
    other = client.get_service_request(component.number)
    assert other["service_code"] == "C0101" and other["media_url"] in (None, "")
    # The service a request carries is one the list names.
    assert client.get_service_definition(other["service_code"])["service_code"] == "C0101"


def test_georeport_sees_404_for_another_jurisdiction(gateway: Gateway) -> None:
    client = GeoReport(f"{gateway.url}/open311/v2", jurisdiction="110105")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_list()
    assert raised.value.response.status_code == 404
    assert "jurisdiction_id" in raised.value.response.json()[0]["description"]


# --------------------------------------------------------------------------- civicbot


def test_civicbot_posts_and_reads_back(gateway: Gateway) -> None:
    client = _civicbot(gateway)
    services = client.list_services()
    assert len(services) == _categories(gateway)
    names = {s["service_code"]: s["service_name"] for s in services}
    assert names["E06010"] == "暴露垃圾" and names["C01001"] == "供水井盖"
    definition = client.get_service_definition("E0305")
    assert definition["service_code"] == "E0305"
    assert definition["attributes"] and not definition["attributes"][0]["variable"]

    lon, lat = point(gateway.db)
    secret = gateway.token("intake")
    sent = client.create_request(
        "E06010",
        dry_run=False,
        confirm="SEND",
        api_key=secret,
        validate_remote=True,  # checks the code against services and the definition first
        lat=lat,
        lng=lon,
        address_string="莲湖路1号",
        description="莲湖路口垃圾成堆，无人清运",
        first_name="钱",
        last_name="七",
        phone="13655554444",
    )
    assert not sent.dry_run
    (created,) = sent.response
    number = created["service_request_id"]
    with gateway.db.read() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case is not None and case.description == "莲湖路口垃圾成堆，无人清运"
        assert (case.taxonomy, case.kind, case.category_code) == (
            "gbt47678-5-2026",
            "event_type",
            "06010",
        )

    one = client.get_request(number)
    assert one is not None and one["service_request_id"] == number
    assert one["service_code"] == "E06010" and one["status"] == "open"
    assert one["description"] == "莲湖路口垃圾成堆，无人清运"
    assert (one["lat"], one["long"]) == (lat, lon)
    assert "13655554444" not in str(one) and "钱" not in str(one)  # contact stays inside
    by_id = client.list_requests(service_request_ids=[number])
    assert [r["service_request_id"] for r in by_id] == [number]
    by_code = client.list_requests(service_code="E06010,C0101", status="open")
    assert number in {r["service_request_id"] for r in by_code}
    # An alias of open311_services.csv still posts (earlier clients), and reads back as E06010.
    again = client.create_request(
        "garbage",
        dry_run=False,
        confirm="SEND",
        api_key=secret,
        lat=lat,
        lng=lon,
        description="另一处垃圾",
    )
    (alias,) = again.response
    other = client.get_request(alias["service_request_id"])
    assert other is not None and other["service_code"] == "E06010"
    assert client.list_requests(status="closed") == []


def test_civicbot_sees_the_gateways_refusals(gateway: Gateway) -> None:
    client = _civicbot(gateway)
    with pytest.raises(HttpError) as raised:
        client.get_service_definition("E99999")
    assert raised.value.status == 404 and "service_code" in raised.value.body
    with pytest.raises(HttpError) as raised:
        client.list_requests(status="pending")
    assert raised.value.status == 400 and "status" in raised.value.body
