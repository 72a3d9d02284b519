"""Generated POST requests.json bodies never break the gateway: 201 (200 for a body sent again
within the repeat window), or a 4xx that says why."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from console.models import Case, Open311PendingReport
from tests.gateway.conftest import Gateway
from tests.gateway.support import point

FIELDS = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "first_name",
    "last_name",
    "source",
    "jurisdiction_id",
    "api_key",
    "email",
    "media_url",
]
CODES = st.sampled_from(["garbage", "0101", "06010", "manhole_cover", "", "0102 ", "zzz"])
# Mostly inside Lianhu (34.24–34.30 N, 108.88–108.98 E), sometimes anywhere or swapped.
LATS = st.one_of(st.floats(34.24, 34.30), st.floats(-1000, 1000), st.just(108.9))
LONS = st.one_of(st.floats(108.88, 108.98), st.floats(-1000, 1000), st.just(34.26))
SCALARS = st.one_of(
    st.text(max_size=300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.booleans(),
    st.none(),
)
VALUES = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.text(), SCALARS, max_size=3)
)
INJECTIONS = st.sampled_from(
    [
        "'; DROP TABLE cases; --",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "{{7*7}}${7*7}",
        "\u202e\u0000\ufeff",
        "%s%n%x",
        "𠀀𪚥😀" * 50,
    ]
)


@st.composite
def json_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service_code": draw(st.one_of(CODES, VALUES)),
        "lat": draw(st.one_of(LATS, VALUES)),
        "long": draw(st.one_of(LONS, VALUES)),
    }
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=5)):
        body[name] = draw(st.one_of(VALUES, INJECTIONS, st.text(min_size=1000, max_size=2100)))
    for name in draw(st.lists(st.text(max_size=20), max_size=2)):
        body[name] = draw(VALUES)
    return body


@st.composite
def plausible_bodies(draw: st.DrawFn, at: tuple[float, float]) -> dict[str, Any]:
    """A good code and a point a few metres from one inside the district, odd text around."""
    lon, lat = at
    body: dict[str, Any] = {
        "service_code": draw(st.sampled_from(["garbage", "0101", "manhole_cover"])),
        "lat": lat + draw(st.floats(-1e-4, 1e-4)),
        "long": lon + draw(st.floats(-1e-4, 1e-4)),
    }
    for name in draw(st.lists(st.sampled_from(FIELDS[3:8]), max_size=4)):
        body[name] = draw(st.one_of(st.text(max_size=60), INJECTIONS))
    return body


@st.composite
def form_bodies(draw: st.DrawFn) -> dict[str, str]:
    body = {
        "service_code": draw(CODES),
        "lat": repr(draw(LATS)),
        "long": repr(draw(LONS)),
    }
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=5)):
        body[name] = draw(st.one_of(st.text(max_size=300), INJECTIONS))
    return body


def _check(gateway: Gateway, response: httpx.Response) -> None:
    assert response.status_code != 500, response.text
    body = response.json()
    if response.status_code == 200:  # the same body again within the window: a replay
        assert response.headers["Idempotent-Replayed"] == "true"
    if response.status_code in (200, 201):
        with gateway.db.read() as s:
            if "token" in body[0]:  # no point, an address: waits for the intake seat
                assert "service_request_id" not in body[0]
                token = Open311PendingReport.token
                assert s.scalar(select(token).where(token == body[0]["token"])) is not None
            else:
                number = body[0]["service_request_id"]
                assert s.scalar(select(Case.id).where(Case.number == number)) is not None
        return
    assert 400 <= response.status_code < 500, response.text
    assert isinstance(body, list) and body[0]["code"] == response.status_code
    assert isinstance(body[0]["description"], str) and body[0]["description"].strip()


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_generated_bodies(gateway: Gateway) -> None:
    statuses: set[int] = set()
    with gateway.client("intake") as c:
        inside = point(gateway.db)

        @PROPERTY
        @given(body=st.one_of(json_bodies(), plausible_bodies(inside)))
        def as_json(body: dict[str, Any]) -> None:
            content = json.dumps(body, allow_nan=True)  # NaN and Infinity as Python sends them
            r = c.post(
                "/open311/v2/requests.json",
                content=content,
                headers={"Content-Type": "application/json"},
            )
            statuses.add(r.status_code)
            _check(gateway, r)

        @PROPERTY
        @given(body=form_bodies())
        def as_form(body: dict[str, str]) -> None:
            r = c.post("/open311/v2/requests.json", data=body)
            statuses.add(r.status_code)
            _check(gateway, r)

        @PROPERTY
        @given(
            raw=st.binary(max_size=500),
            kind=st.sampled_from(
                [
                    "application/json",
                    "text/plain",
                    "multipart/form-data",
                    "application/x-www-form-urlencoded",
                ]
            ),
        )
        def as_bytes(raw: bytes, kind: str) -> None:
            r = c.post("/open311/v2/requests.json", content=raw, headers={"Content-Type": kind})
            statuses.add(r.status_code)
            _check(gateway, r)

        as_json()
        as_form()
        as_bytes()
    assert {201, 400} <= statuses  # the generators reach both acceptance and rejection
