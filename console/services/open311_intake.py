"""An Open311 GeoReport v2 POST, read and filed: a case, or a pending report to place (待定位).

The spec lets a request give its location as lat/long or as ``address_string`` /
``address_id`` alone. With a point the request is a case at once (:meth:`CaseService.
report_with`, every check of every intake). Without one it cannot be a case yet (a case needs
its point and grid): it is kept as an :class:`~console.models.Open311PendingReport`, the
client is answered with its ``token``, and the intake seat places it on the map later
(console.services.open311_pending).

The fields are read and checked by console.services.open311_post_fields. What the request
carries beyond the case's columns (``email``, ``device_id``, ``account_id``, ``media_url``,
``address_id``, ``attribute[…]``) is kept in ``open311_extras``; the name (``first_name``
``last_name``) and ``phone`` are the case's reporter and reporter_phone. All of it is for
staff: Open311 reads never return it.

A retry never files twice. With an ``Idempotency-Key`` header the key is the client's
(console.services.idempotency: same key and request → the first answer, another request →
refused). Without one, the same token sending the identical request within the repeat window
(resources/gateway/limits.csv ``open311_repeat_seconds``) gets the first answer too: the key is
then made from the token and the request, and a key older than the window is retired (renamed)
by the next request that finds it, which files anew. Either way the key's row is written in the
filing transaction, so two identical requests at once make one case (the loser's whole
transaction rolls back on the key's unique constraint, and it answers as a replay). No Qt, no
HTTP.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.errors import ConsoleError, MissingFieldError, ValidationError
from console.models import Case, CaseEvent, FieldSubmission, Open311PendingReport
from console.services import idempotency
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import Service
from console.services.open311_post_fields import (
    MAX_ID,
    Open311Post,
    attributes_of,
    fingerprint,
    open311_field,
    present,
    read_post,
)

#: field_submissions.action of an Open311 POST.
ACTION = "open311_request"
#: What the client is told of a case, and of a report waiting for its point.
CASE_NOTICE = "已受理，等待立案（待立案）"
PENDING_NOTICE = "已收到，待受理员在地图上定位后立案；请凭 token 查询案件编号"

#: The service_code → category look-up (the gateway's: console.services.open311_catalog).
Resolver = Callable[[Session, str], Service | None]


class UnknownServiceCodeError(ConsoleError):
    """A service_code no category answers to (Open311: 404)."""

    code = "unknown_service_code"


@dataclass(frozen=True)
class PostAnswer:
    """What the client is told: the case number, or the pending report's token."""

    service_request_id: str | None
    token: str | None
    service_notice: str
    account_id: str | None = None
    #: True when this request repeated an earlier one: nothing was written.
    replayed: bool = False


@dataclass(frozen=True)
class _Filing:
    actor_id: int
    key: str
    fingerprint: str
    api_token_id: int | None
    #: Set for a key made from the request: rows older than this are retired, not replayed.
    cutoff: datetime | None


