"""The public page's API over HTTP, without a token: a report with a photo (EXIF GPS removed
from the stored file), Idempotency-Key, tracking by number and code (a wrong code is the same
404 as an unknown number), the after-photo, the rating once after closing, a report merged
into another case followed to it (its timeline, after-photo and rating), the limit per
address, the public grid outlines and the page's service worker."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from sqlalchemy import func, select

from console.db import Database
from console.gateway.app import create_app
from console.gateway.public import page_worker
from console.gateway.rate_limit import RateLimiter
from console.models import Attachment, Case, PublicRating, PublicReport
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.gateway.conftest import LiveServer, settings_for
from tests.gateway.support import GPS_LATITUDE, png_bytes, point, tiny_jpeg, with_exif_gps
from tests.services.console_support import CHIEF, DISPATCHER, INSPECTOR, handler


class Public:
    def __init__(self, url: str, db: Database, cases: CaseService, app: Any, root: Path) -> None:
        self.url = url
        self.db = db
        self.cases = cases
        self.app = app
        self.root = root
        self.http = httpx.Client(base_url=url, timeout=30)


@pytest.fixture
def public(demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[Public]:
    cases = CaseService(demo_db, clock=clock)
    settings = settings_for(tmp_path)
    app = create_app(demo_db, settings, cases=cases)
    app.state.public.write_rate = 1000.0
    app.state.public.writes = RateLimiter(burst=1000.0)
    with LiveServer(app) as live:
        p = Public(live.url, demo_db, cases, app, tmp_path / "attachments")
        yield p
        p.http.close()


def fields(db: Database, **over: str) -> dict[str, str]:
    lon, lat = point(db)
    data = {
        "category_code": "06010",
        "lon": f"{lon:.7f}",
        "lat": f"{lat:.7f}",
        "address": "莲湖路1号",
        "description": "路边成堆垃圾",
        "name": "李女士",
        "phone": "13900000000",
    }
    data.update(over)
    return data


def post(p: Public, key: str | None, photo: bytes | None = None, **over: str) -> httpx.Response:
    files = [("photo", ("IMG_0001.jpg", photo, "image/jpeg"))] if photo is not None else None
    headers = {"Idempotency-Key": key} if key else {}
    return p.http.post(
        "/api/v1/public/reports", data=fields(p.db, **over), files=files, headers=headers
    )


def case_id(p: Public, number: str) -> int:
    with p.db.read() as s:
        found: int = s.execute(select(Case.id).where(Case.number == number)).scalar_one()
    return found


def close(p: Public, number: str) -> None:
    with p.db.read() as s:
        case_id, version = s.execute(
            select(Case.id, Case.version).where(Case.number == number)
        ).one()
    cases = p.cases
    snap = cases.register(CHIEF, case_id, version)
    snap = cases.dispatch(DISPATCHER, snap.id, snap.version)
    photos = AttachmentService(cases, AttachmentStore(p.root, max_bytes=8 << 20))
    snap, _ = photos.act_with_photo(
        handler(p.db, snap.department_id),
        snap.id,
        "feedback",
        snap.version,
        note="已清运，联系人王师傅 13800000000",
        photo=PhotoUpload(png_bytes(12, 12, seed=9), "after.png"),
    )
    snap = cases.verify_pass(INSPECTOR, snap.id, snap.version)
    cases.close(CHIEF, snap.id, snap.version)


def test_report_with_a_photo_once_per_key_and_its_exif_gps_gone(public: Public) -> None:
    photo = with_exif_gps(tiny_jpeg())
    first = post(public, "key-1", photo)
    assert first.status_code == 201, first.text
    body = first.json()
    assert len(body["tracking_code"]) == 8 and body["state_label"] == "待立案"
    assert first.headers["Cache-Control"] == "no-store"
    again = post(public, "key-1", photo)
    assert again.status_code == 200 and again.json() == body
    assert again.headers["Idempotent-Replayed"] == "true"
    other = post(public, "key-1", photo, description="别的事")
    assert other.status_code == 422 and other.json()["error"] == "idempotency_mismatch"
    assert post(public, None).status_code == 400
    with public.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        case = s.scalar(select(Case))
        assert case is not None and case.source == "public"
        stored = s.scalar(select(Attachment.stored_path))
    data = (public.root / str(stored)).read_bytes()
    assert b"Exif" not in data and GPS_LATITUDE not in data
    assert GPS_LATITUDE in photo


def test_bad_input_is_named(public: Public) -> None:
    outside = post(public, "key-2", lon="116.4", lat="39.9")
    assert outside.status_code == 400
    broken = post(public, "key-3", b"not a photo at all")
    assert broken.status_code == 415 and broken.json()["field"] == "photo"
    component = post(public, "key-4", category_code="0101")
    assert component.status_code == 400
    with public.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PublicReport)) == 0


def test_tracking_the_after_photo_and_rating_once(public: Public) -> None:
    body = post(public, "key-5", tiny_jpeg()).json()
    number, code = body["number"], body["tracking_code"]
    wrong = public.http.get(f"/api/v1/public/cases/{number}", params={"code": "ZZZZZZZZ"})
    unknown = public.http.get(f"/api/v1/public/cases/E{number}", params={"code": code})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    early = public.http.post(
        f"/api/v1/public/cases/{number}/rating", json={"code": code, "rating": "satisfied"}
    )
    assert early.status_code == 409 and early.json()["error"] == "not_closed"
    close(public, number)
    seen = public.http.get(
        f"/api/v1/public/cases/{number}", headers={"X-Tracking-Code": code.lower()}
    )
    assert seen.status_code == 200
    case = seen.json()
    assert [s["state"] for s in case["timeline"]][-1] == "closed"
    assert case["can_rate"] and case["rating"] is None
    text = json.dumps(case, ensure_ascii=False)
    for private in ("李女士", "13900000000", "王师傅", "13800000000", "已清运", "值班长"):
        assert private not in text
    (photo,) = case["after_photos"]
    got = public.http.get(photo["url"], headers={"X-Tracking-Code": code})
    assert got.status_code == 200 and got.content == png_bytes(12, 12, seed=9)
    assert code not in photo["url"]
    assert public.http.get(photo["url"], params={"code": code}).status_code == 200
    assert public.http.get(photo["url"], params={"code": "ZZZZZZZZ"}).status_code == 404
    with public.db.read() as s:  # the reporter's own photo is not an after-photo
        own = s.scalar(select(func.min(Attachment.id)))
    assert (
        public.http.get(
            f"/api/v1/public/cases/{number}/photos/{own}", params={"code": code}
        ).status_code
        == 404
    )
    rated = public.http.post(
        f"/api/v1/public/cases/{number}/rating",
        json={"code": code, "rating": "dissatisfied", "comment": "太慢"},
    )
    assert rated.status_code == 201 and rated.json()["label"] == "不满意"
    twice = public.http.post(
        f"/api/v1/public/cases/{number}/rating", data={"code": code, "rating": "satisfied"}
    )
    assert twice.status_code == 409 and twice.json()["error"] == "already_rated"
    after = public.http.get(f"/api/v1/public/cases/{number}", params={"code": code}).json()
    assert not after["can_rate"] and after["rating"]["rating"] == "dissatisfied"


def test_a_merged_report_is_followed_to_the_case_it_was_merged_into(public: Public) -> None:
    mine = post(public, "merge-1", tiny_jpeg()).json()
    theirs = post(public, "merge-2", name="赵先生", phone="13711111111").json()
    number, code = mine["number"], mine["tracking_code"]
    public.cases.merge(
        CHIEF, case_id(public, number), None, case_id(public, theirs["number"]), None
    )
    seen = public.http.get(f"/api/v1/public/cases/{number}", headers={"X-Tracking-Code": code})
    assert seen.status_code == 200
    body = seen.json()
    assert body["state"] == "merged" and body["timeline"][-1]["state_label"] == "已合并"
    assert body["merged_into"]["number"] == theirs["number"] and body["merged_into"]["via"] == []
    assert not body["can_rate"]
    close(public, theirs["number"])
    body = public.http.get(f"/api/v1/public/cases/{number}", params={"code": code}).json()
    merged = body["merged_into"]
    assert [s["state"] for s in merged["timeline"]][-1] == "closed" and body["can_rate"]
    text = json.dumps(body, ensure_ascii=False)
    for private in ("李女士", "赵先生", "13711111111", "王师傅", "已清运", "莲湖路1号"):
        assert private not in text
    (photo,) = body["after_photos"]  # the surviving case's, through the reporter's own code
    assert photo["url"].startswith(f"/api/v1/public/cases/{number}/photos/")
    got = public.http.get(photo["url"], headers={"X-Tracking-Code": code})
    assert got.status_code == 200 and got.content == png_bytes(12, 12, seed=9)
    rated = public.http.post(
        f"/api/v1/public/cases/{number}/rating", json={"code": code, "rating": "satisfied"}
    )
    assert rated.status_code == 201
    theirs_rated = public.http.post(
        f"/api/v1/public/cases/{theirs['number']}/rating",
        json={"code": theirs["tracking_code"], "rating": "basically_satisfied"},
    )
    assert theirs_rated.status_code == 201  # the other reporter's own rating, with their code
    with public.db.read() as s:
        counted = set(s.scalars(select(PublicRating.counted_case_id)))
    assert counted == {case_id(public, theirs["number"])}


def test_reports_are_limited_per_address(public: Public) -> None:
    public.app.state.public.write_rate = 2.0
    public.app.state.public.writes = RateLimiter(burst=2.0)
    assert post(public, "r-1").status_code == 201
    assert post(public, "r-2").status_code == 201
    third = post(public, "r-3")
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
    # reads have their own allowance
    assert public.http.get("/api/v1/public/categories", params={"q": "垃圾"}).status_code == 200


def test_the_page_and_its_grid_outlines_need_no_token(public: Public) -> None:
    page = public.http.get("/report/")
    assert (
        page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )
    assert (
        public.http.get("/report/js/page.js").headers["content-type"].startswith("text/javascript")
    )
    grids = public.http.get("/report/data/grids.json")
    assert grids.status_code == 200 and "max-age" in grids.headers["Cache-Control"]
    assert len(grids.json()["features"]) == 364
    assert public.http.get("/app/data/grids.json").status_code == 401  # the staff app's stays
    found = public.http.get("/api/v1/public/categories", params={"q": "垃圾"}).json()
    assert found and {c["kind"] for c in found} == {"event_type"}


def _imports(url: str, text: str) -> set[str]:
    """The absolute URLs a module imports (``import … from "…"``)."""
    found = re.findall(r'^import [^;]*? from "([^"]+)";', text, flags=re.M)
    return {urljoin(url, name) for name in found}


def test_the_page_has_a_worker_whose_shell_is_everything_it_loads(public: Public) -> None:
    worker = public.http.get("/report/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    text = worker.text
    assert "__VERSION__" not in text and "/* __SHELL__ */" not in text
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", text).group(1))  # type: ignore[union-attr]
    _, version = page_worker()
    assert f'"{version}"' in text
    absolute = {urljoin(public.url + "/report/sw.js", url) for url in shell}
    for url in sorted(absolute):  # every file of the shell is served, without a token
        assert public.http.get(url).status_code == 200, url
    # what the page loads: its links and scripts, and their imports, all in the shell
    page = public.http.get("/report/").text
    base = public.url + "/report/"
    wanted = {urljoin(base, u) for u in re.findall(r'(?:href|src)="([^"?#]+)"', page)}
    todo = [u for u in wanted if u.endswith(".js")]
    while todo:
        url = todo.pop()
        for imported in _imports(url, public.http.get(url).text) - wanted:
            wanted.add(imported)
            todo.append(imported)
    assert wanted - {base + "?lang=en"} <= absolute | {base}, wanted - absolute
    manifest = public.http.get("/report/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["scope"] == "./" and manifest.json()["id"] == "/report/"
