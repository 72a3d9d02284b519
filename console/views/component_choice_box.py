"""The report form's choice of the register object a 部件 report is about (issue 17).

It shows ``NearbyComponent`` records (console.services.components.nearby: the objects of the
chosen category within 30 m, nearest first) and “不在部件库中 / not in the register” as an
explicit first choice, which is also what is chosen until the operator picks an object. Hidden
for an event category or without a point. Labels are zh/en pairs (console.views.i18n.pick);
the objects' text is shown as plain list text, and escaped in the tool tip.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from console.views.i18n import pick

if TYPE_CHECKING:
    from console.services.components.nearby import NearbyComponent

#: The list item's data for “not in the register”.
NOT_IN_REGISTER = 0


def not_in_register_text() -> str:
    return pick("不在部件库中", "Not in the register")


class ComponentChoiceBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("componentChoiceBox")
        self.setTitle(pick("关联部件（30 米内）", "Register object (within 30 m)"))
        layout = QVBoxLayout(self)
        self.status = QLabel(self)
        self.status.setObjectName("componentStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        self.list = QListWidget(self)
        self.list.setObjectName("componentList")
        self.list.setMaximumHeight(120)
        layout.addWidget(self.list)
        self.show_components(None)

    def show_components(self, found: Sequence[NearbyComponent] | None) -> None:
        """``found``: the objects near the point (nearest first); None: not a 部件 report or
        no point yet (the box hides). The choice starts at “not in the register”, except that
        an object still listed stays chosen (a refreshed list keeps the operator's pick)."""
        kept = self.chosen_id()
        self.list.clear()
        self.setVisible(found is not None)
        if found is None:
            return
        self.status.setText(
            pick(
                f"附近 {len(found)} 个同类部件：选择案件所指的部件",
                f"{len(found)} objects of this class nearby: pick the one the case is about",
            )
            if found
            else pick("30 米内没有该类部件", "No object of this class within 30 m")
        )
        none = QListWidgetItem(not_in_register_text())
        none.setData(Qt.ItemDataRole.UserRole, NOT_IN_REGISTER)
        self.list.addItem(none)
        self.list.setCurrentItem(none)
        for c in found:
            item = QListWidgetItem(
                f"{c.identifier} · {c.name} · {c.status_label} · {c.distance_m:.0f} m"
            )
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(html.escape(c.address or ""))
            self.list.addItem(item)
            if c.id == kept:
                self.list.setCurrentItem(item)

    def chosen_id(self) -> int | None:
        """The chosen object's id, or None (not in the register, or nothing listed)."""
        item = self.list.currentItem()
        if item is None:
            return None
        value = item.data(Qt.ItemDataRole.UserRole)
        return int(value) if value else None

    def choose(self, component_id: int | None) -> bool:
        """Pick the listed object (None: not in the register); False if it is not listed."""
        wanted = component_id or NOT_IN_REGISTER
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == wanted:
                self.list.setCurrentRow(row)
                return True
        return False
