"""Permissions as data, enforced in the services (not by hidden buttons)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from console.config import resource
from console.db import Database
from console.domain.lifecycle import default_lifecycle
from console.domain.worktime import WorkCalendar
from console.errors import PermissionDeniedError
from console.models import Alert, Role
from console.services import supervision
from console.services.cases.service import CaseService
from console.services.permissions import allowed, granted, permissions, require, role_names
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, INTAKE, report_input, street_points


def test_every_permission_and_role_in_the_file_exists() -> None:
    with resource("org", "permissions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    codes = [r["permission"] for r in rows]
    assert len(codes) == len(set(codes)) == len(permissions())
    known = set(role_names())
    assert known == {r.value for r in Role}
    for row in rows:
        assert row["kind"] in ("read", "write")
        assert set(row["roles"].split("|")) <= known, row["permission"]
        assert row["label_zh"] and row["label_en"]
    for needed in (
        "view_queues",
        "acknowledge_alert",
        "set_reminder",
        "write_handover",
        "sign_handover",
        "edit_roster",
        "view_evaluation",
        "export_evaluation",
        "manage_users",
        "view_security_log",
        "import_cases",
        "export_cases",
    ):
        assert needed in permissions()


def test_the_wall_holds_no_write_permission() -> None:
    writes = {p.code for p in permissions().values() if p.kind == "write"}
    assert writes and not writes & set(granted("wall"))
    assert "view_queues" in granted("wall")
    # Nor may it move a case: no transition of the lifecycle names the wall.
    lifecycle = default_lifecycle()
    assert all("wall" not in t.roles for t in lifecycle.transitions.values())


def test_only_the_admin_manages_users() -> None:
    people = set(role_names()) - {"system"}
    assert {r for r in people if "manage_users" in granted(r)} == {"admin"}


def test_require_names_the_action_and_role() -> None:
    require(CHIEF, "sign_handover")
    with pytest.raises(PermissionDeniedError) as exc:
        require(DISPATCHER, "manage_users")
    assert "派遣员" in exc.value.message and "管理用户与角色" in exc.value.message
    with pytest.raises(KeyError):
        allowed(CHIEF, "no_such_permission")


def _overdue_alert(db: Database, clock: Clock) -> int:
    calendar = WorkCalendar()
    service = CaseService(db, calendar=calendar, clock=clock)
    (_, _, point), _ = street_points(db)
    snap = service.report(INTAKE, report_input(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    service.dispatch(DISPATCHER, snap.id, snap.version)
    clock.advance(hours=40)
    with db.session() as s:
        supervision.scan(s, clock(), calendar)
    with db.read() as s:
        alert_id = s.scalar(select(Alert.id).order_by(Alert.id).limit(1))
    assert alert_id is not None
    return alert_id


def test_the_wall_cannot_acknowledge_alerts_through_the_workbench(
    demo_db: Database, clock: Clock
) -> None:
    alert_id = _overdue_alert(demo_db, clock)
    wall = Workbench(demo_db, username="wall", clock=clock)
    with pytest.raises(PermissionDeniedError, match="大屏"):
        wall.acknowledge_alert(alert_id)
    assert wall.alerts_for_panel().unacknowledged  # reading is fine, and nothing was written
    chief = Workbench(demo_db, username="duty_chief", clock=clock)
    assert chief.acknowledge_alert(alert_id).acknowledged_by_name == chief.actor.name


def test_reads_and_exports_follow_the_file(demo_db: Database, clock: Clock, tmp_path: Path) -> None:
    wall = Workbench(demo_db, username="wall", clock=clock)
    assert wall.queue_count(_all_open()) >= 0  # the wall reads the queues
    report = wall.evaluation("2026-10")  # and shows the evaluation
    with pytest.raises(PermissionDeniedError):
        wall.export_evaluation(report, str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()
    dispatcher = Workbench(demo_db, username="dispatcher", clock=clock)
    with pytest.raises(PermissionDeniedError):
        dispatcher.user_admin().list_users()
    with pytest.raises(PermissionDeniedError):
        dispatcher.user_admin().security_log()
    leader = Workbench(demo_db, username="leader", clock=clock)
    assert leader.export_evaluation(report, str(tmp_path / "y.xlsx")).endswith("y.xlsx")


def test_handover_needs_a_duty_role(demo_db: Database, clock: Clock) -> None:
    inspector = Workbench(demo_db, username="inspector", clock=clock)
    summary = inspector.handover_draft().summary
    with pytest.raises(PermissionDeniedError, match="填写交接班"):
        inspector.save_handover(summary, None, "巡查交接")
    chief = Workbench(demo_db, username="duty_chief", clock=clock)
    record = chief.save_handover(summary, None, "夜班交接")
    with pytest.raises(PermissionDeniedError, match="交接班签字"):
        inspector.sign_handover(record.id, "outgoing")
    assert chief.sign_handover(record.id, "outgoing").outgoing_signed_at is not None


def test_the_wall_cannot_move_a_case(demo_db: Database, clock: Clock) -> None:
    from console.errors import ConsoleError

    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    snap = service.report(INTAKE, report_input(point))
    wall = Workbench(demo_db, username="wall", clock=clock)
    with pytest.raises(ConsoleError) as exc:
        wall.act("register", snap.id, snap.version)
    assert exc.value.code == "permission_denied"
    assert service.get(snap.id).state == "reported"


def _all_open():  # type: ignore[no-untyped-def]
    from console.services.queue import QueueFilter

    return QueueFilter(tab="all_open")
