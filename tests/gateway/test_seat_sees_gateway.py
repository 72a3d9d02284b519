"""A gateway change reaches a console seat: the Workbench's change feed shows it."""

from __future__ import annotations

from console.db import Database
from console.services.workbench import Workbench
from tests.gateway.conftest import Gateway
from tests.gateway.support import PRO02_USER, dispatched, point


def test_gateway_changes_appear_in_a_seats_change_feed(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    seat_db = Database(gateway.db.url)  # another seat: its own connections to the same file
    try:
        seat = Workbench(seat_db, username="dispatcher")
        assert seat.poll_changes() == []
        lon, lat = point(gateway.db)
        with gateway.client("intake") as c:
            r = c.post(
                "/open311/v2/requests.json",
                json={
                    "service_code": "garbage",
                    "lat": lat,
                    "long": lon,
                    "description": "热线来电",
                },
            )
            assert r.status_code == 201
        number = r.json()[0]["service_request_id"]
        with gateway.client(PRO02_USER) as c:
            r = c.post(
                f"/api/v1/tasks/{s.id}/feedback", json={"version": s.version, "note": "已清运"}
            )
            assert r.status_code == 200
        changes = seat.poll_changes()
        assert [(ch.action, ch.case_id) for ch in changes][-1] == ("feedback", s.id)
        reported = [ch for ch in changes if ch.action == "report"]
        assert len(reported) == 1
        assert seat.detail(reported[0].case_id).snapshot.number == number
        assert changes[-1].actor_name  # the handler, as the timeline shows
        assert seat.poll_changes() == []  # delivered once
    finally:
        seat_db.dispose()
