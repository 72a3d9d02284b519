"""Case photos in the detail: the reporter's and the handler's, thumbnails and full size,
read through the real services from a real attachments directory."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage, Qt, QTextDocument
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from console.services.workbench import Workbench
from console.views.photo_strip import PhotoStrip
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    handler,
    report_input,
    street_points,
)


def png(color: str, size: int = 40) -> bytes:
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_the_reporters_and_the_handlers_photos(
    qtbot: QtBot, demo_db: Database, clock: Clock, tmp_path: Path
) -> None:
    store = AttachmentStore(tmp_path / "att", max_bytes=5_000_000)
    service = CaseService(demo_db, clock=clock)
    photos = AttachmentService(service, store)
    (_, _, point), _ = street_points(demo_db)
    case = service.report(INTAKE, report_input(point))
    case = service.register(CHIEF, case.id, case.version)
    case = service.dispatch(DISPATCHER, case.id, case.version)
    worker = handler(demo_db, case.department_id)
    photos.act_with_photo(
        worker,
        case.id,
        "feedback",
        case.version,
        note="已清运",
        photo=PhotoUpload(png("#2e9d4f"), "after.png"),
    )

    seat = Workbench(demo_db, username="duty_chief", clock=clock, attachments_dir=tmp_path / "att")
    got = seat.case_photos(case.id)
    assert [(p.action, p.step_zh) for p in got] == [("feedback", "处置反馈")]
    assert got[0].data.startswith(b"\x89PNG")

    strip = PhotoStrip()
    qtbot.addWidget(strip)
    strip.show_photos(case.id, [*got, replace(got[0], data=b"junk")])
    assert len(strip.buttons) == 1  # an unreadable file is left out, not shown blank
    assert "处置反馈" in strip.buttons[0].toolTip() and "after" in strip.buttons[0].toolTip()
    viewer = strip.open_photo(0)
    assert viewer.isVisible()
    shown = viewer.findChild(type(strip.empty), "photoFull")
    assert shown is not None and shown.pixmap().width() == 40
    strip.show_photos(case.id, [])
    assert strip.buttons == [] and not strip.empty.isHidden()


def test_feedback_from_a_seat_attaches_the_after_photo(
    qtbot: QtBot, demo_db: Database, clock: Clock, tmp_path: Path
) -> None:
    """The handler's seat: 处置反馈 with a photo from disk, one transaction, shown in the detail."""
    from console.views.action_dialogs import FeedbackDialog

    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    case = service.report(INTAKE, report_input(point))
    case = service.register(CHIEF, case.id, case.version)
    case = service.dispatch(DISPATCHER, case.id, case.version)
    worker = handler(demo_db, case.department_id)
    seat = Workbench(demo_db, actor=worker, clock=clock, attachments_dir=tmp_path / "att")

    # The dialog carries the chosen file to the action.
    dialog = FeedbackDialog("处置反馈", "请填写处置情况")
    qtbot.addWidget(dialog)
    photo = tmp_path / "清运后.png"
    photo.write_bytes(png("#56d364"))
    dialog.choose_photo(str(photo))
    assert dialog.photo_label.text() == "清运后.png"
    dialog.note_edit.setPlainText("已清运")
    assert dialog.ok_button.isEnabled()

    snap = seat.act_with_photo("feedback", case.id, case.version, dialog.note(), str(photo))
    assert snap.state == "handled"
    got = seat.case_photos(case.id)
    assert [(p.step_zh, p.filename) for p in got] == [("处置反馈", "清运后.png")]

    # A file that is not a photo is refused whole: no step taken, nothing attached.
    fake = tmp_path / "not-a-photo.png"
    fake.write_bytes(b"hello")
    other = service.report(INTAKE, report_input(point))
    other = service.register(CHIEF, other.id, other.version)
    other = service.dispatch(DISPATCHER, other.id, other.version)
    import pytest

    from console.errors import ValidationError

    with pytest.raises(ValidationError):
        seat.act_with_photo("feedback", other.id, other.version, "已清运", str(fake))
    assert service.get(other.id).state == "dispatched"
    assert seat.case_photos(other.id) == []


def test_an_uploaders_file_name_is_shown_verbatim_in_the_tooltip(
    qtbot: QtBot, demo_db: Database, clock: Clock, tmp_path: Path
) -> None:
    """The file name comes from the uploader's device: markup in it is shown, not rendered."""
    store = AttachmentStore(tmp_path / "att", max_bytes=5_000_000)
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    case = service.report(INTAKE, report_input(point))
    case = service.register(CHIEF, case.id, case.version)
    case = service.dispatch(DISPATCHER, case.id, case.version)
    name = "<h1>大<img src=x.png>&amp;.png"  # no "/": the store keeps the base name only
    AttachmentService(service, store).act_with_photo(
        handler(demo_db, case.department_id),
        case.id,
        "feedback",
        case.version,
        note="已清运",
        photo=PhotoUpload(png("#336699"), name),
    )
    seat = Workbench(demo_db, username="duty_chief", clock=clock, attachments_dir=tmp_path / "att")
    got = seat.case_photos(case.id)
    assert [p.filename for p in got] == [name]
    strip = PhotoStrip()
    qtbot.addWidget(strip)
    strip.show_photos(case.id, got)
    tip = strip.buttons[0].toolTip()
    assert "<h1>" not in tip and "<img" not in tip and Qt.mightBeRichText(tip)
    doc = QTextDocument()
    doc.setHtml(tip)  # what Qt's tooltip label shows
    assert doc.toPlainText().endswith(f" · {name}")  # as uploaded, every character
    assert "<img" not in doc.toHtml()  # no image element made from it
