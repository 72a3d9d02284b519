"""The handhelds' task API through a real HTTP client against a running gateway."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from console.models import Attachment, CaseEvent
from tests.gateway.conftest import Gateway
from tests.gateway.support import PRO02_USER, PRO04_USER, dispatched, handled, png_bytes


def _events(gateway: Gateway, case_id: int) -> list[tuple[str, str | None]]:
    with gateway.db.read() as s:
        return [
            tuple(r)  # type: ignore[misc]
            for r in s.execute(
                select(CaseEvent.action, CaseEvent.note)
                .where(CaseEvent.case_id == case_id)
                .order_by(CaseEvent.id)
            )
        ]


def _error(response, status: int, field: str | None = None) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "field"} and body["message"]
    if field is not None:
        assert body["field"] == field
    return body["message"]


def test_my_tasks_are_my_departments_dispatched_cases(gateway: Gateway) -> None:
    mine = dispatched(gateway.cases, gateway.db)  # routed to PRO02
    other = dispatched(gateway.cases, gateway.db, "PRO04")
    with gateway.client(PRO02_USER) as c:
        r = c.get("/api/v1/tasks")
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "department"
    (task,) = body["tasks"]
    assert task["id"] == mine.id and task["number"] == mine.number
    assert task["version"] == mine.version and task["state"] == "dispatched"
    assert task["state_label"] == "处置中" and task["category_name"] == "暴露垃圾"
    assert task["deadline_at"] and task["light"] == "green" and task["accepted"] is False
    with gateway.client(PRO04_USER) as c:
        assert [t["id"] for t in c.get("/api/v1/tasks").json()["tasks"]] == [other.id]
    with gateway.client("dispatcher") as c:  # no field tasks for the command center
        _error(c.get("/api/v1/tasks"), 403)


def test_task_detail_and_other_departments_cases(gateway: Gateway) -> None:
    mine = dispatched(gateway.cases, gateway.db)
    with gateway.client(PRO02_USER) as c:
        r = c.get(f"/api/v1/tasks/{mine.id}")
        assert r.status_code == 200 and r.headers["etag"] == f'"{mine.version}"'
        detail = r.json()
        assert [e["action"] for e in detail["timeline"]] == ["report", "register", "dispatch"]
        assert "feedback" in detail["actions"] and "request_return" in detail["actions"]
        listed = next(t for t in c.get("/api/v1/tasks").json()["tasks"] if t["id"] == mine.id)
        assert {k: detail[k] for k in listed} == listed  # the detail shows the task as listed
        _error(c.get("/api/v1/tasks/999999"), 404)
    with gateway.client(PRO04_USER) as c:
        _error(c.get(f"/api/v1/tasks/{mine.id}"), 403)


def test_accept_is_a_step_recorded_once(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    with gateway.client(PRO02_USER) as c:
        _error(c.post(f"/api/v1/tasks/{s.id}/accept", json={}), 428, "version")
        _error(c.post(f"/api/v1/tasks/{s.id}/accept", json={"version": s.version - 1}), 409)
        r = c.post(f"/api/v1/tasks/{s.id}/accept", headers={"If-Match": f'"{s.version}"'})
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["action"] == "accept" and result["state"] == "dispatched"
        assert result["version"] == s.version + 1 == int(r.headers["etag"].strip('"'))
        again = c.post(f"/api/v1/tasks/{s.id}/accept", json={"version": result["version"]})
        assert again.status_code == 200 and again.json()["version"] == result["version"]
        assert c.get("/api/v1/tasks").json()["tasks"][0]["accepted"] is True
    assert [a for a, _n in _events(gateway, s.id)].count("accept") == 1


def test_return_needs_a_reason(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    url = f"/api/v1/tasks/{s.id}/return"
    with gateway.client(PRO02_USER) as c:
        _error(c.post(url, json={"version": s.version}), 400, "reason")
        _error(c.post(url, json={"version": s.version, "reason": "   "}), 400, "reason")
        r = c.post(url, json={"version": s.version, "reason": "不属于本部门职责"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "return_requested"
    assert _events(gateway, s.id)[-1] == ("request_return", "不属于本部门职责")
    with gateway.client("inspector") as c:  # the lifecycle: only handlers request a return
        _error(c.post(url, json={"version": s.version + 1, "reason": "x"}), 403)


def test_a_suspension_request_waits_for_the_duty_chief(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    url = f"/api/v1/tasks/{s.id}/suspension"
    with gateway.client(PRO02_USER) as c:
        _error(c.post(url, json={"version": s.version}), 400, "reason")
        r = c.post(url, json={"version": s.version, "reason": "管线迁改，需等待产权单位"})
        assert r.status_code == 200, r.text
        assert (r.json()["action"], r.json()["state"]) == ("request_suspension", "dispatched")
        again = c.post(url, json={"version": r.json()["version"], "reason": "再次"})
        _error(again, 400)
        assert "已有待审批的挂账申请" in again.json()["message"]
    assert _events(gateway, s.id)[-1] == ("request_suspension", "管线迁改，需等待产权单位")
    with gateway.client("inspector") as c:  # the lifecycle: only handlers ask
        _error(c.post(url, json={"version": s.version + 1, "reason": "x"}), 403)


def test_feedback_with_a_photo(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    photo = png_bytes()
    with gateway.client(PRO02_USER) as c:
        _error(
            c.post(f"/api/v1/tasks/{s.id}/feedback", json={"version": s.version, "note": " "}),
            400,
            "note",
        )
        r = c.post(
            f"/api/v1/tasks/{s.id}/feedback",
            data={"version": str(s.version), "note": "已清运完毕"},
            files={"photo": ("现场.png", photo, "image/png")},
        )
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["state"] == "handled" and result["action"] == "feedback"
        attachment = result["attachment"]
        assert attachment["sha256"] == hashlib.sha256(photo).hexdigest()
        assert attachment["content_type"] == "image/png" and attachment["size"] == len(photo)
        assert attachment["filename"] == "现场.png"
        fetched = c.get(attachment["url"])
        assert fetched.status_code == 200 and fetched.content == photo
        assert fetched.headers["content-type"] == "image/png"
        detail = c.get(f"/api/v1/tasks/{s.id}").json()
        assert [a["id"] for a in detail["attachments"]] == [attachment["id"]]
    with gateway.db.read() as db:
        event_id = db.scalar(
            select(CaseEvent.id).where(CaseEvent.case_id == s.id, CaseEvent.action == "feedback")
        )
        row = db.get(Attachment, attachment["id"])
        assert row is not None and row.case_event_id == event_id
    with gateway.client(PRO04_USER) as c:  # not their department
        _error(c.get(attachment["url"]), 403)


def test_feedback_as_json_and_by_the_wrong_people(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    url = f"/api/v1/tasks/{s.id}/feedback"
    with gateway.client(PRO04_USER) as c:
        assert "部门" in _error(c.post(url, json={"version": s.version, "note": "x"}), 403)
    with gateway.client("inspector") as c:
        _error(c.post(url, json={"version": s.version, "note": "x"}), 403)
    with gateway.client(PRO02_USER) as c:
        r = c.post(url, json={"version": s.version, "note": "已处理"})
        assert r.status_code == 200 and r.json()["attachment"] is None
        # the same step again: the case has moved on
        assert "已被他人修改" in _error(c.post(url, json={"version": s.version, "note": "x"}), 409)
        _error(c.post(url, json={"version": r.json()["version"], "note": "x"}), 409)


def test_verification_pass_and_fail(gateway: Gateway) -> None:
    first = handled(gateway.cases, gateway.db)
    second = handled(gateway.cases, gateway.db)
    with gateway.client("inspector") as c:
        tasks = c.get("/api/v1/tasks").json()
        assert tasks["role"] == "inspector"
        assert {t["id"] for t in tasks["tasks"]} == {first.id, second.id}
        url = f"/api/v1/tasks/{first.id}/verification"
        _error(c.post(url, json={"version": first.version, "result": "maybe"}), 400, "result")
        r = c.post(url, json={"version": first.version, "result": "pass"})
        assert r.status_code == 200 and r.json()["state"] == "verified"
        url = f"/api/v1/tasks/{second.id}/verification"
        _error(c.post(url, json={"version": second.version, "result": "fail"}), 400, "note")
        r = c.post(
            url,
            data={"version": str(second.version), "result": "fail", "note": "仍有垃圾"},
            files={"photo": ("x.png", png_bytes(seed=9), "image/png")},
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "dispatched" and r.json()["attachment"] is not None
    assert gateway.cases.get(second.id).rework_count == 1
    with gateway.client(PRO02_USER) as c:  # rework is back on the department's list
        assert second.id in {t["id"] for t in c.get("/api/v1/tasks").json()["tasks"]}
        _error(
            c.post(
                f"/api/v1/tasks/{second.id}/verification",
                json={"version": 1, "result": "pass"},
            ),
            403,
        )


def test_a_reworked_case_is_accepted_again(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    with gateway.client(PRO02_USER) as c:
        v = c.post(f"/api/v1/tasks/{s.id}/accept", json={"version": s.version}).json()["version"]
        v = c.post(f"/api/v1/tasks/{s.id}/feedback", json={"version": v, "note": "已清运"}).json()[
            "version"
        ]
    with gateway.client("inspector") as c:
        r = c.post(
            f"/api/v1/tasks/{s.id}/verification",
            json={"version": v, "result": "fail", "note": "未清理干净"},
        )
        assert r.status_code == 200
    with gateway.client(PRO02_USER) as c:
        (task,) = c.get("/api/v1/tasks").json()["tasks"]
        assert task["id"] == s.id and task["rework_count"] == 1 and task["accepted"] is False
        r = c.post(f"/api/v1/tasks/{s.id}/accept", json={"version": task["version"]})
        assert r.json()["message"] == "已签收"
        assert c.get("/api/v1/tasks").json()["tasks"][0]["accepted"] is True
