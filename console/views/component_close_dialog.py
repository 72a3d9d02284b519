"""结案 of a case about a broken register object (issue 17): what becomes of the object's status.

The dialog proposes the status's after_close (完好) and offers to leave the object as it is or
to set another status (resources/components/statuses.csv). :func:`ask_component_status` is what
the detail panel calls (the seam tests may replace); it returns the status code, ``"keep"``
(console.services.components.case_component.KEEP), or None when the closer cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from console.services.components.case_component import KEEP
from console.services.components.rules import statuses
from console.views.i18n import pick

if TYPE_CHECKING:
    from console.services.components.case_component import CaseComponent


class ComponentStatusDialog(QDialog):
    def __init__(
        self, title: str, prompt: str, component: CaseComponent, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("componentStatusDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        text = QLabel(self)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        text.setText(
            prompt
            + "\n"
            + pick(
                f"部件 {component.identifier}（{component.name}）当前状态：{component.status_label}",
                f"Object {component.identifier} ({component.name}) is {component.status_label}",
            )
        )
        layout.addWidget(text)
        self.choice = QComboBox(self)
        self.choice.setObjectName("componentStatusChoice")
        known = statuses()
        if component.after_close in known:
            after = known[component.after_close]
            label = pick(f"设为{after.label_zh}（建议）", f"Set to {after.label_en} (proposed)")
            self.choice.addItem(label, after.code)
        self.choice.addItem(
            pick(
                f"保持{component.status_label}不变",
                f"Leave it {component.status_label}",
            ),
            KEEP,
        )
        for status in known.values():
            if status.code not in (component.after_close, component.status):
                self.choice.addItem(
                    pick(f"设为{status.label_zh}", f"Set to {status.label_en}"), status.code
                )
        self.choice.setCurrentIndex(0)
        layout.addWidget(self.choice)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> str:
        return str(self.choice.currentData())


def ask_component_status(
    parent: QWidget | None, title: str, prompt: str, component: CaseComponent
) -> str | None:
    dialog = ComponentStatusDialog(title, prompt, component, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()
