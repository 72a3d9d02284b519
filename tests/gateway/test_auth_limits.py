"""Tokens (401), roles (403), body size (413) and rate (429) against a running gateway."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from console.db import Database
from console.models import ApiToken, Case, User
from console.services.api_tokens import ApiTokenService
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.gateway.conftest import Gateway, serve, settings_for
from tests.gateway.support import PRO02_USER, dispatched, png_bytes, point

SMALL_BODY = 4096
SMALL_UPLOAD = 64 * 1024
SMALL_PHOTO = 16 * 1024


@pytest.fixture
def small(demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[Gateway]:
    """A gateway with tiny size limits."""
    settings = settings_for(
        tmp_path,
        max_body_bytes=SMALL_BODY,
        max_upload_bytes=SMALL_UPLOAD,
        max_photo_bytes=SMALL_PHOTO,
    )
    yield from serve(demo_db, settings, CaseService(demo_db, clock=clock))


def _status(response: httpx.Response, status: int) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text
    body = response.json()
    return body[0] if isinstance(body, list) else body


def test_missing_invalid_and_revoked_tokens_get_401(gateway: Gateway) -> None:
    with gateway.client() as c:
        r = c.get("/api/v1/tasks")
        assert "缺少访问令牌" in _status(r, 401)["message"]
        assert r.headers["www-authenticate"].startswith("Bearer")
        bad = {"Authorization": "Bearer gdc_" + "x" * 43}
        # Open311 reads need no key (GeoReport v2), but a key sent must be good: 401 in its shape.
        assert _status(c.get("/open311/v2/services.json", headers=bad), 401)["code"] == 401
        assert _status(c.get("/api/v1/tasks", headers=bad), 401)["message"] == "访问令牌无效"
        junk = {"Authorization": "Bearer ' OR 1=1 --"}
        _status(c.get("/api/v1/tasks", headers=junk), 401)
        basic = {"Authorization": "Basic dXNlcjpwYXNz"}
        _status(c.get("/api/v1/tasks", headers=basic), 401)
    secret = gateway.token(PRO02_USER)
    with gateway.client(secret=secret) as c:
        assert c.get("/api/v1/tasks").status_code == 200
        issuer = ApiTokenService(gateway.db)
        (record,) = [r for r in issuer.list_tokens() if r.active]
        issuer.revoke(record.id)  # at once, on the running server
        assert "吊销" in _status(c.get("/api/v1/tasks"), 401)["message"]


def test_a_disabled_user_loses_access(gateway: Gateway) -> None:
    secret = gateway.token(PRO02_USER)
    with gateway.client(secret=secret) as c:
        assert c.get("/api/v1/tasks").status_code == 200
        with gateway.db.session() as s:
            s.execute(update(User).where(User.username == PRO02_USER).values(active=False))
        assert "停用" in _status(c.get("/api/v1/tasks"), 401)["message"]


def test_last_used_is_recorded(gateway: Gateway) -> None:
    secret = gateway.token("inspector")
    with gateway.db.read() as s:
        assert s.scalar(select(ApiToken.last_used_at)) is None
    with gateway.client(secret=secret) as c:
        assert c.get("/api/v1/tasks").status_code == 200
    with gateway.db.read() as s:
        assert s.scalar(select(ApiToken.last_used_at)) == gateway.cases.clock()


def test_roles_the_lifecycle_refuses_get_403(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    lon, lat = point(gateway.db)
    with gateway.client("leader") as c:
        body = _status(
            c.post(
                "/open311/v2/requests.json",
                json={"service_code": "garbage", "lat": lat, "long": lon},
            ),
            403,
        )
        assert "无权执行「发现上报」" in body["description"]
        _status(c.get("/api/v1/tasks"), 403)
        _status(c.post(f"/api/v1/tasks/{s.id}/feedback", json={"version": s.version}), 403)
        _status(
            c.post(
                f"/api/v1/tasks/{s.id}/verification", json={"version": s.version, "result": "pass"}
            ),
            403,
        )
    assert gateway.cases.get(s.id).version == s.version  # nothing written


def test_declared_oversized_bodies_get_413_unread(small: Gateway) -> None:
    lon, lat = point(small.db)
    with small.client("intake") as c:
        big = {"service_code": "garbage", "lat": lat, "long": lon, "description": "长" * 3000}
        body = _status(c.post("/open311/v2/requests.json", json=big), 413)
        assert body["code"] == 413 and str(SMALL_BODY) in body["description"]
        assert (
            c.post("/open311/v2/requests.json", json={**big, "description": "小"}).status_code
            == 201
        )


def test_streamed_bodies_are_counted(small: Gateway) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"service_code": "garbage", "description": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    with small.client("intake") as c:
        r = c.post(
            "/open311/v2/requests.json",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
        assert "content-length" not in r.request.headers
        _status(r, 413)
    with small.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_photo_limits(small: Gateway) -> None:
    s = dispatched(small.cases, small.db)
    url = f"/api/v1/tasks/{s.id}/feedback"
    with small.client(PRO02_USER) as c:
        # the whole upload over the upload limit: refused before it is read
        huge = b"\xff\xd8\xff" + b"\x00" * SMALL_UPLOAD
        r = c.post(url, data={"version": s.version, "note": "x"}, files={"photo": ("a.jpg", huge)})
        _status(r, 413)
        # within the upload limit but the photo over its own limit
        big = b"\xff\xd8\xff" + b"\x00" * SMALL_PHOTO
        r = c.post(url, data={"version": s.version, "note": "x"}, files={"photo": ("a.jpg", big)})
        assert _status(r, 413)["field"] == "photo"
        # a photo-sized body is fine on the upload path and refused elsewhere
        ok = png_bytes(60, 60)
        assert SMALL_BODY < len(ok) + 400 < SMALL_PHOTO
        r = c.post(url, data={"version": s.version, "note": "x"}, files={"photo": ("a.png", ok)})
        assert r.status_code == 200, r.text
        r = c.post(
            f"/api/v1/tasks/{s.id}/return",
            json={"version": r.json()["version"], "reason": "长" * 3000},
        )
        _status(r, 413)


def test_rate_limit_per_token(gateway: Gateway) -> None:
    slow = gateway.token("inspector", rate=2)  # 2 a minute: a bucket of 2
    with gateway.client(secret=slow) as c:
        assert c.get("/api/v1/tasks").status_code == 200
        assert c.get("/api/v1/tasks").status_code == 200
        r = c.get("/api/v1/tasks")
        body = _status(r, 429)
        assert body["error"] == "rate_limited" and "每分钟最多 2 次" in body["message"]
        retry = int(r.headers["retry-after"])
        assert 1 <= retry <= math.ceil(60 / 2)
        assert c.get("/open311/v2/services.json").status_code == 429  # per token, any path
    with gateway.client("inspector") as c:  # another token of the same user is not affected
        assert c.get("/api/v1/tasks").status_code == 200
