"""Photos attached to cases: checked, stored by content, linked to the event they document.

A photo is accepted only when its first bytes say JPEG, PNG or WebP (the client's content type
and file name are not trusted) and it is within the size limit. It is stored under the
attachments directory by its SHA-256 (``ab/abcdef….jpg``), so the same photo twice is one file
and no client-chosen name ever reaches the file system.

:meth:`AttachmentService.act_with_photo` takes a case action and its photo in one transaction:
the transition, its ``case_events`` row and the ``attachments`` row commit together or not at
all (the file is removed again if the transaction fails and the file was new).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.errors import CaseNotFoundError, ValidationError
from console.models import Attachment, Case, CaseEvent
from console.services.actors import Actor
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService

T = TypeVar("T")

MAX_FILENAME = 120
PHOTO = "photo"


class AttachmentTooLargeError(ValidationError):
    code = "too_large"


class UnsupportedMediaError(ValidationError):
    code = "unsupported_media_type"


@dataclass(frozen=True)
class PhotoUpload:
    """A photo as received: its bytes and what the client claimed (kept for display only)."""

    data: bytes
    filename: str | None = None


@dataclass(frozen=True)
class CheckedPhoto:
    content_type: str
    extension: str
    size: int
    sha256: str
    filename: str


@dataclass(frozen=True)
class AttachmentRecord:
    id: int
    case_id: int
    case_event_id: int | None
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    stored_path: str
    uploaded_at: datetime
    uploaded_by: int | None


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the magic bytes, for JPEG, PNG and WebP only."""
    if data[:3] == b"\xff\xd8\xff" and len(data) >= 4:
        return "image/jpeg", ".jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return "image/png", ".png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:15] == b"VP8":
        return "image/webp", ".webp"
    return None


def clean_filename(name: str | None, extension: str) -> str:
    """The client's file name for display: no directories, no control characters, short."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:MAX_FILENAME] or f"photo{extension}"


def record_of(a: Attachment) -> AttachmentRecord:
    return AttachmentRecord(
        a.id,
        a.case_id,
        a.case_event_id,
        a.kind,
        a.filename,
        a.content_type,
        a.size,
        a.sha256,
        a.stored_path,
        a.uploaded_at,
        a.uploaded_by,
    )


class AttachmentStore:
    """The attachments directory: checks photos and keeps them by content."""

    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def check(self, photo: PhotoUpload) -> CheckedPhoto:
        size = len(photo.data)
        if size == 0:
            raise ValidationError("照片为空", field="photo")
        if size > self.max_bytes:
            raise AttachmentTooLargeError(
                f"照片过大: {size} 字节，最多 {self.max_bytes} 字节", field="photo"
            )
        kind = sniff(photo.data)
        if kind is None:
            raise UnsupportedMediaError("照片格式不支持：只接受 JPEG、PNG 或 WebP", field="photo")
        content_type, extension = kind
        return CheckedPhoto(
            content_type,
            extension,
            size,
            hashlib.sha256(photo.data).hexdigest(),
            clean_filename(photo.filename, extension),
        )

    def relative_path(self, checked: CheckedPhoto) -> str:
        return f"{checked.sha256[:2]}/{checked.sha256}{checked.extension}"

    def row(
        self,
        checked: CheckedPhoto,
        case_id: int,
        event_id: int,
        now: datetime,
        uploaded_by: int | None,
        api_token_id: int | None = None,
    ) -> Attachment:
        """The ``attachments`` row of a checked photo documenting one event of a case, stored
        at its content address (:meth:`relative_path`)."""
        return Attachment(
            case_id=case_id,
            case_event_id=event_id,
            kind=PHOTO,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            stored_path=self.relative_path(checked),
            uploaded_at=now,
            uploaded_by=uploaded_by,
            api_token_id=api_token_id,
        )

    def stage(self, data: bytes) -> Path:
        """Write the bytes to a temporary file inside the directory (same file system)."""
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=staging, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Path(tmp)

    def publish(self, staged: Path, relative: str) -> None:
        """Move a staged file to its content address (atomic; the same photo twice is one file)."""
        target = self.root / relative
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)

    def path_of(self, record: AttachmentRecord) -> Path:
        """The file of ``record``; refuses a stored path that points outside the directory."""
        root = self.root.resolve()
        path = (root / record.stored_path).resolve()
        if not path.is_relative_to(root):
            raise ValidationError(f"附件路径无效: {record.id}")
        return path


class AttachmentService:
    def __init__(self, cases: CaseService, store: AttachmentStore) -> None:
        self.cases = cases
        self.store = store

    def act_with_photo(
        self,
        actor: Actor,
        case_id: int,
        action: str,
        expected_version: int | None,
        *,
        note: str | None = None,
        photo: PhotoUpload | None = None,
        api_token_id: int | None = None,
        **params: Any,
    ) -> tuple[CaseSnapshot, AttachmentRecord | None]:
        """``action`` on the case (as :meth:`CaseService.act`) and its photo, in one transaction."""
        if photo is None:
            return self.cases.act(
                actor, case_id, action, expected_version, note=note, **params
            ), None
        snap, record, _ = self.act_with_photo_and(
            actor,
            case_id,
            action,
            expected_version,
            None,
            note=note,
            photo=photo,
            api_token_id=api_token_id,
            **params,
        )
        return snap, record

    def act_with_photo_and(
        self,
        actor: Actor,
        case_id: int,
        action: str,
        expected_version: int | None,
        also: Callable[[Session, Case, CaseEvent, datetime, AttachmentRecord | None], T] | None,
        *,
        note: str | None = None,
        photo: PhotoUpload | None = None,
        api_token_id: int | None = None,
        **params: Any,
    ) -> tuple[CaseSnapshot, AttachmentRecord | None, T | None]:
        """:meth:`act_with_photo`, plus ``also(session, case, event, now, attachment)`` after
        the photo's row, in the same transaction (the idempotency key of a field step): the
        step, its photo and what ``also`` writes commit together or not at all."""
        if photo is None:

            def bare(s: Session, case: Case, event: CaseEvent, now: datetime) -> T | None:
                return also(s, case, event, now, None) if also is not None else None

            snap, extra = self.cases.act_with(
                actor, case_id, action, expected_version, bare, note=note, **params
            )
            return snap, None, extra
        checked = self.store.check(photo)  # before anything is written
        relative = self.store.relative_path(checked)
        staged = self.store.stage(photo.data)

        def attach(
            s: Session, case: Case, event: CaseEvent, now: datetime
        ) -> tuple[AttachmentRecord, T | None]:
            attachment = self.store.row(checked, case.id, event.id, now, actor.id, api_token_id)
            s.add(attachment)
            s.flush()
            record = record_of(attachment)
            extra = also(s, case, event, now, record) if also is not None else None
            # The file is in place before the commit: a committed row never lacks its file
            # (a failed commit leaves at most an unreferenced file, never a broken row).
            self.store.publish(staged, relative)
            return record, extra

        try:
            snap, done = self.cases.act_with(
                actor, case_id, action, expected_version, attach, note=note, **params
            )
            assert done is not None
            return snap, done[0], done[1]
        finally:
            staged.unlink(missing_ok=True)

    def for_case(self, case_id: int) -> list[AttachmentRecord]:
        with self.cases.db.read() as s:
            rows = s.scalars(
                select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)
            )
            return [record_of(a) for a in rows]

    def get(self, attachment_id: int) -> AttachmentRecord:
        with self.cases.db.read() as s:
            a = s.get(Attachment, attachment_id)
            if a is None:
                raise CaseNotFoundError(f"附件不存在: {attachment_id}")
            return record_of(a)
