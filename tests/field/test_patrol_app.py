"""The app's patrol screen (巡查) in Debian's Chromium at 390×844 against a real `grid-console
serve`: the emulated position walks a known path across three grids, part of it offline (with
a reload while offline), a batch's answer is lost and the batch sent again, and the server's
coverage of the patrol is the one worked out independently with shapely; a batch outside the
district is refused and shown with the server's message; a patrol open on the server that the
phone does not know is offered, not taken silently.

The app samples every 10 s; these tests set the documented hook (localStorage
``grid.app.patrolIntervalMs``) to sample every 0.8 s, and walk 12 m a step (≤ 15 m/s, well
under the server's 30 m/s check whatever the timers' jitter).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import pytest

from console.services.api_tokens import ApiTokenService
from tests.field.conftest import CHROMIUM, NO_CHROMIUM, FieldServer, Phones
from tests.field.patrol_path import EAST_GRIDS, east_walk, expected_coverage, grid_codes
from tests.field.test_field_app import controlled, pump_until, rows

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

INTERVAL_MS = 800
STEP_M = 12.0
#: The outbox's patrol records as the page's IndexedDB holds them.
PATROL_OUTBOX_JS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("grid-app");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result.filter((i) => i.chain).map(
      (i) => ({key: i.key, kind: i.kind, state: i.state, status: i.status, message: i.message,
               points: i.json && i.json.points ? i.json.points.length : 0})));
  };
})"""


def start_patrol(page: Any, where: tuple[float, float]) -> int:
    """Open the 巡查 tab (sampling sped up by the hook) and start; the patrol's number."""
    page.on("dialog", lambda dialog: dialog.accept())  # 结束本次巡查？
    page.evaluate(f"localStorage.setItem('grid.app.patrolIntervalMs', '{INTERVAL_MS}')")
    move(page, where)
    page.click(".tab[data-tab='patrol']")
    page.click("#patrol-start")
    page.wait_for_selector("#screen-patrol[data-phase='on']")
    return int(page.get_attribute("#screen-patrol", "data-patrol") or 0)


def move(page: Any, where: tuple[float, float]) -> None:
    page.context.set_geolocation({"longitude": where[0], "latitude": where[1], "accuracy": 8})


def recorded_at(page: Any, where: tuple[float, float]) -> None:
    """Wait until the app has recorded a point at ``where``."""
    try:
        page.wait_for_function(
            "(last) => document.getElementById('screen-patrol').dataset.last === last",
            arg=f"{where[0]:.6f},{where[1]:.6f}",
            timeout=15000,
        )
    except Exception as exc:
        state = page.evaluate("() => ({...document.getElementById('screen-patrol').dataset})")
        raise AssertionError(f"no point recorded at {where}; the screen: {state}") from exc


def walk(page: Any, points: list[tuple[float, float]]) -> None:
    for where in points:
        move(page, where)
        recorded_at(page, where)


def stored_points(server: FieldServer, patrol_id: int) -> list[Any]:
    return rows(
        server,
        "SELECT seq, lon, lat, device_time, accuracy FROM patrol_points "
        "WHERE patrol_id = :p ORDER BY seq",
        p=patrol_id,
    )


