"""Task steps by Idempotency-Key over HTTP, on the real SQLite file: a step resent after a
lost answer gets the first answer (200, Idempotent-Replayed), never a 409 nor a second step;
the same key with another body is 422 and writes nothing; without a key, as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from console.models import Attachment, CaseEvent, FieldSubmission
from console.services.cases.dto import CaseSnapshot
from tests.gateway.conftest import Gateway
from tests.gateway.support import PRO02_USER, dispatched, handled, png_bytes, reported
from tests.gateway.test_tasks import _error
from tests.services.console_support import INSPECTOR, INTAKE

REPLAYED = "Idempotent-Replayed"


def counts(gw: Gateway) -> dict[str, int]:
    with gw.db.read() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (CaseEvent, Attachment, FieldSubmission)
        }


def actions(gw: Gateway, case_id: int) -> list[str]:
    with gw.db.read() as s:
        return list(
            s.scalars(
                select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def feedback(
    c: httpx.Client,
    s: CaseSnapshot,
    key: str | None = "fb-1",
    note: str = "已清运完毕",
    seed: int = 1,
    version: int | None = None,
) -> httpx.Response:
    return c.post(
        f"/api/v1/tasks/{s.id}/feedback",
        data={"version": str(s.version if version is None else version), "note": note},
        files={"photo": ("现场.png", png_bytes(seed=seed), "image/png")},
        headers={"Idempotency-Key": key} if key is not None else {},
    )


def test_a_feedback_resent_after_a_lost_answer_gets_the_first_answer(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    root = gateway.settings.attachments_dir
    with gateway.client(PRO02_USER) as c:
        first = feedback(c, s)
        assert first.status_code == 200, first.text
        assert REPLAYED not in first.headers
        body = first.json()
        assert (body["action"], body["state"]) == ("feedback", "handled")
        before, files = counts(gateway), files_in(root)
        # the phone never heard the answer and sends the same request again
        again = feedback(c, s)
        assert again.status_code == 200, again.text
        assert again.headers[REPLAYED] == "true"
        assert again.json() == body and again.headers["etag"] == f'"{body["version"]}"'
        assert counts(gateway) == before and files_in(root) == files
        assert c.get(body["attachment"]["url"]).content == png_bytes(seed=1)
        # the case moved on meanwhile (核查通过): the resend still gets the first answer
        gateway.cases.verify_pass(INSPECTOR, s.id, body["version"])
        late = feedback(c, s)
        assert late.status_code == 200 and late.json() == body
    assert actions(gateway, s.id).count("feedback") == 1
    with gateway.db.read() as db:
        row = db.scalar(select(FieldSubmission))
        assert row is not None and (row.action, row.case_id) == ("feedback", s.id)
        assert db.scalar(select(func.count()).select_from(Attachment)) == 1


def test_the_same_key_with_another_body_is_422_and_writes_nothing(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    other = dispatched(gateway.cases, gateway.db)
    root = gateway.settings.attachments_dir
    with gateway.client(PRO02_USER) as c:
        assert feedback(c, s).status_code == 200
        before, files = counts(gateway), files_in(root)
        for changed in (
            feedback(c, s, note="另写的说明"),
            feedback(c, s, seed=2),  # another photo
            feedback(c, other),  # another case
            c.post(  # another step under the same key
                f"/api/v1/tasks/{s.id}/return",
                json={"version": s.version, "reason": "不属于本部门"},
                headers={"Idempotency-Key": "fb-1"},
            ),
        ):
            message = _error(changed, 422, "Idempotency-Key")
            assert changed.json()["error"] == "idempotency_mismatch" and "fb-1" in message
        assert counts(gateway) == before and files_in(root) == files
        assert gateway.cases.get(other.id).version == other.version
        # a new key is a new step (here refused: the case is not at that version any more)
        _error(feedback(c, other, key="fb-2", version=other.version - 1), 409)
        assert feedback(c, other, key="fb-3").status_code == 200


def test_without_a_key_a_step_is_as_before_and_a_bad_key_is_named(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    with gateway.client(PRO02_USER) as c:
        _error(feedback(c, s, key="a b"), 400, "Idempotency-Key")
        _error(feedback(c, s, key="k" * 101), 400, "Idempotency-Key")
        r = feedback(c, s, key=None)
        assert r.status_code == 200 and REPLAYED not in r.headers
        # an old handheld's resend meets the case's new version, as before
        assert "已被他人修改" in _error(feedback(c, s, key=None), 409)
    assert counts(gateway)["field_submissions"] == 0


Post = Callable[[httpx.Client, CaseSnapshot], httpx.Response]


def _post(path: str, **body: Any) -> Post:
    def post(c: httpx.Client, s: CaseSnapshot) -> httpx.Response:
        return c.post(
            f"/api/v1/tasks/{s.id}/{path}",
            json={"version": s.version, **body},
            headers={"Idempotency-Key": f"{path}-{s.id}"},
        )

    return post


def _report_check(gateway: Gateway) -> CaseSnapshot:
    s = reported(gateway.cases, gateway.db)
    return gateway.cases.act(INTAKE, s.id, "request_report_check", s.version, inspector_id=4)


STEPS: dict[str, tuple[str, Callable[[Gateway], CaseSnapshot], Post, str]] = {
    "签收": (PRO02_USER, lambda g: dispatched(g.cases, g.db), _post("accept"), "accept"),
    "申请回退": (
        PRO02_USER,
        lambda g: dispatched(g.cases, g.db),
        _post("return", reason="不属于本部门职责"),
        "request_return",
    ),
    "申请挂账": (
        PRO02_USER,
        lambda g: dispatched(g.cases, g.db),
        _post("suspension", reason="管线迁改"),
        "request_suspension",
    ),
    "核查不通过": (
        "inspector",
        lambda g: handled(g.cases, g.db),
        _post("verification", result="fail", note="仍有垃圾"),
        "verify_fail",
    ),
    "信息核实": (
        "inspector",
        _report_check,
        _post("report-check", result="reject", note="现场无此问题"),
        "reject_report",
    ),
}


@pytest.mark.parametrize("name", list(STEPS))
def test_every_step_resent_is_done_once(gateway: Gateway, name: str) -> None:
    user, make, post, action = STEPS[name]
    s = make(gateway)
    with gateway.client(user) as c:
        first = post(c, s)
        assert first.status_code == 200, first.text
        assert first.json()["action"] == action
        before = counts(gateway)
        assert before["field_submissions"] == 1
        again = post(c, s)
        assert again.status_code == 200, again.text
        assert again.headers[REPLAYED] == "true" and again.json() == first.json()
        assert counts(gateway) == before
    assert actions(gateway, s.id).count(action) == 1


def test_an_accept_already_recorded_keeps_no_key(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    accept = _post("accept")
    with gateway.client(PRO02_USER) as c:
        first = c.post(f"/api/v1/tasks/{s.id}/accept", json={"version": s.version})  # no key
        assert first.status_code == 200
        r = accept(c, s)  # a second device's 签收, with its key: nothing to do, nothing kept
        assert r.status_code == 200 and REPLAYED not in r.headers
        assert r.json()["message"] == "此前已签收，未重复记录"
        assert r.json()["version"] == first.json()["version"]
    assert counts(gateway)["field_submissions"] == 0
    assert actions(gateway, s.id).count("accept") == 1
