"""The public page (/report/) in Debian's Chromium at phone size against a real
`grid-console serve`: a person without an account reports with a photo carrying the camera's
GPS in its EXIF, gets the case number and tracking code, and the case is in the intake queue
as 公众 with its photo (no EXIF, at most 1600 px); they follow it; the case is closed through
CaseService (the handler's after-photo) and they rate it on the page, once. A report merged
into another case (合并) is followed to it and rated when that case is closed. Offline: the
page reloads from its service worker's cache, and a report sent without network is kept on
the phone and sent once when the network returns (one case)."""

from __future__ import annotations

import struct
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console.models import Attachment, Case, PublicRating
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from console.services.field_categories import CategoryFinder
from console.services.public_reports import PublicAnswer, PublicReportService
from tests.field.conftest import PHONE, FieldServer
from tests.gateway.support import GPS_LATITUDE, png_bytes, point, with_exif_gps
from tests.services.console_support import CHIEF, DISPATCHER, INSPECTOR, handler


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header."""
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no frame header")


def close_case(server: FieldServer, number: str) -> None:
    """The seats' part, through the services: 立案, 派遣, 处置反馈 with an after-photo, 核查, 结案."""
    cases = CaseService(server.db)
    with server.db.read() as s:
        case_id, version = s.execute(
            select(Case.id, Case.version).where(Case.number == number)
        ).one()
    snap = cases.register(CHIEF, case_id, version)
    snap = cases.dispatch(DISPATCHER, snap.id, snap.version)
    store = AttachmentStore(server.attachments, max_bytes=8 << 20)
    snap, _ = AttachmentService(cases, store).act_with_photo(
        handler(server.db, snap.department_id),
        snap.id,
        "feedback",
        snap.version,
        note="已清运（王师傅）",
        photo=PhotoUpload(png_bytes(40, 30, seed=5), "after.png"),
    )
    snap = cases.verify_pass(INSPECTOR, snap.id, snap.version)
    cases.close(CHIEF, snap.id, snap.version)


def test_the_public_reports_tracks_and_rates(
    browser: Any, field_server: FieldServer, photo_file: Path, tmp_path: Path
) -> None:
    camera = tmp_path / "IMG_20261204_101500.jpg"
    camera.write_bytes(with_exif_gps(photo_file.read_bytes()))
    problems: list[str] = []
    context = browser.new_context(**PHONE, base_url=field_server.url)
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto("/report/")
        page.wait_for_selector("#where .acc")  # the emulated GPS, inside a grid of the map
        assert "网格" in page.inner_text("#where")

        page.fill("#category-search", "暴露垃圾")
        page.click("#category-results button[data-code='06010']")
        page.set_input_files("#photo-input", str(camera))
        page.wait_for_selector("#photo-list .photo")
        page.fill("#description", "巷口垃圾堆了两天")
        page.click("#report-form summary")
        page.fill("#name", "赵先生")
        page.fill("#phone", "13712345678")
        page.click("#report-submit")
        page.wait_for_selector("#done", state="visible")
        number = page.inner_text("#done-number").strip()
        code = page.inner_text("#done-code").strip()
        assert len(code) == 8

        with field_server.db.read() as s:
            case = s.scalar(select(Case).where(Case.number == number))
            assert case is not None
            assert (case.source, case.state, case.category_code) == ("public", "reported", "06010")
            assert (case.reporter, case.reporter_phone) == ("赵先生", "13712345678")
            assert case.address  # the grid's name when the person typed none
            stored = s.scalars(select(Attachment.stored_path).where(Attachment.case_id == case.id))
            (path,) = list(stored)
        data = (field_server.attachments / path).read_bytes()
        assert b"Exif" not in data and GPS_LATITUDE not in data
        assert max(jpeg_size(data)) <= 1600

        page.click("#done-track")
        page.wait_for_selector("#case-timeline li")
        assert page.inner_text("#case-state") == "待立案"

        close_case(field_server, number)
        page.click("#track-submit")
        page.wait_for_selector("#rating-form")
        assert page.inner_text("#case-state") == "已结案"
        text = page.inner_text("#case")
        assert "王师傅" not in text and "赵先生" not in text and "已清运" not in text
        page.wait_for_selector(".after img")  # the handler's after-photo
        page.wait_for_function("() => document.querySelector('.after img').naturalWidth === 40")
        assert page.locator(".after img").count() == 1
        page.click("#rating-form label:has(input[value='satisfied'])")
        page.fill("#rating-comment", "处理得很快")
        page.click("#rating-submit")
        page.wait_for_selector("#case-rated")
        assert "满意" in page.inner_text("#case-rated")
        assert page.locator("#rating-form").count() == 0
    finally:
        context.close()
    with field_server.db.read() as s:
        rating = s.scalar(
            select(PublicRating)
            .join(Case, Case.id == PublicRating.case_id)
            .where(Case.number == number)
        )
        assert rating is not None and (rating.rating, rating.comment) == ("satisfied", "处理得很快")
    assert not problems, problems


def test_a_report_whose_answer_is_lost_is_sent_again_as_one_case(
    browser: Any, field_server: FieldServer
) -> None:
    description = "路灯不亮（答复丢失后重发）"
    context = browser.new_context(**PHONE, base_url=field_server.url)
    try:
        page = context.new_page()
        page.goto("/report/")
        page.wait_for_selector("#where .acc")
        page.fill("#category-search", "暴露垃圾")
        page.click("#category-results button[data-code='06010']")
        page.fill("#description", description)
        sent: list[int] = []

        def lose_the_answer(route: Any) -> None:
            sent.append(route.fetch().status)  # the server makes the case…
            route.abort()  # …and the phone never hears of it

        page.context.route("**/api/v1/public/reports", lose_the_answer)
        page.click("#report-submit")
        page.wait_for_selector("#report-error", state="visible")
        assert sent == [201]
        page.context.unroute("**/api/v1/public/reports")
        page.click("#report-submit")  # the same report: the same key
        page.wait_for_selector("#done", state="visible")
        number = page.inner_text("#done-number").strip()
    finally:
        context.close()
    with field_server.db.read() as s:
        numbers = list(s.scalars(select(Case.number).where(Case.description == description)))
    assert numbers == [number]


