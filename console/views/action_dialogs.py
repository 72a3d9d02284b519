"""Small dialogs that collect what an action needs before it is sent: a note, an extension,
a photo, an inspector.

:func:`ask_note`, :func:`ask_feedback`, :func:`ask_extension` and :func:`ask_inspector` are what
the panels call (and the one seam tests may replace). Each returns ``None`` when the user
cancels, so nothing is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.config import LOCAL_TZ

#: The services refuse longer notes (console.services.workflow); say so before sending.
MAX_NOTE = 2000


def _plain_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    return label


class NoteDialog(QDialog):
    """Asks for a note; with ``required`` the OK button stays off until some text is typed."""

    def __init__(
        self, title: str, prompt: str, *, required: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteDialog")
        self.setWindowTitle(title)
        self.required = required
        layout = QVBoxLayout(self)
        self.prompt_label = _plain_label(prompt, self)
        layout.addWidget(self.prompt_label)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText(self.tr("Required") if required else self.tr("Optional"))
        layout.addWidget(self.note_edit)
        self.hint = _plain_label("", self)
        self.hint.setObjectName("noteHint")
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.note_edit.textChanged.connect(self._on_note_edit_text_changed)
        self._on_note_edit_text_changed()
        self.resize(420, 220)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()

    def _note_problem(self) -> str:
        text = self.note()
        if self.required and not text:
            return self.tr("A note is required for this action.")
        if len(text) > MAX_NOTE:
            return (
                self.tr("The note is too long (%1 of at most %2 characters).")
                .replace("%1", str(len(text)))
                .replace("%2", str(MAX_NOTE))
            )
        return ""

    def _on_note_edit_text_changed(self) -> None:
        problem = self._note_problem()
        self.hint.setText(problem)
        self.ok_button.setEnabled(not problem)

    def accept(self) -> None:
        if self._note_problem():
            return  # Enter in the dialog must not get round the disabled button
        super().accept()


class FeedbackDialog(NoteDialog):
    """A step taken on site (处置反馈, 信息核实…) from a seat: the note (unless the step makes it
    optional) and, when there is one, the photo from disk."""

    def __init__(
        self, title: str, prompt: str, *, required: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(title, prompt, required=required, parent=parent)
        self.setObjectName("feedbackDialog")
        self.photo_path: str | None = None
        row = QHBoxLayout()
        self.photo_label = _plain_label(self.tr("No photo"), self)
        self.photo_label.setObjectName("feedbackPhoto")
        pick = QPushButton(self.tr("Attach a photo…"), self)
        pick.clicked.connect(self._on_pick_clicked)
        row.addWidget(self.photo_label, 1)
        row.addWidget(pick)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(2, row)

    def choose_photo(self, path: str | None) -> None:
        """The after-photo (the file is read and checked on the worker when the step is taken)."""
        self.photo_path = path or None
        self.photo_label.setText(Path(path).name if path else self.tr("No photo"))

    def _on_pick_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("After-photo"), "", self.tr("Photos (*.jpg *.jpeg *.png *.webp)")
        )
        if path:
            self.choose_photo(path)


def ask_feedback(
    parent: QWidget | None, title: str, prompt: str, *, required: bool = True
) -> tuple[str, str | None] | None:
    """(note, photo path or None), or None when cancelled."""
    dialog = FeedbackDialog(title, prompt, required=required, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.note(), dialog.photo_path
    finally:
        dialog.deleteLater()


class ExtensionDialog(NoteDialog):
    """Asks for an extension amount (in the case's limit unit) and the reason (required)."""

    def __init__(
        self,
        title: str,
        *,
        unit: str | None,
        limit_value: float | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, "", required=True, parent=parent)
        self.setObjectName("extensionDialog")
        self.prompt_label.setText(self.tr("How much more time is needed, and why?"))
        form = QFormLayout()
        self.amount_spin = QDoubleSpinBox(self)
        self.amount_spin.setObjectName("amountSpin")
        self.amount_spin.setDecimals(1)
        self.amount_spin.setSingleStep(0.5)
        self.amount_spin.setMinimum(0.5)
        # The service refuses more than ten times the limit.
        top = limit_value * 10 if limit_value and limit_value > 0 else 999.0
        self.amount_spin.setMaximum(max(top, 0.5))
        self.amount_spin.setValue(min(max(limit_value or 1.0, 0.5), self.amount_spin.maximum()))
        suffix = {
            "work_hours": self.tr("work hours"),
            "workdays": self.tr("workdays"),
            "hours": self.tr("hours"),
        }.get(unit or "")
        if suffix:
            self.amount_spin.setSuffix(" " + suffix)
        form.addRow(self.tr("Extension:"), self.amount_spin)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(1, form)

    def amount(self) -> float:
        return float(self.amount_spin.value())


class InspectorDialog(NoteDialog):
    """Names the inspector a task goes to (信息核实, 核查任务), with an optional note."""

    def __init__(
        self,
        title: str,
        prompt: str,
        inspectors: Sequence[tuple[int, str]],
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, prompt, required=False, parent=parent)
        self.setObjectName("inspectorDialog")
        self.inspector_combo = QComboBox(self)
        self.inspector_combo.setObjectName("inspectorCombo")
        for inspector_id, name in inspectors:
            self.inspector_combo.addItem(name, inspector_id)
        form = QFormLayout()
        form.addRow(self.tr("Inspector:"), self.inspector_combo)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(1, form)
        self._on_note_edit_text_changed()

    def inspector_id(self) -> int | None:
        value = self.inspector_combo.currentData()
        return value if isinstance(value, int) else None

    def _note_problem(self) -> str:
        if self.inspector_combo_empty():
            return self.tr("No active inspector to choose: add one under Users first.")
        return super()._note_problem()

    def inspector_combo_empty(self) -> bool:
        # Asked from the base class's constructor too, before the combo exists.
        combo = getattr(self, "inspector_combo", None)
        return combo is not None and combo.count() == 0


class ForceDialog(NoteDialog):
    """二级派遣: the street force a case goes on to, its limit in hours, an optional note."""

    def __init__(
        self,
        title: str,
        prompt: str,
        forces: Sequence[tuple[str, str]],
        *,
        max_hours: float,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, prompt, required=False, parent=parent)
        self.setObjectName("forceDialog")
        self.force_combo = QComboBox(self)
        self.force_combo.setObjectName("forceCombo")
        for key, label in forces:
            self.force_combo.addItem(label, key)
        self.hours_spin = QDoubleSpinBox(self)
        self.hours_spin.setObjectName("forceHours")
        self.hours_spin.setDecimals(1)
        self.hours_spin.setRange(0.5, max(0.5, max_hours))
        self.hours_spin.setValue(min(4.0, max(0.5, max_hours)))
        self.hours_spin.setSuffix(self.tr(" h"))
        form = QFormLayout()
        form.addRow(self.tr("Send to:"), self.force_combo)
        form.addRow(self.tr("Limit (within the district's deadline):"), self.hours_spin)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(1, form)
        self._on_note_edit_text_changed()

    def force(self) -> str | None:
        value = self.force_combo.currentData()
        return value if isinstance(value, str) else None

    def hours(self) -> float:
        return float(self.hours_spin.value())


def ask_force(
    parent: QWidget | None,
    title: str,
    prompt: str,
    forces: Sequence[tuple[str, str]],
    *,
    max_hours: float,
) -> tuple[str, float, str] | None:
    """(the force's key, the limit in hours, note), or None when cancelled."""
    dialog = ForceDialog(title, prompt, forces, max_hours=max_hours, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        chosen = dialog.force()
        return None if chosen is None else (chosen, dialog.hours(), dialog.note())
    finally:
        dialog.deleteLater()


def ask_inspector(
    parent: QWidget | None, title: str, prompt: str, inspectors: Sequence[tuple[int, str]]
) -> tuple[int, str] | None:
    """(the inspector's user id, note), or None when cancelled."""
    dialog = InspectorDialog(title, prompt, inspectors, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        chosen = dialog.inspector_id()
        return None if chosen is None else (chosen, dialog.note())
    finally:
        dialog.deleteLater()


def ask_note(parent: QWidget | None, title: str, prompt: str, *, required: bool) -> str | None:
    """The note typed by the user ("" allowed when not required), or None when cancelled."""
    dialog = NoteDialog(title, prompt, required=required, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.note()
    finally:
        dialog.deleteLater()


def ask_extension(
    parent: QWidget | None, title: str, *, unit: str | None, limit_value: float | None
) -> tuple[float, str] | None:
    """(amount in the limit's unit, reason), or None when cancelled."""
    dialog = ExtensionDialog(title, unit=unit, limit_value=limit_value, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.amount(), dialog.note()
    finally:
        dialog.deleteLater()


class ReminderDialog(QDialog):
    """When to be reminded about a case: in N working hours, or at a local date and time."""

    def __init__(self, parent: QWidget | None = None, case_label: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(
            self.tr("Remind me about %1").replace("%1", case_label)
            if case_label
            else self.tr("Remind me")
        )
        #: Which case the reminder is for, said in the dialog itself (never a guess).
        self.case_label = QLabel(case_label, self)
        self.case_label.setObjectName("reminderCase")
        self.case_label.setTextFormat(Qt.TextFormat.PlainText)
        self.in_hours = QRadioButton(self.tr("In working hours:"), self)
        self.at_time = QRadioButton(self.tr("At:"), self)
        self.in_hours.setChecked(True)
        self.hours = QDoubleSpinBox(self)
        self.hours.setRange(0.25, 200)
        self.hours.setSingleStep(0.5)
        self.hours.setValue(2)
        self.when = QDateTimeEdit(self)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        soon = datetime.now(LOCAL_TZ) + timedelta(hours=1)
        self.when.setDateTime(
            QDateTime.fromString(soon.strftime("%Y-%m-%d %H:%M"), "yyyy-MM-dd HH:mm")
        )
        self.note = QLineEdit(self)
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(self.tr("What to check"))
        form = QFormLayout(self)
        if case_label:
            form.addRow(self.tr("Case:"), self.case_label)
        form.addRow(self.in_hours, self.hours)
        form.addRow(self.at_time, self.when)
        form.addRow(self.tr("Note:"), self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def answer(self) -> tuple[str, float | datetime, str]:
        """("hours", float, note) or ("at", aware local datetime, note)."""
        note = self.note.text().strip()
        if self.in_hours.isChecked():
            return "hours", float(self.hours.value()), note
        text = self.when.dateTime().toString("yyyy-MM-dd HH:mm")
        return "at", datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ), note


def ask_reminder(
    parent: QWidget | None, case_label: str = ""
) -> tuple[str, float | datetime, str] | None:
    dialog = ReminderDialog(parent, case_label)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()
    finally:
        dialog.deleteLater()
