"""Reports from the field app over HTTP: multipart with photos, Idempotency-Key, my reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from console.db import Database
from console.models import Attachment, Case, CaseEvent, FieldSubmission
from console.services.cases.service import CaseService
from console.services.field_reports import MAX_PHOTOS
from tests.conftest import Clock
from tests.gateway.conftest import Gateway, serve, settings_for
from tests.gateway.support import png_bytes, point
from tests.services.console_support import CHIEF

Files = list[tuple[str, tuple[str, bytes, str]]]


def fields(gw: Gateway, **over: object) -> dict[str, Any]:
    lon, lat = point(gw.db)
    data: dict[str, Any] = {
        "category_code": "06010",
        "lon": f"{lon:.7f}",
        "lat": f"{lat:.7f}",
        "accuracy": "6",
        "address": "莲湖路1号",
        "description": "成堆生活垃圾未清运",
        "urgent": "0",
        "device_time": "2026-11-23T09:00:05+08:00",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def photos(*seeds: int) -> Files:
    return [("photo", (f"IMG_{s}.png", png_bytes(16, 16, seed=s), "image/png")) for s in seeds]


def post(
    c: httpx.Client,
    gw: Gateway,
    key: str | None = "k-1",
    files: Files | None = None,
    **over: object,
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return c.post(
        "/api/v1/reports",
        data=fields(gw, **over),
        files=files if files is not None else photos(1, 2),
        headers=headers,
    )


def counts(gw: Gateway) -> dict[str, int]:
    with gw.db.read() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Case, CaseEvent, Attachment, FieldSubmission)
        }


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_report_with_photos_makes_one_case_a_seat_sees(gateway: Gateway) -> None:
    with gateway.client("inspector") as c:
        r = post(c, gateway)
        assert r.status_code == 201, r.text
        body = r.json()
        assert set(body) == {
            "id",
            "number",
            "state",
            "state_label",
            "version",
            "photos",
            "after_photos",
        }
        assert (body["state"], body["state_label"], body["photos"]) == ("reported", "待立案", 2)
        case = gateway.cases.get(body["id"])
        assert (case.number, case.version, case.source) == (
            body["number"],
            body["version"],
            "inspector",
        )
        assert case.reported_at == gateway.cases.clock()
        with gateway.db.read() as s:
            rows = s.execute(select(Attachment.id, Attachment.api_token_id)).all()
            token_of_key = s.scalar(select(FieldSubmission.api_token_id))
        assert len(rows) == 2 and {t for _, t in rows} == {token_of_key} and token_of_key
        got = c.get(f"/api/v1/attachments/{rows[0].id}")
        assert got.status_code == 200 and got.content == png_bytes(16, 16, seed=1)
    # a seat's change feed carries it like any other report
    with gateway.db.read() as s:
        assert s.scalar(select(CaseEvent.action).where(CaseEvent.case_id == body["id"])) == "report"


def test_a_retry_answers_200_with_the_same_case_and_writes_nothing(gateway: Gateway) -> None:
    root = gateway.settings.attachments_dir
    with gateway.client("inspector") as c:
        first = post(c, gateway)
        assert first.status_code == 201
        before, files = counts(gateway), files_in(root)
        again = post(c, gateway)
        assert again.status_code == 200, again.text
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert counts(gateway) == before and files_in(root) == files
        # the case moved on meanwhile: the retry still gets the first answer
        gateway.cases.register(CHIEF, first.json()["id"], first.json()["version"])
        assert post(c, gateway).json() == first.json()
        other = post(c, gateway, key="k-2")  # a new key is a new report
        assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_the_same_key_with_another_body_is_422_and_writes_nothing(gateway: Gateway) -> None:
    root = gateway.settings.attachments_dir
    with gateway.client("inspector") as c:
        assert post(c, gateway).status_code == 201
        before, files = counts(gateway), files_in(root)
        for changed in (
            post(c, gateway, description="另一处垃圾"),
            post(c, gateway, files=photos(1, 3)),
            post(c, gateway, files=photos(2, 1)),
        ):
            assert changed.status_code == 422, changed.text
            body = changed.json()
            assert body["error"] == "idempotency_mismatch" and body["field"] == "Idempotency-Key"
            assert "k-1" in body["message"]
    assert counts(gateway) == before and files_in(root) == files
    with gateway.client("grid_manager") as c:  # another person's key space
        assert post(c, gateway).status_code == 201


@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "缺少幂等键"), ("", "缺少幂等键"), ("k" * 101, "过长"), ("a b", "空格")],
)
def test_the_key_is_required_and_checked(gateway: Gateway, key: str | None, message: str) -> None:
    with gateway.client("inspector") as c:
        r = post(c, gateway, key=key)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "Idempotency-Key" and message in r.json()["message"]
    assert counts(gateway)["cases"] == 0


def test_a_bad_second_photo_leaves_no_case_and_no_file(gateway: Gateway) -> None:
    root = gateway.settings.attachments_dir
    bad = ("photo", ("IMG_2.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png"))
    with gateway.client("inspector") as c:
        r = post(c, gateway, files=[*photos(1), bad])
        assert r.status_code == 415, r.text
        assert r.json()["field"] == "photo"
        assert r.json()["message"].startswith("第 2 张照片（IMG_2.png）")
        assert counts(gateway) == {
            "cases": 0,
            "case_events": 0,
            "attachments": 0,
            "field_submissions": 0,
        }
        assert files_in(root) == []
        fixed = post(c, gateway, files=photos(1, 2))  # the same key, now right
        assert fixed.status_code == 201 and fixed.json()["photos"] == 2


def test_too_many_photos_text_as_photo_and_other_files(gateway: Gateway) -> None:
    with gateway.client("inspector") as c:
        many = post(c, gateway, files=photos(*range(MAX_PHOTOS + 1)))
        assert many.status_code == 400 and f"最多 {MAX_PHOTOS} 张" in many.json()["message"]
        other = post(c, gateway, files=[("scan", ("a.png", png_bytes(), "image/png"))])
        assert other.status_code == 400 and other.json()["field"] == "scan"
        text = post(c, gateway, files=[], photo="not a file")
        assert text.status_code == 400 and text.json()["field"] == "photo"
        none = post(c, gateway, files=[])
        assert none.status_code == 201 and none.json()["photos"] == 0
        as_json = c.post(
            "/api/v1/reports", json=fields(gateway), headers={"Idempotency-Key": "k-json"}
        )
        assert as_json.status_code == 415 and "multipart/form-data" in as_json.json()["message"]
    assert counts(gateway)["cases"] == 1


def test_bad_fields_are_named(gateway: Gateway) -> None:
    with gateway.client("inspector") as c:
        outside = post(c, gateway, lon="116.4074", lat="39.9042")
        assert outside.status_code == 400
        assert outside.json()["error"] == "outside_district" and outside.json()["field"] == "lon"
        assert outside.json()["message"].startswith("位置 (116.4074, 39.9042): ")
        for over, field in [
            ({"lat": None}, "lat"),
            ({"accuracy": "很准"}, "accuracy"),
            ({"urgent": "yes please"}, "urgent"),
            ({"device_time": "2026-11-23 09:00"}, "device_time"),
            ({"category_code": "03005"}, "kind"),
            ({"address": ""}, "address"),
        ]:
            r = post(c, gateway, **over)
            assert r.status_code == 400, r.text
            assert r.json()["field"] == field, r.text
    assert counts(gateway)["cases"] == 0
    assert files_in(gateway.settings.attachments_dir) == []


def test_who_may_report(gateway: Gateway) -> None:
    with gateway.client("dispatcher") as c:
        r = post(c, gateway)
        assert r.status_code == 403 and "发现上报" in r.json()["message"]
    with gateway.client() as c:
        assert post(c, gateway).status_code == 401
    for role, source in [("grid_manager", "grid"), ("intake", "hotline")]:
        with gateway.client(role) as c:
            r = post(c, gateway)
            assert r.status_code == 201, r.text
            assert gateway.cases.get(r.json()["id"]).source == source


def test_a_revoked_device_is_refused_mid_queue_and_nothing_written(gateway: Gateway) -> None:
    secret = gateway.token("inspector", rate=100_000)
    with gateway.client(secret=secret) as c:
        assert post(c, gateway, key="q-1").status_code == 201
        assert gateway.issuer is not None
        token_id = next(t.id for t in gateway.issuer.list_tokens() if t.active)
        gateway.issuer.revoke(token_id)
        r = post(c, gateway, key="q-2")
        assert r.status_code == 401 and r.json()["message"] == "访问令牌已吊销"
    assert counts(gateway)["cases"] == 1


def test_the_device_clock_is_kept_and_the_server_time_wins(gateway: Gateway) -> None:
    with gateway.client("inspector") as c:
        r = post(c, gateway, device_time="2026-11-23T04:00:00+08:00", accuracy="35.5")
    assert r.status_code == 201
    assert gateway.cases.get(r.json()["id"]).reported_at == gateway.cases.clock()
    with gateway.db.read() as s:
        kept = s.execute(select(FieldSubmission.device_time, FieldSubmission.accuracy_m)).one()
    assert kept.device_time == datetime.fromisoformat("2026-11-23T04:00:00+08:00")
    assert kept.accuracy_m == 35.5


def test_my_reports_newest_first(gateway: Gateway, clock: Clock) -> None:
    with gateway.client("inspector") as c:
        first = post(c, gateway, key="a", files=photos(1)).json()
        clock.advance(minutes=3)
        second = post(c, gateway, key="b", address="劳动南路8号").json()
        mine = c.get("/api/v1/reports/mine")
        assert mine.status_code == 200
        rows = mine.json()
        assert [r["id"] for r in rows] == [second["id"], first["id"]]
        assert rows[0] == {
            "id": second["id"],
            "number": second["number"],
            "state": "reported",
            "state_label": "待立案",
            "category_name": "暴露垃圾",
            "address": "劳动南路8号",
            "reported_at": rows[0]["reported_at"],
            "photos": 2,
        }
        assert datetime.fromisoformat(rows[0]["reported_at"]) == gateway.cases.clock()
        assert rows[1]["photos"] == 1
        assert [r["id"] for r in c.get("/api/v1/reports/mine?limit=1").json()] == [second["id"]]
        assert c.get("/api/v1/reports/mine?limit=0").status_code == 400
    with gateway.client("grid_manager") as c:
        assert c.get("/api/v1/reports/mine").json() == []


@pytest.fixture
def small_gateway(demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[Gateway]:
    """Limits small enough to test with: a 64 KiB body, 256 KiB with photos, 100 KiB a photo."""
    settings = settings_for(
        tmp_path, max_body_bytes=64 * 1024, max_upload_bytes=256 * 1024, max_photo_bytes=100 * 1024
    )
    yield from serve(demo_db, settings, CaseService(demo_db, clock=clock))


def test_a_report_gets_the_upload_limit_and_photos_their_own(small_gateway: Gateway) -> None:
    gw = small_gateway
    with gw.client("inspector") as c:
        # three 80 KiB photos: past the plain body limit, within the upload limit
        big = [("photo", (f"{s}.png", png_bytes(160, 170, seed=s), "image/png")) for s in (1, 2, 3)]
        assert all(len(f[1][1]) > 64 * 1024 for f in big)
        r = post(c, gw, key="big", files=big)
        assert r.status_code == 201, r.text
        huge = [("photo", ("h.png", png_bytes(200, 200, seed=4), "image/png"))]  # ~117 KiB
        r = post(c, gw, key="huge", files=huge)
        assert r.status_code == 413 and "照片过大" in r.json()["message"]
        r = post(c, gw, key="too-much", files=big + big[:1])  # ~320 KiB in all
        assert r.status_code == 413
    assert counts(gw)["cases"] == 1
