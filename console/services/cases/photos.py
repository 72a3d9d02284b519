"""The photos of a case, for the case detail: the reporter's and the handler's after-photos.

Qt-free. Each photo comes with the step it was attached to (上报, 处置反馈 …) and its bytes, read
here on the database worker so the GUI thread never touches the disk. A file missing from the
attachments directory (moved by hand, a restore without it) is left out and logged, not fatal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.lifecycle import Lifecycle
from console.errors import ConsoleError
from console.models import Attachment, CaseEvent
from console.services.attachments import AttachmentStore, record_of

log = logging.getLogger(__name__)

#: At most this many photos per case in the detail (the form takes 9 at intake).
MAX_PHOTOS = 24


@dataclass(frozen=True)
class CasePhoto:
    attachment_id: int
    case_id: int
    #: The lifecycle action of the step it documents ("report", "feedback"…); "" if none.
    action: str
    step_zh: str
    step_en: str
    filename: str
    content_type: str
    uploaded_at: datetime
    data: bytes


def case_photos(
    session: Session,
    store: Callable[[], AttachmentStore],
    case_id: int,
    lifecycle: Lifecycle,
) -> list[CasePhoto]:
    """Every photo of ``case_id`` in the order it was attached, with its bytes.

    ``store`` is asked for only when the case has photos: most cases have none, and the
    attachments directory is then never touched.
    """
    rows = session.execute(
        select(Attachment, CaseEvent.action)
        .outerjoin(CaseEvent, CaseEvent.id == Attachment.case_event_id)
        .where(Attachment.case_id == case_id)
        .order_by(Attachment.uploaded_at, Attachment.id)
        .limit(MAX_PHOTOS)
    ).all()
    photos: list[CasePhoto] = []
    if not rows:
        return photos
    files = store()
    for attachment, action in rows:
        record = record_of(attachment)
        try:
            data = files.path_of(record).read_bytes()
        except (OSError, ConsoleError) as exc:
            log.warning("photo %s of case %s unreadable: %s", record.id, case_id, exc)
            continue
        transition = lifecycle.transitions.get(action or "")
        photos.append(
            CasePhoto(
                attachment_id=record.id,
                case_id=case_id,
                action=action or "",
                step_zh=transition.label_zh if transition else "上报",
                step_en=transition.label_en if transition else "Report",
                filename=record.filename,
                content_type=record.content_type,
                uploaded_at=record.uploaded_at,
                data=data,
            )
        )
    return photos
