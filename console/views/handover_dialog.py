"""The shift handover dialog (交接班): the summary, the notes, the two signatures, the PDF.

The dialog shows and collects; it writes nothing to the database. The lead's handler listens
to :attr:`HandoverDialog.save_requested`, :attr:`HandoverDialog.sign_requested` and
:attr:`HandoverDialog.export_pdf_requested`, calls the services and gives the fresh record back
with :meth:`HandoverDialog.set_record`. Case text is shown as plain text only: an address may
contain anything, markup included.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.lifecycle import STATE_LABELS
from console.services.handover import (
    COUNT_KEYS,
    LIST_KEYS,
    MAX_NOTES,
    DutyCandidate,
    HandoverRecord,
    HandoverSummary,
    shift_labels,
)
from console.views.formatting import local_time_text
from console.views.handover_pdf import write_handover_pdf
from console.views.i18n import pick, use_english
from console.views.labels import role_text


def _plain_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    return label


def _read_only_table(headers: list[str], rows: list[list[str]], parent: QWidget) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))  # items show plain text
    return table


def _fit_height(table: QTableWidget) -> None:
    """Fix ``table``'s height to its rows, so the dialog's spare height goes to the lists."""
    table.resizeRowsToContents()
    frame = table.frameWidth() * 2
    table.setFixedHeight(
        table.horizontalHeader().sizeHint().height() + table.verticalHeader().length() + frame
    )


class HandoverDialog(QDialog):
    """Shows a :class:`HandoverSummary` (and, once saved, its :class:`HandoverRecord`)."""

    #: "outgoing" or "incoming": the signed-in officer wants to sign that side.
    sign_requested = Signal(str)
    #: The notes as typed: save the handover (or its notes).
    save_requested = Signal(str)
    #: A PDF of the handover was written to this path (a :class:`pathlib.Path`).
    export_pdf_requested = Signal(object)

    def __init__(
        self,
        summary: HandoverSummary,
        record: HandoverRecord | None = None,
        parent: QWidget | None = None,
        *,
        candidates: Sequence[DutyCandidate] = (),
        incoming_user_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handoverDialog")
        self.setWindowTitle(self.tr("Shift handover"))
        self.summary = summary
        self.record = record
        self.candidates = list(candidates)
        layout = QVBoxLayout(self)

        shift = pick(*shift_labels().get(summary.shift_code, ("", "")))
        self.shift_label = _plain_label(
            self.tr("Shift: %1  %2 – %3")
            .replace("%1", shift)
            .replace("%2", local_time_text(summary.shift_start))
            .replace("%3", local_time_text(summary.shift_end)),
            self,
        )
        self.shift_label.setObjectName("shiftLabel")
        layout.addWidget(self.shift_label)
        duty = "；".join(f"{role_text(e.role)} {e.display_name}" for e in summary.on_duty)
        self.duty_label = _plain_label(
            self.tr("On duty: %1").replace("%1", duty or self.tr("nobody on the roster")), self
        )
        self.duty_label.setObjectName("dutyLabel")
        layout.addWidget(self.duty_label)

        incoming_row = QHBoxLayout()
        incoming_row.addWidget(QLabel(self.tr("Incoming officer"), self))
        self.incoming_combo = QComboBox(self)
        self.incoming_combo.setObjectName("incomingCombo")
        self.incoming_combo.addItem(self.tr("— choose who takes over —"), None)
        for c in self.candidates:
            self.incoming_combo.addItem(
                f"{role_text(c.role)} {c.display_name}（{c.username}）",
                c.user_id,
            )
        chosen = record.incoming_user_id if record is not None else incoming_user_id
        found = self.incoming_combo.findData(chosen) if chosen is not None else -1
        self.incoming_combo.setCurrentIndex(max(found, 0))
        incoming_row.addWidget(self.incoming_combo, 1)
        layout.addLayout(incoming_row)

        # Counts of the shift: the disambiguation keeps them apart from the queue's time
        # columns (立案, not 立案时间).
        count_names = {
            "new": self.tr("New reports"),
            "registered": self.tr("Registered", "handover count"),
            "dispatched": self.tr("Dispatched", "handover count"),
            "closed": self.tr("Closed", "handover count"),
            "overdue_now": self.tr("Overdue now"),
            "open_supervision": self.tr("Cases under supervision"),
            "unacknowledged_alerts": self.tr("Unacknowledged alerts"),
        }
        self.counts_table = _read_only_table(
            [self.tr("Item"), self.tr("Count")],
            [[count_names[k], str(summary.counts.get(k, 0))] for k in COUNT_KEYS],
            self,
        )
        self.counts_table.setObjectName("countsTable")
        _fit_height(self.counts_table)  # every count in view: no scroll bar for seven rows
        layout.addWidget(self.counts_table)

        list_names = {
            "overdue": self.tr("Overdue cases"),
            "open_supervision": self.tr("Open supervision"),
            "unacknowledged_alerts": self.tr("Unacknowledged alerts"),
        }
        self.list_tabs = QTabWidget(self)
        self.list_tabs.setObjectName("listTabs")
        self.list_tables: dict[str, QTableWidget] = {}
        for key in LIST_KEYS:
            detail = self.tr("Deadline") if key == "overdue" else self.tr("Alert")
            rows = [
                [
                    line.number,
                    line.category_code,
                    line.address,
                    pick(*STATE_LABELS[line.state])
                    if line.state in STATE_LABELS
                    else line.state_label,
                    line.detail,
                ]
                for line in summary.lists.get(key, [])
            ]
            table = _read_only_table(
                [
                    self.tr("Case number"),
                    self.tr("Category"),
                    self.tr("Address"),
                    self.tr("State"),
                    detail,
                ],
                rows,
                self,
            )
            table.setObjectName(f"{key}Table")
            self.list_tables[key] = table
            self.list_tabs.addTab(table, f"{list_names[key]} ({len(rows)})")
        layout.addWidget(self.list_tabs, 1)

        notes_box = QGroupBox(self.tr("Notes"), self)
        notes_layout = QVBoxLayout(notes_box)
        self.notes_edit = QPlainTextEdit(notes_box)
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setPlaceholderText(self.tr("What the next shift needs to know"))
        self.notes_edit.setPlainText(record.notes if record is not None else "")
        self.notes_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        notes_layout.addWidget(self.notes_edit)
        layout.addWidget(notes_box)

        self.signature_label = _plain_label("", self)
        self.signature_label.setObjectName("signatureLabel")
        layout.addWidget(self.signature_label)

        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("saveButton")
        self.sign_outgoing_button = QPushButton(self.tr("Sign as outgoing"), self)
        self.sign_outgoing_button.setObjectName("signOutgoingButton")
        self.sign_incoming_button = QPushButton(self.tr("Sign as incoming"), self)
        self.sign_incoming_button.setObjectName("signIncomingButton")
        self.export_button = QPushButton(self.tr("Export PDF…"), self)
        self.export_button.setObjectName("exportButton")
        self.close_button = QPushButton(self.tr("Close"), self)
        for button in (
            self.save_button,
            self.sign_outgoing_button,
            self.sign_incoming_button,
            self.export_button,
        ):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.sign_outgoing_button.clicked.connect(lambda: self.sign_requested.emit("outgoing"))
        self.sign_incoming_button.clicked.connect(lambda: self.sign_requested.emit("incoming"))
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.close_button.clicked.connect(self.reject)
        self.notes_edit.textChanged.connect(self._update_buttons)
        self.incoming_combo.currentIndexChanged.connect(lambda _i: self._update_buttons())
        self._update_signatures()
        # Tall enough for the case lists (the part read most) on a workstation's screen.
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        self.resize(900, min(860, int(screen.height() * 0.85)) if screen is not None else 760)

    # --- state ------------------------------------------------------------------------------

    def notes(self) -> str:
        return self.notes_edit.toPlainText().strip()

    def incoming_user_id(self) -> int | None:
        """The officer chosen to take over (None until one is chosen)."""
        value = self.incoming_combo.currentData()
        return int(value) if value is not None else None

    def incoming_username(self) -> str | None:
        wanted = self.record.incoming_user_id if self.record is not None else None
        wanted = wanted if wanted is not None else self.incoming_user_id()
        return next((c.username for c in self.candidates if c.user_id == wanted), None)

    def set_record(self, record: HandoverRecord) -> None:
        """The saved (or freshly signed) handover: show its signatures and state."""
        self.record = record
        self.summary = record.summary
        if self.notes_edit.toPlainText().strip() != record.notes:
            self.notes_edit.setPlainText(record.notes)
        self._update_signatures()

    def _signature_text(self, side: str) -> str:
        record = self.record
        title = self.tr("Outgoing") if side == "outgoing" else self.tr("Incoming")
        if record is None:
            return self.tr("%1: not signed").replace("%1", title)
        name = record.outgoing_name if side == "outgoing" else record.incoming_name
        at = record.outgoing_signed_at if side == "outgoing" else record.incoming_signed_at
        if at is None:
            return self.tr("%1 %2: not signed").replace("%1", title).replace("%2", name)
        return (
            self.tr("%1 %2: signed %3")
            .replace("%1", title)
            .replace("%2", name)
            .replace("%3", local_time_text(at))
        )

    def _update_signatures(self) -> None:
        lines = [self._signature_text("outgoing"), self._signature_text("incoming")]
        if self.record is not None and self.record.complete:
            lines.append(self.tr("The handover is complete."))
        self.signature_label.setText("\n".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        record = self.record
        self.sign_outgoing_button.setEnabled(record is None or record.outgoing_signed_at is None)
        self.sign_incoming_button.setEnabled(record is None or record.incoming_signed_at is None)
        too_long = len(self.notes()) > MAX_NOTES
        signed = record is not None and (
            record.outgoing_signed_at is not None or record.incoming_signed_at is not None
        )
        # Once someone has signed, the notes are what they signed.
        self.notes_edit.setReadOnly(signed)
        self.save_button.setEnabled(not signed and not too_long)
        # Whom the handover goes to is fixed once it is saved.
        self.incoming_combo.setEnabled(record is None)
        if record is not None and record.incoming_user_id is not None:
            found = self.incoming_combo.findData(record.incoming_user_id)
            if found < 0:  # someone not among the candidates (no longer on duty roles)
                self.incoming_combo.addItem(record.incoming_name, record.incoming_user_id)
                found = self.incoming_combo.count() - 1
            self.incoming_combo.setCurrentIndex(found)

    # --- actions ----------------------------------------------------------------------------

    def export_to(self, path: Path) -> Path:
        """Write the PDF (with the notes as shown) to ``path`` and announce it."""
        written = write_handover_pdf(
            self.record if self.record is not None else self.summary,
            Path(path),
            english=use_english(),
            notes=self.notes(),
        )
        self.export_pdf_requested.emit(written)
        return written

    def _on_save_button_clicked(self) -> None:
        self.save_requested.emit(self.notes())

    def _on_export_button_clicked(self) -> None:
        start = self.summary.shift_start.strftime("%Y%m%d-%H%M")
        name, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export handover as PDF"),
            f"handover-{start}.pdf",
            self.tr("PDF files (*.pdf)"),
        )
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        self.export_to(path)
