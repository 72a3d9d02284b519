"""The case detail panel asks for what a step declares (transitions.csv's input): the note,
extension, photo and inspector dialogs, driven for real."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

from console.views import action_dialogs
from console.views.action_dialogs import (
    ExtensionDialog,
    FeedbackDialog,
    InspectorDialog,
    NoteDialog,
)
from console.views.case_detail_panel import CaseDetailPanel
from console.views.i18n import set_language
from tests.views.detail_support import field, make_detail, option


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


def test_note_action_with_note(
    panel: CaseDetailPanel, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, bool]] = []

    def fake_ask(parent: Any, title: str, prompt: str, **k: Any) -> tuple[str, str | None]:
        asked.append((title, k["required"]))
        return "已清运完毕", "/tmp/after.png"

    # 处置反馈 asks for the note and, optionally, the after-photo.
    monkeypatch.setattr(action_dialogs, "ask_feedback", fake_ask)
    panel.show_detail(make_detail())
    plain: list[Any] = []
    panel.action_requested.connect(lambda *a: plain.append(a))
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=1000) as blocker:
        panel.action_buttons["feedback"].click()
    assert blocker.args == [
        "feedback",
        42,
        7,
        {"note": "已清运完毕", "photo_path": "/tmp/after.png"},
    ]
    assert asked == [("处置反馈", True)]
    assert plain == []


def test_what_the_panel_asks_for_is_the_steps_declared_input(
    panel: CaseDetailPanel, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new on-site step declared with input "photo" gets the photo dialog without the panel
    knowing its name (transitions.csv decides, issue 14 §2)."""
    monkeypatch.setattr(action_dialogs, "ask_feedback", lambda *a, **k: ("现场已复查", None))
    survey = SimpleNamespace(
        action="survey", label_zh="现场复查", label_en="Survey", note_required=True, input="photo"
    )
    panel.show_detail(make_detail(actions=(survey,)))
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=1000) as blocker:
        panel.action_buttons["survey"].click()
    assert blocker.args == ["survey", 42, 7, {"note": "现场已复查", "photo_path": None}]


def test_cancelled_note_sends_nothing(
    panel: CaseDetailPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(action_dialogs, "ask_note", lambda *a, **k: None)
    monkeypatch.setattr(action_dialogs, "ask_feedback", lambda *a, **k: None)
    monkeypatch.setattr(action_dialogs, "ask_extension", lambda *a, **k: None)
    panel.show_detail(make_detail())
    sent: list[Any] = []
    panel.action_requested.connect(lambda *a: sent.append(a))
    panel.action_with_input_requested.connect(lambda *a: sent.append(a))
    panel.action_buttons["feedback"].click()
    panel.action_buttons["request_extension"].click()
    assert sent == []


def test_real_note_dialog_driven_by_timer(panel: CaseDetailPanel, qtbot: Any) -> None:
    """The real dialog: OK stays off until a note is typed, then the note goes out."""
    panel.show_detail(make_detail())
    seen: dict[str, bool] = {}

    def fill_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NoteDialog)
        seen["ok_before"] = dialog.ok_button.isEnabled()
        dialog.note_edit.setPlainText("  现场已处理 <b>ok</b>  ")
        seen["ok_after"] = dialog.ok_button.isEnabled()
        dialog.ok_button.click()

    QTimer.singleShot(0, fill_and_accept)
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=3000) as blocker:
        panel.action_buttons["feedback"].click()
    assert seen == {"ok_before": False, "ok_after": True}
    assert blocker.args == ["feedback", 42, 7, {"note": "现场已处理 <b>ok</b>", "photo_path": None}]


def test_real_extension_dialog_sends_amount_and_note(panel: CaseDetailPanel, qtbot: Any) -> None:
    panel.show_detail(make_detail())

    def fill_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExtensionDialog)
        assert dialog.amount_spin.maximum() == 40.0  # ten times the 4-hour limit
        dialog.amount_spin.setValue(2.5)
        dialog.note_edit.setPlainText("材料未到")
        dialog.ok_button.click()

    QTimer.singleShot(0, fill_and_accept)
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=3000) as blocker:
        panel.action_buttons["request_extension"].click()
    assert blocker.args == ["request_extension", 42, 7, {"note": "材料未到", "amount": 2.5}]


INSPECTORS = (
    SimpleNamespace(id=4, name="监督员曹玉", username="inspector"),
    SimpleNamespace(id=11, name="监督员乙", username="jiandu-b"),
)


