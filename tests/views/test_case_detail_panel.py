"""The case detail panel on stand-in records (attribute access only, no services, no database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from console.views.case_detail_panel import CaseDetailPanel
from console.views.formatting import local_time_text, remaining_text
from console.views.i18n import set_language, use_english
from tests.views.detail_support import HOSTILE, field, make_detail, option


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture
def panel(qtbot: Any) -> CaseDetailPanel:
    widget = CaseDetailPanel()
    qtbot.addWidget(widget)
    return widget


# -- pure formatting -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (2 * 3600 + 15 * 60 + 59, "剩余 2小时15分", "2 h 15 min left"),
        (3600, "剩余 1小时", "1 h left"),
        (45 * 60, "剩余 45分", "45 min left"),
        (30, "剩余 不足1分", "<1 min left"),
        (37 * 3600 + 5 * 60, "剩余 37小时5分", "37 h 5 min left"),  # working hours, no days
        (0, "超期 不足1分", "<1 min overdue"),
        (-3600, "超期 1小时", "1 h overdue"),
        (-3659, "超期 1小时", "1 h overdue"),
        (-(3600 + 5 * 60), "超期 1小时5分", "1 h 5 min overdue"),
        (-(3 * 3600), "超期 3小时", "3 h overdue"),
    ],
)
def test_remaining_text(seconds: float, zh: str, en: str) -> None:
    assert remaining_text(seconds) == zh
    assert remaining_text(seconds, english=True) == en


def test_remaining_text_none_and_language_flag() -> None:
    assert remaining_text(None) == ""
    set_language("en_US")
    assert use_english()
    assert remaining_text(-3600) == "1 h overdue"


def test_local_time_is_shanghai() -> None:
    assert local_time_text(datetime(2026, 11, 23, 16, 30, tzinfo=UTC)) == "2026-11-24 00:30"
    assert local_time_text(None) == "—"


# -- the panel -------------------------------------------------------------------------


def test_starts_empty_and_clear_returns_there(panel: CaseDetailPanel) -> None:
    assert panel.stack.currentIndex() == 0
    panel.show_detail(make_detail())
    assert panel.stack.currentIndex() == 1
    assert panel.current_case_id == 42
    panel.clear()
    assert panel.stack.currentIndex() == 0
    assert panel.current_case_id is None
    assert panel.action_buttons == {}


def test_shows_every_field(panel: CaseDetailPanel) -> None:
    panel.show_detail(make_detail())
    assert panel.number_label.text() == "E0102202611230001"
    assert panel.state_chip.text() == "处置中"
    assert panel.light_chip.text() == "剩余 2小时15分"
    assert panel.light_chip.property("light") == "green"
    assert not panel.urgent_badge.isHidden()
    assert field(panel, "category") == "市容环境 › 暴露垃圾 (0102)"
    assert field(panel, "street") == "青年路街道"
    # A local extension class, or an older code filed under its successor, says so.
    panel.show_detail(make_detail(category_note="原报 CJ/T 214 0102"))
    assert field(panel, "category") == "市容环境 › 暴露垃圾 (0102) · 原报 CJ/T 214 0102"
    panel.show_detail(make_detail())
    assert field(panel, "area") == "青年路第一片区"
    assert field(panel, "unit") == "北院门社区"
    assert field(panel, "grid") == "610104001001001 北院门第1网格"
    assert field(panel, "department") == "市容局"
    assert field(panel, "limit") == "4工作时"
    assert field(panel, "rule_condition") == "发现暴露垃圾"
    assert field(panel, "closing_condition") == "垃圾清除干净"
    assert field(panel, "reported_at") == "2026-11-23 09:00"
    assert field(panel, "registered_at") == "2026-11-23 09:30"
    assert field(panel, "dispatched_at") == "2026-11-23 10:00"
    assert field(panel, "deadline_at") == "2026-11-23 16:00"
    assert field(panel, "handled_at") == "—"
    assert field(panel, "rework") == "1 / 0"


def test_overdue_red_and_no_clock_grey(panel: CaseDetailPanel) -> None:
    detail = make_detail(remaining_seconds=-3600)
    detail.snapshot.light = "red"
    detail.snapshot.urgent = False
    panel.show_detail(detail)
    assert panel.light_chip.text() == "超期 1小时"
    assert panel.light_chip.property("light") == "red"
    assert panel.urgent_badge.isHidden()

    detail = make_detail(remaining_seconds=None)
    detail.snapshot.light = None
    detail.snapshot.state = "reported"
    panel.show_detail(detail)
    assert panel.light_chip.property("light") == "none"
    assert panel.state_chip.text() == "待立案"


def test_a_closed_case_gets_a_neutral_badge(panel: CaseDetailPanel) -> None:
    """Regression: 未计时 on red after closing a case that had been overdue."""
    detail = make_detail(remaining_seconds=None)
    detail.snapshot.light = "red"
    detail.snapshot.state = "closed"
    panel.show_detail(detail)
    assert panel.light_chip.property("light") == "none"
    assert panel.light_chip.text() in ("Finished", "已办结")


def test_a_handled_case_says_how_the_handling_went(panel: CaseDetailPanel) -> None:
    """Regression (seen in a shift under Xvfb): 未计时 on green after 处置反馈. The light
    the queue shows for a handled case (feedback against the deadline) is put in words."""
    for light, words in (
        ("green", ("Handled in time", "按时处置")),
        ("yellow", ("Handled near the deadline", "临期处置")),
        ("red", ("Handled late", "超期处置")),
    ):
        detail = make_detail(remaining_seconds=None)
        detail.snapshot.light = light
        detail.snapshot.state = "handled"
        panel.show_detail(detail)
        assert panel.light_chip.property("light") == light
        assert panel.light_chip.text() in words


def test_untrusted_text_is_shown_verbatim_as_plain_text(panel: CaseDetailPanel) -> None:
    panel.show_detail(make_detail())
    description = panel.findChild(QPlainTextEdit, "descriptionView")
    assert description.isReadOnly()
    assert description.toPlainText() == HOSTILE
    address = panel.findChild(QLabel, "field_address")
    assert address.textFormat() == Qt.TextFormat.PlainText
    assert address.text() == "青年路12号 <i>北门</i>"
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText or not QtGuiNamespace.mightBeRichText(
            label.text()
        ), label.objectName()
    panel.show_notice(f"此案件刚被 {HOSTILE} 修改")
    assert panel.notice_label.textFormat() == Qt.TextFormat.PlainText
    assert panel.notice_label.text() == f"此案件刚被 {HOSTILE} 修改"


def test_timeline_newest_first_with_labels(panel: CaseDetailPanel) -> None:
    panel.show_detail(make_detail())
    tree = panel.timeline
    assert tree.topLevelItemCount() == 3
    newest = tree.topLevelItem(0)
    assert [newest.text(c) for c in range(5)] == [
        "2026-11-23 10:00",
        "派遣",
        "赵派遣（派遣员 · 市容局）",
        "待派遣 → 处置中",
        "请尽快 <b>处理</b> 第二行",
    ]
    oldest = tree.topLevelItem(2)
    assert oldest.text(1) == "上报"
    assert oldest.text(3) == "→ 待立案"
    tree.setCurrentItem(newest)
    assert panel.timeline_note.toPlainText() == "请尽快 <b>处理</b>\n第二行"


def test_only_listed_actions_get_buttons(panel: CaseDetailPanel) -> None:
    panel.show_detail(make_detail())
    assert set(panel.action_buttons) == {
        "request_extension",
        "feedback",
        "approve_extension",
        "dispatch",
    }
    names = {b.objectName() for b in panel.findChildren(QPushButton) if b.objectName()}
    assert "action_verify_pass" not in names
    assert panel.action_buttons["approve_extension"].text() == "批准延期"
    assert panel.action_buttons["feedback"].text() == "处置反馈…"

    panel.show_detail(make_detail(actions=(option("close", "结案", "Close"),)))
    assert list(panel.action_buttons) == ["close"]
    panel.show_detail(make_detail(actions=()))
    assert panel.action_buttons == {}
    assert panel.action_bar.isHidden()


def test_english_labels(panel: CaseDetailPanel) -> None:
    set_language("en")
    panel.show_detail(make_detail())
    assert panel.action_buttons["approve_extension"].text() == "Approve extension"
    assert panel.state_chip.text() == "Dispatched"
    assert panel.light_chip.text() == "2 h 15 min left"
    assert panel.timeline.topLevelItem(0).text(1) == "Dispatch"


def test_plain_action_emits_action_requested(panel: CaseDetailPanel, qtbot: Any) -> None:
    panel.show_detail(make_detail())
    with qtbot.waitSignal(panel.action_requested, timeout=1000) as blocker:
        qtbot.mouseClick(panel.action_buttons["approve_extension"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["approve_extension", 42, 7]


def test_dispatch_and_locate(panel: CaseDetailPanel, qtbot: Any) -> None:
    panel.show_detail(make_detail())
    with qtbot.waitSignal(panel.dispatch_requested, timeout=1000) as blocker:
        panel.action_buttons["dispatch"].click()
    assert blocker.args == [[42]]
    with qtbot.waitSignal(panel.locate_requested, timeout=1000) as blocker:
        panel.locate_button.click()
    assert blocker.args == [42]


def test_notice_banner(panel: CaseDetailPanel) -> None:
    panel.show_detail(make_detail())
    assert panel.notice.isHidden()
    panel.show_notice("此案件刚被 张三 修改")
    assert not panel.notice.isHidden()
    assert panel.notice_label.text() == "此案件刚被 张三 修改"
    panel.show_detail(make_detail())  # a reload hides it; the caller shows it again
    assert panel.notice.isHidden()
    panel.show_notice("again")
    panel.clear()
    assert panel.notice.isHidden()


def test_following_shows_loading_then_the_case_never_the_previous_one(
    panel: CaseDetailPanel, qtbot: Any, demo_db: Any, clock: Any
) -> None:
    """A new current case empties the panel at once (no button of the previous case stays
    clickable); its detail fills it; a case that cannot be read says so."""
    from console.bridge import Bridge
    from console.services.cases.service import CaseService
    from console.services.workbench import Workbench
    from console.views.current_case import CurrentCase
    from tests.services.console_support import INTAKE, report_input, street_points

    service = CaseService(demo_db, clock=clock)
    points = street_points(demo_db)
    first = service.report(INTAKE, report_input(points[0][2], description="甲"))
    second = service.report(INTAKE, report_input(points[1][2], description="乙"))
    bridge = Bridge()
    try:
        current = CurrentCase(bridge, Workbench(demo_db, username="duty_chief", clock=clock).detail)
        panel.follow(current)
        with qtbot.waitSignal(current.loaded, timeout=10_000):
            current.set(first.id)
        assert panel.number_label.text() == first.number and panel.action_buttons

        with qtbot.waitSignal(current.loaded, timeout=10_000):
            current.set(second.id)
            assert panel.current_case_id is None and not panel.action_buttons
            assert panel.stack.currentIndex() == 0
            assert panel.empty_label.text() == panel.tr("Loading the case…")
        assert panel.current_case_id == second.id and panel.number_label.text() == second.number

        with qtbot.waitSignal(current.load_failed, timeout=10_000):
            current.set(10**9)
        assert panel.current_case_id is None and current.target() is None
        assert panel.stack.currentIndex() == 0
        assert panel.empty_label.text() not in ("", panel.tr("Loading the case…"))
    finally:
        bridge.shutdown()
