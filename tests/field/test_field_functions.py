"""The field app in Chromium (#16 §3): the category search shows each category's function of
grid work, and offers a person the functions the role covers (a 网格管理员 all five, a 监督员
城市管理) — from the real gateway's categories endpoint."""

from __future__ import annotations

from tests.field.conftest import Phones


def test_the_search_shows_the_function_and_offers_the_roles_functions(phones: Phones) -> None:
    page = phones.open("grid_manager")
    page.wait_for_selector("#report-form", state="visible")
    page.fill("#category-search", "矛盾")
    page.wait_for_selector("#category-results button:has-text('矛盾纠纷')")
    meta = page.text_content("#category-results button:has-text('矛盾纠纷') .meta")
    assert meta == "14001 · 事件 · 安全稳定"
    page.click("#category-results button:has-text('矛盾纠纷')")
    assert page.text_content("#category-chosen") == "矛盾纠纷"
    assert page.text_content("#category-chosen-meta") == "14001 · 事件 · 安全稳定"

    inspector = phones.open("inspector")
    inspector.wait_for_selector("#report-form", state="visible")
    inspector.fill("#category-search", "矛盾纠纷")
    inspector.wait_for_selector("#category-results li.empty")
    inspector.fill("#category-search", "bllj")
    inspector.wait_for_selector("#category-results button:has-text('暴露垃圾')")
    meta = inspector.text_content("#category-results button:has-text('暴露垃圾') .meta")
    assert meta is not None and meta.endswith(" · 城市管理")
