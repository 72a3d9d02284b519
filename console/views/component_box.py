"""The case detail's register object (issue 17): the object a 部件 case names — identifier,
name, class, status, owner, maintainer, address — and the other cases naming it, newest first
(double-click or Enter opens one).

It reads a plain ``CaseComponent`` (console.services.components.case_component) by attribute
and never calls a service. The register's text (names, addresses) is shown as plain text only.
Labels are zh/en pairs (console.views.i18n.pick).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.views.formatting import local_time_text
from console.views.i18n import pick
from console.views.labels import state_text

if TYPE_CHECKING:
    from console.services.components.case_component import CaseComponent

#: (key, zh, en) of the rows, in order.
_ROWS = (
    ("identifier", "标识码", "Identifier"),
    ("name", "名称", "Name"),
    ("class", "小类", "Class"),
    ("status", "状态", "Status"),
    ("owner", "主管部门", "Owner"),
    ("maintainer", "养护单位", "Maintainer"),
    ("address", "地址", "Address"),
)


def _plain(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ComponentBox(QGroupBox):
    #: A case of the object's history to show (its id).
    open_case_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("componentBox")
        self.setTitle(pick("关联部件", "Register object"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, zh, en in _ROWS:
            self.fields[key] = _plain(self, f"component_{key}")
            form.addRow(pick(zh, en), self.fields[key])
        layout.addLayout(form)
        self.history_title = _plain(self, "componentHistoryTitle")
        layout.addWidget(self.history_title)
        self.history = QTreeWidget(self)
        self.history.setObjectName("componentHistory")
        self.history.setRootIsDecorated(False)
        self.history.setUniformRowHeights(True)
        self.history.setHeaderLabels(
            [pick("案件编号", "Case no."), pick("状态", "State"), pick("上报时间", "Reported")]
        )
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.setMaximumHeight(120)
        self.history.itemActivated.connect(self._on_history_item_activated)
        layout.addWidget(self.history)
        self.show_component(None)

    def show_component(self, component: CaseComponent | None) -> None:
        """The object of the case on show, or None (the box hides)."""
        self.setVisible(component is not None)
        self.history.clear()
        if component is None:
            return
        status = component.status_label
        if component.broken:
            status += pick("（故障）", " (fault)")
        values = {
            "identifier": component.identifier,
            "name": component.name,
            "class": f"{component.class_name} ({component.category_code})",
            "status": status,
            "owner": component.owner_name,
            "maintainer": component.maintainer,
            "address": component.address,
        }
        for key, text in values.items():
            self.fields[key].setText(text or "—")
        self.history_title.setText(
            pick(
                f"该部件的其他案件（{len(component.history)}，最新在前）",
                f"Other cases about this object ({len(component.history)}, newest first)",
            )
        )
        for case in component.history:
            item = QTreeWidgetItem(
                [case.number, state_text(case.state), local_time_text(case.reported_at)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, case.case_id)
            self.history.addTopLevelItem(item)

    def _on_history_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self.open_case_requested.emit(int(item.data(0, Qt.ItemDataRole.UserRole)))
