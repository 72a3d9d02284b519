"""Idempotency keys: a device's retry of a request gets the first answer, never a second write.

The field app makes a key for each action it queues and sends it with every attempt of that
action; keys are unique per person (two people's devices may make the same one). The first attempt writes its
:class:`~console.models.FieldSubmission` row in the transaction of the action itself, so the
key and what it made commit together. A later attempt with the same key finds the row:

* the same request (same :func:`fingerprint`) → the stored answer, nothing written;
* another request → :class:`IdempotencyMismatchError`, nothing written.

Two attempts racing past the look-up both try to write the row; the unique (user, key)
constraint lets one commit, and the loser's whole transaction rolls back. It then reads the
winner's row (:func:`find`) and answers as a replay. No Qt, no HTTP.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.errors import ConsoleError, MissingFieldError, ValidationError
from console.models import FieldSubmission

#: The header a client sends its key in, and how the errors name it.
KEY_FIELD = "Idempotency-Key"
MAX_KEY = 100


class IdempotencyMismatchError(ConsoleError):
    """The key was used before for a different request (HTTP 422): nothing was written."""

    code = "idempotency_mismatch"


@dataclass(frozen=True)
class Submission:
    """A stored first request: what it was, and the answer it got."""

    id: int
    user_id: int
    key: str
    action: str
    fingerprint: str
    #: None while an Open311 POST without a point is a pending report (open311_pending_id)
    case_id: int | None
    received_at: datetime
    answer: dict[str, Any]
    device_time: datetime | None
    accuracy_m: float | None


def check_key(key: str | None) -> str:
    """The key as sent, or a specific error: 1 to 100 printable characters, no spaces."""
    if key is None or key == "":
        raise MissingFieldError(
            f"缺少幂等键（请求头 {KEY_FIELD}）：同一操作重试时须带同一个键，以免重复上报",
            field=KEY_FIELD,
        )
    if len(key) > MAX_KEY:
        raise ValidationError(f"幂等键过长: {len(key)} 个字符，最多 {MAX_KEY} 个", field=KEY_FIELD)
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in key):
        raise ValidationError("幂等键不能含空格或控制字符", field=KEY_FIELD)
    return key


def fingerprint(fields: Mapping[str, str], files: Iterable[bytes]) -> str:
    """SHA-256 of a request: its fields (by name) and its files' bytes (in order)."""
    canonical = {
        "fields": dict(sorted(fields.items())),
        "files": [hashlib.sha256(data).hexdigest() for data in files],
    }
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(row: FieldSubmission) -> Submission:
    return Submission(
        row.id,
        row.user_id,
        row.idempotency_key,
        row.action,
        row.fingerprint,
        row.case_id,
        row.received_at,
        json.loads(row.answer),
        row.device_time,
        row.accuracy_m,
    )


def find(session: Session, user_id: int, key: str) -> Submission | None:
    """The first request ``user_id`` sent under ``key``, if any."""
    row = session.scalar(
        select(FieldSubmission).where(
            FieldSubmission.user_id == user_id, FieldSubmission.idempotency_key == key
        )
    )
    return _record(row) if row is not None else None


def replay(stored: Submission, action: str, request_fingerprint: str) -> dict[str, Any]:
    """The stored answer when the request is the one stored; else the mismatch error."""
    if stored.action != action or stored.fingerprint != request_fingerprint:
        raise IdempotencyMismatchError(
            f"幂等键“{stored.key}”已用于另一次请求（内容不同），本次未执行：新的操作须使用新的键",
            field=KEY_FIELD,
        )
    return stored.answer


def record(
    session: Session,
    *,
    user_id: int,
    key: str,
    action: str,
    request_fingerprint: str,
    case_id: int | None,
    answer: Mapping[str, Any],
    now: datetime,
    api_token_id: int | None = None,
    device_time: datetime | None = None,
    accuracy_m: float | None = None,
    open311_pending_id: int | None = None,
) -> None:
    """Write the key's row in the caller's transaction, flushed at once: a key taken by a
    concurrent request fails here (IntegrityError), before anything else is done."""
    session.add(
        FieldSubmission(
            user_id=user_id,
            idempotency_key=key,
            action=action,
            fingerprint=request_fingerprint,
            case_id=case_id,
            api_token_id=api_token_id,
            received_at=now,
            answer=json.dumps(dict(answer), ensure_ascii=False, sort_keys=True),
            device_time=device_time,
            accuracy_m=accuracy_m,
            open311_pending_id=open311_pending_id,
        )
    )
    session.flush()