def report_on_the_page(page: Any, description: str) -> None:
    page.fill("#category-search", "暴露垃圾")
    page.click("#category-results button[data-code='06010']")
    page.fill("#description", description)
    page.click("#report-submit")


def test_a_merged_report_is_followed_to_the_case_it_was_merged_into(
    browser: Any, field_server: FieldServer
) -> None:
    """Both reports made through the services (the page's writes are limited per address:
    the session's other tests use them), followed and rated on the page."""
    cases = CaseService(field_server.db)
    finder = CategoryFinder(field_server.db, cases.workflow.taxonomies, cases.clock)
    store = AttachmentStore(field_server.attachments, max_bytes=8 << 20)
    public = PublicReportService(cases, store, finder)
    lon, lat = point(field_server.db)

    def report(description: str, name: str, phone: str) -> PublicAnswer:
        data = {"category_code": "06010", "lon": f"{lon:.7f}", "lat": f"{lat:.7f}",
                "address": "北院门", "description": description, "name": name, "phone": phone}  # fmt: skip
        return public.submit(uuid.uuid4().hex, data).answer

    mine = report(f"巷口垃圾（将被合并）{uuid.uuid4().hex[:6]}", "孙先生", "13500000000")
    theirs = report("同一处垃圾（另一位市民）", "钱女士", "13600000000")
    number, survivor = mine.number, theirs.number
    with field_server.db.read() as s:
        ids = dict(
            (n, i)
            for n, i in s.execute(
                select(Case.number, Case.id).where(Case.number.in_((number, survivor)))
            )
        )
    context = browser.new_context(**PHONE, base_url=field_server.url)
    try:
        page = context.new_page()
        page.goto("/report/#track")
        page.fill("#track-number", number)
        page.fill("#track-code", mine.tracking_code)
        cases.merge(CHIEF, ids[number], None, ids[survivor], None, note="受理员核实：重复")
        page.click("#track-submit")
        page.wait_for_selector("#case-merged")
        assert page.inner_text("#case-state") == "已合并"
        assert page.inner_text("#merged-number") == survivor
        assert page.inner_text("#merged-state") == "待立案"
        assert page.locator("#rating-form").count() == 0
        close_case(field_server, survivor)
        page.click("#track-submit")
        page.wait_for_selector("#rating-form")
        assert page.inner_text("#merged-state") == "已结案"
        assert page.locator("#merged-timeline li").count() == 6
        text = page.inner_text("#case")
        for private in ("钱女士", "13600000000", "孙先生", "13500000000", "王师傅", "已清运",
                        "受理员核实", "另一位"):  # fmt: skip
            assert private not in text
        page.wait_for_function("() => document.querySelector('.after img')?.naturalWidth === 40")
        page.click("#rating-form label:has(input[value='basically_satisfied'])")
        page.click("#rating-submit")
        page.wait_for_selector("#case-rated")
    finally:
        context.close()
    with field_server.db.read() as s:
        counted = s.scalar(
            select(PublicRating.counted_case_id).where(PublicRating.case_id == ids[number])
        )
    assert counted == ids[survivor]


def test_the_page_opens_offline_and_a_report_made_offline_is_sent_once(
    browser: Any, field_server: FieldServer
) -> None:
    description = f"井盖缺失（离线上报）{uuid.uuid4().hex[:6]}"
    problems: list[str] = []
    context = browser.new_context(**PHONE, base_url=field_server.url)
    sent: list[int] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.goto("/report/")
        page.wait_for_function("() => navigator.serviceWorker.controller")
        page.reload()  # the outlines and the category list now pass the worker: kept
        page.wait_for_selector("#where .acc")
        page.wait_for_function("() => navigator.serviceWorker.controller")

        context.set_offline(True)
        response = page.reload()
        assert response is not None and response.from_service_worker
        page.wait_for_selector("#report-form", state="visible")
        assert page.evaluate("typeof L") == "object"  # Leaflet came from the cache too
        page.wait_for_selector("#where .acc")  # the kept grid outlines
        english = context.new_page()
        assert english.goto("/report/?lang=en") is not None
        english.wait_for_selector("#report-submit:has-text('Send report')")
        english.close()

        # the answers the page got (a request that found no network has none)
        page.on(
            "response",
            lambda r: sent.append(r.status) if r.url.endswith("/api/v1/public/reports") else None,
        )
        report_on_the_page(page, description)  # the category found in the kept list
        page.wait_for_selector("#report-error:has-text('没有网络')")
        assert "恢复网络后自动提交" in page.inner_text("#report-error")
        assert page.input_value("#description") == description  # the form is kept
        assert sent == []
        with field_server.db.read() as s:
            assert list(s.scalars(select(Case.id).where(Case.description == description))) == []

        context.set_offline(False)  # the page's online event sends it
        page.wait_for_selector("#done", state="visible")
        number = page.inner_text("#done-number").strip()
        assert len(page.inner_text("#done-code").strip()) == 8
        page.reload()  # nothing waits any more: not sent again
        page.wait_for_selector("#report-form", state="visible")
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert sent == [201]
    with field_server.db.read() as s:
        numbers = list(s.scalars(select(Case.number).where(Case.description == description)))
    assert numbers == [number]
    assert not problems, problems
