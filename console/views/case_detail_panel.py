"""The case detail pane: one case's record, clock, history and the actions the seat may take.

The panel takes a plain ``CaseDetail`` record (console.services.cases.detail) through
:meth:`CaseDetailPanel.show_detail` and only reads its attributes; in the main window it
follows the seat's :class:`~console.views.current_case.CurrentCase` (:meth:`follow`), so it
shows nothing but the case actions act on. It never calls a service: a button emits a signal
and the main window submits the use case through the bridge.

Case text (description, address, notes) is untrusted, so it is only ever shown as plain text.
The timeline lists the newest event first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.lifecycle import FINAL_STATES, default_lifecycle
from console.views import action_dialogs, component_close_dialog
from console.views.component_box import ComponentBox
from console.views.current_case import CurrentCase
from console.views.duplicates_box import DuplicatesBox
from console.views.formatting import limit_display, local_time_text, remaining_text
from console.views.i18n import pick, use_english
from console.views.labels import source_text, state_text
from console.views.photo_strip import PhotoStrip

if TYPE_CHECKING:
    from console.services.cases.detail import ActionOption, CaseDetail, TimelineEntry
    from console.services.cases.photos import CasePhoto
    from console.services.duplicates.pairs import DuplicateCandidate

#: Buttons per row in the action bar.
_ACTIONS_PER_ROW = 4
#: Inputs (transitions.csv) asked for in a dialog of the panel's own before the step is sent.
_ASKS_FIRST = frozenset({"note", "photo", "extension", "inspector"})
#: Fallback colours when no theme style sheet is applied (the QSS themes override them).
_CHIP_FALLBACK = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "none": "#9e9e9e"}
_BANNER_FALLBACK = "#fff3b0"


def _light_code(light: object) -> str:
    """ "green" / "yellow" / "red" from a Light (StrEnum) or a string; "none" otherwise."""
    code = str(getattr(light, "value", light) or "").lower()
    return code if code in ("green", "yellow", "red") else "none"


def _action_text(action: str, label_zh: str) -> str:
    if not use_english():
        return label_zh
    transition = default_lifecycle().transitions.get(action)
    return transition.label_en if transition is not None else label_zh


def _plain_label(object_name: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


def _repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class CaseDetailPanel(QWidget):
    """Shows one case; emits what the user asked for (the main window does the rest)."""

    #: (action, case id, version) for an action that needs no input.
    action_requested = Signal(str, int, int)
    #: (action, case id, version, params) after asking for a note (and an extension amount).
    action_with_input_requested = Signal(str, int, int, object)
    #: Case ids to open the dispatch dialog for.
    dispatch_requested = Signal(list)
    #: Case id to show on the map.
    locate_requested = Signal(int)
    #: Case id to make the current case (another case about the same register object).
    open_case_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseDetailPanel")
        self._detail: CaseDetail | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.fields: dict[str, QLabel] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.addWidget(self._build_notice())
        self.stack = QStackedWidget(self)
        self.empty_label = QLabel(self.tr("Select a case to see its details."))
        self.empty_label.setObjectName("detailEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self._build_content())
        outer.addWidget(self.stack, 1)

    # -- construction ------------------------------------------------------------------

    def _build_notice(self) -> QFrame:
        self.notice = QFrame(self)
        self.notice.setObjectName("noticeBanner")
        self.notice.setAutoFillBackground(True)
        palette = self.notice.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(_BANNER_FALLBACK))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#3d3200"))
        self.notice.setPalette(palette)
        row = QHBoxLayout(self.notice)
        row.setContentsMargins(8, 4, 4, 4)
        self.notice_label = _plain_label("noticeText")
        row.addWidget(self.notice_label, 1)
        close = QToolButton(self.notice)
        close.setObjectName("noticeClose")
        close.setText("×")
        close.setToolTip(self.tr("Dismiss"))
        close.setAutoRaise(True)
        close.clicked.connect(self.notice.hide)
        row.addWidget(close)
        self.notice.hide()
        return self.notice

    def _build_content(self) -> QWidget:
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_header())

        scroll = QScrollArea(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self._build_form(body))
        self.component_box = ComponentBox(body)
        self.component_box.open_case_requested.connect(self.open_case_requested)
        body_layout.addWidget(self.component_box)
        self.duplicates = DuplicatesBox(body)
        self.duplicates.merge_requested.connect(self._on_merge_requested)
        self.duplicates.keep_apart_requested.connect(self._on_keep_apart_requested)
        body_layout.addWidget(self.duplicates)
        body_layout.addWidget(self._build_timeline(body), 1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

        self.action_bar = QWidget(content)
        self.action_bar.setObjectName("actionBar")
        self.action_grid = QGridLayout(self.action_bar)
        self.action_grid.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.action_bar)
        return content

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.number_label = _plain_label("caseNumber")
        self.number_label.setWordWrap(False)
        font = self.number_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.number_label.setFont(font)
        self.state_chip = _plain_label("stateChip")
        self.state_chip.setWordWrap(False)
        self.light_chip = _plain_label("lightChip")
        self.light_chip.setWordWrap(False)
        self.light_chip.setAutoFillBackground(True)
        self.light_chip.setProperty("light", "none")
        self.urgent_badge = _plain_label("urgentBadge")
        self.urgent_badge.setWordWrap(False)
        self.urgent_badge.setText(self.tr("Urgent"))
        self.locate_button = QPushButton(self.tr("Show on map"))
        self.locate_button.setObjectName("locateButton")
        self.locate_button.clicked.connect(self._on_locate_button_clicked)
        for widget in (self.number_label, self.state_chip, self.light_chip, self.urgent_badge):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.locate_button)
        return row

    def _build_form(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Case"), parent)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows = [
            ("category", self.tr("Category")),
            ("kind", self.tr("Type")),
            ("source", self.tr("Source")),
            ("caller", self.tr("Caller")),
            ("caller_phone", self.tr("Caller's phone")),
            ("open311_extras", self.tr("Open311 contact")),
            ("address", self.tr("Address")),
            ("description", self.tr("Description")),
            ("street", self.tr("Street")),
            ("area", self.tr("Area")),
            ("unit", self.tr("Community unit")),
            ("grid", self.tr("Grid")),
            ("coordinates", self.tr("Coordinates")),
            ("department", self.tr("Department")),
            ("inspector", self.tr("Assigned inspector")),
            ("sub_task", self.tr("Street sub-task")),
            ("limit", self.tr("Time limit")),
            ("extension", self.tr("Extension")),
            ("rule_condition", self.tr("Registration condition")),
            ("closing_condition", self.tr("Closing condition")),
            ("reported_at", self.tr("Reported")),
            ("registered_at", self.tr("Registered")),
            ("dispatched_at", self.tr("Dispatched")),
            ("deadline_at", self.tr("Deadline")),
            ("handled_at", self.tr("Handled")),
            ("closed_at", self.tr("Closed")),
            ("rework", self.tr("Reworks / returns")),
        ]
        for key, title in rows:
            if key == "description":
                self.description_view = QPlainTextEdit(box)
                self.description_view.setObjectName("descriptionView")
                self.description_view.setReadOnly(True)
                self.description_view.setMaximumHeight(110)
                form.addRow(title, self.description_view)
                continue
            label = _plain_label(f"field_{key}")
            self.fields[key] = label
            form.addRow(title, label)
        # The reporter's photos and the handler's after-photos (read on the worker; the main
        # window hands them over with show_photos).
        self.photos = PhotoStrip(box)
        form.addRow(self.tr("Photos"), self.photos)
        self._form = form
        return box

    def _build_timeline(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("History (newest first)"), parent)
        layout = QVBoxLayout(box)
        self.timeline = QTreeWidget(box)
        self.timeline.setObjectName("timeline")
        self.timeline.setRootIsDecorated(False)
        self.timeline.setUniformRowHeights(True)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline.setHeaderLabels(
            [self.tr("Time"), self.tr("Action"), self.tr("By"), self.tr("State"), self.tr("Note")]
        )
        self.timeline.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.header().setStretchLastSection(True)
        self.timeline.setMinimumHeight(140)
        self.timeline.currentItemChanged.connect(self._on_timeline_current_item_changed)
        layout.addWidget(self.timeline, 1)
        self.timeline_note = QPlainTextEdit(box)
        self.timeline_note.setObjectName("timelineNote")
        self.timeline_note.setReadOnly(True)
        self.timeline_note.setMaximumHeight(70)
        self.timeline_note.setPlaceholderText(self.tr("Select an entry to read its full note."))
        layout.addWidget(self.timeline_note)
        return box

    # -- public API --------------------------------------------------------------------

    @property
    def detail(self) -> CaseDetail | None:
        """The record on show, or None."""
        return self._detail

    @property
    def current_case_id(self) -> int | None:
        return None if self._detail is None else self._detail.snapshot.id

    def show_detail(self, detail: CaseDetail) -> None:
        """Show ``detail`` (a CaseDetail); hides any notice (call show_notice after)."""
        self._detail = detail
        self.notice.hide()
        self._pull_header(detail)
        self._pull_fields(detail)
        self._pull_timeline(detail.timeline)
        self._pull_actions(detail.actions)
        self.component_box.show_component(getattr(detail, "component", None))
        self.duplicates.show_candidates(
            detail.duplicates, detail.duplicate_actions, detail.snapshot.number
        )
        self.stack.setCurrentIndex(1)

    def show_photos(self, case_id: int, photos: Sequence[CasePhoto]) -> None:
        """The photos of ``case_id``, if it is still the case on show (a late answer is dropped)."""
        if self.current_case_id == case_id:
            self.photos.show_photos(case_id, photos)

    def clear(self) -> None:
        """Back to the empty state: no case, no buttons, no notice."""
        self._detail = None
        self.notice.hide()
        self._pull_actions(())
        self.duplicates.show_candidates((), frozenset())
        self.timeline.clear()
        self.timeline_note.clear()
        self.empty_label.setText(self.tr("Select a case to see its details."))
        self.stack.setCurrentIndex(0)

    def follow(self, current: CurrentCase) -> None:
        """Show whatever ``current`` holds; a candidate opened in the duplicates box becomes it."""
        current.changed.connect(self._on_current_changed)
        current.loaded.connect(self._on_current_loaded)
        current.load_failed.connect(self._on_current_load_failed)
        self.duplicates.open_requested.connect(current.set)

    def _on_current_changed(self, _case_id: int) -> None:
        # Nothing of the previous case stays on screen or clickable while the next one loads.
        self.clear()
        self.empty_label.setText(self.tr("Loading the case…"))

    def _on_current_loaded(self, detail: CaseDetail, notice: str) -> None:
        self.show_detail(detail)
        if notice:
            self.show_notice(notice)

    def _on_current_load_failed(self, _case_id: int, message: str) -> None:
        self.clear()
        self.empty_label.setText(message)

    def show_notice(self, text: str) -> None:
        """A yellow banner above the case (e.g. "changed by 张三 just now"); plain text."""
        self.notice_label.setText(text)
        self.notice.show()

    # -- model to widgets --------------------------------------------------------------

    def _pull_header(self, detail: CaseDetail) -> None:
        snap = detail.snapshot
        self.number_label.setText(snap.number)
        self.state_chip.setText(state_text(snap.state))
        light = _light_code(snap.light)
        remaining = remaining_text(detail.remaining_seconds)
        if snap.state in FINAL_STATES:
            # Off the clock for good: a neutral badge, not the last light it had.
            light, remaining = "none", self.tr("Finished")
        if not remaining:
            if snap.state == "suspended":
                remaining = self.tr("Suspended")
            elif light != "none":
                # The clock stopped at the feedback: the light (as the queue shows it) says how
                # the handling went, and the badge says so in words, not 未计时 on green.
                remaining = {
                    "green": self.tr("Handled in time"),
                    "yellow": self.tr("Handled near the deadline"),
                    "red": self.tr("Handled late"),
                }[light]
            else:
                remaining, light = self.tr("No clock"), "none"
        self.light_chip.setText(remaining)
        self.light_chip.setToolTip(
            {
                "green": self.tr("Green: within the time limit"),
                "yellow": self.tr("Yellow: most of the time limit used"),
                "red": self.tr("Red: overdue"),
                "none": self.tr("Not on the deadline clock"),
            }[light]
        )
        self.light_chip.setProperty("light", light)
        palette = self.light_chip.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(_CHIP_FALLBACK[light]))
        palette.setColor(
            QPalette.ColorRole.WindowText, QColor("#222222" if light == "yellow" else "#ffffff")
        )
        self.light_chip.setPalette(palette)
        _repolish(self.light_chip)
        self.urgent_badge.setVisible(bool(snap.urgent))

    def _pull_fields(self, detail: CaseDetail) -> None:
        snap = detail.snapshot
        kinds = {"component": self.tr("Component"), "event_type": self.tr("Event")}
        category = " › ".join(n for n in (detail.major_name, detail.category_name) if n)
        extension = []
        if snap.extension_value:
            extension.append(self.tr("%1 approved").replace("%1", f"{snap.extension_value:g}"))
        if snap.extension_requested:
            extension.append(self.tr("%1 requested").replace("%1", f"{snap.extension_requested:g}"))
        values = {
            "category": f"{category} ({snap.category_code})"
            + (f" · {detail.category_note}" if detail.category_note else ""),
            "kind": kinds.get(snap.kind, snap.kind),
            "source": source_text(snap.source),
            "caller": getattr(detail, "reporter", None),
            "caller_phone": getattr(detail, "reporter_phone", None),
            "open311_extras": "\n".join(
                f"{label}: {value}" for label, value in getattr(detail, "open311_extras", ())
            ),
            "address": snap.address,
            "street": detail.street_name,
            "area": detail.area_name,
            "unit": detail.unit_name,
            "grid": " ".join(p for p in (detail.grid_code, detail.grid_name) if p),
            "coordinates": f"{snap.lon:.6f}, {snap.lat:.6f}",
            "department": detail.department_name or self.tr("Not dispatched"),
            "inspector": getattr(detail, "assigned_inspector", None),
            "sub_task": self._sub_task_text(getattr(detail, "sub_task", None)),
            "limit": limit_display(detail.limit_text),
            "extension": "; ".join(extension) or "—",
            "rule_condition": detail.rule_condition or "—",
            "closing_condition": detail.closing_condition or "—",
            "reported_at": local_time_text(snap.reported_at),
            "registered_at": local_time_text(snap.registered_at),
            "dispatched_at": local_time_text(snap.dispatched_at),
            "deadline_at": local_time_text(snap.deadline_at),
            "handled_at": local_time_text(snap.handled_at),
            "closed_at": local_time_text(snap.closed_at),
            "rework": f"{snap.rework_count} / {snap.return_count}",
        }
        for key, text in values.items():
            self.fields[key].setText(str(text or "—"))
        for key in ("caller", "caller_phone"):  # staff only: the services leave them out else
            self._form.setRowVisible(
                self.fields[key], bool(getattr(detail, "caller_visible", False))
            )
        self._form.setRowVisible(  # only for a case an Open311 client sent them with
            self.fields["open311_extras"], bool(getattr(detail, "open311_extras", ()))
        )
        # 信息核实 / 核查任务: shown while a named inspector has the task.
        self._form.setRowVisible(
            self.fields["inspector"], bool(getattr(detail, "assigned_inspector", None))
        )
        # 二级派遣: shown while the street waits on one of its forces.
        self._form.setRowVisible(self.fields["sub_task"], bool(getattr(detail, "sub_task", None)))
        self.description_view.setPlainText(snap.description)

    def _pull_timeline(self, entries: Iterable[TimelineEntry]) -> None:
        self.timeline.clear()
        self.timeline_note.clear()
        ordered = sorted(entries, key=lambda e: (e.at, e.event_id), reverse=True)
        for entry in ordered:
            actor = entry.actor_name
            who = " · ".join(p for p in (entry.actor_role_label, entry.department_name) if p)
            if who:
                actor = f"{actor}（{who}）"
            to_text = state_text(entry.to_state, entry.to_label)
            if entry.from_state and entry.from_state != entry.to_state:
                state = f"{state_text(entry.from_state, entry.from_label)} → {to_text}"
            elif entry.from_state:
                state = ""  # the action left the state as it was
            else:
                state = f"→ {to_text}"
            note = entry.note or ""
            summary = self._event_summary(entry.action, entry.data or {})
            if summary:
                note = f"{summary}\n{note}" if note else summary
            item = QTreeWidgetItem(
                [
                    local_time_text(entry.at),
                    _action_text(entry.action, entry.action_label),
                    actor,
                    state,
                    " ".join(note.split()),  # one line in the list; in full below
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, note)
            self.timeline.addTopLevelItem(item)

    def _pull_actions(self, actions: Iterable[ActionOption]) -> None:
        for button in self.action_buttons.values():
            self.action_grid.removeWidget(button)
            button.deleteLater()
        self.action_buttons = {}
        for index, option in enumerate(actions):
            button = QPushButton(pick(option.label_zh, option.label_en), self.action_bar)
            button.setObjectName(f"action_{option.action}")
            button.setProperty("action", option.action)
            if option.note_required or option.input in _ASKS_FIRST:  # a dialog comes first
                button.setText(button.text() + "…")
            button.clicked.connect(lambda _=False, o=option: self._on_action_button_clicked(o))
            self.action_grid.addWidget(button, index // _ACTIONS_PER_ROW, index % _ACTIONS_PER_ROW)
            self.action_buttons[option.action] = button
        self.action_bar.setVisible(bool(self.action_buttons))

    def _sub_task_text(self, task: Any) -> str:
        """The street's open sub-task (二级派遣): whom it went to and by when."""
        if task is None:
            return ""
        return (
            self.tr("%1, due %2")
            .replace("%1", str(task.target_name))
            .replace("%2", local_time_text(task.deadline_at))
        )

    def _event_summary(self, action: str, data: dict[str, Any]) -> str:
        """What a pair action's event data says, in words (its note follows)."""
        if action == "merge" and data.get("into_number"):
            return self.tr("Merged into %1").replace("%1", str(data["into_number"]))
        if action == "keep_apart" and data.get("other_number"):
            return self.tr("Not a duplicate of %1").replace("%1", str(data["other_number"]))
        if action == "sub_dispatch" and data.get("force"):
            try:
                due = local_time_text(datetime.fromisoformat(str(data.get("deadline"))))
            except ValueError:
                due = str(data.get("deadline") or "")
            return (
                self.tr("Sent on to %1, due %2")
                .replace("%1", str(data["force"]))
                .replace("%2", due)
            )
        if action == "sub_feedback" and data.get("force"):
            late = "" if data.get("on_time", True) else self.tr(" (late)")
            return self.tr("Feedback from %1").replace("%1", str(data["force"])) + late
        report = data.get("merged_report")
        if action != "merged_in" or not isinstance(report, dict):
            return ""
        try:
            at = local_time_text(datetime.fromisoformat(str(report.get("reported_at"))))
        except ValueError:
            at = str(report.get("reported_at") or "")
        text = (
            self.tr("Report %1 merged in (%2, %3, %4), %5: %6")
            .replace("%1", str(report.get("number") or ""))
            .replace("%2", str(report.get("reporter") or "—"))
            .replace("%3", source_text(str(report.get("source") or "")))
            .replace("%4", at)
            .replace("%5", str(report.get("address") or ""))
            .replace("%6", str(report.get("description") or ""))
        )
        photos = report.get("attachments") or []
        if photos:
            names = ", ".join(str(a.get("filename", "")) for a in photos if isinstance(a, dict))
            text += "\n" + self.tr("Attachments: %1").replace("%1", names)
        return text

    # -- widgets to signals ------------------------------------------------------------

    def _on_merge_requested(self, candidate: DuplicateCandidate, note: str) -> None:
        if self._detail is not None:
            snap = self._detail.snapshot
            params = {"note": note, "into_id": candidate.case_id, "into_version": candidate.version}
            self.action_with_input_requested.emit("merge", snap.id, snap.version, params)

    def _on_keep_apart_requested(self, candidate: DuplicateCandidate, note: str) -> None:
        if self._detail is not None:
            snap = self._detail.snapshot
            params = {
                "note": note,
                "other_id": candidate.case_id,
                "other_version": candidate.version,
            }
            self.action_with_input_requested.emit("keep_apart", snap.id, snap.version, params)

    def _on_action_button_clicked(self, option: ActionOption) -> None:
        if self._detail is None:
            return
        snap = self._detail.snapshot
        label = pick(option.label_zh, option.label_en)
        # What to ask first is the step's declared input (resources/lifecycle/transitions.csv).
        kind = option.input
        if kind == "department":
            self.dispatch_requested.emit([snap.id])
            return
        if kind == "extension":
            extension = action_dialogs.ask_extension(
                self, label, unit=snap.limit_unit, limit_value=snap.limit_value
            )
            if extension is None:
                return
            amount, note = extension
            self.action_with_input_requested.emit(
                option.action, snap.id, snap.version, {"note": note, "amount": amount}
            )
            return
        if kind == "inspector":  # 信息核实, 核查任务: the inspector the task goes to
            prompt = self.tr("%1 — case %2: choose the inspector.").replace("%1", label)
            choices = [(i.id, i.name) for i in getattr(self._detail, "inspectors", ())]
            chosen = action_dialogs.ask_inspector(
                self, label, prompt.replace("%2", snap.number), choices
            )
            if chosen is None:
                return
            inspector_id, note = chosen
            self.action_with_input_requested.emit(
                option.action, snap.id, snap.version, {"inspector_id": inspector_id, "note": note}
            )
            return
        if kind == "force":  # 二级派遣: one of the street's forces, within the district's limit
            prompt = self.tr("%1 — case %2: send it on to one of the street's forces.")
            left = getattr(self._detail, "hours_to_deadline", None)
            hours_left = left if left is not None else 24 * 30
            forces = [(f.key, f.label) for f in getattr(self._detail, "street_forces", ())]
            sent = action_dialogs.ask_force(
                self,
                label,
                prompt.replace("%1", label).replace("%2", snap.number),
                forces,
                max_hours=max(0.5, hours_left),
            )
            if sent is None:
                return
            force, hours, note = sent
            self.action_with_input_requested.emit(
                option.action,
                snap.id,
                snap.version,
                {"force": force, "hours": hours, "note": note or None},
            )
            return
        if kind == "photo":  # a step taken on site: its note dialog attaches the photo
            prompt = self.tr("%1 — case %2: please give a note.").replace("%1", label)
            feedback = action_dialogs.ask_feedback(
                self, label, prompt.replace("%2", snap.number), required=option.note_required
            )
            if feedback is None:
                return
            note, photo = feedback
            self.action_with_input_requested.emit(
                option.action, snap.id, snap.version, {"note": note, "photo_path": photo}
            )
            return
        component = getattr(self._detail, "component", None)
        if option.action == "close" and component is not None and component.broken:
            # 结案 of a case about a broken object: what becomes of the object's status.
            status = component_close_dialog.ask_component_status(
                self, label, f"{label} — {snap.number}", component
            )
            if status is None:
                return
            self.action_with_input_requested.emit(
                option.action, snap.id, snap.version, {"component_status": status}
            )
            return
        if kind == "note" or option.note_required:
            prompt = self.tr("%1 — case %2: please give a note.").replace("%1", label)
            given = action_dialogs.ask_note(
                self, label, prompt.replace("%2", snap.number), required=True
            )
            if given is None:
                return
            self.action_with_input_requested.emit(
                option.action, snap.id, snap.version, {"note": given}
            )
            return
        self.action_requested.emit(option.action, snap.id, snap.version)

    def _on_locate_button_clicked(self) -> None:
        if self._detail is not None:
            self.locate_requested.emit(self._detail.snapshot.id)

    def _on_timeline_current_item_changed(
        self, current: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None
    ) -> None:
        note = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else ""
        self.timeline_note.setPlainText(note or "")
