"""The report form's 对应部件 (issue 17) in Debian's Chromium at phone size, against a real
`grid-console serve`: a 部件 category at a point lists the register's objects nearby (nearest
first, in metres), the pick goes with the report as component_id; “不在部件库中” files without;
an object the server refuses is said beside the list, nothing filed; offline the report goes
without an object and says so; a hostile name is text."""

from __future__ import annotations

import math
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import insert, update

from console.models import Component
from tests.field.conftest import CHROMIUM, HERE, NO_CHROMIUM, FieldServer, Phones
from tests.field.test_field_app import HAS_CATEGORIES_JS, OUTBOX_JS, rows
from tests.models.test_components import _row

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

DEG_PER_M = 1 / 111_195
#: 200 m north of the other field tests' position (same grid area of 北院门街道), so their
#: reports never meet these objects.
SPOT = {"longitude": HERE["longitude"], "latitude": HERE["latitude"] + 200 * DEG_PER_M}
HOSTILE = "<img src=x onerror=alert(1)>"


def at(metres_east: float, metres_north: float = 0.0) -> tuple[float, float]:
    lat = SPOT["latitude"] + metres_north * DEG_PER_M
    east = metres_east * DEG_PER_M / math.cos(math.radians(SPOT["latitude"]))
    return SPOT["longitude"] + east, lat


def add(server: FieldServer, point: tuple[float, float], **over: object) -> int:
    """A register object (01001 供水井盖 unless ``over`` says) at ``point``, a fresh serial."""
    serial = uuid.uuid4().int % 1_000_000
    row = _row(server.db, f"61010401001{serial:06d}") | {"lon": point[0], "lat": point[1]}
    row |= over
    with server.db.session() as s:
        return int(s.execute(insert(Component).returning(Component.id), [row]).scalar_one())


def open_form(phones: Phones, *, offline: bool = False) -> Any:
    page = phones.open("inspector", geolocation={**SPOT, "accuracy": 5})
    page.wait_for_selector("#report-form", state="visible")
    page.wait_for_function(HAS_CATEGORIES_JS)
    if offline:
        page.context.set_offline(True)
        page.wait_for_function("() => document.getElementById('net').textContent === '离线'")
    page.wait_for_function("() => document.getElementById('grid-text').textContent")
    page.fill("#category-search", "01001")
    page.locator("#category-results button", has_text="01001 · 部件").click()
    assert page.text_content("#category-chosen") == "供水井盖"
    page.wait_for_selector("#component-card", state="visible")
    return page


def listed(page: Any) -> list[str]:
    """The list's items as shown: 'name|distance' (the last is “不在部件库中”)."""
    page.wait_for_selector("#component-card[data-state='ready'] #component-list li")
    return [
        f"{b.query_selector('.name').text_content()}|"
        f"{(b.query_selector('.distance') or b.query_selector('.name')).text_content()}"
        for b in page.query_selector_all("#component-list .component-item")
    ]


def fill_and_submit(page: Any, description: str) -> None:
    page.fill("#report-address", "北院门 160 号门前")
    page.fill("#report-description", description)
    page.click("#report-submit")


def case_of(server: FieldServer, description: str) -> list[Any]:
    return rows(server, "SELECT id, component_id FROM cases WHERE description = :d", d=description)


def filed(page: Any, server: FieldServer, description: str) -> list[Any]:
    """The case the report made, once the outbox has sent it (15 s at most)."""
    deadline = time.monotonic() + 15
    while not (found := case_of(server, description)):
        assert time.monotonic() < deadline, f"no case for {description!r}"
        page.wait_for_timeout(100)
    return found


def test_the_picked_object_goes_with_the_report(phones: Phones, field_server: FieldServer) -> None:
    near = add(field_server, at(6), address=f"<b>{HOSTILE}</b>")
    second = add(field_server, at(0, 18), name=HOSTILE, status="damaged")
    add(field_server, at(0, 45))  # beyond 30 m
    add(field_server, at(3), category_code="01002", identifier="610104010020" + "99999")
    page = open_form(phones)
    assert listed(page) == ["供水井盖|6 米", f"{HOSTILE}|18 米", "不在部件库中|不在部件库中"]
    # the register's text is text: no element was made of it
    assert page.query_selector_all("#component-list img, #component-list b") == []
    assert HOSTILE in page.text_content(f"#component-list [data-id='{near}']")
    assert "损坏" in page.text_content(f"#component-list [data-id='{second}']")

    description = f"井盖破损下陷 {uuid.uuid4().hex[:8]}"
    fill_and_submit(page, description)  # nothing chosen yet: asked to choose, nothing queued
    page.wait_for_selector("#toast:has-text('不在部件库中')")
    assert page.evaluate(OUTBOX_JS) == []

    page.click(f"#component-list [data-id='{second}']")
    assert page.get_attribute(f"#component-list [data-id='{second}']", "aria-checked") == "true"
    page.click("#report-submit")
    page.wait_for_selector("#toast:has-text('已上报')")
    assert [c.component_id for c in filed(page, field_server, description)] == [second]
    assert page.is_hidden("#component-card")  # the form is blank again


