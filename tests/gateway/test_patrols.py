"""The patrol endpoints on a live gateway: start, a batch replayed by its key, a refused batch,
end, my patrols, a handler refused, and a patrol's coverage per grid (another's: 404)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from console.models import PatrolPoint
from tests.conftest import Clock
from tests.field.patrol_path import EAST_GRIDS, east_walk, expected_coverage, grid_codes
from tests.gateway.conftest import Gateway
from tests.services.console_support import street_points


def test_a_patrol_through_the_gateway(gateway: Gateway, clock: Clock) -> None:
    _, _, (lon, lat) = street_points(gateway.db)[0]
    with gateway.client("inspector") as c:
        started = c.post("/api/v1/patrols")
        assert started.status_code == 201, started.text
        pid = started.json()["id"]
        assert c.post("/api/v1/patrols").status_code == 409  # one open patrol each
        t0 = clock.now
        body = {
            "points": [
                {
                    "lon": lon,
                    "lat": lat + 0.00003 * k,
                    "device_time": (t0 + timedelta(seconds=10 * k)).isoformat(),
                    "accuracy": 6.5,
                }
                for k in range(4)
            ]
        }
        url = f"/api/v1/patrols/{pid}/points"
        first = c.post(url, json=body, headers={"Idempotency-Key": "batch-1"})
        assert first.status_code == 201, first.text
        again = c.post(url, json=body, headers={"Idempotency-Key": "batch-1"})
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json() == {"patrol_id": pid, "accepted": 4, "first_seq": 0}
        other = {"points": body["points"][:2]}
        assert c.post(url, json=other, headers={"Idempotency-Key": "batch-1"}).status_code == 422
        assert c.post(url, json=other).status_code == 400  # the key is required
        # A jump of ~1 km in 10 s: refused whole, the point named.
        jump = {
            "points": [
                {"lon": lon, "lat": lat, "device_time": (t0 + timedelta(seconds=50)).isoformat()},
                {
                    "lon": lon + 0.01,
                    "lat": lat,
                    "device_time": (t0 + timedelta(seconds=60)).isoformat(),
                },
            ]
        }
        refused = c.post(url, json=jump, headers={"Idempotency-Key": "batch-2"})
        assert refused.status_code == 400 and "第 1 个轨迹点" in refused.json()["message"]
        assert c.post("/api/v1/patrols/9999/end").status_code == 404
        clock.advance(minutes=30)
        ended = c.post(f"/api/v1/patrols/{pid}/end")
        assert ended.status_code == 200, ended.text
        assert ended.json()["duration_s"] == 1800
        assert abs(ended.json()["distance_m"] - 10.0) < 0.2  # 3 steps of 0.00003° latitude
        mine = c.get("/api/v1/patrols/mine").json()
        assert [(p["id"], p["points"]) for p in mine] == [(pid, 4)]
    with gateway.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PatrolPoint)) == 4
    with gateway.client("dept-pro02") as c:
        refused_role = c.post("/api/v1/patrols")
        assert refused_role.status_code == 403, refused_role.text
    with gateway.client() as c:
        assert c.get("/api/v1/patrols/mine").status_code == 401


def test_my_patrols_coverage_per_grid_and_another_persons_is_404(
    gateway: Gateway, clock: Clock
) -> None:
    walk = east_walk(steps=29, step_m=16)  # ~464 m east across three grids
    t0 = clock.now
    points = [
        {
            "lon": lon,
            "lat": lat,
            "device_time": (t0 + timedelta(seconds=10 * k)).isoformat(),
            "accuracy": 5,
        }
        for k, (lon, lat) in enumerate(walk)
    ]
    with gateway.client("inspector") as c:
        pid = c.post("/api/v1/patrols").json()["id"]
        url = f"/api/v1/patrols/{pid}"
        for n, start in enumerate(range(0, len(points), 6)):
            sent = c.post(
                f"{url}/points",
                json={"points": points[start : start + 6]},
                headers={"Idempotency-Key": f"walk-{n}"},
            )
            assert sent.status_code == 201, sent.text
        open_ = c.get(f"{url}/coverage")
        assert open_.status_code == 200, open_.text
        assert open_.json()["ended_at"] is None and open_.json()["distance_m"] is None
        mine = c.get("/api/v1/patrols/mine").json()
        assert mine[0]["id"] == pid and mine[0]["ended_at"] is None  # the open one, for the app
        clock.advance(minutes=5)
        assert c.post(f"{url}/end").status_code == 200
        answer = c.get(f"{url}/coverage")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = expected_coverage(gateway.db, walk)
    names = grid_codes(gateway.db, EAST_GRIDS)
    assert set(expected) == set(names.values())
    assert body["grids_visited"] == len(body["grids"]) == 3
    got = {g["code"]: g["length_m"] for g in body["grids"]}
    assert set(got) == set(expected)
    for code, metres in expected.items():
        assert abs(got[code] - metres) < 1.0, (code, got[code], metres)
    assert [g["name"] for g in body["grids"]] == sorted(
        EAST_GRIDS, key=lambda n: -expected[names[n]]
    )  # the longest stretch first
    assert all(g["visited"] for g in body["grids"])
    assert abs(body["distance_m"] - 29 * 16) < 1.0
    assert body["duration_s"] == 300 and body["points"] == 30
    assert abs(sum(got.values()) - body["distance_m"]) < 1.0  # the walk stays inside the grids

    with gateway.client("grid_manager") as c:
        other = c.get(f"/api/v1/patrols/{pid}/coverage")
        assert other.status_code == 404 and other.json()["error"] == "patrol_not_found"
    with gateway.client() as c:
        assert c.get(f"/api/v1/patrols/{pid}/coverage").status_code == 401
    schema = httpx.get(f"{gateway.url}/openapi.json").json()
    operation = schema["paths"]["/api/v1/patrols/{patrol_id}/coverage"]["get"]
    assert {"200", "404"} <= set(operation["responses"])
