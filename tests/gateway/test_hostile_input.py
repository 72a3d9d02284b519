"""Hostile input (#13 §4): each a 4xx naming the field, never a 500 or a traceback.

Path ids beyond the INTEGER range or not positive, times at 0001 / 9999 with ±14:00 offsets,
100,000-deep JSON, 400-digit numbers, NUL in text. The checks are functions of a Gateway, so
test_postgres.py runs the PostgreSQL ones (big ids, NUL) against the same answers.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.gateway.conftest import Gateway
from tests.gateway.support import PRO02_USER, dispatched, png_bytes, point

BIG_IDS = [2**31, 2**63, 2**64 + 1, 10**40, 0, -1, -(2**63) - 1]
HOSTILE_TIMES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
]


def refused(r: httpx.Response, status: int, field: str) -> Any:
    """The answer is ``status`` with the project's error shape naming ``field``."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    named = body[0]["field"] if isinstance(body, list) else body["field"]
    assert named == field, body
    assert "Traceback" not in r.text
    return body


def check_big_ids(gw: Gateway) -> None:
    with gw.client(PRO02_USER) as c:
        for big in BIG_IDS:
            refused(c.get(f"/api/v1/tasks/{big}"), 400, "case_id")
            refused(c.post(f"/api/v1/tasks/{big}/accept", json={"version": 1}), 400, "case_id")
            refused(c.post(f"/api/v1/tasks/{big}/feedback", json={"note": "x"}), 400, "case_id")
            refused(c.get(f"/api/v1/attachments/{big}"), 400, "attachment_id")
    with gw.client("inspector") as c:
        for big in BIG_IDS:
            refused(c.post(f"/api/v1/patrols/{big}/end"), 400, "patrol_id")
            refused(c.get(f"/api/v1/patrols/{big}/coverage"), 400, "patrol_id")
    with httpx.Client(base_url=gw.url) as c:
        r = c.get(f"/api/v1/public/cases/X/attachments/{2**63}", params={"code": "x"})
        assert r.status_code in (400, 404), r.text
        assert r.status_code < 500
    # the largest id that fits is an ordinary 404
    with gw.client(PRO02_USER) as c:
        assert c.get(f"/api/v1/tasks/{2**31 - 1}").status_code == 404


def check_nul(gw: Gateway) -> None:
    s = dispatched(gw.cases, gw.db)
    lon, lat = point(gw.db)
    with gw.client(PRO02_USER) as c:
        r = c.post(f"/api/v1/tasks/{s.id}/feedback", json={"version": s.version, "note": "a\x00b"})
        refused(r, 400, "note")
        r = c.post(
            f"/api/v1/tasks/{s.id}/feedback",
            data={"version": str(s.version), "note": "a\x00b"},
            files={"photo": ("a.png", png_bytes(seed=3), "image/png")},
        )
        refused(r, 400, "note")
        refused(c.post(f"/api/v1/tasks/{s.id}/return", data={"reason": "\x00"}), 400, "reason")
        refused(c.get("/api/v1/categories", params={"q": "垃\x00圾"}), 400, "q")
    with gw.client("intake") as c:
        report = {"service_code": "garbage", "lat": lat, "long": lon, "description": "垃\x00圾"}
        refused(c.post("/open311/v2/requests.json", json=report), 400, "description")
        refused(c.post("/open311/v2/requests.json", data=report), 400, "description")
        refused(c.get("/open311/v2/requests/%00.json"), 400, "path")
        refused(
            c.get("/open311/v2/requests.json", params={"service_code": "a\x00"}),
            400,
            "service_code",
        )
    with gw.client("inspector") as c:
        r = c.post("/api/v1/patrols", json={"note": {"\x00key": 1}})
        refused(r, 400, "note.key")


def test_ids_beyond_the_column_or_not_positive_are_400_naming_the_id(gateway: Gateway) -> None:
    check_big_ids(gateway)


def test_nul_in_any_text_is_400_naming_the_field(gateway: Gateway) -> None:
    check_nul(gateway)


