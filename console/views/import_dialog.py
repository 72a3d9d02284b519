"""The import dialog: a file of reports into the console, with progress and a cancel button.

The import runs on the bridge's worker (Workbench.import_file). Its progress callback runs
there too and is posted to the GUI thread (Bridge.post); the cancel button sets an event the
import polls, and a cancel before the commit leaves nothing written. At the end the dialog
shows the counts and the report file, with a button to open it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError
from console.services.ingest.registry import IMPORT_FORMATS, file_patterns
from console.views.i18n import pick
from console.views.labels import source_text

if TYPE_CHECKING:
    from console.services.ingest import IngestResult
    from console.services.workbench import Workbench

#: The formats `grid-console ingest --format` takes.
#: Where reports come from (codes of console.services.report_input.SOURCE_LABELS).
SOURCES = ("inspector", "hotline", "video", "public", "opinion")
#: The progress dialog counts in thousandths (a QProgressDialog holds an int range).
STEPS = 1000


def _args(text: str, *values: object) -> str:
    """Qt's %1 %2 … placeholders filled in (the last first, so a value holding "%2" stays)."""
    for i in range(len(values), 0, -1):
        text = text.replace(f"%{i}", str(values[i - 1]))
    return text


class ImportDialog(QDialog):
    #: The import ended: the console.services.ingest.IngestResult.
    import_finished = Signal(object)
    #: The import failed or was cancelled: (code, message).
    import_failed = Signal(str, str)
    #: Progress as posted from the worker: (rows done, rows in the file).
    progress_changed = Signal(int, int)

    def __init__(self, bridge: Bridge, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.workbench = workbench
        self.setWindowTitle(self.tr("Import reports"))
        self.setMinimumWidth(560)  # room for a whole path and the format hint
        #: The last import's result (not ``result``: that is QDialog.result(), the dialog code).
        self.import_result: IngestResult | None = None
        self.report_path: Path | None = None
        self._cancel = threading.Event()
        self._running = False

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("CSV, JSON lines, JSON, Open311 or GeoJSON"))
        self.path_edit.textChanged.connect(self._update_buttons)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)

        self.format_box = QComboBox()
        self.format_box.addItem(self.tr("Detect"), "auto")
        for declared in IMPORT_FORMATS:  # console.services.ingest.registry
            self.format_box.addItem(pick(declared.label_zh, declared.label_en), declared.name)
        self.source_box = QComboBox()
        self.source_box.addItem(self.tr("As in the file"), None)
        for code in SOURCES:
            self.source_box.addItem(source_text(code), code)
        self.dry_run_box = QCheckBox(self.tr("Dry run: check every row, import nothing"))

        form = QFormLayout()
        form.addRow(self.tr("File"), file_row)
        form.addRow(self.tr("Format"), self.format_box)
        form.addRow(self.tr("Source"), self.source_box)
        form.addRow("", self.dry_run_box)

        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_report_button = QPushButton(self.tr("Open rejections…"))
        self.open_report_button.clicked.connect(self.open_report)
        self.open_report_button.setVisible(False)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.import_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.open_report_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)

        self.progress = QProgressDialog(self)
        self.progress.setWindowTitle(self.tr("Importing"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setRange(0, STEPS)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(self.cancel)
        self.progress.reset()
        self.progress.hide()
        self._update_buttons()

    # -- choosing ----------------------------------------------------------------------

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a file to import"),
            self.path_edit.text(),
            self.tr("Reports (%1)").replace("%1", " ".join(file_patterns()))
            + ";;"
            + self.tr("All files (*)"),
        )
        if path:
            self.path_edit.setText(path)

    def _update_buttons(self) -> None:
        self.import_button.setEnabled(bool(self.path_edit.text().strip()) and not self._running)

    def set_file(self, path: str | Path, fmt: str = "auto", source: str | None = None) -> None:
        """Choose the file, format and source (what the widgets do, for callers and tests)."""
        self.path_edit.setText(str(path))
        self.format_box.setCurrentIndex(max(0, self.format_box.findData(fmt)))
        self.source_box.setCurrentIndex(max(0, self.source_box.findData(source)))

    # -- running -----------------------------------------------------------------------

    def start(self) -> None:
        path = self.path_edit.text().strip()
        if not path or self._running:
            return
        fmt = self.format_box.currentData()
        source = self.source_box.currentData()
        dry_run = self.dry_run_box.isChecked()
        self._running = True
        self._cancel.clear()
        self.import_result = None
        self.report_path = None
        self.summary_label.clear()
        self.open_report_button.setVisible(False)
        self._update_buttons()
        self.progress.setLabelText(_args(self.tr("Reading %1…"), Path(path).name))
        self.progress.setValue(0)
        self.progress.show()
        cancel = self._cancel

        def posted(done: int, total: int) -> None:  # on the worker
            self.bridge.post(self._on_progress, (done, total))

        self.bridge.submit_long(
            lambda: self.workbench.import_file(
                path, fmt, source, dry_run, progress=posted, should_cancel=cancel.is_set
            ),
            self._on_done,
            self._on_error,
        )

    def cancel(self) -> None:
        """Ask the running import to stop; it rolls back unless it has already committed."""
        if self._running:
            self._cancel.set()
            self.progress.setLabelText(self.tr("Cancelling…"))

    def _on_progress(self, value: tuple[int, int]) -> None:
        done, total = value
        if not self._running:
            return
        self.progress_changed.emit(done, total)
        if not self._cancel.is_set():
            self.progress.setLabelText(_args(self.tr("%1 of %2 rows"), f"{done:,}", f"{total:,}"))
        self.progress.setValue(round(STEPS * done / total) if total else STEPS)

    def _finish(self) -> None:
        self._running = False
        self.progress.hide()
        self.progress.reset()
        self._update_buttons()

    def _on_done(self, result: IngestResult) -> None:
        self._finish()
        self.import_result = result
        self.report_path = result.report_path
        lines = [
            self.tr("Dry run: nothing was imported.") if result.dry_run else "",
            _args(self.tr("%1 rows (%2, %3)"), result.total, result.format, result.encoding),
            _args(
                self.tr("Valid: %1") if result.dry_run else self.tr("Accepted: %1"), result.valid
            ),
            _args(self.tr("Rejected: %1"), len(result.rejected)),
            _args(self.tr("Duplicates (already imported): %1"), result.duplicates),
        ]
        if result.possible_duplicates:
            lines.append(
                _args(self.tr("Flagged as possible duplicates: %1"), result.possible_duplicates)
            )
        lines.append(_args(self.tr("Report: %1"), result.report_path))
        self.summary_label.setText("\n".join(line for line in lines if line))
        self.open_report_button.setVisible(True)
        self.open_report_button.setEnabled(bool(result.rejected) or result.duplicates > 0)
        self.import_finished.emit(result)

    def _on_error(self, exc: ConsoleError) -> None:
        self._finish()
        if exc.code == "cancelled":
            text = self.tr("Cancelled: nothing was imported.")
        else:
            text = _args(self.tr("Import failed: %1"), exc.message)
        self.summary_label.setText(text)
        self.import_failed.emit(exc.code, exc.message)

    def open_report(self) -> None:
        """The report file (one line per row, rejections with line and reason) in the system's
        spreadsheet or text viewer."""
        if self.report_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report_path)))

    def reject(self) -> None:
        if self._running:  # closing while importing cancels first
            self.cancel()
            return
        super().reject()
