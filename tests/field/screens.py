"""Phone-size screenshots of the field app for the README: `python -m tests.field.screens [DIR]`
(`--only patrol` for the patrol screens alone, `--only component` for 对应部件).

Seeds a demo database (`grid-console seed-demo`, a few hundred cases), serves it with
`grid-console serve`, and photographs each screen in Debian's Chromium at 390×844 (2× pixels)
into DIR (default docs/field/). Not a test: run it by hand after changing the app's look.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tests.field.conftest import (
    CHROMIUM,
    HANDLER_PASSWORD,
    PASSWORDS,
    PHONE,
    _grid_console,
    make_photo,
    serving,
)
from tests.services.console_support import CHIEF, DISPATCHER

SHOT = {**PHONE, "device_scale_factor": 2}


def sign_in(page: Any, user: str, password: str) -> None:
    page.fill("#signin-username", user)
    page.fill("#signin-password", password)
    page.click("#signin-submit")
    page.wait_for_selector("#tabs", state="visible")


def settle(page: Any, ms: int = 600) -> None:
    page.wait_for_timeout(ms)  # toasts and map tiles of grid lines come and go


def busiest_department(db_url: str) -> str:
    from console.db import Database

    db = Database(db_url)
    try:
        with db.read() as s:
            code = s.execute(
                text(
                    "SELECT d.code FROM cases c JOIN departments d ON d.id = c.department_id "
                    "WHERE c.state = 'dispatched' GROUP BY d.code ORDER BY count(*) DESC LIMIT 1"
                )
            ).scalar_one()
    finally:
        db.dispose()
    return f"dept-{code.lower()}"


def report_screens(browser: Any, url: str, photo: Path, out: Path) -> None:
    context = browser.new_context(**SHOT, base_url=url)
    page = context.new_page()
    page.goto("/app/")
    page.wait_for_selector("#signin-form", state="visible")
    page.fill("#signin-username", "inspector")
    page.fill("#signin-password", PASSWORDS["inspector"])
    page.screenshot(path=out / "signin.png")
    page.click("#signin-submit")
    page.wait_for_selector("#report-form", state="visible")
    page.wait_for_function("() => navigator.serviceWorker.controller")

    page.fill("#category-search", "bllj")
    page.wait_for_selector("#category-results li button")
    settle(page)
    page.screenshot(path=out / "category.png")
    page.click("#category-results button:has-text('暴露垃圾')")
    page.set_input_files("#photo-input", str(photo))
    page.wait_for_selector("#photo-list .photo")
    page.wait_for_function("() => document.getElementById('grid-text').textContent")
    settle(page)
    page.screenshot(path=out / "report.png")

    context.set_offline(True)
    page.click(".suggest")
    page.fill("#report-address", "北院门 144 号门前")
    page.fill("#report-description", "人行道上有成堆生活垃圾，影响通行")
    page.click("#report-submit")
    page.wait_for_selector("#outbox-chip:has-text('待发送 1')")
    page.click(".tab[data-tab='mine']")
    page.wait_for_selector("#outbox-list .outbox-item")
    settle(page, 3800)  # let the toast go
    page.screenshot(path=out / "outbox.png")
    context.set_offline(False)
    page.wait_for_selector("#outbox-chip", state="hidden")
    context.close()


def dark_english(browser: Any, url: str, out: Path) -> None:
    context = browser.new_context(**{**SHOT, "locale": "en-GB"}, base_url=url, color_scheme="dark")
    page = context.new_page()
    page.goto("/app/?lang=en")
    sign_in(page, "inspector", PASSWORDS["inspector"])
    page.wait_for_function("() => document.getElementById('grid-text').textContent")
    page.fill("#category-search", "garbage")
    page.fill("#category-search", "")
    page.click("#category-search")
    page.keyboard.type("06010")
    page.click("#category-results button:has-text('暴露垃圾')")
    settle(page)
    page.screenshot(path=out / "report-dark-en.png")
    context.close()


def task_screens(browser: Any, server: Any, photo: Path, out: Path) -> None:
    from console.services.cases.service import CaseService

    handler = busiest_department(server.db_url)
    context = browser.new_context(**SHOT, base_url=server.url)
    page = context.new_page()
    page.goto("/app/")
    sign_in(page, handler, HANDLER_PASSWORD)
    page.wait_for_selector(".task-item")
    settle(page)
    page.screenshot(path=out / "tasks.png")

    first = page.query_selector(".task-item")
    case_id = int(first.get_attribute("data-id"))
    first.click()
    page.wait_for_selector("#feedback-form")
    page.fill("#feedback-note", "已清运，现场恢复整洁")
    page.set_input_files("#feedback-photo", str(photo))
    page.wait_for_selector("#feedback-form .photo")
    settle(page)
    page.screenshot(path=out / "task.png")

    # someone at a seat changes the case meanwhile: the step is refused and says why
    cases = CaseService(server.db)
    snap = cases.get(case_id) if hasattr(cases, "get") else None
    version = snap.version if snap is not None else _version(server, case_id)
    cases.add_note(DISPATCHER, case_id, version, note="派遣员：请先联系物业再处置")
    page.click("#feedback-form button[type=submit]")
    refused = page.wait_for_selector("#task-detail .outbox-item[data-state='refused']")
    refused.scroll_into_view_if_needed()
    settle(page, 6500)  # the error toast goes after 6 s
    page.evaluate("() => window.scrollTo(0, 0)")
    settle(page, 200)
    page.screenshot(path=out / "refused.png")
    context.close()


def self_handle_screen(browser: Any, url: str, photo: Path, after: Path, out: Path) -> None:
    """A grid manager's report, handled on the spot (自行处置): the after-photo and the note."""
    context = browser.new_context(**SHOT, base_url=url)
    page = context.new_page()
    page.goto("/app/")
    sign_in(page, "grid_manager", PASSWORDS["grid_manager"])
    page.fill("#category-search", "暴露垃圾")
    page.click("#category-results button:has-text('暴露垃圾')")
    page.wait_for_selector("#self-handle-card", state="visible")  # within the manager's duties
    page.set_input_files("#photo-input", str(photo))
    page.wait_for_selector("#photo-list .photo")
    page.wait_for_function("() => document.getElementById('grid-text').textContent")
    page.fill("#report-address", "北院门 150 号")
    page.fill("#report-description", "路边散落生活垃圾两袋")
    page.check("#report-self-handle")
    page.set_input_files("#after-photo-input", str(after))
    page.wait_for_selector("#after-photo-list .photo")
    page.fill("#handling-note", "已清扫装袋，送至收集点")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    settle(page)
    page.screenshot(path=out / "self-handle.png")
    context.close()


