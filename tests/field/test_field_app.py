"""The staff app (/app/) in Debian's Chromium at phone size, against a real `grid-console serve`.

Real parts: the gateway subprocess and its SQLite file, the browser, its service worker and
IndexedDB, emulated geolocation and offline mode, photo files put in a file input.
"""

from __future__ import annotations

import struct
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.field.conftest import CHROMIUM, NO_CHROMIUM, FieldServer, Phones, sign_in
from tests.gateway.support import dispatched, handled, png_bytes, reported
from tests.services.console_support import CHIEF, DISPATCHER
from tests.services.test_grid_staff_confinement import OWN, grid_point

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

HANDLER = "dept-pro02"  # 暴露垃圾 (06010) is routed to PRO02 in the demo district
#: A street committee's handler (北院门街道城管委): its own token, so its requests do not
#: spend the PRO02 handler's per-token rate.
STREET = ("SC610104002", "dept-sc610104002")

#: The outbox as the page's IndexedDB holds it: [{kind, state, status, message}].
OUTBOX_JS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("grid-app");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result.map(
      (i) => ({kind: i.kind, state: i.state, status: i.status, message: i.message})));
  };
})"""
#: Whether the device keeps the categories (fetched after signing in) for offline search.
HAS_CATEGORIES_JS = """() => new Promise((resolve) => {
  const open = indexedDB.open("grid-app");
  open.onsuccess = () => {
    const got = open.result.transaction("kv").objectStore("kv").get("categories");
    got.onsuccess = () => resolve(Boolean(got.result && got.result.items.length));
    got.onerror = () => resolve(false);
  };
  open.onerror = () => resolve(false);
})"""


def pump_until(page: Any, condition: Any, what: str, timeout: float = 15.0) -> None:
    """Wait for ``condition()`` while Playwright runs its handlers (routes, events)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(50)


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("no JPEG frame header")


