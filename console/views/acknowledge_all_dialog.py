"""确认列表中全部 asks first: how many alerts of how many cases, 督办 only when ticked.

A 督办 is a case someone above is chasing; acknowledging it in bulk with a run of yellow
warnings would hide it, so it is left out unless the officer ticks the box.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from console.services.supervision import AlertRecord


class AcknowledgeAllDialog(QDialog):
    """The confirmation for the unacknowledged ``alerts`` in the list; :meth:`chosen` after."""

    def __init__(self, alerts: Sequence[AlertRecord], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("acknowledgeAllDialog")
        self.setWindowTitle(self.tr("Acknowledge all in the list"))
        self._plain = [a for a in alerts if not a.supervision]
        self._supervision = [a for a in alerts if a.supervision]
        self.question = QLabel(self)
        self.question.setWordWrap(True)
        self.include_supervision = QCheckBox(
            self.tr("Also acknowledge the %1 supervision alerts").replace(
                "%1", str(len(self._supervision))
            ),
            self,
        )
        self.include_supervision.setVisible(bool(self._supervision))
        self.include_supervision.toggled.connect(self._pull_question)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Acknowledge"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.include_supervision)
        layout.addWidget(self.buttons)
        self._pull_question()

    def chosen(self) -> list[AlertRecord]:
        """The alerts to acknowledge: 督办 only when ticked."""
        if self.include_supervision.isChecked():
            return self._plain + self._supervision
        return list(self._plain)

    def _pull_question(self) -> None:
        chosen = self.chosen()
        cases = len({a.case_id for a in chosen})
        text = (
            self.tr("Acknowledge %1 alerts of %2 cases?")
            .replace("%1", str(len(chosen)))
            .replace("%2", str(cases))
        )
        left = len(self._supervision) - (len(chosen) - len(self._plain))
        if left:
            text += "\n" + self.tr("%1 supervision alerts stay unacknowledged.").replace(
                "%1", str(left)
            )
        self.question.setText(text)
        self.ok_button.setEnabled(bool(chosen))