#: The register's objects the 对应部件 picture lists (issue 17): (name, metres east, metres north,
#: status, address), around the phones' position.
COMPONENTS = [
    ("供水井盖（北院门 144 号）", 7, 3, "damaged", "北院门 144 号门前人行道"),
    ("供水井盖（北院门 150 号）", -12, 9, "intact", "北院门 150 号北侧"),
    ("供水井盖（西华门口）", 4, -24, "intact", None),
]


def _add_components(db_url: str) -> None:
    """Three 供水井盖 near the phones' position, in the grid and street found there."""
    import math

    from sqlalchemy import insert

    from console.db import Database
    from console.models import Component
    from console.services.locator import DbLocator
    from tests.models.test_components import _row

    db = Database(db_url)
    try:
        lon0, lat0 = PHONE["geolocation"]["longitude"], PHONE["geolocation"]["latitude"]
        per_m = 1 / 111_195
        at = DbLocator(db).locate(lon0, lat0)
        assert at is not None, "the phones' position is outside the demo district"
        rows = []
        for serial, (name, east, north, status, address) in enumerate(COMPONENTS, 990001):
            lon = lon0 + east * per_m / math.cos(math.radians(lat0))
            rows.append(
                _row(db, f"61010401001{serial}")
                | {"name": name, "lon": lon, "lat": lat0 + north * per_m, "status": status}
                | {"address": address, "grid_id": at.grid_id, "street_id": at.street_id}
            )
        with db.session() as s:
            s.execute(insert(Component), rows)
    finally:
        db.dispose()