def test_an_inspector_step_asks_for_the_inspector(
    panel: CaseDetailPanel, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """信息核实 / 核查任务 (input "inspector"): the seat names one of the detail's inspectors."""
    asked: list[Any] = []

    def fake_ask(parent: Any, title: str, prompt: str, inspectors: Any) -> tuple[int, str]:
        asked.append((title, prompt, list(inspectors)))
        return 11, "请今天上午核实"

    monkeypatch.setattr(action_dialogs, "ask_inspector", fake_ask)
    check = option("request_report_check", "信息核实", "Request report check")
    panel.show_detail(make_detail(actions=(check,), inspectors=INSPECTORS))
    assert panel.action_buttons["request_report_check"].text() == "信息核实…"
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=1000) as blocker:
        panel.action_buttons["request_report_check"].click()
    assert blocker.args == [
        "request_report_check",
        42,
        7,
        {"inspector_id": 11, "note": "请今天上午核实"},
    ]
    assert asked == [
        (
            "信息核实",
            "信息核实 — case E0102202611230001: choose the inspector.",  # no translator here
            [(4, "监督员曹玉"), (11, "监督员乙")],
        )
    ]


def test_real_inspector_dialog_sends_the_chosen_inspector(
    panel: CaseDetailPanel, qtbot: Any
) -> None:
    assign = option("assign_check", "指派核查", "Assign check")
    panel.show_detail(make_detail(actions=(assign,), inspectors=INSPECTORS))
    seen: dict[str, Any] = {}

    def choose_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, InspectorDialog)
        combo = dialog.inspector_combo
        seen["names"] = [combo.itemText(i) for i in range(combo.count())]
        seen["ok"] = dialog.ok_button.isEnabled()  # the note is optional
        combo.setCurrentIndex(1)
        dialog.note_edit.setPlainText("复查垃圾清运")
        dialog.ok_button.click()

    QTimer.singleShot(0, choose_and_accept)
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=3000) as blocker:
        panel.action_buttons["assign_check"].click()
    assert seen == {"names": ["监督员曹玉", "监督员乙"], "ok": True}
    assert blocker.args == ["assign_check", 42, 7, {"inspector_id": 11, "note": "复查垃圾清运"}]


def test_real_inspector_dialog_without_inspectors_sends_nothing(
    panel: CaseDetailPanel, qtbot: Any
) -> None:
    assign = option("assign_check", "指派核查", "Assign check")
    panel.show_detail(make_detail(actions=(assign,), inspectors=()))
    seen: dict[str, Any] = {}

    def look_and_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, InspectorDialog)
        seen["ok"] = dialog.ok_button.isEnabled()
        seen["hint"] = dialog.hint.text()
        dialog.reject()

    sent: list[Any] = []
    panel.action_with_input_requested.connect(lambda *a: sent.append(a))
    QTimer.singleShot(0, look_and_cancel)
    panel.action_buttons["assign_check"].click()
    assert seen["ok"] is False and "inspector" in seen["hint"]  # no translator here
    assert sent == []


def test_a_report_confirmed_from_a_seat_needs_no_note(panel: CaseDetailPanel, qtbot: Any) -> None:
    """confirm_report (input photo, no note required): OK is on at once; reject_report's note
    is required."""
    confirm = option("confirm_report", "核实属实", "Confirm report")
    reject = option("reject_report", "核实不属实", "Reject report", note=True)
    panel.show_detail(make_detail(actions=(confirm, reject), assigned_inspector="监督员乙"))
    assert field(panel, "inspector") == "监督员乙"
    seen: list[bool] = []

    def accept_at_once() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FeedbackDialog)
        seen.append(dialog.ok_button.isEnabled())
        if dialog.ok_button.isEnabled():
            dialog.ok_button.click()
        else:
            dialog.reject()

    QTimer.singleShot(0, accept_at_once)
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=3000) as blocker:
        panel.action_buttons["confirm_report"].click()
    assert blocker.args == ["confirm_report", 42, 7, {"note": "", "photo_path": None}]
    QTimer.singleShot(0, accept_at_once)
    panel.action_buttons["reject_report"].click()
    assert seen == [True, False]


def test_the_assigned_inspector_row_shows_only_while_one_is_named(
    panel: CaseDetailPanel,
) -> None:
    panel.show_detail(make_detail())
    label = panel.findChild(QLabel, "field_inspector")
    assert label is not None and not panel._form.isRowVisible(label)
    panel.show_detail(make_detail(assigned_inspector="监督员乙"))
    assert panel._form.isRowVisible(label) and label.text() == "监督员乙"


def test_note_dialog_rules(qtbot: Any) -> None:
    required = NoteDialog("备注", "说明", required=True)
    qtbot.addWidget(required)
    assert not required.ok_button.isEnabled()
    required.note_edit.setPlainText("   ")
    assert not required.ok_button.isEnabled()
    required.note_edit.setPlainText("x" * (action_dialogs.MAX_NOTE + 1))
    assert not required.ok_button.isEnabled()
    required.note_edit.setPlainText("ok")
    assert required.ok_button.isEnabled()

    optional = NoteDialog("备注", "说明", required=False)
    qtbot.addWidget(optional)
    assert optional.ok_button.isEnabled()