def test_not_in_the_register_files_without_an_object(
    phones: Phones, field_server: FieldServer
) -> None:
    add(field_server, at(-4))
    page = open_form(phones)
    assert listed(page)[-1] == "不在部件库中|不在部件库中"
    page.click("#component-list [data-id='none']")
    description = f"井盖缺失 {uuid.uuid4().hex[:8]}"
    fill_and_submit(page, description)
    assert [c.component_id for c in filed(page, field_server, description)] == [None]


def test_an_object_the_server_refuses_is_said_beside_the_list(
    phones: Phones, field_server: FieldServer
) -> None:
    moved = add(field_server, at(10))
    page = open_form(phones)
    page.click(f"#component-list [data-id='{moved}']")
    # meanwhile the register moves it 60 m off (a re-import): the server checks again
    with field_server.db.session() as s:
        lon, lat = at(10, 60)
        s.execute(update(Component).where(Component.id == moved).values(lon=lon, lat=lat))
    description = f"井盖松动 {uuid.uuid4().hex[:8]}"
    fill_and_submit(page, description)
    error = page.wait_for_selector("#component-error", state="visible")
    assert "超出 30 米" in error.text_content() and "不在部件库中" in error.text_content()
    assert case_of(field_server, description) == []
    page.wait_for_function("() => document.getElementById('outbox-chip').hidden")
    assert page.evaluate(OUTBOX_JS) == []  # the refused record is dropped: the form has it
    assert page.input_value("#report-description") == description  # still filled in

    page.click("#component-list [data-id='none']")  # then filed without it
    assert page.is_hidden("#component-error")
    page.click("#report-submit")
    assert [c.component_id for c in filed(page, field_server, description)] == [None]


def test_offline_the_report_goes_without_an_object_and_says_so(
    phones: Phones, field_server: FieldServer
) -> None:
    add(field_server, at(2))
    page = open_form(phones, offline=True)
    page.wait_for_selector("#component-card[data-state='offline']")
    assert page.text_content("#component-note") == "离线：无法查询附近的部件，本次上报不关联部件"
    assert page.is_hidden("#component-list")
    description = f"井盖异响 {uuid.uuid4().hex[:8]}"
    fill_and_submit(page, description)
    page.wait_for_selector("#outbox-chip:has-text('待发送 1')")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert [c.component_id for c in filed(page, field_server, description)] == [None]


def test_a_pick_queued_offline_and_refused_later_can_go_without_it(
    phones: Phones, field_server: FieldServer
) -> None:
    moved = add(field_server, at(-8, 5))
    page = open_form(phones)
    page.click(f"#component-list [data-id='{moved}']")
    page.context.set_offline(True)  # the list was had; the report is queued with the pick
    page.wait_for_function("() => document.getElementById('net').textContent === '离线'")
    description = f"井盖被占压 {uuid.uuid4().hex[:8]}"
    fill_and_submit(page, description)
    page.wait_for_selector("#outbox-chip:has-text('待发送 1')")
    with field_server.db.session() as s:  # meanwhile the register moves it 80 m off
        lon, lat = at(-8, 85)
        s.execute(update(Component).where(Component.id == moved).values(lon=lon, lat=lat))
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#outbox-chip:has-text('1 条被退回')")
    assert case_of(field_server, description) == []
    page.click(".tab[data-tab='mine']")
    item = page.wait_for_selector(".outbox-item[data-state='refused']")
    assert "超出 30 米" in item.text_content()
    page.click(".outbox-item[data-state='refused'] .retry-without-component")
    assert [c.component_id for c in filed(page, field_server, description)] == [None]
    page.wait_for_selector("#outbox-chip", state="hidden")