def component_screen(browser: Any, server: Any, out: Path) -> None:
    """A 部件 report: the register's objects nearby, nearest first, one picked (issue 17)."""
    _add_components(server.db_url)
    context = browser.new_context(**SHOT, base_url=server.url)
    page = context.new_page()
    page.goto("/app/")
    sign_in(page, "inspector", PASSWORDS["inspector"])
    page.wait_for_function("() => document.getElementById('grid-text').textContent")
    page.fill("#category-search", "01001")
    page.locator("#category-results button", has_text="01001 · 部件").click()
    page.wait_for_selector("#component-card[data-state='ready'] .component-item")
    page.click("#component-list .component-item >> nth=0")
    page.fill("#report-address", "北院门 144 号门前")
    page.evaluate(
        "() => { const c = document.getElementById('component-card');"
        " window.scrollTo(0, c.getBoundingClientRect().top + window.scrollY - 300); }"
    )
    settle(page)
    page.screenshot(path=out / "component.png")
    context.close()


def report_check_screen(browser: Any, server: Any, photo: Path, out: Path) -> None:
    """The duty chief asks the inspector to confirm a report on site (信息核实)."""
    from console.services.cases.service import CaseService

    with server.db.read() as s:
        case_id, inspector_id = s.execute(
            text(
                "SELECT c.id, u.id FROM cases c, users u WHERE c.state = 'reported' "
                "AND u.username = 'inspector' ORDER BY c.id DESC LIMIT 1"
            )
        ).one()
    cases = CaseService(server.db)
    snap = cases.get(case_id)
    cases.act(CHIEF, case_id, "request_report_check", snap.version, inspector_id=inspector_id)
    context = browser.new_context(**SHOT, base_url=server.url)
    page = context.new_page()
    page.goto("/app/")
    sign_in(page, "inspector", PASSWORDS["inspector"])
    page.click(".tab[data-tab='tasks']")
    page.click(f".task-item[data-id='{case_id}']")
    page.wait_for_selector("#report-check-form")
    page.set_input_files("#report-check-photo", str(photo))
    page.wait_for_selector("#report-check-form .photo")
    page.fill("#report-check-note", "现场确有暴露垃圾")
    page.evaluate(
        "() => { const f = document.getElementById('report-check-form');"
        " window.scrollTo(0, f.getBoundingClientRect().top + window.scrollY - 120); }"
    )
    settle(page)
    page.screenshot(path=out / "report-check.png")
    context.close()


#: The patrol pictures' walk: east from the demo's position across three grids, then north.
def _patrol_path() -> list[tuple[float, float]]:
    from tests.field.patrol_path import east_walk

    east = east_walk(steps=44, step_m=10)
    lon, lat = east[-1]
    north = [(lon, lat + k * 10 / 111_195) for k in range(1, 21)]
    return east + north


def _end_open_patrol(url: str, token: str) -> None:
    """seed-demo leaves the inspector on patrol: end it, so the pictures show a new one."""
    import httpx

    auth = {"Authorization": f"Bearer {token}"}
    for patrol in httpx.get(f"{url}/api/v1/patrols/mine", headers=auth).json():
        if patrol["ended_at"] is None:
            httpx.post(f"{url}/api/v1/patrols/{patrol['id']}/end", headers=auth)


