"""一格七员 in the field app, in Chromium (#16 §4): a 环卫保洁员 signs in with its own account and
is offered 自行处置 for the categories its duties list (resources/org/grid_staff_duties.csv), as
the real gateway's categories endpoint marks them — not for a street-order matter."""

from __future__ import annotations

from typing import Any

from tests.field.conftest import Phones


def choose(page: Any, name: str) -> None:
    page.fill("#category-search", name)
    page.click(f"#category-results button:has-text('{name}')")
    page.wait_for_selector(f"#category-chosen:has-text('{name}')")


def test_a_sanitation_worker_is_offered_self_handling_for_its_duties_only(
    phones: Phones,
) -> None:
    page = phones.open("sanitation_worker")
    page.wait_for_selector("#report-form", state="visible")
    assert page.is_hidden("#self-handle-card")  # no category yet

    choose(page, "占道经营")  # street order: the enforcement officer's
    assert page.is_hidden("#self-handle-card")

    page.click(".chosen button")  # 更换
    choose(page, "暴露垃圾")
    page.wait_for_selector("#self-handle-card", state="visible")
    page.check("#report-self-handle")
    page.wait_for_selector("#handling-note", state="visible")
    assert page.text_content("#report-submit") == "上报并提交自处置"

    page.click(".chosen button")  # another category: the switch goes, and is off
    choose(page, "店外经营")  # 门前三包: the frontage inspector's
    assert page.is_hidden("#self-handle-card")
    assert not page.is_checked("#report-self-handle")
    assert page.text_content("#report-submit") == "提交上报"
