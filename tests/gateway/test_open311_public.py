"""Open311's public side over HTTP: reads without a key (limited per address), discovery,
unknown jurisdictions, and the signed, expiring media_url of a case's after-photo."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from console.db import Database
from console.gateway.open311_public import KEY_FILE, public_settings, signed_query, signing_key
from console.models import Attachment
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.gateway.conftest import Gateway, serve, settings_for
from tests.gateway.support import dispatched, png_bytes, point, reported
from tests.services.console_support import CHIEF, handler

PATHS = ("services", "services/E06010", "requests", "discovery")


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    (error,) = response.json()
    assert error["code"] == status
    description: str = error["description"]
    return description


def test_reads_need_no_key_and_a_sent_key_must_be_good(gateway: Gateway) -> None:
    case = reported(gateway.cases, gateway.db)
    with gateway.client() as anonymous:
        for path in (*PATHS, f"requests/{case.number}"):
            for fmt in ("json", "xml"):
                r = anonymous.get(f"/open311/v2/{path}.{fmt}")
                assert r.status_code == 200, (path, fmt, r.text)
        assert anonymous.get(f"/open311/v2/requests/{case.number}.json").json()[0][
            "service_request_id"
        ] == (case.number)
    with gateway.client("intake") as keyed:  # a good key: read as before
        assert keyed.get("/open311/v2/services.json").status_code == 200
    with gateway.client(secret="gdc_" + "y" * 43) as refused:
        r = refused.get("/open311/v2/requests.json")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


def test_public_reads_are_limited_per_address(gateway: Gateway) -> None:
    rate = int(public_settings().reads_per_minute)
    with gateway.client() as anonymous:
        # A burst of `rate` passes; the bucket refills at rate/60 a second meanwhile, so the
        # refusal comes within a few more (bounded: 3 × rate).
        passed = 0
        for _ in range(3 * rate):
            limited = anonymous.get("/open311/v2/discovery.json")
            if limited.status_code != 200:
                break
            passed += 1
        assert passed >= rate
        assert "每分钟最多" in _error(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1
        assert anonymous.get("/open311/v2/services.json").status_code == 429  # every read
    with gateway.client("intake") as keyed:  # a token has its own rate
        assert keyed.get("/open311/v2/services.json").status_code == 200


def test_an_unknown_jurisdiction_is_a_404(gateway: Gateway) -> None:
    case = reported(gateway.cases, gateway.db)
    with gateway.client() as c:
        for path in ("services", "services/E06010", "requests", f"requests/{case.number}"):
            r = c.get(f"/open311/v2/{path}.json", params={"jurisdiction_id": "110105"})
            described = _error(r, 404)
            assert described.startswith("jurisdiction_id: ") and "610104" in described
            ok = c.get(f"/open311/v2/{path}.json", params={"jurisdiction_id": "610104"})
            assert ok.status_code == 200


def test_discovery_in_json_and_xml(gateway: Gateway) -> None:
    with gateway.client() as c:
        body = c.get("/open311/v2/discovery.json").json()
        root = ET.fromstring(c.get("/open311/v2/discovery.xml").content)
        # The endpoint it names answers.
        (endpoint,) = body["endpoints"]
        assert endpoint["url"] == f"{gateway.url}/open311/v2"
        assert httpx.get(f"{endpoint['url']}/services.json").status_code == 200
    settings = public_settings()
    assert body["contact"] == settings.contact and "12345" in body["contact"]
    assert body["key_service"] == settings.key_service and "api_key" in body["key_service"]
    assert body["changeset"] == endpoint["changeset"] == settings.changeset
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert root.tag == "discovery" and root.findtext("contact") == body["contact"]
    xml_endpoint = root.find("endpoints/endpoint")
    assert xml_endpoint is not None and xml_endpoint.findtext("url") == endpoint["url"]
    assert [f.text for f in xml_endpoint.findall("formats/format")] == endpoint["formats"]


def test_contact_fields_never_leave_through_open311(gateway: Gateway) -> None:
    """A POST's name, phone and e-mail stay with the case; no read shows them."""
    lon, lat = point(gateway.db)
    private = {
        "first_name": "赵",
        "last_name": "六六",
        "phone": "13712345678",
        "email": "zhao66@example.cn",
        "device_id": "device-778899",
        "account_id": "acct-556677",
    }
    with gateway.client("intake") as keyed:
        form = {"service_code": "garbage", "lat": lat, "long": lon, **private}
        r = keyed.post("/open311/v2/requests.json", data=form)
        assert r.status_code == 201, r.text
        number = r.json()[0]["service_request_id"]
    with gateway.client() as c:
        for path in (f"requests/{number}.json", f"requests/{number}.xml", "requests.json"):
            text = c.get(f"/open311/v2/{path}").text
            assert number in text
            for value in private.values():
                assert value not in text, (path, value)


# --------------------------------------------------------------------------- media_url


