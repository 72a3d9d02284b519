"""Task steps from the field app (签收, 处置反馈, 核查, 申请回退, 申请挂账, 信息核实), idempotent.

The field app sends every step with an idempotency key made on the device (as it does a
report, console.services.field_reports). The first request does the step (with its photo, if
one came) and writes the key's row (console.services.idempotency) with the answer it got, in
the step's own transaction: the step and its key commit together or not at all. A retry with
the same key and the same request (a lost answer resent) gets that answer again and writes
nothing, although the case's version has moved on since (it would otherwise be a 409 and the
phone would show a step that went through as refused). The same key with another request is
refused (:class:`~console.services.idempotency.IdempotencyMismatchError`), nothing written.

Two attempts with the same key at once: the case's version lets only one do the step; the
other fails (stale version, or the key's unique row) and then finds the winner's row and
answers as a replay.

Without a key (older handhelds) a step is done as before: no row, a resend is a 409. No Qt,
no HTTP: the caller shapes the answer (``answer``), this module stores and replays it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.errors import IllegalTransitionError, PermissionDeniedError, StaleVersionError
from console.models import Case, CaseEvent
from console.services import idempotency
from console.services.actors import Actor
from console.services.attachments import AttachmentRecord, AttachmentService, PhotoUpload
from console.services.cases.dto import CaseSnapshot, snapshot

#: What the caller tells the device after the step: a JSON-able mapping, stored with the key.
Answer = Callable[[CaseSnapshot, AttachmentRecord | None], Mapping[str, Any]]


@dataclass(frozen=True)
class Step:
    """One step as the device sent it."""

    action: str
    case_id: int
    version: int
    note: str | None = None
    photo: PhotoUpload | None = None
    #: The request's other fields as sent (a result, a reason): all of them make the
    #: fingerprint, so a resend must be the same request to get the first answer.
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    answer: dict[str, Any]
    #: True when the key had done its step before: nothing was written this time.
    replayed: bool


def fingerprint(step: Step) -> str:
    """The request's fingerprint: the case, the version seen, the note, its fields, the photo."""
    fields = {
        **{name: str(value) for name, value in step.fields.items()},
        "case_id": str(step.case_id),
        "version": str(step.version),
        "note": step.note or "",
    }
    return idempotency.fingerprint(fields, [step.photo.data] if step.photo is not None else [])


class FieldStepService:
    def __init__(self, attachments: AttachmentService) -> None:
        self.attachments = attachments

    def replayed(self, actor: Actor, key: str, step: Step) -> Done | None:
        """The stored answer of ``key`` if it did this step before (else None); the mismatch
        error if it was used for another request."""
        if actor.id is None:
            raise PermissionDeniedError("现场操作须以本人账户登录")
        with self.attachments.cases.db.read() as s:
            stored = idempotency.find(s, actor.id, key)
        if stored is None:
            return None
        return Done(dict(idempotency.replay(stored, step.action, fingerprint(step))), True)

    def run(
        self,
        actor: Actor,
        key: str | None,
        step: Step,
        answer: Answer,
        *,
        api_token_id: int | None = None,
        **params: Any,
    ) -> Done:
        """Do ``step`` once per ``key`` (see the module); without a key, just do it."""
        if key is None:
            snap, record = self.attachments.act_with_photo(
                actor,
                step.case_id,
                step.action,
                step.version,
                note=step.note,
                photo=step.photo,
                api_token_id=api_token_id,
                **params,
            )
            return Done(dict(answer(snap, record)), False)
        key = idempotency.check_key(key)
        done = self.replayed(actor, key, step)
        if done is not None:
            return done
        assert actor.id is not None
        user_id = actor.id
        request_fingerprint = fingerprint(step)

        def keep(
            s: Session, case: Case, event: CaseEvent, now: datetime, record: AttachmentRecord | None
        ) -> dict[str, Any]:
            given = dict(answer(snapshot(case, now), record))
            idempotency.record(
                s,
                user_id=user_id,
                key=key,
                action=step.action,
                request_fingerprint=request_fingerprint,
                case_id=case.id,
                answer=given,
                now=now,
                api_token_id=api_token_id,
            )
            return given

        try:
            _, _, given = self.attachments.act_with_photo_and(
                actor,
                step.case_id,
                step.action,
                step.version,
                keep,
                note=step.note,
                photo=step.photo,
                api_token_id=api_token_id,
                **params,
            )
        except (IntegrityError, StaleVersionError, IllegalTransitionError):
            # A twin with the same key may have done the step meanwhile (and rolled this one
            # back whole): its answer. Otherwise the refusal stands.
            done = self.replayed(actor, key, step)
            if done is not None:
                return done
            raise
        assert given is not None
        return Done(given, False)
