"""自处置 from the field app: a report and its self_handle step in one idempotent request."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from console.models import Attachment, CaseEvent
from tests.gateway.conftest import Gateway
from tests.gateway.support import png_bytes
from tests.gateway.test_field_reports import Files, counts, files_in, photos, post
from tests.services.console_support import CHIEF

NOTE = "已将垃圾清运至收集点"


def after(*seeds: int) -> Files:
    return [
        ("after_photo", (f"AFTER_{s}.png", png_bytes(16, 16, seed=100 + s), "image/png"))
        for s in seeds
    ]


def self_handled(
    c: httpx.Client, gw: Gateway, key: str = "s-1", files: Files | None = None, **over: object
) -> httpx.Response:
    data: dict[str, object] = {"self_handled": "1", "handling_note": NOTE, **over}
    sent = files if files is not None else [*photos(1), *after(1, 2)]
    return post(c, gw, key, sent, **data)


def test_a_grid_manager_reports_and_self_handles_in_one_request(gateway: Gateway) -> None:
    with gateway.client("grid_manager") as c:
        r = self_handled(c, gateway)
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["state"], body["state_label"]) == ("self_handled", "自处置待审核")
        assert (body["photos"], body["after_photos"]) == (1, 2)
        case = gateway.cases.get(body["id"])
        assert (case.state, case.version, case.source) == ("self_handled", body["version"], "grid")
        with gateway.db.read() as s:
            events = s.execute(
                select(CaseEvent.id, CaseEvent.action, CaseEvent.note)
                .where(CaseEvent.case_id == body["id"])
                .order_by(CaseEvent.id)
            ).all()
            owners = s.scalars(select(Attachment.case_event_id).order_by(Attachment.id)).all()
        assert [(e.action, e.note) for e in events] == [("report", None), ("self_handle", NOTE)]
        assert owners == [events[0].id, events[1].id, events[1].id]  # before, after, after

        before = counts(gateway)
        again = self_handled(c, gateway)  # a resend: the same answer, nothing written
        assert again.status_code == 200 and again.json() == body
        assert again.headers["Idempotent-Replayed"] == "true"
        assert counts(gateway) == before
        other = self_handled(c, gateway, handling_note="另一说明")
        assert other.status_code == 422 and other.json()["error"] == "idempotency_mismatch"
        plain = post(c, gateway, "s-1", photos(1))  # the same key as a plain report
        assert plain.status_code == 422

    # the duty chief's 自处置审核: rejected, back to 待立案 for the normal loop
    back = gateway.cases.act(CHIEF, case.id, "reject_self_handle", case.version, note="需派遣")
    assert back.state == "reported"


def test_a_bad_after_photo_leaves_no_case_and_no_file(gateway: Gateway) -> None:
    root = gateway.settings.attachments_dir
    bad = ("after_photo", ("AFTER.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png"))
    with gateway.client("grid_manager") as c:
        r = self_handled(c, gateway, files=[*photos(1), *after(1), bad])
        assert r.status_code == 415, r.text
        assert r.json()["field"] == "after_photo"
        assert r.json()["message"].startswith("处置后第 2 张照片（AFTER.png）")
        assert counts(gateway) == {
            "cases": 0,
            "case_events": 0,
            "attachments": 0,
            "field_submissions": 0,
        }
        assert files_in(root) == []
        fixed = self_handled(c, gateway)  # the same key, now right
        assert fixed.status_code == 201 and fixed.json()["state"] == "self_handled"


def test_what_a_self_handled_report_needs(gateway: Gateway) -> None:
    with gateway.client("grid_manager") as c:
        for over, files, field, status in [
            ({"handling_note": ""}, None, "note", 400),
            ({}, after(1), "photo", 400),  # no before-photo
            ({}, photos(1), "after_photo", 400),  # no after-photo
            ({}, [*photos(1), *after(1, 2, 3, 4, 5)], "after_photo", 400),
            ({"self_handled": "maybe"}, None, "self_handled", 400),
        ]:
            r = self_handled(c, gateway, key=f"n-{field}-{len(files or [])}", files=files, **over)
            assert (r.status_code, r.json()["field"]) == (status, field), r.text
        # after-photos or a note without the flag would be dropped: refused
        r = post(c, gateway, "n-plain", [*photos(1), *after(1)])
        assert (r.status_code, r.json()["field"]) == (400, "after_photo")
        r = post(c, gateway, "n-note", photos(1), handling_note=NOTE)
        assert (r.status_code, r.json()["field"]) == (400, "handling_note")
    with gateway.client("intake") as c:  # the lifecycle: grid staff and inspectors only
        r = self_handled(c, gateway, key="n-intake")
        assert r.status_code == 403 and "自处置" in r.json()["message"]
    assert counts(gateway)["cases"] == 0
    assert files_in(gateway.settings.attachments_dir) == []


def test_a_category_outside_the_grid_managers_duties_is_not_self_handled(
    gateway: Gateway,
) -> None:
    """grid_staff_duties.csv: 网格管理员 self-handles small matters, not a site's dust."""
    root = gateway.settings.attachments_dir
    with gateway.client("grid_manager") as c:
        r = self_handled(c, gateway, key="d-1", category_code="08004")  # 工地扬尘
        assert r.status_code == 403, r.text
        assert r.json()["message"] == (
            "网格管理员（grid_manager）的职责不含自行处置事件「08004 工地扬尘」"
            "（见 resources/org/grid_staff_duties.csv），请按常规上报，由指挥中心派遣"
        )
        assert counts(gateway) == {
            "cases": 0,
            "case_events": 0,
            "attachments": 0,
            "field_submissions": 0,
        }
        assert files_in(root) == []
        # Reported the normal way it goes in, for the centre to dispatch.
        plain = post(c, gateway, "d-2", photos(1), category_code="08004")
        assert plain.status_code == 201 and plain.json()["state"] == "reported"
