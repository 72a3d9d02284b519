"""The dispatch dialog: the selected cases, where each will go, and the deadline that follows.

It takes plain ``DispatchProposal`` and ``DepartmentOption`` records
(console.services.dispatch_preview) and only reads their attributes. The department picker
starts on the department every proposal agrees on, or on "by routing table" (department id
None: each case goes to its own proposed department).

A proposal with an ``error`` is listed but left out, except the one problem a chosen
department fixes: a registered case whose category has no routing-table department (no
``department_id`` but a deadline preview). Such a case goes along once a department is picked,
and keeps the OK button off in routing-table mode.

The "预计期限" column is the deadline a dispatch now would give (the limit counted from now);
it does not depend on the department picked.

The "建议层级" column and the line under the table show each case's tier (resources/org/
tiers.csv: 小事不出网格、大事不出街道) as the service words it; the dispatcher still chooses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.views.action_dialogs import MAX_NOTE
from console.views.case_detail_panel import local_time_text
from console.views.formatting import limit_display

if TYPE_CHECKING:
    from console.services.dispatch_preview import DepartmentOption, DispatchProposal


def _fixable_by_department(proposal: DispatchProposal) -> bool:
    """The proposal's only problem is that the routing table names no department."""
    return bool(
        proposal.error
        and proposal.department_id is None
        and proposal.state == "registered"
        and proposal.deadline_preview is not None
    )


#: The proposal's reason shown in the department cell: the owner of the object the case names
#: (issue 17) is news to the dispatcher; the routing table and the street committee are not.
OWNER_REASON = "部件主管部门"


def _department_cell(proposal: DispatchProposal) -> str:
    name = proposal.department_name or "—"
    if proposal.department_reason == OWNER_REASON:
        return f"{name}（{OWNER_REASON}）"
    return name


class DispatchDialog(QDialog):
    """Confirms a (batch) dispatch; read the choice with the ``result_*`` methods."""

    COLUMNS = 7
    DEPARTMENT_COLUMN = 2
    TIER_COLUMN = 3

    def __init__(
        self,
        proposals: list[DispatchProposal],
        departments: list[DepartmentOption],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dispatchDialog")
        self.setWindowTitle(self.tr("Dispatch cases"))
        self.proposals = list(proposals)
        self.departments = list(departments)

        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("dispatchTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Case number"),
                self.tr("Street"),
                self.tr("Proposed department"),
                self.tr("Proposed tier"),
                self.tr("Time limit"),
                self.tr("Expected deadline"),
                self.tr("Problem"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        self.tier_label = QLabel(self)
        self.tier_label.setObjectName("dispatchTier")
        self.tier_label.setTextFormat(Qt.TextFormat.PlainText)
        self.tier_label.setWordWrap(True)
        layout.addWidget(self.tier_label)

        form = QFormLayout()
        self.department_combo = QComboBox(self)
        self.department_combo.setObjectName("departmentCombo")
        form.addRow(self.tr("Department:"), self.department_combo)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("dispatchNote")
        self.note_edit.setPlaceholderText(self.tr("Optional"))
        self.note_edit.setMaximumHeight(80)
        self.note_edit.setTabChangesFocus(True)
        form.addRow(self.tr("Note:"), self.note_edit)
        layout.addLayout(form)

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("dispatchSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button.setText(self.tr("Dispatch"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._pull_table()
        self._pull_departments()
        self.department_combo.currentIndexChanged.connect(
            self._on_department_combo_current_index_changed
        )
        self.note_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.resize(820, 460)

    # -- model to widgets --------------------------------------------------------------

    def _pull_table(self) -> None:
        self.table.setRowCount(len(self.proposals))
        grey = QBrush(QColor("#8a8f98"))
        for row, p in enumerate(self.proposals):
            excluded = bool(p.error) and not _fixable_by_department(p)
            problem = p.error or ""
            if excluded:
                problem = self.tr("Not dispatched: %1").replace("%1", problem)
            cells = [
                p.number or f"#{p.case_id}",
                p.street_name or "",
                _department_cell(p),
                p.tier_label or "—",
                limit_display(p.limit_text),
                local_time_text(p.deadline_preview),
                problem,
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if excluded:
                    item.setForeground(grey)
                if column == self.TIER_COLUMN and p.tier_text:
                    item.setToolTip(p.tier_text)
                if column == self.DEPARTMENT_COLUMN and p.department_reason:
                    item.setToolTip(p.department_reason)
                self.table.setItem(row, column, item)
        self._pull_tier()

    def _pull_tier(self) -> None:
        """The tier the cases that can go share, or a pointer to the column when they differ."""
        texts = sorted({p.tier_text for p in self._candidates() if p.tier_text})
        if len(texts) > 1:
            self.tier_label.setText(self.tr("Proposed tiers differ: see the Proposed tier column."))
        else:
            self.tier_label.setText(texts[0] if texts else "")
        self.tier_label.setVisible(bool(texts))

    def _pull_departments(self) -> None:
        combo = self.department_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("By routing table (each case to its proposed department)"), None)
        last_kind = None
        for dept in self.departments:
            if last_kind is not None and dept.kind != last_kind:
                combo.insertSeparator(combo.count())
            combo.addItem(dept.name, dept.id)
            combo.setItemData(combo.count() - 1, dept.code, Qt.ItemDataRole.ToolTipRole)
            last_kind = dept.kind
        proposed = {p.department_id for p in self._candidates()}
        if len(proposed) == 1 and None not in proposed:
            index = combo.findData(proposed.pop())
            combo.setCurrentIndex(max(index, 0))
        else:
            combo.setCurrentIndex(0)
        combo.blockSignals(False)

    # -- state -------------------------------------------------------------------------

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _candidates(self) -> list[DispatchProposal]:
        """Proposals that can go once a department is settled (errors left out)."""
        return [p for p in self.proposals if not p.error or _fixable_by_department(p)]

    def routing_mode(self) -> bool:
        return self.result_department_id() is None

    def result_department_id(self) -> int | None:
        """The department picked, or None for "by routing table"."""
        data = self.department_combo.currentData()
        return None if data is None else int(data)

    def result_cases(self) -> list[tuple[int, int]]:
        """(case id, version) of the cases that will be dispatched."""
        return [(p.case_id, p.version) for p in self._candidates()]

    def result_note(self) -> str | None:
        text = self.note_edit.toPlainText().strip()
        return text or None

    def _problem(self) -> str:
        candidates = self._candidates()
        if not candidates:
            return self.tr("None of the selected cases can be dispatched.")
        if self.routing_mode() and any(p.department_id is None for p in candidates):
            return self.tr(
                "The routing table has no department for some cases: choose a department."
            )
        if len(self.note_edit.toPlainText().strip()) > MAX_NOTE:
            return self.tr("The note is too long (at most %1 characters).").replace(
                "%1", str(MAX_NOTE)
            )
        return ""

    def _update_ok(self) -> None:
        problem = self._problem()
        self.ok_button.setEnabled(not problem)
        count = self.tr("%1 of %2 cases will be dispatched.")
        count = count.replace("%1", str(len(self._candidates()))).replace(
            "%2", str(len(self.proposals))
        )
        self.summary_label.setText(f"{count} {problem}".strip())
        self.summary_label.setProperty("problem", bool(problem))

    def _on_department_combo_current_index_changed(self, _index: int) -> None:
        self._update_ok()

    def accept(self) -> None:
        if self._problem():
            return
        super().accept()