class Photos:
    """A dispatched case with a seat's before-photo (not public) and the handler's after-photo."""

    def __init__(self, gateway: Gateway) -> None:
        cases, db = gateway.cases, gateway.db
        store = AttachmentStore(gateway.settings.attachments_dir, max_bytes=1 << 20)
        service = AttachmentService(cases, store)
        self.before_only = reported(cases, db)
        _, before = service.act_with_photo(
            CHIEF,
            self.before_only.id,
            "register",
            self.before_only.version,
            photo=PhotoUpload(png_bytes(8, 8, seed=1), "before.png"),
        )
        case = dispatched(cases, db)
        self.after_bytes = png_bytes(10, 10, seed=7)
        snap, after = service.act_with_photo(
            handler(db, case.department_id),
            case.id,
            "feedback",
            case.version,
            note="已清运",
            photo=PhotoUpload(self.after_bytes, "after.png"),
        )
        assert before is not None and after is not None
        self.before_id, self.after_id, self.number = before.id, after.id, snap.number


@pytest.fixture
def photos(gateway: Gateway) -> Photos:
    return Photos(gateway)


def _media_url(c: httpx.Client, number: str) -> str | None:
    (one,) = c.get(f"/open311/v2/requests/{number}.json").json()
    url: str | None = one["media_url"]
    return url


def test_media_url_is_a_signed_link_anyone_may_open(gateway: Gateway, photos: Photos) -> None:
    with gateway.client() as c:
        url = _media_url(c, photos.number)
        assert url is not None and url.startswith(f"{gateway.url}/open311/v2/media/")
        assert _media_url(c, photos.before_only.number) is None  # a before-photo: no link
        listed = {
            r["service_request_id"]: r["media_url"]
            for r in c.get("/open311/v2/requests.json").json()
        }
        assert listed == {photos.number: url, photos.before_only.number: None}
    got = httpx.get(url)  # a plain client, no key, no cookie
    assert got.status_code == 200 and got.content == photos.after_bytes
    assert got.headers["content-type"] == "image/png"
    query = parse_qs(urlsplit(url).query)
    assert set(query) == {"expires", "signature"}
    assert str(photos.after_id) in urlsplit(url).path
    # The link is the same for the rest of the hour (clients and proxies may cache it).
    gateway.cases.clock.advance(minutes=1)  # type: ignore[attr-defined]
    with gateway.client() as c:
        assert _media_url(c, photos.number) == url


def test_a_tampered_or_expired_link_is_refused(gateway: Gateway, photos: Photos) -> None:
    with gateway.client() as c:
        url = _media_url(c, photos.number)
    assert url is not None
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    base = f"{gateway.url}{parts.path}"
    before = f"{gateway.url}/open311/v2/media/{photos.before_id}"
    flipped = query["signature"][:-1] + ("A" if query["signature"][-1] != "A" else "B")
    later = str(int(query["expires"]) + 3600)
    for link, params in [
        (base, {**query, "signature": flipped}),
        (base, {**query, "expires": later}),  # a longer life, same signature
        (base, {"expires": query["expires"]}),  # no signature
        (base, {}),
        (before, query),  # another photo's id under this signature
    ]:
        r = httpx.get(link, params=params)
        assert r.status_code == 403, (link, params, r.text)
        assert r.json()[0]["code"] == 403
    assert httpx.get(base, params=query).status_code == 200
    hours = public_settings().media_url_hours
    gateway.cases.clock.advance(hours=hours + 1)  # type: ignore[attr-defined]
    expired = httpx.get(base, params=query)
    assert "过期" in _error(expired, 403)
    with gateway.client() as c:  # a fresh read gives a fresh link
        fresh = _media_url(c, photos.number)
    assert fresh is not None and fresh != url and httpx.get(fresh).status_code == 200


def test_a_photo_that_is_not_public_is_never_served(gateway: Gateway, photos: Photos) -> None:
    """Even under a valid signature (made here with the server's key), a before-photo is 404."""
    key = signing_key(gateway.settings.attachments_dir)
    now = gateway.cases.clock()
    query = signed_query(key, photos.before_id, now, 1)
    r = httpx.get(f"{gateway.url}/open311/v2/media/{photos.before_id}?{query}")
    assert r.status_code == 404
    with gateway.db.read() as s:
        assert s.get(Attachment, photos.before_id) is not None  # it exists, it is just private


@pytest.fixture
def two_gateways(demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[tuple[Gateway, ...]]:
    """Two gateway processes' worth of apps over the same photos directory."""
    settings = settings_for(tmp_path)
    cases = CaseService(demo_db, clock=clock)
    first = serve(demo_db, settings, cases)
    second = serve(demo_db, settings, cases)
    yield next(first), next(second)
    for server in (first, second):
        next(server, None)


def test_the_key_is_kept_beside_the_photos(two_gateways: tuple[Gateway, ...]) -> None:
    one, other = two_gateways
    photos = Photos(one)
    with one.client() as c:
        url = _media_url(c, photos.number)
    assert url is not None
    key_file = one.settings.attachments_dir / KEY_FILE
    assert key_file.is_file() and key_file.stat().st_mode & 0o777 == 0o600
    moved = url.replace(one.url, other.url)  # another process signs and checks alike
    assert httpx.get(moved).status_code == 200
    with other.client() as c:
        assert _media_url(c, photos.number) == moved
