"""The alerts dock: one row per case by level, dedupe, colours, plain text, acknowledge (all
asks first), disabled buttons with reasons, and the open-case signal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QDialogButtonBox

from console.services.supervision import AlertRecord
from console.views.alerts_panel import LEVEL_COLOURS, AlertsModel, AlertsPanel
from console.views.theme import theme_palette

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
LABELS = {
    "warning": ("黄灯预警", "Warning"),
    "overdue": ("超期", "Overdue"),
    "supervise_1": ("一级督办", "Supervision 1"),
    "supervise_2": ("二级督办", "Supervision 2"),
    "supervise_3": ("三级督办", "Supervision 3"),
}
COL = {name: i for i, name in enumerate(AlertsModel.COLUMNS)}
LEFT = Qt.MouseButton.LeftButton


# The real record the service returns; the panel reads only its attributes.
Rec = AlertRecord


def rec(alert_id: int, level: str = "overdue", minutes: int = 0, **kw: Any) -> Rec:
    zh, en = LABELS[level]
    values: dict[str, Any] = {
        "id": alert_id,
        "case_id": 100 + alert_id,
        "case_number": f"E010220261127{alert_id:04d}",
        "level": level,
        "level_label_zh": zh,
        "level_label_en": en,
        "due_at": T0 - timedelta(hours=1),
        "raised_at": T0 + timedelta(minutes=minutes),
        "message": f"案件 {alert_id} 已超期",
        "recipient_kind": "department",
        "recipient_name": "区城管局",
        "acknowledged_by_name": None,
        "acknowledged_at": None,
        "address": "青年路 1 号",
        "category_code": "0102",
        "level_rank": list(LABELS).index(level),
        "supervision": level.startswith("supervise_"),
    }
    values.update(kw)
    return Rec(**values)


def acked(record: Rec, who: str = "值班长", minutes: int = 30) -> Rec:
    return dataclasses.replace(
        record, acknowledged_by_name=who, acknowledged_at=T0 + timedelta(minutes=minutes)
    )


@pytest.fixture
def panel(qtbot: Any) -> AlertsPanel:
    widget = AlertsPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    return widget


def cell(panel: AlertsPanel, row: int, column: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return panel.proxy.index(row, COL[column]).data(role)


def ids(panel: AlertsPanel) -> list[int]:
    return [int(r.id) for r in panel.visible_records()]


def select_rows(panel: AlertsPanel, rows: list[int]) -> None:
    selection = panel.table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(panel.proxy.index(row, 0), flags)


def test_newest_first_and_no_duplicates(panel: AlertsPanel) -> None:
    panel.set_alerts(
        [rec(1, minutes=0), rec(3, minutes=20), rec(2, minutes=10), rec(2, minutes=10)]
    )
    assert ids(panel) == [3, 2, 1]
    added = panel.add_alerts([rec(4, minutes=30), rec(3, minutes=20), rec(5, minutes=5)])
    assert [r.id for r in added] == [4, 5]
    assert ids(panel) == [4, 3, 2, 5, 1]
    assert panel.model.rowCount() == 5


def test_cells_show_local_time_label_case_recipient(panel: AlertsPanel) -> None:
    panel.set_alerts([rec(7, "supervise_2")])
    assert cell(panel, 0, "time") == "2026-11-27 09:00"  # Asia/Shanghai
    assert cell(panel, 0, "level") == "二级督办"
    assert cell(panel, 0, "case") == "E0102202611270007"
    assert cell(panel, 0, "recipient") == "区城管局"
    assert cell(panel, 0, "ack_by") == "" and cell(panel, 0, "ack_at") == ""
    assert "青年路 1 号" in cell(panel, 0, "case", Qt.ItemDataRole.ToolTipRole)


def test_english_level_label(panel: AlertsPanel) -> None:
    from console.views.i18n import set_language

    set_language("en")
    try:
        panel.set_alerts([rec(1, "supervise_3")])
        assert cell(panel, 0, "level") == "Supervision 3"
        # the message in English too, built from the alert's fields (no Chinese notice)
        message = cell(panel, 0, "message")
        assert message.startswith("Case E0102202611270001 (")
        assert "Supervision 3" in message and "→ 区城管局" in message
        # the level column holds the whole label, bold (seen in English under Xvfb: cut short)
        from PySide6.QtGui import QFont, QFontMetrics

        bold = QFont(panel.table.font())
        bold.setBold(True)
        level = panel.table.header().sectionSize(1)
        long = rec(2, "supervise_3", level_label_en="Supervision level 3 (district leader)")
        panel.add_alerts([long])
        wide = QFontMetrics(bold).horizontalAdvance("Supervision level 3 (district leader)")
        assert panel.table.header().sectionSize(1) >= wide > level
    finally:
        set_language("zh")


def test_message_is_plain_text(panel: AlertsPanel) -> None:
    panel.set_alerts([rec(1, message="<script>x</script>")])
    assert cell(panel, 0, "message") == "<script>x</script>"
    tooltip = cell(panel, 0, "message", Qt.ItemDataRole.ToolTipRole)
    assert "<script>" not in tooltip and "&lt;script&gt;x&lt;/script&gt;" in tooltip


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def lin(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_level_colours_are_distinct_and_readable(panel: AlertsPanel, theme: str) -> None:
    panel.setPalette(theme_palette(theme))
    levels = list(LEVEL_COLOURS)
    panel.set_alerts([rec(i, level, minutes=-i) for i, level in enumerate(levels)])
    backgrounds = {}
    for row in range(len(levels)):
        level = panel.visible_records()[row].level
        bg = cell(panel, row, "level", Qt.ItemDataRole.BackgroundRole).color()
        fg = cell(panel, row, "level", Qt.ItemDataRole.ForegroundRole).color()
        assert contrast(bg, fg) >= 4.5, (theme, level)
        backgrounds[level] = bg
    assert len({c.name() for c in backgrounds.values()}) == len(levels)
    yellow, red = backgrounds["warning"], backgrounds["overdue"]
    assert yellow.red() > 150 and yellow.green() > 120 and yellow.blue() < 80
    assert red.red() > 150 and red.green() < 80 and red.blue() < 80
    # 督办 1 → 3 darken, ending in purple.
    s1, s2, s3 = (backgrounds[f"supervise_{n}"] for n in (1, 2, 3))
    assert red.lightness() > s1.lightness() > s2.lightness() > s3.lightness()
    assert s3.blue() > s3.green() and s3.blue() > 100
    # Other columns carry no level colour.
    assert cell(panel, 0, "message", Qt.ItemDataRole.BackgroundRole) is None


def test_theme_switch_changes_colours(panel: AlertsPanel) -> None:
    panel.set_alerts([rec(1, "overdue")])
    panel.setPalette(theme_palette("light"))
    light = cell(panel, 0, "level", Qt.ItemDataRole.BackgroundRole).color().name()
    panel.setPalette(theme_palette("dark"))
    dark = cell(panel, 0, "level", Qt.ItemDataRole.BackgroundRole).color().name()
    assert (light, dark) == (LEVEL_COLOURS["overdue"][0][0], LEVEL_COLOURS["overdue"][1][0])


def test_acknowledge_selected_emits_one_signal_per_id(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts([rec(1, minutes=1), rec(2, minutes=2), acked(rec(3, minutes=3))])
    assert panel.table.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection
    assert not panel.acknowledge_button.isEnabled()
    select_rows(panel, [0, 1, 2])  # ids 3 (already acknowledged), 2, 1
    assert panel.acknowledge_button.isEnabled()
    got: list[int] = []
    panel.acknowledge_requested.connect(got.append)
    qtbot.mouseClick(panel.acknowledge_button, Qt.MouseButton.LeftButton)
    assert got == [2, 1]


def confirm_all(panel: AlertsPanel, qtbot: Any, *, supervision: bool = False) -> str:
    """Click 确认列表中全部 and answer its (non-blocking) question; returns the question."""
    qtbot.mouseClick(panel.acknowledge_all_button, Qt.MouseButton.LeftButton)
    dialog = panel.acknowledge_all_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.include_supervision.setChecked(supervision)
    question = dialog.question.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return question


def test_acknowledge_all_visible(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts([rec(i, minutes=i) for i in range(1, 5)] + [acked(rec(5, minutes=5))])
    got: list[int] = []
    panel.acknowledge_requested.connect(got.append)
    confirm_all(panel, qtbot)
    assert got == [4, 3, 2, 1]


def test_mark_acknowledged_updates_the_row_and_count(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts([rec(1, minutes=1), rec(2, minutes=2)])
    assert panel.unacknowledged_count() == 2
    assert panel.count_label.text() == panel.tr("Unacknowledged: %1").replace("%1", "2")
    with qtbot.waitSignal(panel.unacknowledged_count_changed) as blocker:
        assert panel.mark_acknowledged(acked(rec(2, minutes=2), who="张三", minutes=45))
    assert blocker.args == [1]
    assert cell(panel, 0, "ack_by") == "张三"
    assert cell(panel, 0, "ack_at") == "2026-11-27 09:45"
    assert panel.unacknowledged_count() == 1
    assert not panel.mark_acknowledged(acked(rec(99)))


def test_count_signal_on_set_and_add(panel: AlertsPanel, qtbot: Any) -> None:
    counts: list[int] = []
    panel.unacknowledged_count_changed.connect(counts.append)
    panel.set_alerts([rec(1), acked(rec(2, minutes=1))])
    panel.add_alerts([rec(3, minutes=5)])
    panel.add_alerts([rec(3, minutes=5)])  # a duplicate changes nothing
    panel.add_alerts([acked(rec(1))])  # known id arriving acknowledged (another seat)
    assert counts == [1, 2, 1]
    assert panel.model.rowCount() == 3


def test_only_unacknowledged_filter(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts([rec(1, minutes=1), acked(rec(2, minutes=2)), rec(3, minutes=3)])
    panel.only_unacknowledged.setChecked(True)
    assert ids(panel) == [3, 1]
    panel.mark_acknowledged(acked(rec(3, minutes=3)))
    assert ids(panel) == [1]
    got: list[int] = []
    panel.acknowledge_requested.connect(got.append)
    confirm_all(panel, qtbot)
    assert got == [1]
    panel.only_unacknowledged.setChecked(False)
    assert ids(panel) == [3, 2, 1]
    assert panel.unacknowledged_count() == 1  # counts every alert, not just the visible ones


def test_open_case_on_double_click_and_button(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts([rec(1, minutes=1), rec(2, minutes=2)])
    view = panel.table
    rect = view.visualRect(panel.proxy.index(1, COL["message"]))
    with qtbot.waitSignal(panel.open_case_requested) as blocker:
        # A real double click is press, release, then the double-click event.
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [101]
    select_rows(panel, [0])
    assert panel.open_case_button.isEnabled()
    with qtbot.waitSignal(panel.open_case_requested) as blocker:
        qtbot.mouseClick(panel.open_case_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [102]
    select_rows(panel, [0, 1])
    assert not panel.open_case_button.isEnabled()


def test_unacknowledged_rows_are_bold(panel: AlertsPanel) -> None:
    panel.set_alerts([rec(1, minutes=1), acked(rec(2, minutes=2))])
    assert cell(panel, 0, "message", Qt.ItemDataRole.FontRole) is None
    assert cell(panel, 1, "message", Qt.ItemDataRole.FontRole).bold()


# -- issue 12.3: one row per case, by level; asks before acknowledging all; says why not --


def case_alerts() -> list[Rec]:
    """Case 201: warning → overdue → 一级督办; case 202: a newer yellow warning only; case 203:
    overdue open, its 一级督办 already acknowledged."""
    return [
        rec(1, "warning", minutes=0, case_id=201),
        rec(2, "overdue", minutes=10, case_id=201),
        rec(3, "supervise_1", minutes=20, case_id=201),
        rec(4, "warning", minutes=30, case_id=202),
        rec(5, "overdue", minutes=5, case_id=203),
        acked(rec(6, "supervise_1", minutes=15, case_id=203)),
    ]


def children(panel: AlertsPanel, row: int) -> list[int]:
    parent = panel.proxy.index(row, 0)
    return [
        int(panel.proxy.index(r, 0, parent).data(Qt.ItemDataRole.UserRole))
        for r in range(panel.proxy.rowCount(parent))
    ]


def test_one_row_per_case_at_its_highest_open_level_by_level_then_time(
    panel: AlertsPanel,
) -> None:
    panel.set_alerts(case_alerts())
    heads = panel.visible_records()
    # 督办 first although the yellow warning of 202 is the newest alert.
    assert [(r.case_id, r.level) for r in heads] == [
        (201, "supervise_1"),
        (203, "overdue"),  # the open level, not the acknowledged 督办
        (202, "warning"),
    ]
    assert children(panel, 0) == [2, 1] and children(panel, 1) == [6] and children(panel, 2) == []
    assert "超期" in cell(panel, 0, "level", Qt.ItemDataRole.ToolTipRole)
    assert panel.unacknowledged_count() == 5


def test_the_level_and_time_columns_sort_from_the_header(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts(case_alerts())
    header = panel.table.header()

    def click(column: str) -> None:
        section = COL[column]
        x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        qtbot.mouseClick(
            header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
        )

    assert header.sortIndicatorSection() == COL["level"]
    click("level")  # now ascending: the yellow warning first
    assert [r.case_id for r in panel.visible_records()] == [202, 203, 201]
    click("time")
    order = [r.case_id for r in panel.visible_records()]
    click("time")
    assert [r.case_id for r in panel.visible_records()] == list(reversed(order))
    assert sorted(order) == [201, 202, 203] and order != [202, 203, 201]


def test_acknowledging_a_case_row_acknowledges_all_of_its_open_alerts(
    panel: AlertsPanel, qtbot: Any
) -> None:
    panel.set_alerts(case_alerts())
    panel.select_case(201)
    assert [r.id for r in panel.selected_records()] == [3]
    got: list[int] = []
    panel.acknowledge_requested.connect(got.append)
    qtbot.mouseClick(panel.acknowledge_button, Qt.MouseButton.LeftButton)
    assert sorted(got) == [1, 2, 3]


def test_acknowledge_all_asks_how_many_and_leaves_supervision_out_unless_ticked(
    panel: AlertsPanel, qtbot: Any
) -> None:
    panel.set_alerts(case_alerts())
    got: list[int] = []
    panel.acknowledge_requested.connect(got.append)
    qtbot.mouseClick(panel.acknowledge_all_button, Qt.MouseButton.LeftButton)
    assert got == []  # nothing before the answer
    dialog = panel.acknowledge_all_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.include_supervision.isChecked()
    assert "4" in dialog.question.text() and "3" in dialog.question.text()  # alerts, cases
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), LEFT)
    assert got == [] and not dialog.isVisible()

    question = confirm_all(panel, qtbot)  # unticked: the 一级督办 of 201 stays
    assert sorted(got) == [1, 2, 4, 5] and "1" in question
    got.clear()
    confirm_all(panel, qtbot, supervision=True)
    assert sorted(got) == [1, 2, 3, 4, 5]


def test_only_supervision_left_needs_the_tick(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts([rec(1, "supervise_3")])
    qtbot.mouseClick(panel.acknowledge_all_button, Qt.MouseButton.LeftButton)
    dialog = panel.acknowledge_all_dialog
    assert dialog is not None and not dialog.ok_button.isEnabled()
    dialog.include_supervision.setChecked(True)
    assert dialog.ok_button.isEnabled()


def test_a_role_that_may_not_acknowledge_sees_why_on_disabled_buttons(
    panel: AlertsPanel, qtbot: Any
) -> None:
    panel.set_alerts(case_alerts())
    panel.select_case(201)
    assert panel.acknowledge_button.isEnabled() and panel.acknowledge_all_button.isEnabled()
    panel.set_permission("您的角色（处置人员）不能确认提醒")
    for button in (panel.acknowledge_button, panel.acknowledge_all_button):
        assert not button.isEnabled()
        assert button.toolTip() == "您的角色（处置人员）不能确认提醒"
    assert panel.open_case_button.isEnabled()  # opening the case is still theirs
    panel.set_permission("")
    assert panel.acknowledge_button.isEnabled()
    panel.table.selectionModel().clearSelection()
    assert not panel.acknowledge_button.isEnabled() and panel.acknowledge_button.toolTip()
    assert not panel.open_case_button.isEnabled() and panel.open_case_button.toolTip()


def test_the_count_is_the_services_beyond_a_capped_list(panel: AlertsPanel) -> None:
    panel.set_alerts(case_alerts(), total=12)  # the service counted 7 more than it sent
    assert panel.unacknowledged_count() == 12 and "12" in panel.count_label.text()
    panel.mark_acknowledged(acked(rec(4, "warning", minutes=30, case_id=202)))
    assert panel.unacknowledged_count() == 11


def test_a_refresh_keeps_the_selected_case(panel: AlertsPanel) -> None:
    panel.set_alerts(case_alerts())
    panel.select_case(203)
    panel.add_alerts([rec(7, "supervise_2", minutes=40, case_id=204)])
    assert panel.visible_records()[0].case_id == 204
    assert [r.case_id for r in panel.selected_records()] == [203]


def test_a_refresh_with_nothing_new_does_not_reset_the_list(panel: AlertsPanel, qtbot: Any) -> None:
    panel.set_alerts(case_alerts())
    with qtbot.assertNotEmitted(panel.model.modelReset):
        panel.set_alerts(case_alerts())
    with qtbot.waitSignal(panel.model.modelReset):
        panel.set_alerts([*case_alerts(), rec(8, "warning", minutes=50, case_id=206)])
