"""The dispatch dialog on stand-in records: department modes, what goes, when OK is on."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from PySide6.QtWidgets import QDialog

from console.views.dispatch_dialog import DispatchDialog

DEADLINE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 16:00 in Xi'an


def proposal(case_id: int, dept: int | None, error: str | None = None, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "case_id": case_id,
        "number": f"E01022026112300{case_id:02d}",
        "version": case_id * 10,
        "state": "registered",
        "street_name": "青年路街道",
        "department_id": dept,
        "department_name": {None: None, 1: "市容局", 2: "城管局"}[dept],
        "limit_text": "4工作时",
        "deadline_preview": DEADLINE,
        "error": error,
    }
    values.update(kw)
    return SimpleNamespace(**values)


DEPARTMENTS = [
    SimpleNamespace(id=1, code="D01", name="市容局", kind="professional"),
    SimpleNamespace(id=2, code="D02", name="城管局", kind="professional"),
    SimpleNamespace(id=3, code="S01", name="青年路街道办", kind="street_committee"),
]


def make(qtbot: Any, proposals: list[Any]) -> DispatchDialog:
    dialog = DispatchDialog(proposals, DEPARTMENTS)
    qtbot.addWidget(dialog)
    return dialog


def test_common_proposal_is_preselected(qtbot: Any) -> None:
    dialog = make(qtbot, [proposal(1, 1), proposal(2, 1)])
    assert dialog.result_department_id() == 1
    assert dialog.department_combo.currentText() == "市容局"
    assert dialog.result_cases() == [(1, 10), (2, 20)]
    assert dialog.result_note() is None
    assert dialog.ok_button.isEnabled()


def test_disagreeing_proposals_start_in_routing_mode(qtbot: Any) -> None:
    dialog = make(qtbot, [proposal(1, 1), proposal(2, 2)])
    assert dialog.result_department_id() is None
    assert dialog.department_combo.currentIndex() == 0
    assert dialog.ok_button.isEnabled()  # each case has its own department
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData(2))
    assert dialog.result_department_id() == 2
    assert dialog.ok_button.isEnabled()


def test_table_shows_cases_and_expected_deadline(qtbot: Any) -> None:
    dialog = make(
        qtbot, [proposal(1, 1), proposal(2, 2, error="案件当前状态为「处置中」，不能派遣")]
    )
    table = dialog.table
    assert table.rowCount() == 2
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[4] == "Expected deadline"  # 预计期限 once translated
    assert [table.item(0, c).text() for c in range(5)] == [
        "E0102202611230001",
        "青年路街道",
        "市容局",
        "4工作时",
        "2026-11-23 16:00",
    ]
    assert "不能派遣" in table.item(1, 5).text()
    # The preview does not change with the department picked.
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData(3))
    assert table.item(0, 4).text() == "2026-11-23 16:00"


def test_cases_with_errors_are_listed_but_excluded(qtbot: Any) -> None:
    dialog = make(qtbot, [proposal(1, 1), proposal(2, 1, error="案件不存在")])
    assert dialog.table.rowCount() == 2
    assert dialog.result_cases() == [(1, 10)]
    assert dialog.result_department_id() == 1  # agreement among the dispatchable ones
    assert dialog.ok_button.isEnabled()


def test_ok_disabled_when_nothing_dispatchable(qtbot: Any) -> None:
    dialog = make(
        qtbot,
        [
            proposal(1, None, error="案件当前状态为「处置中」，不能派遣", state="dispatched"),
            proposal(2, None, error="案件尚无处置时限（未立案）", deadline_preview=None),
        ],
    )
    assert dialog.result_cases() == []
    assert not dialog.ok_button.isEnabled()
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData(1))
    assert not dialog.ok_button.isEnabled()
    dialog.accept()  # Enter cannot get round the disabled button
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_routing_mode_needs_a_department_for_every_case(qtbot: Any) -> None:
    # No routing-table department: the one problem that picking a department fixes.
    unrouted = proposal(2, None, error="该类别没有默认处置部门，请选择部门")
    dialog = make(qtbot, [proposal(1, 1), unrouted])
    assert dialog.result_department_id() is None
    assert not dialog.ok_button.isEnabled()
    assert "choose a department" in dialog.summary_label.text()
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData(3))
    assert dialog.ok_button.isEnabled()
    assert dialog.result_department_id() == 3
    assert dialog.result_cases() == [(1, 10), (2, 20)]
    dialog.department_combo.setCurrentIndex(0)
    assert not dialog.ok_button.isEnabled()


def test_routing_mode_with_stand_in_without_department_and_no_error(qtbot: Any) -> None:
    dialog = make(qtbot, [proposal(1, 1), proposal(2, None)])
    assert dialog.result_department_id() is None
    assert not dialog.ok_button.isEnabled()
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData(1))
    assert dialog.ok_button.isEnabled()


def test_note_and_accept(qtbot: Any) -> None:
    dialog = make(qtbot, [proposal(1, 2)])
    dialog.note_edit.setPlainText("  请今日处理 <b>急</b> ")
    assert dialog.result_note() == "请今日处理 <b>急</b>"
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (dialog.result_cases(), dialog.result_department_id()) == ([(1, 10)], 2)
