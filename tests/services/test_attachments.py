"""Photos: sniffed, size-checked, stored by content, committed with their case event."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import IllegalTransitionError, StaleVersionError, ValidationError
from console.models import Attachment, CaseEvent
from console.services.attachments import (
    AttachmentRecord,
    AttachmentService,
    AttachmentStore,
    AttachmentTooLargeError,
    PhotoUpload,
    UnsupportedMediaError,
    clean_filename,
    sniff,
)
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.gateway.support import JPEG_HEAD, WEBP_HEAD, dispatched, png_bytes
from tests.services.console_support import handler


@pytest.fixture
def service(demo_db: Database, tmp_path: Path, clock: Clock) -> AttachmentService:
    store = AttachmentStore(tmp_path / "attachments", max_bytes=64 * 1024)
    return AttachmentService(CaseService(demo_db, clock=clock), store)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Attachment)) or 0


def test_sniff_reads_magic_bytes_only() -> None:
    assert sniff(png_bytes()) == ("image/png", ".png")
    assert sniff(JPEG_HEAD) == ("image/jpeg", ".jpg")
    assert sniff(WEBP_HEAD) == ("image/webp", ".webp")
    for other in [
        b"",
        b"\xff\xd8",
        b"GIF89a",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"\x89PNG\r\n\x1a\n",
        b"<svg>",
    ]:
        assert sniff(other) is None


def test_clean_filename() -> None:
    assert clean_filename("C:\\Users\\a\\现场 1.jpg", ".jpg") == "现场 1.jpg"
    assert clean_filename("../../etc/passwd", ".png") == "passwd"
    assert clean_filename("a\x00b\x1b[31m\u202e.png", ".png") == "ab[31m.png"
    assert clean_filename(None, ".webp") == "photo.webp"
    assert clean_filename("dir/", ".jpg") == "photo.jpg"
    assert len(clean_filename("长" * 500, ".jpg")) == 120


def test_store_checks_size_and_type(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, max_bytes=1024)
    with pytest.raises(ValidationError, match="为空"):
        store.check(PhotoUpload(b""))
    with pytest.raises(AttachmentTooLargeError):
        store.check(PhotoUpload(JPEG_HEAD + b"\x00" * 1024))
    with pytest.raises(UnsupportedMediaError):
        store.check(PhotoUpload(b"<html>", "a.jpg"))
    checked = store.check(PhotoUpload(png_bytes(), "a.jpg"))
    assert checked.content_type == "image/png" and checked.extension == ".png"
    assert store.relative_path(checked) == f"{checked.sha256[:2]}/{checked.sha256}.png"


def test_feedback_with_photo_is_one_transaction(
    service: AttachmentService, demo_db: Database
) -> None:
    s = dispatched(service.cases, demo_db)
    photo = png_bytes(seed=3)
    snap, record = service.act_with_photo(
        handler(demo_db, s.department_id),
        s.id,
        "feedback",
        s.version,
        note="已处理",
        photo=PhotoUpload(photo, "现场.png"),
    )
    assert snap.state == "handled" and record is not None
    digest = hashlib.sha256(photo).hexdigest()
    assert (record.sha256, record.size, record.filename) == (digest, len(photo), "现场.png")
    with demo_db.read() as db:
        event = db.scalar(
            select(CaseEvent).where(CaseEvent.case_id == s.id, CaseEvent.action == "feedback")
        )
        assert event is not None and record.case_event_id == event.id
    root = service.store.root
    assert _files(root) == [root / record.stored_path]
    assert service.store.path_of(record).read_bytes() == photo
    assert service.for_case(s.id) == [record] and service.get(record.id) == record


def test_a_refused_action_leaves_no_row_and_no_file(
    service: AttachmentService, demo_db: Database
) -> None:
    s = dispatched(service.cases, demo_db)
    who = handler(demo_db, s.department_id)
    photo = PhotoUpload(png_bytes(seed=4))
    with pytest.raises(StaleVersionError):
        service.act_with_photo(who, s.id, "feedback", s.version - 1, note="x", photo=photo)
    with pytest.raises(IllegalTransitionError):
        service.act_with_photo(who, s.id, "close", s.version, photo=photo)
    with pytest.raises(ValidationError, match="说明"):  # feedback needs a note
        service.act_with_photo(who, s.id, "feedback", s.version, photo=photo)
    assert _count(demo_db) == 0 and _files(service.store.root) == []
    assert service.cases.get(s.id).version == s.version


def test_the_same_photo_twice_is_one_file(service: AttachmentService, demo_db: Database) -> None:
    photo = PhotoUpload(png_bytes(seed=5))
    records = []
    for _ in range(2):
        s = dispatched(service.cases, demo_db)
        _, record = service.act_with_photo(
            handler(demo_db, s.department_id), s.id, "feedback", s.version, note="x", photo=photo
        )
        records.append(record)
    assert records[0].stored_path == records[1].stored_path  # type: ignore[union-attr]
    assert len(_files(service.store.root)) == 1 and _count(demo_db) == 2


def test_without_a_photo_it_is_the_plain_case_action(
    service: AttachmentService, demo_db: Database
) -> None:
    s = dispatched(service.cases, demo_db)
    snap, record = service.act_with_photo(
        handler(demo_db, s.department_id), s.id, "feedback", s.version, note="x"
    )
    assert snap.state == "handled" and record is None and _count(demo_db) == 0


def test_path_of_refuses_paths_outside_the_directory(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "a", max_bytes=1024)
    bad = AttachmentRecord(
        1, 1, None, "photo", "x", "image/png", 1, "0" * 64, "../../x.png", None, None
    )  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        store.path_of(bad)