def test_a_patrol_walked_partly_offline_is_stored_once_and_covers_the_grids_walked(
    phones: Phones, field_server: FieldServer
) -> None:
    page = phones.open("inspector", permissions=["geolocation", "screen-wake-lock"])
    page.wait_for_selector("#report-form", state="visible")
    controlled(page)  # the shell is cached: the reload below works offline
    assert page.locator(".tab[data-tab='patrol']").is_visible()
    path = east_walk(steps=39, step_m=STEP_M)  # 468 m east across three grids
    patrol_id = start_patrol(page, path[0])
    page.wait_for_selector("#patrol-wake.on:has-text('屏幕常亮已开启')")
    recorded_at(page, path[0])

    walk(page, path[1:10])
    page.wait_for_function("() => document.getElementById('screen-patrol').dataset.waiting === '0'")
    online_before = len(stored_points(field_server, patrol_id))
    assert online_before >= 6  # a batch of 6 went while online

    # Offline for a stretch, with a reload in the middle: nothing reaches the server, the
    # patrol goes on from the device's own store.
    page.context.set_offline(True)
    page.wait_for_function("() => document.getElementById('net').textContent === '离线'")
    walk(page, path[10:18])
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("#screen-patrol[data-phase='on']")  # the open patrol survived
    walk(page, path[18:26])
    assert (
        page.evaluate("() => Number(document.getElementById('screen-patrol').dataset.waiting)") >= 2
    )  # batches queued on the device
    assert len(stored_points(field_server, patrol_id)) == online_before
    assert "待上传" in page.text_content("#patrol-upload")

    # Back online: the first batch's answer is lost on the way back (stored, never heard);
    # the outbox sends it again under the same key, and the server answers as before.
    sent: list[tuple[str, int]] = []

    def lose_first_answer(route: Any) -> None:
        answer = route.fetch()
        sent.append((route.request.headers["idempotency-key"], answer.status))
        if len(sent) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=answer)

    page.context.route("**/api/v1/patrols/*/points", lose_first_answer)
    page.context.set_offline(False)
    pump_until(page, lambda: len(sent) >= 1, "the first batch after the network came back")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # retry now, not after back-off
    walk(page, path[26:])
    page.click("#patrol-end")
    page.wait_for_selector("#screen-patrol[data-phase='done']", timeout=30000)
    page.wait_for_selector("#coverage-list")

    # Every point the phone recorded arrived once: the lost batch's resend was a replay.
    recorded = int(page.get_attribute("#screen-patrol", "data-recorded") or 0)
    stored = stored_points(field_server, patrol_id)
    assert len(stored) == recorded >= len(path)
    assert [p.seq for p in stored] == list(range(len(stored)))
    assert len({p.device_time for p in stored}) == len(stored)
    lost_key = sent[0][0]
    assert [status for key, status in sent if key == lost_key] == [201, 200]
    assert Counter(key for key, _ in sent)[lost_key] == 2
    outbox = page.evaluate(PATROL_OUTBOX_JS)
    assert {i["state"] for i in outbox} == {"sent"}
    batch_keys = {i["key"] for i in outbox if i["kind"] == "patrol_points"}
    assert sum(i["points"] for i in outbox if i["kind"] == "patrol_points") == recorded
    stored_keys = rows(
        field_server, "SELECT idempotency_key FROM patrol_batches WHERE patrol_id = :p", p=patrol_id
    )
    assert sorted(k for (k,) in stored_keys) == sorted(batch_keys)  # one row per batch

    # The server's coverage is the one worked out with shapely on the stored points, and the
    # grids are the three the path crosses; the page shows it.
    token = page.evaluate("localStorage.getItem('grid.app.token')")
    coverage = httpx.get(
        f"{field_server.url}/api/v1/patrols/{patrol_id}/coverage",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    expected = expected_coverage(field_server.db, [(p.lon, p.lat) for p in stored])
    assert set(expected) == set(grid_codes(field_server.db, EAST_GRIDS).values())
    got = {g["code"]: g["length_m"] for g in coverage["grids"]}
    assert set(got) == set(expected)
    for code, metres in expected.items():
        assert abs(got[code] - metres) < 1.0, (code, got[code], metres)
    assert coverage["ended_at"] is not None
    assert abs(coverage["distance_m"] - STEP_M * (len(path) - 1)) < 1.0
    assert page.text_content("#result-grids") == "3"
    shown = page.eval_on_selector_all("#coverage-list li", "(li) => li.map((x) => x.dataset.code)")
    assert shown == [g["code"] for g in coverage["grids"]]


def test_a_batch_outside_the_district_is_shown_refused_and_the_patrol_goes_on(
    phones: Phones, field_server: FieldServer
) -> None:
    page = phones.open("grid_manager")
    page.wait_for_selector("#tabs", state="visible")
    outside = (108.70, 34.27)  # west of 莲湖区
    patrol_id = start_patrol(page, outside)
    # no wake lock granted to this browser: said plainly, not hidden
    page.wait_for_selector("#patrol-wake.failed:has-text('无法保持屏幕常亮')")
    card = page.wait_for_selector("#patrol-queue .outbox-item[data-state='refused']")
    message = card.text_content() or ""
    # the point outside is named by its index in the batch (0, or 1 when the watch's first fix
    # was still the phone's earlier position inside the district) and its coordinates
    assert re.search(r"第 [01] 个轨迹点 \(108\.700000, 34\.270000\) 不在本区范围内", message), (
        message
    )
    assert stored_points(field_server, patrol_id) == []

    inside = east_walk(steps=3, step_m=STEP_M)
    walk(page, inside)
    page.click("#patrol-end")
    page.wait_for_selector("#screen-patrol[data-phase='done']", timeout=30000)
    stored = stored_points(field_server, patrol_id)
    assert stored and all(abs(p.lon - outside[0]) > 0.1 for p in stored)
    # the refused batches (the one above, and any later one still holding a point outside)
    # stay on the device, each with the server's message, until deleted
    refused = page.locator("#patrol-queue .outbox-item[data-state='refused'] .message")
    assert refused.count() >= 1
    assert all("不在本区范围内" in m for m in refused.all_text_contents())
    assert page.text_content("#result-grids") == "1"


def test_a_patrol_open_on_the_server_is_offered_to_carry_on_not_taken_silently(
    phones: Phones, field_server: FieldServer
) -> None:
    # started on another phone (or this one's storage was cleared)
    secret = ApiTokenService(field_server.db).create("inspector", "另一部手机").secret
    auth = {"Authorization": f"Bearer {secret}"}
    started = httpx.post(f"{field_server.url}/api/v1/patrols", headers=auth)
    assert started.status_code == 201, started.text
    patrol_id = started.json()["id"]

    page = phones.open("inspector")
    page.wait_for_selector("#tabs", state="visible")
    page.click(".tab[data-tab='patrol']")
    offer = page.wait_for_selector("#patrol-orphan", state="visible")
    assert f"编号 {patrol_id}" in (offer.text_content() or "")
    assert page.get_attribute("#screen-patrol", "data-phase") == "idle"  # nothing recorded yet
    assert not page.locator("#patrol-start").is_visible()
    page.evaluate(f"localStorage.setItem('grid.app.patrolIntervalMs', '{INTERVAL_MS}')")
    page.click("#patrol-adopt")
    page.wait_for_selector("#screen-patrol[data-phase='on']")
    assert page.get_attribute("#screen-patrol", "data-patrol") == str(patrol_id)

    page.on("dialog", lambda dialog: dialog.accept())
    walk(page, east_walk(steps=2, step_m=STEP_M))
    page.click("#patrol-end")
    page.wait_for_selector("#screen-patrol[data-phase='done']", timeout=30000)
    assert len(stored_points(field_server, patrol_id)) >= 3
