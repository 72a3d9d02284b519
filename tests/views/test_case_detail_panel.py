"""The case detail panel on stand-in records (attribute access only, no services, no database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QPushButton

from console.views import action_dialogs
from console.views.action_dialogs import (
    ExtensionDialog,
    FeedbackDialog,
    InspectorDialog,
    NoteDialog,
)
from console.views.case_detail_panel import CaseDetailPanel
from console.views.formatting import local_time_text, remaining_text
from console.views.i18n import set_language, use_english

HOSTILE = "<b>x</b><script>alert(1)</script>"


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")


def option(action: str, zh: str, en: str, note: bool = False) -> SimpleNamespace:
    from console.domain.lifecycle import default_lifecycle

    known = default_lifecycle().transitions.get(action)
    kind = known.input if known is not None else ("note" if note else "none")
    return SimpleNamespace(action=action, label_zh=zh, label_en=en, note_required=note, input=kind)


def entry(event_id: int, at: datetime, action: str, label: str, **kw: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "event_id": event_id,
        "at": at,
        "action": action,
        "action_label": label,
        "from_state": None,
        "to_state": "reported",
        "from_label": None,
        "to_label": "待立案",
        "actor_name": "王监督",
        "actor_role": "inspector",
        "actor_role_label": "监督员",
        "department_name": None,
        "note": None,
        "data": {},
    }
    values.update(kw)
    return SimpleNamespace(**values)


def make_detail(**overrides: Any) -> SimpleNamespace:
    snap = SimpleNamespace(
        id=42,
        number="E0102202611230001",
        version=7,
        state="dispatched",
        source="hotline",
        taxonomy="cjt214",
        kind="event_type",
        category_code="0102",
        urgent=True,
        description=HOSTILE,
        address="青年路12号 <i>北门</i>",
        lon=108.912345,
        lat=34.271234,
        grid_id=5,
        street_id=2,
        department_id=9,
        reported_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),  # 09:00 in Xi'an
        registered_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        dispatched_at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        handled_at=None,
        closed_at=None,
        limit_value=4.0,
        limit_unit="work_hours",
        extension_value=0.0,
        extension_requested=None,
        warning_at=datetime(2026, 11, 23, 6, 12, tzinfo=UTC),
        deadline_at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),  # 16:00 in Xi'an
        suspended_at=None,
        rework_count=1,
        return_count=0,
        light="green",
    )
    timeline = (
        entry(1, datetime(2026, 11, 23, 1, 0, tzinfo=UTC), "report", "上报"),
        entry(
            2,
            datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
            "register",
            "立案",
            from_state="reported",
            from_label="待立案",
            to_state="registered",
            to_label="待派遣",
            actor_name="李值班",
            actor_role="duty_chief",
            actor_role_label="值班长",
        ),
        entry(
            3,
            datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
            "dispatch",
            "派遣",
            from_state="registered",
            from_label="待派遣",
            to_state="dispatched",
            to_label="处置中",
            actor_name="赵派遣",
            actor_role="dispatcher",
            actor_role_label="派遣员",
            department_name="市容局",
            note="请尽快 <b>处理</b>\n第二行",
        ),
    )
    values: dict[str, Any] = {
        "snapshot": snap,
        "category_name": "暴露垃圾",
        "major_name": "市容环境",
        "street_name": "青年路街道",
        "area_name": "青年路第一片区",
        "unit_name": "北院门社区",
        "grid_code": "610104001001001",
        "grid_name": "北院门第1网格",
        "department_name": "市容局",
        "rule_condition": "发现暴露垃圾",
        "closing_condition": "垃圾清除干净",
        "limit_text": "4工作时",
        "remaining_seconds": 2 * 3600 + 15 * 60 + 30,
        "timeline": timeline,
        "actions": (
            option("request_extension", "申请延期", "Request extension", note=True),
            option("feedback", "处置反馈", "Feedback", note=True),
            option("approve_extension", "批准延期", "Approve extension"),
            option("dispatch", "派遣", "Dispatch"),
        ),
        "duplicates": (),
        "duplicate_actions": frozenset(),
        "category_note": "",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.fixture
def panel(qtbot: Any) -> CaseDetailPanel:
    widget = CaseDetailPanel()
    qtbot.addWidget(widget)
    return widget


def field(panel: CaseDetailPanel, key: str) -> str:
    label = panel.findChild(QLabel, f"field_{key}")
    assert label is not None, key
    return label.text()


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