class Open311Intake:
    def __init__(self, cases: CaseService, resolve: Resolver, repeat_window: timedelta) -> None:
        self.cases = cases
        self.resolve = resolve
        #: An identical request from the same token within this is a retry (0: never).
        self.repeat_window = repeat_window

    def service(self, code: object) -> Service:
        if not present(code):
            raise MissingFieldError("缺少 service_code", field="service_code")
        if not isinstance(code, str) or len(code) > MAX_ID:
            raise UnknownServiceCodeError("未知 service_code", field="service_code")
        with self.cases.db.read() as s:
            found = self.resolve(s, code.strip())
        if found is None:
            raise UnknownServiceCodeError(
                f"未知 service_code: {code.strip()}（见 GET services.json）", field="service_code"
            )
        return found

    def submit(
        self,
        actor: Actor,
        data: Mapping[str, object],
        *,
        source: str,
        key: str | None = None,
        api_token_id: int | None = None,
        form_items: Sequence[tuple[str, str]] = (),
    ) -> PostAnswer:
        """File the POST in ``data`` once (see the module): the first answer on a retry."""
        if actor.id is None:
            raise ValidationError("Open311 上报须以令牌的用户身份进行")
        try:
            attributes = attributes_of(data, form_items)
            request_print = fingerprint(data, attributes)
            now = self.cases.clock()
            if key is not None:
                filing = _Filing(
                    actor.id, idempotency.check_key(key), request_print, api_token_id, None
                )
            elif self.repeat_window > timedelta(0):
                made = f"open311~{api_token_id or 0}~{request_print}"
                filing = _Filing(
                    actor.id, made, request_print, api_token_id, now - self.repeat_window
                )
            else:
                filing = None
            if filing is not None and (replayed := self._replay(filing)) is not None:
                return replayed
            post = read_post(data, self.service(data.get("service_code")), source, attributes)
            for attempt in range(2):
                try:
                    return self._file(actor, post, filing)
                except IntegrityError:
                    # Another request committed first and this one rolled back whole: the same
                    # request (its key's row) → its answer; else (the day's case-number counter,
                    # created by both) once more.
                    if filing is not None and (replayed := self._replay(filing)) is not None:
                        return replayed
                    if attempt:
                        raise
            raise AssertionError("unreachable: the loop returns or raises")
        except ConsoleError as exc:
            raise open311_field(exc) from None

    def _replay(self, filing: _Filing) -> PostAnswer | None:
        with self.cases.db.read() as s:
            stored = idempotency.find(s, filing.actor_id, filing.key)
        if stored is None or (filing.cutoff is not None and stored.received_at < filing.cutoff):
            return None
        answer = idempotency.replay(stored, ACTION, filing.fingerprint)
        return PostAnswer(**answer, replayed=True)

    def _record(
        self,
        s: Session,
        filing: _Filing | None,
        answer: PostAnswer,
        now: datetime,
        *,
        case_id: int | None = None,
        pending_id: int | None = None,
    ) -> None:
        if filing is None:
            return
        if filing.cutoff is not None:  # a made key past its window: retired, so it files anew
            old = FieldSubmission
            s.execute(
                update(old)
                .where(
                    old.user_id == filing.actor_id,
                    old.idempotency_key == filing.key,
                    old.received_at < filing.cutoff,
                )
                .values(idempotency_key=old.idempotency_key + "~" + cast(old.id, String))
            )
        stored = {k: v for k, v in answer.__dict__.items() if k != "replayed"}
        idempotency.record(
            s,
            user_id=filing.actor_id,
            key=filing.key,
            action=ACTION,
            request_fingerprint=filing.fingerprint,
            case_id=case_id,
            answer=stored,
            now=now,
            api_token_id=filing.api_token_id,
            open311_pending_id=pending_id,
        )

    def _file(self, actor: Actor, post: Open311Post, filing: _Filing | None) -> PostAnswer:
        account = post.extras.account_id
        if not post.located:
            return self._keep_pending(actor, post, filing)

        def also(s: Session, case: Case, _event: CaseEvent, now: datetime) -> PostAnswer:
            s.flush()
            answer = PostAnswer(case.number, None, CASE_NOTICE, account)
            self._record(s, filing, answer, now, case_id=case.id)
            if post.extras:
                s.add(post.extras.row(case_id=case.id))
            return answer

        _, answer = self.cases.report_with(actor, post.report, also)
        assert answer is not None
        return answer

    def _keep_pending(self, actor: Actor, post: Open311Post, filing: _Filing | None) -> PostAnswer:
        assert actor.id is not None
        report = post.report
        now = self.cases.clock()
        with self.cases.db.session() as s:
            row = Open311PendingReport(
                token=secrets.token_urlsafe(18),
                user_id=actor.id,
                api_token_id=filing.api_token_id if filing else None,
                received_at=now,
                source=report.source,
                service_code=post.service_code,
                taxonomy=report.taxonomy or "",
                kind=report.kind or "",
                category_code=report.category_code,
                description=report.description,
                address=report.address,
                address_id=post.extras.address_id,
                reporter=report.reporter,
                reporter_phone=report.reporter_phone,
            )
            s.add(row)
            s.flush()
            answer = PostAnswer(None, row.token, PENDING_NOTICE, post.extras.account_id)
            self._record(s, filing, answer, now, pending_id=row.id)
            if post.extras:
                s.add(post.extras.row(pending_id=row.id))
        return answer


def answer_fields(answer: PostAnswer) -> dict[str, Any]:
    """The answer as Open311 gives it: ``token`` only without an id, ``account_id`` only when
    the client sent one."""
    body: dict[str, Any] = {}
    if answer.service_request_id is not None:
        body["service_request_id"] = answer.service_request_id
    else:
        body["token"] = answer.token
    body["service_notice"] = answer.service_notice
    if answer.account_id is not None:
        body["account_id"] = answer.account_id
    return body
