"""The public page (/report/) in Debian's Chromium at phone size against a real
`grid-console serve`: a person without an account reports with a photo carrying the camera's
GPS in its EXIF, gets the case number and tracking code, and the case is in the intake queue
as 公众 with its photo (no EXIF, at most 1600 px); they follow it; the case is closed through
CaseService (the handler's after-photo) and they rate it on the page, once."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console.models import Attachment, Case, PublicRating
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from tests.field.conftest import PHONE, FieldServer
from tests.gateway.support import GPS_LATITUDE, png_bytes, with_exif_gps
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
        rating = s.scalar(select(PublicRating).join(Case).where(Case.number == number))
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

        page.route("**/api/v1/public/reports", lose_the_answer)
        page.click("#report-submit")
        page.wait_for_selector("#report-error", state="visible")
        assert sent == [201]
        page.unroute("**/api/v1/public/reports")
        page.click("#report-submit")  # the same report: the same key
        page.wait_for_selector("#done", state="visible")
        number = page.inner_text("#done-number").strip()
    finally:
        context.close()
    with field_server.db.read() as s:
        numbers = list(s.scalars(select(Case.number).where(Case.description == description)))
    assert numbers == [number]
