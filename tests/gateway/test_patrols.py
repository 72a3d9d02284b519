"""The patrol endpoints on a live gateway: start, a batch replayed by its key, a refused batch,
end, my patrols, and a handler refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from console.models import PatrolPoint
from tests.conftest import Clock
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
