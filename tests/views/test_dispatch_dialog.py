"""The dispatch dialog on stand-in records: department modes, what goes, when OK is on."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from PySide6.QtWidgets import QDialog

from console.domain.worktime import WorkCalendar
from console.services.cases.service import CaseService
from console.services.dispatch_preview import department_options, propose_dispatch
from console.views.dispatch_dialog import DispatchDialog
from tests.services.console_support import CHIEF, INTAKE, report_input, street_points

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
        "tier": "district",
        "tier_label": "区",
        "tier_text": "建议层级：区（由区专业部门处置）",
        "grid_role": None,
        "grid_role_name": None,
        "department_reason": "默认路由" if dept else None,
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
    assert headers[3:5] == ["Proposed tier", "Time limit"]  # 建议层级 once translated
    assert headers[5] == "Expected deadline"  # 预计期限 once translated
    assert [table.item(0, c).text() for c in range(6)] == [
        "E0102202611230001",
        "青年路街道",
        "市容局",
        "区",
        "4工作时",
        "2026-11-23 16:00",
    ]
    assert "不能派遣" in table.item(1, 6).text()
    # The preview does not change with the department picked.
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findData(3))
    assert table.item(0, 5).text() == "2026-11-23 16:00"


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


def test_the_proposed_tier_from_the_real_preview(qtbot: Any, demo_db: Any, clock: Any) -> None:
    """Real proposals from the demo SQLite: the tier beside the department, and the line under
    the table for the cases that can go; the dispatcher can still choose a department."""
    service = CaseService(demo_db, calendar=WorkCalendar(), clock=clock)
    street = street_points(demo_db)[0][2]

    def registered(**over: object) -> int:
        snap = service.report(INTAKE, report_input(street, **over))
        return service.register(CHIEF, snap.id, snap.version).id

    bikes, rubbish = registered(category_code="09011"), registered()  # 共享单车乱象, 暴露垃圾
    with demo_db.read() as s:
        proposals = propose_dispatch(s, [bikes], clock.now, WorkCalendar())
        both = propose_dispatch(s, [bikes, rubbish], clock.now, WorkCalendar())
        departments = department_options(s)

    dialog = DispatchDialog(proposals, departments)
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 2).text().endswith("街道城管委")
    assert dialog.table.item(0, DispatchDialog.TIER_COLUMN).text() == "街道"
    assert not dialog.tier_label.isHidden()
    assert dialog.tier_label.text() == "建议层级：街道（小事不出网格、大事不出街道）"
    assert dialog.department_combo.currentText().endswith("街道城管委")  # proposed, not forced
    dialog.department_combo.setCurrentIndex(dialog.department_combo.findText("区市容景观管理中心"))
    assert dialog.ok_button.isEnabled()

    mixed = DispatchDialog(both, departments)
    qtbot.addWidget(mixed)
    tiers = [mixed.table.item(r, DispatchDialog.TIER_COLUMN) for r in range(2)]
    assert [t.text() for t in tiers] == ["街道", "网格（环卫保洁员）"]
    assert tiers[1].toolTip() == "建议层级：网格（环卫保洁员自行处置；小事不出网格、大事不出街道）"
    assert mixed.tier_label.text() == "Proposed tiers differ: see the Proposed tier column."


def test_no_tier_line_when_nothing_can_go(qtbot: Any) -> None:
    dialog = make(qtbot, [proposal(1, None, error="案件不存在", tier=None, tier_text=None)])
    assert dialog.tier_label.isHidden() and dialog.tier_label.text() == ""


def test_an_object_owner_is_named_as_the_reason(qtbot: Any) -> None:
    dialog = make(
        qtbot,
        [
            proposal(
                1,
                1,
                department_reason="部件主管部门",
                tier_text="建议层级：区（部件主管部门「市容局」处置）",
            ),
            proposal(2, 2),
        ],
    )
    owner, routed = dialog.table.item(0, 2), dialog.table.item(1, 2)
    assert owner.text() == "市容局（部件主管部门）" and owner.toolTip() == "部件主管部门"
    assert routed.text() == "城管局" and routed.toolTip() == "默认路由"