@pytest.mark.parametrize("when", HOSTILE_TIMES)
def test_open311_query_dates_out_of_range_in_utc_are_400(gateway: Gateway, when: str) -> None:
    with gateway.client("intake") as c:
        for name in ("start_date", "end_date"):
            r = c.get("/open311/v2/requests.json", params={name: when})
            refused(r, 400, name)


@pytest.mark.parametrize("when", HOSTILE_TIMES)
def test_a_field_report_device_time_out_of_range_is_400(gateway: Gateway, when: str) -> None:
    lon, lat = point(gateway.db)
    with gateway.client("inspector") as c:
        r = c.post(
            "/api/v1/reports",
            data={
                "category_code": "06010",
                "lon": f"{lon:.7f}",
                "lat": f"{lat:.7f}",
                "address": "莲湖路1号",
                "description": "成堆生活垃圾未清运",
                "device_time": when,
            },
            files=[("photo", ("a.png", png_bytes(16, 16, seed=1), "image/png"))],
            headers={"Idempotency-Key": f"k-{when}"},
        )
        refused(r, 400, "device_time")


@pytest.mark.parametrize("when", HOSTILE_TIMES)
def test_a_patrol_point_device_time_out_of_range_is_400(gateway: Gateway, when: str) -> None:
    lon, lat = point(gateway.db)
    with gateway.client("inspector") as c:
        pid = c.post("/api/v1/patrols").json()["id"]
        body = {"points": [{"lon": lon, "lat": lat, "device_time": when, "accuracy": 5}]}
        r = c.post(f"/api/v1/patrols/{pid}/points", json=body, headers={"Idempotency-Key": "b"})
        refused(r, 400, "points.0.device_time")


def test_100000_deep_json_is_400(gateway: Gateway) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with gateway.client(PRO02_USER) as c:
        for url in ("/api/v1/tasks/1/accept", "/api/v1/patrols/1/points", "/api/v1/session"):
            r = c.post(url, content=deep, headers={"Content-Type": "application/json"})
            refused(r, 400, "body")
        nested = '{"note": ' + "[" * 100_000 + "]" * 100_000 + "}"
        r = c.post(
            "/api/v1/tasks/1/accept", content=nested, headers={"Content-Type": "application/json"}
        )
        refused(r, 400, "body")
    with gateway.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.json", content=deep, headers={"Content-Type": "application/json"}
        )
        refused(r, 400, "body")


def test_a_400_digit_number_is_400_naming_the_field(gateway: Gateway) -> None:
    big = "9" * 400
    s = dispatched(gateway.cases, gateway.db)
    with gateway.client(PRO02_USER) as c:
        r = c.post(
            f"/api/v1/tasks/{s.id}/accept",
            content='{"version": ' + big + "}",
            headers={"Content-Type": "application/json"},
        )
        refused(r, 400, "version")
        r = c.post(
            f"/api/v1/tasks/{s.id}/accept",
            content='{"version": 1' + big + ".5e999}",
            headers={"Content-Type": "application/json"},
        )
        refused(r, 400, "version")
        # within the literal limit but beyond the column: the schema's bound
        r = c.post(f"/api/v1/tasks/{s.id}/accept", json={"version": 2**63})
        refused(r, 400, "version")
        r = c.post(
            f"/api/v1/tasks/{s.id}/accept",
            content='{"version": NaN}',
            headers={"Content-Type": "application/json"},
        )
        refused(r, 400, "version")
    lon, _ = point(gateway.db)
    with gateway.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.json",
            content=f'{{"service_code": "garbage", "long": {lon!r}, "lat": {big}}}',
            headers={"Content-Type": "application/json"},
        )
        refused(r, 400, "lat")
    with gateway.client("inspector") as c:
        pid = c.post("/api/v1/patrols").json()["id"]
        r = c.post(
            f"/api/v1/patrols/{pid}/points",
            content=f'{{"points": [{{"lon": 1, "lat": 2, "device_time": "x", "accuracy": {big}}}]}}',
            headers={"Content-Type": "application/json", "Idempotency-Key": "n"},
        )
        refused(r, 400, "points.0.accuracy")
