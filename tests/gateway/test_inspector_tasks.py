"""An inspector's handheld tasks (issue 15): 信息核实 (report check) and 核查任务 (check task)
through a real HTTP client against a running gateway."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from console.models import Attachment, CaseEvent, User
from tests.gateway.conftest import Gateway
from tests.gateway.support import handled, png_bytes, reported
from tests.gateway.test_tasks import _error
from tests.services.console_support import CHIEF, INSPECTOR, INTAKE


def second_inspector(gateway: Gateway) -> int:
    with gateway.db.session() as s:
        user = User(username="jiandu-b", display_name="监督员乙", role="inspector")
        s.add(user)
        s.flush()
        return user.id


def task_ids(gateway: Gateway, username: str) -> set[int]:
    with gateway.client(username) as c:
        r = c.get("/api/v1/tasks")
        assert r.status_code == 200, r.text
        return {t["id"] for t in r.json()["tasks"]}


def test_an_inspectors_tasks_are_their_checks_and_the_unassigned_verifications(
    gateway: Gateway,
) -> None:
    other = second_inspector(gateway)
    cases = gateway.cases
    mine = reported(cases, gateway.db)
    mine = cases.act(INTAKE, mine.id, "request_report_check", mine.version, inspector_id=4)
    theirs = reported(cases, gateway.db)
    theirs = cases.act(
        INTAKE, theirs.id, "request_report_check", theirs.version, inspector_id=other
    )
    unassigned = handled(cases, gateway.db)
    assigned_away = handled(cases, gateway.db)
    assigned_away = cases.act(
        CHIEF, assigned_away.id, "assign_check", assigned_away.version, inspector_id=other
    )
    not_yet = reported(cases, gateway.db)  # no report check asked: no one's task
    assert INSPECTOR.id == 4
    assert task_ids(gateway, "inspector") == {mine.id, unassigned.id}
    assert task_ids(gateway, "jiandu-b") == {theirs.id, unassigned.id, assigned_away.id}
    assert not_yet.id not in task_ids(gateway, "jiandu-b")
    with gateway.client("inspector") as c:
        listed = {t["id"]: t for t in c.get("/api/v1/tasks").json()["tasks"]}
        assert listed[mine.id]["state"] == "report_check"
        assert listed[mine.id]["state_label"] == "待核实"
        assert listed[mine.id]["assigned_inspector_id"] == 4
        assert listed[unassigned.id]["assigned_inspector_id"] is None
        detail = c.get(f"/api/v1/tasks/{mine.id}").json()
        assert detail["actions"] == ["confirm_report", "reject_report", "add_note"]
        # Another inspector's task: not theirs to read or to answer.
        assert "其他监督员" in _error(c.get(f"/api/v1/tasks/{theirs.id}"), 403)
        url = f"/api/v1/tasks/{assigned_away.id}/verification"
        message = _error(
            c.post(url, json={"version": assigned_away.version, "result": "pass"}), 403
        )
        assert "监督员乙" in message
    with gateway.client("jiandu-b") as c:
        url = f"/api/v1/tasks/{assigned_away.id}/verification"
        r = c.post(url, json={"version": assigned_away.version, "result": "pass"})
        assert r.status_code == 200 and r.json()["state"] == "verified"
    assert assigned_away.id not in task_ids(gateway, "jiandu-b")


def test_a_report_confirmed_on_site_with_a_photo(gateway: Gateway) -> None:
    s = reported(gateway.cases, gateway.db)
    s = gateway.cases.act(INTAKE, s.id, "request_report_check", s.version, inspector_id=4)
    url = f"/api/v1/tasks/{s.id}/report-check"
    photo = png_bytes(seed=3)
    with gateway.client("inspector") as c:
        _error(c.post(url, json={"result": "confirm"}), 428, "version")
        _error(c.post(url, json={"version": s.version, "result": "maybe"}), 400, "result")
        r = c.post(
            url,
            data={"version": str(s.version), "result": "confirm", "note": "现场属实"},
            files={"photo": ("现场.png", photo, "image/png")},
        )
        assert r.status_code == 200, r.text
        result = r.json()
        assert (result["action"], result["state"]) == ("confirm_report", "reported")
        assert result["message"] == "核实属实，已转待立案"
        assert result["attachment"]["sha256"] == hashlib.sha256(photo).hexdigest()
        assert r.headers["etag"] == f'"{result["version"]}"'
        # Done: no longer a task, and the step cannot be taken twice.
        assert s.id not in {t["id"] for t in c.get("/api/v1/tasks").json()["tasks"]}
        again = c.post(url, json={"version": result["version"], "result": "confirm"})
        assert "待立案" in _error(again, 409)
    with gateway.db.read() as db:
        event_id = db.scalar(
            select(CaseEvent.id).where(
                CaseEvent.case_id == s.id, CaseEvent.action == "confirm_report"
            )
        )
        row = db.get(Attachment, result["attachment"]["id"])
        assert row is not None and row.case_event_id == event_id


def test_a_report_rejected_on_site_needs_a_note(gateway: Gateway) -> None:
    s = reported(gateway.cases, gateway.db)
    s = gateway.cases.act(INTAKE, s.id, "request_report_check", s.version, inspector_id=4)
    url = f"/api/v1/tasks/{s.id}/report-check"
    with gateway.client("dept-pro02") as c:  # handlers do not check reports
        _error(c.post(url, json={"version": s.version, "result": "confirm"}), 403)
    with gateway.client("inspector") as c:
        _error(c.post(url, json={"version": s.version, "result": "reject"}), 400, "note")
        r = c.post(url, json={"version": s.version, "result": "reject", "note": "现场无此问题"})
        assert r.status_code == 200, r.text
        assert (r.json()["action"], r.json()["state"]) == ("reject_report", "voided")
        assert r.json()["attachment"] is None
    assert gateway.cases.get(s.id).state == "voided"
