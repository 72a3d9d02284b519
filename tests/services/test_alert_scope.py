"""Issue 12.3: each seat sees the alerts it answers for, counted as the handover counts them.

Two cases with two departments on a real SQLite demo database; the scan raises their alerts,
then each role's workbench (the dock's and the handover's service calls) is asked.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from console.db import Database
from console.errors import PermissionDeniedError
from console.services import handover
from console.services.actors import Actor
from console.services.alert_scope import ALL_ALERTS, NO_ALERTS, AlertScope, scope_of
from console.services.cases.service import CaseService
from console.services.supervision import acknowledge, scan, unacknowledged
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    department_id,
    handler,
    local,
    report_input,
    street_points,
)

LEADER = Actor(5, "领导", "leader")


@pytest.fixture
def two_departments(demo_db: Database, clock: Clock) -> dict[str, int]:
    """Case ``a`` (routed to PRO02, dispatched Mon 09:00) up to 二级督办 by Tue 15:00; case
    ``b`` (PRO04, dispatched Tue 11:00) overdue at Tue 17:00, the newest alert.

    Returns the case and department ids; the clock stands after the last scan.
    """
    service = CaseService(demo_db, clock=clock)
    calendar = service.workflow.calendar
    (_, _, point), _ = street_points(demo_db)
    ids: dict[str, int] = {}

    def dispatched(name: str, dept: int | None) -> None:
        snap = service.report(INTAKE, report_input(point))
        snap = service.register(CHIEF, snap.id, snap.version)
        snap = service.dispatch(DISPATCHER, snap.id, snap.version, department_id=dept)
        ids[name], ids[f"dept_{name}"] = snap.id, int(snap.department_id or 0)

    def scan_at(*times: datetime) -> None:
        for now in times:
            with demo_db.session() as s:
                scan(s, now, calendar)

    dispatched("a", None)
    scan_at(local(23, 14, 12), local(23, 15), local(24, 9))
    clock.now = local(24, 11)
    dispatched("b", department_id(demo_db, "PRO04"))
    scan_at(local(24, 15), local(24, 17))
    clock.now = local(24, 17, 5)
    return ids


def seat(db: Database, clock: Clock, actor: Actor) -> Workbench:
    return Workbench(db, actor=actor, clock=clock)


def test_roles_map_to_scopes() -> None:
    assert scope_of(INTAKE) == NO_ALERTS
    assert scope_of(CHIEF) == scope_of(LEADER) == ALL_ALERTS
    assert scope_of(Actor(9, "处置", "department", 7)) == AlertScope("department", 7)
    assert scope_of(Actor(9, "处置", "department", None)) == NO_ALERTS


def test_a_handler_sees_only_the_alerts_of_its_department(
    demo_db: Database, clock: Clock, two_departments: dict[str, int]
) -> None:
    ids = two_departments
    assert ids["dept_a"] != ids["dept_b"]
    chief = seat(demo_db, clock, CHIEF).alerts_for_panel()
    assert {r.case_id for r in chief.records} == {ids["a"], ids["b"]}
    for name, other in (("a", "b"), ("b", "a")):
        wb = seat(demo_db, clock, handler(demo_db, ids[f"dept_{name}"]))
        board = wb.alerts_for_panel()
        assert board.records and {r.case_id for r in board.records} == {ids[name]}
        unacknowledged = [r for r in board.records if r.acknowledged_at is None]
        assert {r.case_id for r in unacknowledged} == {ids[name]}
        assert board.unacknowledged == len(board.records) < chief.unacknowledged
        assert ids[other] not in {r.case_id for r in board.records}
    # Case a's 二级督办 goes to the street, yet the department holding the case sees it.
    a_levels = {r.level for r in chief.records if r.case_id == ids["a"]}
    assert "supervise_2" in a_levels
    assert {r.level for r in chief.records if r.case_id == ids["b"]} == {"overdue"}
    handler_a = seat(demo_db, clock, handler(demo_db, ids["dept_a"])).alerts_for_panel()
    assert {r.level for r in handler_a.records} == a_levels


def test_the_intake_seat_sees_no_alert_and_may_acknowledge_none(
    demo_db: Database, clock: Clock, two_departments: dict[str, int]
) -> None:
    wb = seat(demo_db, clock, INTAKE)
    board = wb.alerts_for_panel()
    assert board.records == [] and board.unacknowledged == 0
    some = seat(demo_db, clock, CHIEF).alerts_for_panel().records[0]
    with pytest.raises(PermissionDeniedError, match="不属于本岗位"):
        wb.acknowledge_alert(some.id)
    assert seat(demo_db, clock, LEADER).acknowledge_alert(some.id).acknowledged_by_name == "领导"


@pytest.mark.parametrize("who", ["chief", "intake", "dept_a", "dept_b"])
def test_the_handover_counts_what_the_dock_counts(
    demo_db: Database, clock: Clock, two_departments: dict[str, int], who: str
) -> None:
    actor = {"chief": CHIEF, "intake": INTAKE}.get(who) or handler(demo_db, two_departments[who])
    wb = seat(demo_db, clock, CHIEF)
    first = wb.alerts_for_panel().records[-1]
    wb.acknowledge_alert(first.id)  # one acknowledged: both sides must leave it out
    board = seat(demo_db, clock, actor).alerts_for_panel()
    start, end, _ = handover.shift_bounds(clock())
    with demo_db.read() as s:
        summary = handover.build_summary(s, start, end, clock(), scope=scope_of(actor))
    assert summary.counts["unacknowledged_alerts"] == board.unacknowledged
    assert board.unacknowledged == sum(r.acknowledged_at is None for r in board.records)
    listed = {line.number for line in summary.lists["unacknowledged_alerts"]}
    assert listed == {r.case_number for r in board.records if r.acknowledged_at is None}


def test_the_count_goes_past_a_capped_list_and_the_cap_keeps_supervision(
    demo_db: Database, clock: Clock, two_departments: dict[str, int]
) -> None:
    with demo_db.read() as s:
        capped = unacknowledged(s, limit=1)
        everything = unacknowledged(s, limit=None)
    # The newest alert is b's overdue; the most serious is a's 二级督办: that one is kept.
    newest = max(everything, key=lambda r: (r.raised_at, r.id))
    assert (newest.case_id, newest.level) == (two_departments["b"], "overdue")
    assert capped[0].level == "supervise_2" and capped[0].supervision
    assert [r.level_rank for r in everything] == sorted(
        (r.level_rank for r in everything), reverse=True
    )
    assert not any(r.supervision for r in everything if r.level in ("warning", "overdue"))


def test_acknowledge_checks_the_scope_before_anything_is_written(
    demo_db: Database, clock: Clock, two_departments: dict[str, int]
) -> None:
    record = seat(demo_db, clock, CHIEF).alerts_for_panel().records[0]
    with demo_db.session() as s, pytest.raises(PermissionDeniedError):
        acknowledge(s, record.id, INTAKE, clock())
    with demo_db.read() as s:
        assert record.id in {r.id for r in unacknowledged(s, limit=None)}
