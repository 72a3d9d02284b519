"""Photos are served only within the caller's task scope (or to their uploader), and failed
token checks are rate-limited per client address: the real ASGI app over HTTP, real tokens."""

from __future__ import annotations

import math

import httpx
from sqlalchemy import select, update

from console.gateway.rate_limit import AUTH_FAILURES_PER_MINUTE
from console.models import ApiToken, Case, User
from tests.gateway.conftest import Gateway
from tests.gateway.support import PRO02_USER, PRO04_USER, dispatched, png_bytes


def _feedback_photo(gateway: Gateway) -> tuple[int, str, bytes]:
    """A department-PRO02 case with its handler's feedback photo: (case id, url, bytes)."""
    s = dispatched(gateway.cases, gateway.db)
    photo = png_bytes(seed=5)
    with gateway.client(PRO02_USER) as c:
        r = c.post(
            f"/api/v1/tasks/{s.id}/feedback",
            data={"version": str(s.version), "note": "已清运完毕"},
            files={"photo": ("现场.png", photo, "image/png")},
        )
        assert r.status_code == 200, r.text
        url = r.json()["attachment"]["url"]
        assert c.get(url).content == photo  # the department's handler: its own task
    return s.id, url, photo


def _refused(response: httpx.Response) -> dict:  # type: ignore[type-arg]
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()  # type: ignore[no-any-return]


def test_a_photo_is_served_only_within_the_callers_task_scope(gateway: Gateway) -> None:
    case_id, url, photo = _feedback_photo(gateway)
    # Another department's handler: the same 403 as for the task itself.
    with gateway.client(PRO04_USER) as c:
        task = c.get(f"/api/v1/tasks/{case_id}")
        body = _refused(c.get(url))
        assert task.status_code == 403 and body["error"] == task.json()["error"]
        assert photo not in c.get(url).content
    # Roles with no field tasks (the 12345 intake, a leader) get no photos at all: before,
    # every scope but own_department was served any case's photo.
    for role in ("intake", "leader"):
        with gateway.client(role) as c:
            assert "外勤任务" in _refused(c.get(url))["message"]
    # An inspector sees the photo of a case awaiting their verification...
    with gateway.client("inspector") as c:
        assert c.get(url).content == photo
        # ... but not once it is assigned to another inspector.
        with gateway.db.session() as s:
            other = s.scalar(select(User.id).where(User.username == "grid_manager"))
            s.execute(update(Case).where(Case.id == case_id).values(assigned_inspector_id=other))
        assert "其他监督员" in _refused(c.get(url))["message"]
        # An attachment that does not exist is a 404, as before.
        assert c.get("/api/v1/attachments/999999").status_code == 404


def test_the_uploader_keeps_their_own_photo(gateway: Gateway) -> None:
    """The handler's department loses the case (dispatched elsewhere after a return): the
    person who took the photo still gets it, their department's colleague does not."""
    case_id, url, photo = _feedback_photo(gateway)
    with gateway.db.session() as s:
        pro04 = s.scalar(select(User.department_id).where(User.username == PRO04_USER))
        s.execute(update(Case).where(Case.id == case_id).values(department_id=pro04))
    with gateway.client(PRO02_USER) as c:
        assert c.get(url).content == photo
    with gateway.client(PRO04_USER) as c:  # now their department's case
        assert c.get(url).content == photo


def test_repeated_bad_tokens_from_one_address_get_429(gateway: Gateway) -> None:
    good = gateway.token(PRO02_USER)
    limit = int(AUTH_FAILURES_PER_MINUTE)
    with gateway.client() as c:
        # No token at all is not a guess: it counts nothing.
        assert {c.get("/api/v1/tasks").status_code for _ in range(limit + 5)} == {401}
        assert (
            c.get("/api/v1/tasks", headers={"Authorization": f"Bearer {good}"}).status_code == 200
        )
        guesses = [
            c.get(
                "/api/v1/tasks", headers={"Authorization": f"Bearer gdc_{str(i).zfill(43)}"}
            ).status_code
            for i in range(limit)
        ]
        assert guesses == [401] * limit
        over = c.get("/api/v1/tasks", headers={"Authorization": "Bearer gdc_" + "y" * 43})
        assert over.status_code == 429, over.text
        assert (
            over.json()["error"] == "rate_limited" and "校验失败次数过多" in over.json()["message"]
        )
        assert 1 <= int(over.headers["Retry-After"]) <= math.ceil(60 / AUTH_FAILURES_PER_MINUTE)
        # A right token from that address is not even looked at now (a right guess among the
        # wrong ones is not told either): 429 too.
        right = c.get("/api/v1/tasks", headers={"Authorization": f"Bearer {good}"})
        assert right.status_code == 429
        # Open311 paths and the api_key form field are held back the same way.
        o = c.get("/open311/v2/services.json", headers={"Authorization": f"Bearer {good}"})
        assert o.status_code == 429 and o.json()[0]["code"] == 429
        posted = c.post("/open311/v2/requests.json", data={"api_key": good})
        assert posted.status_code == 429
    with gateway.db.read() as s:
        assert s.scalar(select(ApiToken.last_used_at)) is not None  # the one use before