def controlled(page: Any) -> None:
    """Wait until the service worker has cached the shell and controls the page."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")


def rows(server: FieldServer, sql: str, **params: Any) -> list[Any]:
    with server.db.read() as s:
        return list(s.execute(text(sql), params).all())


# --------------------------------------------------------------------------- the shell


def test_shell_renders_with_its_policy_and_signs_in(
    phones: Phones, field_server: FieldServer
) -> None:
    answer = httpx.get(f"{field_server.url}/app/")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    worker = httpx.get(f"{field_server.url}/app/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "__VERSION__" not in worker.text and '"vendor/leaflet/leaflet.js"' in worker.text
    assert httpx.get(f"{field_server.url}/app/vendor/leaflet/leaflet.js").status_code == 200

    page = phones.open()
    assert page.title() == "城管通"
    page.wait_for_selector("#signin-form", state="visible")
    assert page.input_value("#signin-device")  # named from the user agent

    page.fill("#signin-username", "inspector")
    page.fill("#signin-password", "wrong-password-1")
    page.click("#signin-submit")
    error = page.wait_for_selector("#signin-error", state="visible")
    assert error.text_content() and "HTTP" not in error.text_content()

    page.fill("#signin-password", "jiandu-2026")
    page.click("#signin-submit")
    page.wait_for_selector("#report-form", state="visible")
    assert page.text_content("#me")
    assert [t.strip() for t in page.locator(".tab:visible > span").all_text_contents()] == [
        "上报",
        "我的上报",
        "任务",
        "巡查",  # inspectors and grid managers patrol
    ]
    kept = page.evaluate("JSON.stringify(localStorage)")
    assert "jiandu-2026" not in kept
    token = page.evaluate("localStorage.getItem('grid.app.token')")
    me = httpx.get(f"{field_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "inspector"
    phones.states["inspector"] = page.context.storage_state()


def test_reload_offline_shows_the_shell_from_the_cache(phones: Phones) -> None:
    page = phones.open("inspector")
    page.wait_for_selector("#report-form", state="visible")
    controlled(page)
    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("#report-form", state="visible")
    assert page.evaluate("typeof L") == "object"  # Leaflet came from the cache too
    assert page.text_content("#net") == "离线"


# --------------------------------------------------------------------------- reporting


def test_offline_report_with_photo_makes_exactly_one_case(
    phones: Phones, field_server: FieldServer, photo_file: Path
) -> None:
    page = phones.open("inspector")
    page.wait_for_selector("#report-form", state="visible")
    controlled(page)
    page.wait_for_function(HAS_CATEGORIES_JS)

    # The first answer is lost on the way back (the server made the case, the phone never
    # hears): the outbox sends again with the same key and must not make a second case.
    statuses: list[int] = []

    def lose_first_answer(route: Any) -> None:
        response = route.fetch()
        statuses.append(response.status)
        if len(statuses) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.context.route("**/api/v1/reports", lose_first_answer)
    page.context.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').textContent === '离线'")

    page.fill("#category-search", "暴露垃圾")
    page.click("#category-results button:has-text('暴露垃圾')")
    assert page.text_content("#category-chosen") == "暴露垃圾"
    page.set_input_files("#photo-input", str(photo_file))
    page.wait_for_selector("#photo-list .photo")
    page.wait_for_function(
        "() => document.getElementById('position-text').textContent.includes('12')"
    )
    assert "香米园社区第2网格" in page.text_content("#grid-text")
    description = f"人行道上有成堆垃圾 {uuid.uuid4().hex[:8]}"
    page.fill("#report-address", "北院门 144 号门前")
    page.fill("#report-description", description)
    page.click("#report-submit")

    page.wait_for_selector("#outbox-chip:has-text('待发送 1')")
    assert page.evaluate(OUTBOX_JS)[0]["state"] == "queued"
    assert statuses == []
    assert rows(field_server, "SELECT id FROM cases WHERE description = :d", d=description) == []

    page.context.set_offline(False)
    pump_until(page, lambda: len(statuses) == 1, "the first send")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # retry now, not after back-off
    page.wait_for_selector("#outbox-chip", state="hidden")
    assert statuses == [201, 200]  # made, then recognised
    assert [i["state"] for i in page.evaluate(OUTBOX_JS)] == ["sent"]

    found = rows(
        field_server,
        "SELECT id, number, source, state FROM cases WHERE description = :d",
        d=description,
    )
    assert len(found) == 1
    case_id, number, source, state = found[0]
    assert (source, state) == ("inspector", "reported")
    photos = rows(
        field_server,
        "SELECT stored_path, content_type FROM attachments WHERE case_id = :c",
        c=case_id,
    )
    assert len(photos) == 1 and photos[0].content_type == "image/jpeg"
    stored = (field_server.attachments / photos[0].stored_path).read_bytes()
    width, height = jpeg_size(stored)
    assert max(width, height) == 1600 and (width, height) == (1600, 1067)  # shrunk on the phone
    assert len(stored) < photo_file.stat().st_size

    page.click(".tab[data-tab='mine']")
    item = page.wait_for_selector(f".report-item[data-number='{number}']")
    assert "1 张照片" in item.text_content()


# --------------------------------------------------------------------------- tasks


def open_task(page: Any, case_id: int) -> None:
    page.click(".tab[data-tab='tasks']")
    page.click(f".task-item[data-id='{case_id}']")
    page.wait_for_selector("#task-detail", state="visible")


def test_handler_accepts_and_feeds_back_with_a_photo_offline(
    phones: Phones, field_server: FieldServer, photo_file: Path
) -> None:
    snap = dispatched(field_server_cases(field_server), field_server.db)
    page = phones.open(HANDLER)
    open_task(page, snap.id)
    page.wait_for_selector("#task-accept")
    assert page.locator(".tab[data-tab='patrol']").is_hidden()  # handlers do not patrol

    page.context.set_offline(True)
    page.click("#task-accept")
    page.fill("#feedback-note", "已清运，现场恢复整洁")
    page.set_input_files("#feedback-photo", str(photo_file))
    page.wait_for_selector("#feedback-form .photo")
    page.click("#feedback-form button[type=submit]")
    page.wait_for_selector("#outbox-chip:has-text('待发送 2')")

    page.context.set_offline(False)
    page.wait_for_selector("#outbox-chip", state="hidden")
    state = rows(field_server, "SELECT state FROM cases WHERE id = :c", c=snap.id)[0].state
    assert state == "handled"
    events = rows(
        field_server,
        "SELECT id, action, note FROM case_events WHERE case_id = :c ORDER BY id",
        c=snap.id,
    )
    # 签收 is the lifecycle's accept step, then 处置反馈, both sent after the network came back
    assert [e.action for e in events] == ["report", "register", "dispatch", "accept", "feedback"]
    photo = rows(
        field_server, "SELECT case_event_id FROM attachments WHERE case_id = :c", c=snap.id
    )
    assert [p.case_event_id for p in photo] == [events[-1].id]


def test_handler_accepts_asks_for_suspension_is_refused_and_feeds_back_with_a_photo(
    phones: Phones, field_server: FieldServer, photo_file: Path
) -> None:
    cases = field_server_cases(field_server)
    snap = dispatched(cases, field_server.db, dept=STREET[0])
    page = phones.open(STREET[1])
    open_task(page, snap.id)
    detail = "#task-detail"

    # 签收, while the person starts writing: the renders that follow (the step queued, sent,
    # the task read again) take the button out but never move the form being typed in
    page.click("#feedback-note")
    page.evaluate("document.getElementById('task-accept').click()")
    page.keyboard.type("已到现场")
    page.wait_for_selector(f"{detail} .timeline .what:has-text('签收')")
    page.wait_for_selector("#task-accept", state="detached")
    page.keyboard.type("，正在处置")
    assert page.evaluate("document.activeElement.id") == "feedback-note"
    assert page.input_value("#feedback-note") == "已到现场，正在处置"

    # 申请挂账 with a reason, from the folded form on the task
    page.click(f"{detail} details.suspension-form summary")
    reason = "管线迁改，需等待产权单位进场"
    page.click(f"{detail} details.suspension-form button[type=submit]")  # no reason: not queued
    page.wait_for_selector("#toast:has-text('请填写说明')")
    assert not [i for i in page.evaluate(OUTBOX_JS) if i["kind"] == "suspension"]
    page.fill(f"{detail} details.suspension-form textarea", reason)
    page.click(f"{detail} details.suspension-form button[type=submit]")
    page.wait_for_selector(f"{detail} .timeline .what:has-text('申请挂账')")
    page.wait_for_selector("#outbox-chip", state="hidden")
    assert [i["state"] for i in page.evaluate(OUTBOX_JS) if i["kind"] == "suspension"] == ["sent"]
    # one request at a time: the form is gone while the duty chief decides
    page.wait_for_selector(f"{detail} details.suspension-form", state="detached")
    case = rows(
        field_server,
        "SELECT state, version, suspension_requested_at FROM cases WHERE id = :c",
        c=snap.id,
    )[0]
    assert case.state == "dispatched" and case.suspension_requested_at is not None

    # the duty chief refuses it at a seat (the requests tab's 驳回挂账)
    refusal = "可先行处置，不予挂账"
    refused = cases.act(CHIEF, snap.id, "refuse_suspension", case.version, note=refusal)
    assert refused.state == "dispatched"

    # the handler goes back to the list, refreshes and opens the task: the refusal shows
    page.click(f"{detail} button.back")
    page.click("#screen-tasks .section-head button:has-text('刷新')")
    page.click(f".task-item[data-id='{snap.id}']")
    page.wait_for_selector(f"{detail} .timeline li:has(.what:has-text('驳回挂账'))")
    newest = page.locator(f"{detail} .timeline li").first  # newest first
    assert "驳回挂账" in newest.locator(".what").text_content()
    assert newest.locator(".note").text_content() == refusal
    assert "值班长" in newest.locator(".when").text_content()
    assert page.text_content(f"{detail} .detail-top .pill.state") == "处置中"
    page.wait_for_selector(f"{detail} details.suspension-form")  # may be asked for again

    # and feeds back with a photo
    page.fill("#feedback-note", "已协调产权单位，现场处置完毕")
    page.set_input_files("#feedback-photo", str(photo_file))
    page.wait_for_selector("#feedback-form .photo")
    page.click("#feedback-form button[type=submit]")
    page.wait_for_selector(f"{detail} .pill.state:has-text('待核查')")
    page.wait_for_selector("#outbox-chip", state="hidden")
    assert not [i for i in page.evaluate(OUTBOX_JS) if i["state"] != "sent"]

    state = rows(field_server, "SELECT state FROM cases WHERE id = :c", c=snap.id)[0].state
    assert state == "handled"
    events = rows(
        field_server,
        "SELECT id, action, note FROM case_events WHERE case_id = :c ORDER BY id",
        c=snap.id,
    )
    assert [(e.action, e.note) for e in events[3:]] == [
        ("accept", None),
        ("request_suspension", reason),
        ("refuse_suspension", refusal),
        ("feedback", "已协调产权单位，现场处置完毕"),
    ]
    assert [e.action for e in events[:3]] == ["report", "register", "dispatch"]
    photos = rows(
        field_server,
        "SELECT case_event_id, content_type FROM attachments WHERE case_id = :c",
        c=snap.id,
    )
    assert [(p.case_event_id, p.content_type) for p in photos] == [(events[-1].id, "image/jpeg")]


def test_a_feedback_whose_answer_is_lost_is_done_once_and_shown_done(
    phones: Phones, field_server: FieldServer, photo_file: Path
) -> None:
    snap = dispatched(field_server_cases(field_server), field_server.db)
    page = phones.open(HANDLER)
    open_task(page, snap.id)
    page.wait_for_selector("#feedback-form")

    # The server does the step and its answer is lost on the way back: the outbox sends the
    # same request again with the same key, and the server answers as the first time.
    statuses: list[int] = []
    keys: list[str | None] = []
    replayed: list[str | None] = []

    def lose_first_answer(route: Any) -> None:
        keys.append(route.request.headers.get("idempotency-key"))
        response = route.fetch()
        statuses.append(response.status)
        replayed.append(response.headers.get("idempotent-replayed"))
        if len(statuses) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.context.route(f"**/api/v1/tasks/{snap.id}/feedback", lose_first_answer)
    page.fill("#feedback-note", "已清运，答复丢失后重发")
    page.set_input_files("#feedback-photo", str(photo_file))
    page.wait_for_selector("#feedback-form .photo")
    page.click("#feedback-form button[type=submit]")
    pump_until(page, lambda: len(statuses) == 1, "the first send")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # retry now, not after back-off
    page.wait_for_selector("#outbox-chip", state="hidden")
    assert statuses == [200, 200] and replayed == [None, "true"]
    assert keys[0] and keys == [keys[0], keys[0]]  # the same key on both attempts
    assert [i["state"] for i in page.evaluate(OUTBOX_JS)] == ["sent"]  # not refused
    page.wait_for_selector("#task-detail .pill.state:has-text('待核查')")
    assert page.query_selector("#task-detail .outbox-item[data-state='refused']") is None

    events = rows(
        field_server,
        "SELECT id, action FROM case_events WHERE case_id = :c ORDER BY id",
        c=snap.id,
    )
    assert [e.action for e in events].count("feedback") == 1
    photos = rows(
        field_server, "SELECT case_event_id FROM attachments WHERE case_id = :c", c=snap.id
    )
    assert [p.case_event_id for p in photos] == [events[-1].id]
    state = rows(field_server, "SELECT state FROM cases WHERE id = :c", c=snap.id)[0].state
    assert state == "handled"


def test_inspector_passes_the_check_with_a_photo(
    phones: Phones, field_server: FieldServer, photo_file: Path
) -> None:
    snap = handled(field_server_cases(field_server), field_server.db)
    page = phones.open("inspector")
    open_task(page, snap.id)
    page.wait_for_selector("#verify-form")
    page.check("#verify-form input[value='pass']")
    page.set_input_files("#verify-form input[type=file]", str(photo_file))
    page.wait_for_selector("#verify-form .photo")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#task-detail .pill.state:has-text('待结案')")
    event = rows(
        field_server,
        "SELECT id, action FROM case_events WHERE case_id = :c ORDER BY id DESC LIMIT 1",
        c=snap.id,
    )[0]
    assert event.action == "verify_pass"
    photos = rows(
        field_server, "SELECT case_event_id FROM attachments WHERE case_id = :c", c=snap.id
    )
    assert [p.case_event_id for p in photos] == [event.id]


def test_inspector_confirms_a_report_check_on_site_with_a_photo(
    phones: Phones, field_server: FieldServer, photo_file: Path
) -> None:
    cases = field_server_cases(field_server)
    (inspector_id,) = rows(field_server, "SELECT id FROM users WHERE username = 'inspector'")[0]
    snap = reported(cases, field_server.db)
    # the duty chief asks this inspector to confirm the report on site (信息核实)
    snap = cases.act(
        CHIEF, snap.id, "request_report_check", snap.version, inspector_id=inspector_id
    )
    page = phones.open("inspector")
    page.wait_for_selector("#report-form", state="visible")
    assert page.is_hidden("#self-handle-card")  # 自行处置 is the grid staff's
    page.click(".tab[data-tab='tasks']")
    item = page.wait_for_selector(f".task-item[data-id='{snap.id}']")
    assert "待核实" in item.text_content()
    item.click()
    page.wait_for_selector("#report-check-form")
    page.check("#report-check-form input[value='reject']")
    page.click("#report-check-form button[type=submit]")  # 不属实 needs a note: not queued
    page.wait_for_selector("#toast:has-text('请填写说明')")
    checks = ("confirm_report", "reject_report")
    assert not [i for i in page.evaluate(OUTBOX_JS) if i["kind"] in checks]

    page.check("#report-check-form input[value='confirm']")
    page.fill("#report-check-note", "现场确有暴露垃圾")
    page.set_input_files("#report-check-photo", str(photo_file))
    page.wait_for_selector("#report-check-form .photo")
    page.click("#report-check-form button[type=submit]")
    page.wait_for_selector("#task-detail .pill.state:has-text('待立案')")
    state = rows(field_server, "SELECT state FROM cases WHERE id = :c", c=snap.id)[0].state
    assert state == "reported"
    event = rows(
        field_server,
        "SELECT id, action, note FROM case_events WHERE case_id = :c ORDER BY id DESC LIMIT 1",
        c=snap.id,
    )[0]
    assert (event.action, event.note) == ("confirm_report", "现场确有暴露垃圾")
    photos = rows(
        field_server, "SELECT case_event_id FROM attachments WHERE case_id = :c", c=snap.id
    )
    assert [p.case_event_id for p in photos] == [event.id]


def test_grid_manager_self_handles_and_the_duty_chief_rejects_it(
    phones: Phones, field_server: FieldServer, photo_file: Path, tmp_path: Path
) -> None:
    after_file = tmp_path / "after.png"
    after_file.write_bytes(png_bytes(320, 240, seed=7))
    # in its own grid: a grid's staff self-handles there only (the demo account's grid)
    _, (lon, lat) = grid_point(field_server.db, OWN)
    page = phones.open(
        "grid_manager", geolocation={"longitude": lon, "latitude": lat, "accuracy": 12}
    )
    page.wait_for_selector("#report-form", state="visible")
    assert page.is_hidden("#self-handle-card")  # until a category its duties list is chosen
    page.fill("#category-search", "暴露垃圾")
    page.click("#category-results button:has-text('暴露垃圾')")
    page.wait_for_selector("#self-handle-card", state="visible")
    assert page.is_hidden("#handling-note")
    page.set_input_files("#photo-input", str(photo_file))
    page.wait_for_selector("#photo-list .photo")
    page.wait_for_function(
        "() => document.getElementById('position-text').textContent.includes('12')"
    )
    description = f"路边散落垃圾 {uuid.uuid4().hex[:8]}"
    page.fill("#report-address", "北院门 150 号")
    page.fill("#report-description", description)
    page.check("#report-self-handle")
    page.wait_for_selector("#handling-note", state="visible")
    assert page.text_content("#report-submit") == "上报并提交自处置"
    page.click("#report-submit")  # no after-photo yet: not queued
    page.wait_for_selector("#toast:has-text('请拍处置后照片')")
    page.set_input_files("#after-photo-input", str(after_file))
    page.wait_for_selector("#after-photo-list .photo")
    page.fill("#handling-note", "已清扫装袋，送至收集点")

    # the first answer is lost on the way back: the resend (same key) gets it, no second case
    statuses: list[int] = []

    def lose_first_answer(route: Any) -> None:
        response = route.fetch()
        statuses.append(response.status)
        if len(statuses) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.context.route("**/api/v1/reports", lose_first_answer)
    page.click("#report-submit")
    page.wait_for_selector("#toast:has-text('上报并自行处置')")
    pump_until(page, lambda: len(statuses) == 1, "the first send")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # retry now, not after back-off
    page.wait_for_selector("#outbox-chip", state="hidden")
    assert statuses == [201, 200]
    assert [i["state"] for i in page.evaluate(OUTBOX_JS) if i["kind"] == "self_handle"] == ["sent"]

    found = rows(
        field_server,
        "SELECT id, number, source, state, version FROM cases WHERE description = :d",
        d=description,
    )
    assert len(found) == 1
    case_id, number, source, state, version = found[0]
    assert (source, state) == ("grid", "self_handled")
    events = rows(
        field_server,
        "SELECT id, action, note FROM case_events WHERE case_id = :c ORDER BY id",
        c=case_id,
    )
    assert [(e.action, e.note) for e in events] == [
        ("report", None),
        ("self_handle", "已清扫装袋，送至收集点"),
    ]
    photos = rows(
        field_server,
        "SELECT case_event_id, content_type FROM attachments WHERE case_id = :c ORDER BY id",
        c=case_id,
    )
    assert [p.case_event_id for p in photos] == [events[0].id, events[1].id]  # before, after
    assert {p.content_type for p in photos} == {"image/jpeg"}  # both shrunk on the phone

    page.click(".tab[data-tab='mine']")
    page.wait_for_selector(f".report-item[data-number='{number}'] .pill:has-text('自处置待审核')")
    # 自处置审核: the duty chief rejects it, back to 待立案 for the normal loop
    cases = field_server_cases(field_server)
    cases.act(CHIEF, case_id, "reject_self_handle", version, note="垃圾量大，转正常派遣")
    page.click("#screen-mine .section-head button:has-text('刷新')")
    page.wait_for_selector(f".report-item[data-number='{number}'] .pill:has-text('待立案')")
    state = rows(field_server, "SELECT state FROM cases WHERE id = :c", c=case_id)[0].state
    assert state == "reported"


def test_a_step_refused_because_the_case_moved_is_shown_not_dropped(
    phones: Phones, field_server: FieldServer
) -> None:
    cases = field_server_cases(field_server)
    snap = dispatched(cases, field_server.db)
    page = phones.open(HANDLER)
    open_task(page, snap.id)
    page.wait_for_selector("#feedback-form")
    # The server's detail shown (its timeline), not only the list's summary: drawn from the
    # summary first, the task took the note's new version when the detail came after the note
    # (a slow CI run), and the step went through.
    page.wait_for_selector("#task-detail .timeline li")
    cases.add_note(DISPATCHER, snap.id, snap.version, note="派遣员：请先联系物业")  # meanwhile

    page.fill("#feedback-note", "已处理")
    page.click("#feedback-form button[type=submit]")
    refused = page.wait_for_selector("#task-detail .outbox-item[data-state='refused']")
    message = refused.text_content()
    assert "案件当前状态：处置中" in message and "版本" in message  # the server's own words
    page.wait_for_selector("#outbox-chip:has-text('1 条被退回')")

    refused.query_selector("button:has-text('重试')").click()  # read it; send on the new state
    page.wait_for_selector("#outbox-chip", state="hidden")
    state = rows(field_server, "SELECT state FROM cases WHERE id = :c", c=snap.id)[0].state
    assert state == "handled"


# --------------------------------------------------------------------------- signed out


def test_a_token_revoked_mid_queue_asks_to_sign_in_again_and_the_queue_waits(
    phones: Phones, field_server: FieldServer, photo_file: Path
) -> None:
    from console.services.api_tokens import hash_secret
    from console.services.auth import sign_in as console_sign_in
    from console.services.cases.service import utc_now
    from console.services.demo import demo_accounts
    from console.services.user_admin import UserAdminDesk

    # a phone of its own (its own token: the session's other inspector phones keep theirs)
    page = phones.open()
    page.fill("#signin-device", "城管通-吊销测试")
    sign_in(page, "inspector")
    page.wait_for_selector("#report-form", state="visible")
    page.wait_for_function(HAS_CATEGORIES_JS)
    secret = page.evaluate("localStorage.getItem('grid.app.token')")
    (token_id,) = rows(
        field_server, "SELECT id FROM api_tokens WHERE token_hash = :h", h=hash_secret(secret)
    )[0]

    page.context.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').textContent === '离线'")
    page.fill("#category-search", "暴露垃圾")
    page.click("#category-results button:has-text('暴露垃圾')")
    page.set_input_files("#photo-input", str(photo_file))
    page.wait_for_selector("#photo-list .photo")
    page.wait_for_function(
        "() => document.getElementById('position-text').textContent.includes('12')"
    )
    description = f"井盖缺失 {uuid.uuid4().hex[:8]}"
    page.fill("#report-address", "北院门 120 号")
    page.fill("#report-description", description)
    page.click("#report-submit")
    page.wait_for_selector("#outbox-chip:has-text('待发送 1')")

    # meanwhile the administrator revokes this phone in the console (设备与令牌)
    admin = next(a for a in demo_accounts() if a.role == "admin")
    actor = console_sign_in(field_server.db, admin.username, admin.password, utc_now())
    UserAdminDesk(field_server.db, actor, utc_now).revoke_device_token(token_id)

    sends: list[int] = []
    page.on(
        "response",
        lambda r: sends.append(r.status) if r.url.endswith("/api/v1/reports") else None,
    )
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # send now, not after back-off
    # back online: the report is refused (401) and the person is asked to sign in again
    page.wait_for_selector("#signin-form", state="visible")
    assert page.text_content("#signin-error") == "登录已失效，请重新登录。待发送的内容会保留。"
    assert page.input_value("#signin-username") == "inspector"  # the same person, named
    assert page.is_hidden("#tabs")
    assert page.evaluate("localStorage.getItem('grid.app.token')") is None
    # the queued report waits, unsent, in 待发送
    page.wait_for_selector("#outbox-chip:has-text('待发送 1')")
    (waiting,) = page.evaluate(OUTBOX_JS)
    assert (waiting["kind"], waiting["state"], waiting["status"]) == ("report", "queued", 401)
    assert rows(field_server, "SELECT id FROM cases WHERE description = :d", d=description) == []
    page.wait_for_timeout(2500)  # the sender's next turn (≥ 2 s) sends nothing without a token
    assert sends == [401]
    assert page.evaluate(OUTBOX_JS)[0]["state"] == "queued"

    # signing in again as the same person sends it: exactly one case, with its photo
    page.fill("#signin-password", "jiandu-2026")
    page.click("#signin-submit")
    page.wait_for_selector("#tabs", state="visible")
    page.wait_for_selector("#outbox-chip", state="hidden")
    assert [i["state"] for i in page.evaluate(OUTBOX_JS)] == ["sent"]
    assert sends == [401, 201]
    assert page.evaluate("localStorage.getItem('grid.app.token')") not in (None, secret)
    found = rows(
        field_server,
        "SELECT c.id, c.source, c.state, u.username FROM cases c "
        "JOIN case_events e ON e.case_id = c.id AND e.action = 'report' "
        "JOIN users u ON u.id = e.actor_id WHERE c.description = :d",
        d=description,
    )
    assert [(f.source, f.state, f.username) for f in found] == [
        ("inspector", "reported", "inspector")
    ]
    photos = rows(field_server, "SELECT id FROM attachments WHERE case_id = :c", c=found[0].id)
    assert len(photos) == 1
    revoked = rows(field_server, "SELECT revoked_at FROM api_tokens WHERE id = :i", i=token_id)
    assert revoked[0].revoked_at is not None


def field_server_cases(server: FieldServer) -> Any:
    from console.services.cases.service import CaseService

    return CaseService(server.db)
