"""The handover dialog, its PDF and the roster dialog, on hand-built summaries (no database)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument

from console.services.handover import CaseLine, DutyEntry, HandoverRecord, HandoverSummary
from console.views.handover_dialog import HandoverDialog
from console.views.handover_pdf import handover_html, write_handover_pdf
from tests.services.console_support import local

NUMBER = "E0102202611230007"
TRICKY = "<b>x</b> 西大街88号"
ON_DUTY = [
    DutyEntry(2, "duty_chief", "值班长王伟", "duty_chief", local(23, 8), local(23, 20)),
    DutyEntry(3, "dispatcher", "派遣员李娜", "dispatcher", local(23, 8), local(23, 20)),
]


def summary() -> HandoverSummary:
    overdue = CaseLine(7, NUMBER, "0102", TRICKY, "处置中", "2026-11-23 13:00", "dispatched")
    other = CaseLine(8, "E0102202611230008", "0102", "劳动路1号", "处置中", "2026-11-23 14:00")
    alert = CaseLine(
        8, other.number, "0102", other.address, "处置中", "一级督办 2026-11-23 15:00 请尽快处置"
    )
    alert = replace(alert, state="dispatched", level="supervise_1")
    return HandoverSummary(
        shift_start=local(23, 8),
        shift_end=local(23, 20),
        built_at=local(23, 20),
        counts={
            "new": 4,
            "registered": 3,
            "dispatched": 5,
            "closed": 1,
            "overdue_now": 2,
            "open_supervision": 1,
            "unacknowledged_alerts": 1,
        },
        lists={
            "overdue": [overdue, other],
            "open_supervision": [alert],
            "unacknowledged_alerts": [alert],
        },
        on_duty=ON_DUTY,
    )


def record(**over: Any) -> HandoverRecord:
    values: dict[str, Any] = dict(
        id=1,
        summary=summary(),
        notes="B 案需跟进 <i>夜间</i>",
        created_at=local(23, 20),
        outgoing_user_id=2,
        outgoing_name="值班长王伟",
        incoming_user_id=3,
        incoming_name="派遣员李娜",
        outgoing_signed_at=local(23, 20, 2),
        incoming_signed_at=None,
    )
    values.update(over)
    return HandoverRecord(**values)


def make(qtbot: Any, rec: HandoverRecord | None = None) -> HandoverDialog:
    dialog = HandoverDialog(summary(), rec)
    qtbot.addWidget(dialog)
    return dialog


def pdf_text(path: Path) -> tuple[int, str]:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    pages = document.pageCount()
    text = "".join(document.getAllText(i).text() for i in range(pages))
    document.close()
    return pages, text


def test_dialog_shows_counts_and_lists(qtbot: Any) -> None:
    dialog = make(qtbot)
    counts = dialog.counts_table
    assert counts.rowCount() == 7
    assert [counts.item(r, 1).text() for r in range(7)] == ["4", "3", "5", "1", "2", "1", "1"]
    overdue = dialog.list_tables["overdue"]
    assert overdue.rowCount() == 2
    assert overdue.item(0, 0).text() == NUMBER
    assert overdue.item(0, 3).text() == "处置中"
    assert dialog.list_tables["open_supervision"].item(0, 4).text().startswith("一级督办")
    assert "值班长王伟" in dialog.duty_label.text() and "派遣员" in dialog.duty_label.text()
    assert "2026-11-23 08:00" in dialog.shift_label.text()
    assert "白班" in dialog.shift_label.text()


def test_every_count_is_in_view_and_the_lists_get_the_room(qtbot: Any) -> None:
    """Regression (a shift under Xvfb): the counts scrolled and the case list showed two
    rows while the notes box took a third of the dialog."""
    dialog = make(qtbot)
    dialog.show()
    qtbot.waitExposed(dialog)
    counts = dialog.counts_table
    assert counts.verticalScrollBar().maximum() == 0  # all seven counts visible
    lists = dialog.list_tabs.currentWidget()
    assert lists.height() > 3 * dialog.notes_edit.height() / 2
    assert lists.height() >= 6 * lists.verticalHeader().defaultSectionSize()  # even at 800×600


def test_dialog_shows_case_text_as_plain_text(qtbot: Any) -> None:
    dialog = make(qtbot)
    item = dialog.list_tables["overdue"].item(0, 2)
    assert item.text() == TRICKY  # shown as typed, not as bold "x"
    assert item.data(Qt.ItemDataRole.DisplayRole) == TRICKY
    for label in (dialog.shift_label, dialog.duty_label, dialog.signature_label):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_sign_and_save_buttons_emit(qtbot: Any) -> None:
    dialog = make(qtbot)
    with qtbot.waitSignal(dialog.sign_requested, timeout=1000) as blocker:
        dialog.sign_outgoing_button.click()
    assert blocker.args == ["outgoing"]
    with qtbot.waitSignal(dialog.sign_requested, timeout=1000) as blocker:
        dialog.sign_incoming_button.click()
    assert blocker.args == ["incoming"]
    dialog.notes_edit.setPlainText("  夜间注意 B 案  ")
    with qtbot.waitSignal(dialog.save_requested, timeout=1000) as blocker:
        dialog.save_button.click()
    assert blocker.args == ["夜间注意 B 案"]


def test_signed_side_is_closed(qtbot: Any) -> None:
    dialog = make(qtbot, record())
    assert dialog.notes_edit.toPlainText() == "B 案需跟进 <i>夜间</i>"
    assert not dialog.sign_outgoing_button.isEnabled()
    assert dialog.sign_incoming_button.isEnabled()
    assert dialog.notes_edit.isReadOnly() and not dialog.save_button.isEnabled()
    assert "2026-11-23 20:02" in dialog.signature_label.text()
    dialog.set_record(record(incoming_signed_at=local(23, 20, 5)))
    assert not dialog.sign_incoming_button.isEnabled()
    assert "2026-11-23 20:05" in dialog.signature_label.text()


def test_export_to_writes_a_pdf(qtbot: Any, tmp_path: Path) -> None:
    dialog = make(qtbot)
    dialog.notes_edit.setPlainText("夜间注意 B 案")
    path = tmp_path / "out" / "handover.pdf"
    with qtbot.waitSignal(dialog.export_pdf_requested, timeout=5000) as blocker:
        assert dialog.export_to(path) == path
    assert blocker.args == [path]
    assert path.read_bytes().startswith(b"%PDF")
    pages, text = pdf_text(path)
    assert pages >= 1
    assert "交接班" in text
    assert NUMBER in text
    # (the text layer may break a line after each CJK character: compare without whitespace)
    assert "夜间注意B案" in "".join(text.split())  # the notes as typed, not yet saved


def test_pdf_of_a_signed_record(tmp_path: Path, qapp: Any) -> None:
    path = write_handover_pdf(record(), tmp_path / "signed.pdf")
    pages, text = pdf_text(path)
    assert pages >= 1
    assert "交接班记录" in text and NUMBER in text
    assert "值班长王伟" in text and "2026-11-23 20:02" in text
    assert "<b>x</b>" in text  # the address printed literally


def test_pdf_in_english(tmp_path: Path, qapp: Any) -> None:
    path = write_handover_pdf(summary(), tmp_path / "en.pdf", english=True)
    _pages, text = pdf_text(path)
    assert "Shift handover" in text and "Overdue now" in text and NUMBER in text
    words = " ".join(text.split())  # the detail column wraps
    assert "Supervision level 1 2026-11-23 15:00" in words  # resources/supervision/levels.csv


def test_html_escapes_every_data_text() -> None:
    html = handover_html(record())
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<i>夜间</i>" not in html and "&lt;i&gt;夜间&lt;/i&gt;" in html
    assert "交接班记录" in html and "白班" in html