def patrol_screens(browser: Any, url: str, out: Path, *, dark_en: bool = False) -> None:
    """An inspector's patrol: on (the track, the figures), then ended with the coverage."""
    options: dict[str, Any] = {**SHOT, "permissions": ["geolocation", "screen-wake-lock"]}
    if dark_en:
        options.update(locale="en-GB", color_scheme="dark")
    context = browser.new_context(**options, base_url=url)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/app/?lang=en" if dark_en else "/app/")
    sign_in(page, "inspector", PASSWORDS["inspector"])
    _end_open_patrol(url, page.evaluate("localStorage.getItem('grid.app.token')"))
    # the documented test hook: a point every 0.5 s instead of 10 s (10 m a step: 20 m/s)
    page.evaluate("localStorage.setItem('grid.app.patrolIntervalMs', '500')")
    path = _patrol_path()
    context.set_geolocation({"longitude": path[0][0], "latitude": path[0][1], "accuracy": 6})
    page.click(".tab[data-tab='patrol']")
    page.click("#patrol-start")
    page.wait_for_selector("#screen-patrol[data-phase='on']")
    for lon, lat in path:
        context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 6})
        page.wait_for_function(
            "(last) => document.getElementById('screen-patrol').dataset.last === last",
            arg=f"{lon:.6f},{lat:.6f}",
        )
    page.wait_for_function("() => document.getElementById('screen-patrol').dataset.waiting === '0'")
    settle(page, 3800)  # the toast goes
    suffix = "-dark-en" if dark_en else ""
    page.screenshot(path=out / f"patrol{suffix}.png")
    if not dark_en:
        page.click("#patrol-end")
        page.wait_for_selector("#coverage-list")
        page.evaluate(
            "() => { const r = document.getElementById('patrol-result');"
            " window.scrollTo(0, r.getBoundingClientRect().top + window.scrollY - 380); }"
        )
        settle(page)
        page.screenshot(path=out / "patrol-result.png")
    else:
        page.click("#patrol-end")
        page.wait_for_selector("#coverage-list")
    context.close()


def _version(server: Any, case_id: int) -> int:
    with server.db.read() as s:
        return int(
            s.execute(text("SELECT version FROM cases WHERE id = :i"), {"i": case_id}).scalar_one()
        )


AFTER_JS = """() => {
  const c = document.createElement("canvas");
  c.width = 2000; c.height = 1500;
  const x = c.getContext("2d");
  x.fillStyle = "#8a9aa6"; x.fillRect(0, 0, 2000, 1500);
  x.fillStyle = "#6f7d87"; x.fillRect(0, 1000, 2000, 500);
  return c.toDataURL("image/jpeg", 0.9);
}"""


def _after_photo(browser: Any) -> bytes:
    """The swept pavement: a plain JPEG, so before and after look different."""
    import base64

    page = browser.new_page()
    try:
        data_url: str = page.evaluate(AFTER_JS)
    finally:
        page.close()
    return base64.b64decode(data_url.split(",", 1)[1])


def main(argv: list[str]) -> int:
    only = None
    if "--only" in argv:
        i = argv.index("--only")
        only = argv[i + 1]
        argv = argv[:i] + argv[i + 2 :]
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
            [
                *_grid_console(),
                "--db",
                f"sqlite:///{db_file}",
                "seed-demo",
                "--cases",
                "400",
                "--days",
                "10",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with serving(db_file, root) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            photo = make_photo(browser, root / "IMG_20261123_091500.jpg")
            after = root / "after.jpg"
            after.write_bytes(_after_photo(browser))
            if only in (None, "report"):
                report_screens(browser, server.url, photo, out)
                task_screens(browser, server, photo, out)
                self_handle_screen(browser, server.url, photo, after, out)
                report_check_screen(browser, server, photo, out)
                dark_english(browser, server.url, out)
            if only in (None, "component"):
                component_screen(browser, server, out)
            if only in (None, "patrol"):
                patrol_screens(browser, server.url, out)
                patrol_screens(browser, server.url, out, dark_en=True)
            browser.close()
    for path in sorted(out.glob(f"{only or ''}*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
