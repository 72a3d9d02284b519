"""A street seat through the gateway: its tasks are its street's, another street's case is
"not found", and it cannot act on one (issue 16 §1: scoped in the services, the gateway
included)."""

from __future__ import annotations

from sqlalchemy import select

from console.models import CaseEvent
from console.services.cases.service import CaseService
from tests.gateway.conftest import Gateway
from tests.services.console_support import CHIEF, DISPATCHER, INTAKE, report_input, street_points


def _dispatched_in_each_street(gateway: Gateway) -> tuple[int, int]:
    cases: CaseService = gateway.cases
    ids = []
    for _street, _grid, point in street_points(gateway.db):
        s = cases.report(INTAKE, report_input(point))
        s = cases.register(CHIEF, s.id, s.version)
        ids.append(cases.dispatch(DISPATCHER, s.id, s.version).id)
    return ids[0], ids[1]


def test_a_street_seat_reads_its_street_only(gateway: Gateway) -> None:
    own, other = _dispatched_in_each_street(gateway)
    with gateway.client("street_duty_officer") as c:
        listed = c.get("/api/v1/tasks")
        assert listed.status_code == 200, listed.text
        assert [t["id"] for t in listed.json()["tasks"]] == [own]
        assert c.get(f"/api/v1/tasks/{own}").status_code == 200
        refused = c.get(f"/api/v1/tasks/{other}")
        assert refused.status_code == 404, refused.text
        assert str(other) in refused.json()["message"]
    # The district's dispatcher and the department handler still see both.
    with gateway.client("dept-pro02") as c:
        assert {t["id"] for t in c.get("/api/v1/tasks").json()["tasks"]} == {own, other}


def test_a_street_seat_cannot_act_on_another_streets_case(gateway: Gateway) -> None:
    _own, other = _dispatched_in_each_street(gateway)
    with gateway.client("street_leader") as c:
        r = c.post(f"/api/v1/tasks/{other}/accept", json={"version": 3})
        # Refused: the street tier takes no lifecycle step yet (§2), and the case is not its.
        assert r.status_code in (403, 404), r.text
    with gateway.db.read() as s:
        actions = list(
            s.scalars(
                select(CaseEvent.action).where(CaseEvent.case_id == other).order_by(CaseEvent.id)
            )
        )
    assert actions == ["report", "register", "dispatch"]  # nothing was written
