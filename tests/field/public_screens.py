"""Phone-size screenshots of the public page for the README:
`python -m tests.field.public_screens [DIR]` (default docs/field/, files public-*.png).

Seeds the demo district without cases, serves it with `grid-console serve`, and photographs
/report/ in Debian's Chromium at 390×844 (2× pixels): the report form, the answer with the
number and code, a closed case's timeline with its after-photo, the rating form, a report
merged into another case (合并) followed to it, a report kept offline, and the form dark in
English. Not a test: run it by hand after changing the page's look.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console.models import Case
from console.services.attachments import AttachmentStore
from console.services.cases.service import CaseService
from console.services.field_categories import CategoryFinder
from console.services.public_reports import PublicAnswer, PublicReportService
from tests.field.conftest import CHROMIUM, PHONE, FieldServer, _grid_console, make_photo, serving
from tests.field.test_public_page import close_case
from tests.gateway.support import point
from tests.services.console_support import CHIEF

SHOT = {**PHONE, "device_scale_factor": 2}


def settle(page: Any, ms: int = 600) -> None:
    page.wait_for_timeout(ms)


def fill_report(page: Any, photo: Path) -> None:
    page.goto("/report/")
    page.wait_for_selector("#where .acc")
    page.fill("#category-search", "暴露垃圾")
    page.click("#category-results button[data-code='06010']")
    page.set_input_files("#photo-input", str(photo))
    page.wait_for_selector("#photo-list .photo")


def public_screens(browser: Any, server: FieldServer, photo: Path, out: Path) -> None:
    context = browser.new_context(**SHOT, base_url=server.url)
    page = context.new_page()
    fill_report(page, photo)
    page.fill("#description", "巷口垃圾堆了两天，气味很大")
    page.evaluate("() => window.scrollTo(0, 0)")
    settle(page)
    page.screenshot(path=out / "public-report.png")
    page.click("#report-submit")
    page.wait_for_selector("#done", state="visible")
    number = page.inner_text("#done-number").strip()
    settle(page)
    page.screenshot(path=out / "public-done.png")
    close_case(server, number)
    page.click("#done-track")
    page.wait_for_selector("#rating-form")
    page.click("#rating-form label:has(input[value='satisfied'])")
    page.wait_for_selector(".after img")
    page.wait_for_function("() => document.querySelector('.after img').naturalWidth > 0")
    # the case's card just under the sticky bars (the look-up form above it scrolled away)
    page.evaluate("() => window.scrollTo(0, document.getElementById('case').offsetTop - 120)")
    settle(page)
    page.screenshot(path=out / "public-track.png")
    page.fill("#rating-comment", "清理得很及时")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    settle(page)
    page.screenshot(path=out / "public-rate.png")
    context.close()

    merged_screen(browser, server, out)
    offline_screen(browser, server, photo, out)

    dark = browser.new_context(
        **{**SHOT, "locale": "en-US"}, color_scheme="dark", base_url=server.url
    )
    page = dark.new_page()
    fill_report(page, photo)
    page.evaluate("() => window.scrollTo(0, 0)")
    settle(page)
    page.screenshot(path=out / "public-report-dark-en.png")
    dark.close()


def merged_screen(browser: Any, server: FieldServer, out: Path) -> None:
    """Two reports of one problem (through the services), the first merged into the second,
    which is closed: the first one's tracking."""
    cases = CaseService(server.db)
    finder = CategoryFinder(server.db, cases.workflow.taxonomies, cases.clock)
    public = PublicReportService(
        cases, AttachmentStore(server.attachments, max_bytes=8 << 20), finder
    )
    lon, lat = point(server.db)

    def report(description: str) -> PublicAnswer:
        data = {"category_code": "06010", "lon": f"{lon:.7f}", "lat": f"{lat:.7f}",
                "address": "北院门", "description": description}  # fmt: skip
        return public.submit(uuid.uuid4().hex, data).answer

    mine, theirs = report("北院门垃圾没人清"), report("北院门口垃圾堆积")
    with server.db.read() as s:
        ids = {n: i for n, i in s.execute(select(Case.number, Case.id))}
    cases.merge(CHIEF, ids[mine.number], None, ids[theirs.number], None)
    close_case(server, theirs.number)
    context = browser.new_context(**SHOT, base_url=server.url)
    page = context.new_page()
    page.goto("/report/#track")
    page.fill("#track-number", mine.number)
    page.fill("#track-code", mine.tracking_code)
    page.click("#track-submit")
    page.wait_for_selector("#case-merged")
    page.evaluate("() => window.scrollTo(0, document.getElementById('case').offsetTop - 120)")
    settle(page)
    page.screenshot(path=out / "public-merged.png")
    context.close()


def offline_screen(browser: Any, server: FieldServer, photo: Path, out: Path) -> None:
    """A report sent without network: kept on the phone, the form still filled."""
    context = browser.new_context(**SHOT, base_url=server.url)
    page = context.new_page()
    fill_report(page, photo)
    page.wait_for_function("() => navigator.serviceWorker.controller")
    page.fill("#description", "井盖缺失，夜里很危险")
    context.set_offline(True)
    page.click("#report-submit")
    page.wait_for_selector("#report-error:has-text('没有网络')")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    settle(page)
    page.screenshot(path=out / "public-offline.png")
    context.close()


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/field")
    out.mkdir(parents=True, exist_ok=True)
    if not CHROMIUM.exists():
        print(f"needs {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db_file = root / "screens.sqlite3"
        subprocess.run(
            [*_grid_console(), "--db", f"sqlite:///{db_file}", "seed-demo", "--cases", "0"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with serving(db_file, root) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            photo = make_photo(browser, root / "IMG_20261204_101500.jpg")
            public_screens(browser, server, photo, out)
            browser.close()
    for path in sorted(out.glob("public-*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
