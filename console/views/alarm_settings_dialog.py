"""The duty officer's alarm settings: which levels ring, quiet hours, how often it repeats."""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from console.views.alarm import LEVELS, AlarmSettings
from console.views.i18n import pick

#: Level names for the check boxes (zh, en); the levels themselves come from alarm.LEVELS.
LEVEL_NAMES = {
    "warning": ("黄灯预警", "Yellow warning"),
    "overdue": ("超期", "Overdue"),
    "supervise_1": ("一级督办", "Supervision level 1"),
    "supervise_2": ("二级督办", "Supervision level 2"),
    "supervise_3": ("三级督办", "Supervision level 3"),
}


class AlarmSettingsDialog(QDialog):
    def __init__(self, settings: AlarmSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Alarm settings"))
        layout = QVBoxLayout(self)
        self.level_boxes: dict[str, QCheckBox] = {}
        for level in LEVELS:
            zh, en = LEVEL_NAMES.get(level, (level, level))
            box = QCheckBox(pick(zh, en), self)
            box.setChecked(level in settings.enabled_levels)
            layout.addWidget(box)
            self.level_boxes[level] = box
        form = QFormLayout()
        self.quiet = QCheckBox(self.tr("Quiet hours"), self)
        self.quiet_start = QTimeEdit(self)
        self.quiet_end = QTimeEdit(self)
        for edit, value in (
            (self.quiet_start, settings.quiet_start),
            (self.quiet_end, settings.quiet_end),
        ):
            edit.setDisplayFormat("HH:mm")
            if value is not None:
                edit.setTime(QTime(value.hour, value.minute))
        self.quiet.setChecked(settings.quiet_start is not None and settings.quiet_end is not None)
        form.addRow(self.quiet)
        form.addRow(self.tr("From:"), self.quiet_start)
        form.addRow(self.tr("To:"), self.quiet_end)
        self.repeat = QDoubleSpinBox(self)
        self.repeat.setRange(5, 600)
        self.repeat.setSuffix(" s")
        self.repeat.setValue(max(5.0, float(settings.repeat_s)))
        form.addRow(self.tr("Repeat every:"), self.repeat)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def result_settings(self) -> AlarmSettings:
        def as_time(edit: QTimeEdit) -> time:
            value = edit.time()
            return time(value.hour(), value.minute())

        quiet = self.quiet.isChecked()
        return AlarmSettings(
            enabled_levels={lvl for lvl, box in self.level_boxes.items() if box.isChecked()},
            quiet_start=as_time(self.quiet_start) if quiet else None,
            quiet_end=as_time(self.quiet_end) if quiet else None,
            repeat_s=float(self.repeat.value()),
        )
