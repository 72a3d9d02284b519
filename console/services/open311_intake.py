"""An Open311 GeoReport v2 POST, read and filed: a case, or a pending report to place (待定位).

The spec lets a request give its location as lat/long or as ``address_string`` /
``address_id`` alone. With a point the request is a case at once (:meth:`CaseService.
report_with`, every check of every intake). Without one it cannot be a case yet (a case needs
its point and grid): it is kept as an :class:`~console.models.Open311PendingReport`, the
client is answered with its ``token``, and the intake seat places it on the map later
(console.services.open311_pending).

What the request carries beyond the case's columns (``email``, ``device_id``, ``account_id``,
``media_url``, ``address_id``, ``attribute[…]``) is kept in ``open311_extras``; the name
(``first_name`` ``last_name``) and ``phone`` are the case's reporter and reporter_phone. All of
it is for staff: Open311 reads never return it.

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

import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.errors import ConsoleError, MissingFieldError, TextTooLongError, ValidationError
from console.models import Case, CaseEvent, FieldSubmission, Open311Extras, Open311PendingReport
from console.services import idempotency
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.ingest.mapping import check_swapped
from console.services.ingest.open311_reader import Service
from console.services.report_input import ReportInput, validate

#: field_submissions.action of an Open311 POST.
ACTION = "open311_request"
#: The POST's fields (Open311's, plus the extension ``source``); each makes the fingerprint.
FIELDS = (
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "email",
    "phone",
    "first_name",
    "last_name",
    "device_id",
    "account_id",
    "media_url",
    "source",
)
#: Report fields → the Open311 names a client knows them by, for error messages.
OPEN311_FIELD = {
    "lon": "long",
    "category_code": "service_code",
    "address": "address_string",
    "reporter": "first_name",
    "reporter_phone": "phone",
    "kind": "service_code",
    "taxonomy": "service_code",
}
MAX_EMAIL = 254
MAX_ID = 64
MAX_URL = 1024
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_VALUE = 1000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,64})\](\[\])?")
#: What the client is told of a case, and of a report waiting for its point.
CASE_NOTICE = "已受理，等待立案（待立案）"
PENDING_NOTICE = "已收到，待受理员在地图上定位后立案；请凭 token 查询案件编号"

#: The service_code → category look-up (the gateway's table today, the catalog later).
Resolver = Callable[[Session, str], Service | None]


class UnknownServiceCodeError(ConsoleError):
    """A service_code no category answers to (Open311: 404)."""

    code = "unknown_service_code"


@dataclass(frozen=True)
class Extras:
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None
    address_id: str | None = None
    attributes: Mapping[str, str | list[str]] | None = None

    def row(self, *, case_id: int | None = None, pending_id: int | None = None) -> Open311Extras:
        return Open311Extras(
            case_id=case_id,
            pending_id=pending_id,
            email=self.email,
            device_id=self.device_id,
            account_id=self.account_id,
            media_url=self.media_url,
            address_id=self.address_id,
            attributes=json.dumps(self.attributes, ensure_ascii=False, sort_keys=True)
            if self.attributes
            else None,
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f) for f in self.__dataclass_fields__)


@dataclass(frozen=True)
class Open311Post:
    """A POST read: the report (lon/lat None when ``located`` is False) and its extras."""

    service_code: str
    report: ReportInput
    extras: Extras
    located: bool


@dataclass(frozen=True)
class PostAnswer:
    """What the client is told: the case number, or the pending report's token."""

    service_request_id: str | None
    token: str | None
    service_notice: str
    account_id: str | None = None
    #: True when this request repeated an earlier one: nothing was written.
    replayed: bool = False


def _text(data: Mapping[str, object], name: str, limit: int) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(f"{name} 必须是文本", field=name)
    text = value.strip()
    if len(text) > limit:
        raise TextTooLongError(f"{name} 过长: {len(text)} 个字符，最多 {limit} 个", field=name)
    return text or None


def attributes_of(
    data: Mapping[str, object], form_items: Sequence[tuple[str, str]] = ()
) -> dict[str, str | list[str]]:
    """``attribute[code]`` values (a form's repeated ``attribute[code][]`` make a list), or a
    JSON body's ``attribute`` object."""
    found: dict[str, str | list[str]] = {}

    def put(code: str, value: object, many: bool) -> None:
        values = value if isinstance(value, list) else [value]
        texts = []
        for v in values:
            if isinstance(v, bool) or not isinstance(v, str | int | float):
                raise ValidationError(f"attribute[{code}] 必须是文本", field=f"attribute[{code}]")
            text = str(v).strip()
            if len(text) > MAX_ATTRIBUTE_VALUE:
                raise TextTooLongError(
                    f"attribute[{code}] 过长: {len(text)} 个字符，最多 {MAX_ATTRIBUTE_VALUE} 个",
                    field=f"attribute[{code}]",
                )
            texts.append(text)
        old = found.get(code)
        if many or isinstance(value, list) or old is not None:
            merged = ([old] if isinstance(old, str) else list(old or [])) + texts
            found[code] = merged
        else:
            found[code] = texts[0]

    nested = data.get("attribute")
    if isinstance(nested, Mapping):
        for code, value in nested.items():
            if not isinstance(code, str) or not 0 < len(code) <= MAX_ID:
                raise ValidationError("attribute 的键须为 1 到 64 个字符", field="attribute")
            put(code, value, False)
    elif nested is not None:
        raise ValidationError("attribute 应为对象 {代码: 值}", field="attribute")
    items: list[tuple[str, object]] = list(form_items) or list(data.items())
    for name, value in items:
        match = _ATTRIBUTE.fullmatch(name)
        if match:
            put(match.group(1), value, bool(match.group(2)))
    if len(found) > MAX_ATTRIBUTES:
        raise ValidationError(f"attribute 最多 {MAX_ATTRIBUTES} 项", field="attribute")
    return found


def _extras(data: Mapping[str, object], attributes: dict[str, str | list[str]]) -> Extras:
    email = _text(data, "email", MAX_EMAIL)
    if email is not None and not _EMAIL.fullmatch(email):
        raise ValidationError(f"email 格式不正确: {email[:60]}", field="email")
    media_url = _text(data, "media_url", MAX_URL)
    if media_url is not None and not _URL.fullmatch(media_url):
        raise ValidationError("media_url 应为 http(s):// 开头的链接", field="media_url")
    return Extras(
        email=email,
        device_id=_text(data, "device_id", MAX_ID),
        account_id=_text(data, "account_id", MAX_ID),
        media_url=media_url,
        address_id=_text(data, "address_id", MAX_ID),
        attributes=attributes or None,
    )


def reporter_of(data: Mapping[str, object]) -> object:
    """first_name and last_name joined (the case's reporter), or None."""
    names = [data.get("first_name"), data.get("last_name")]
    if any(n is not None and not isinstance(n, str) for n in names):
        raise ValidationError("姓名必须是文本", field="first_name")
    joined = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    return joined or None


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def read_post(
    data: Mapping[str, object],
    service: Service,
    source: str,
    attributes: dict[str, str | list[str]],
) -> Open311Post:
    """The POST as a report plus extras, every field checked (the point's district check is
    the workflow's, when the case is made)."""
    lon, lat = data.get("long"), data.get("lat")
    located = _present(lon) or _present(lat)
    extras = _extras(data, attributes)
    address = data.get("address_string")
    if not _present(address):
        if located:
            address = f"坐标 {lon}, {lat}"  # Open311 lets lat/long stand for the address
        elif extras.address_id:
            address = f"地址编号 {extras.address_id}"
        else:
            raise MissingFieldError(
                "缺少位置：请给出 lat 与 long，或 address_string / address_id", field="long"
            )
    if located:
        check_swapped(lon, lat)
    description = data.get("description")
    if not _present(description):
        description = service.name or service.category_code
    report = ReportInput(
        category_code=service.category_code,
        taxonomy=service.taxonomy,
        kind=service.kind,
        # The raw values: validate() converts and words the error (as for every intake).
        lon=lon if located else None,  # type: ignore[arg-type]
        lat=lat if located else None,  # type: ignore[arg-type]
        description=description,  # type: ignore[arg-type]
        address=address,  # type: ignore[arg-type]
        source=source,
        reporter=reporter_of(data),  # type: ignore[arg-type]
        reporter_phone=data.get("phone"),  # type: ignore[arg-type]
    )
    if not located:
        # Every text check now; the point's are made when the seat places it.
        report = replace(validate(replace(report, lon=0.0, lat=0.0)), lon=None, lat=None)  # type: ignore[arg-type]
    return Open311Post(str(data.get("service_code")).strip(), report, extras, located)


def fingerprint(data: Mapping[str, object], attributes: Mapping[str, object]) -> str:
    fields = {name: str(data.get(name) or "").strip() for name in FIELDS}
    fields["attribute"] = json.dumps(attributes, ensure_ascii=False, sort_keys=True)
    return idempotency.fingerprint(fields, [])


def open311_field(exc: ConsoleError) -> ConsoleError:
    """``exc`` with its field named as Open311 names it."""
    if exc.field in OPEN311_FIELD:
        exc.field = OPEN311_FIELD[exc.field]
    return exc


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
        if not _present(code):
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
            print_ = fingerprint(data, attributes)
            now = self.cases.clock()
            if key is not None:
                filing = _Filing(actor.id, idempotency.check_key(key), print_, api_token_id, None)
            elif self.repeat_window > timedelta(0):
                made = f"open311~{api_token_id or 0}~{print_}"
                filing = _Filing(actor.id, made, print_, api_token_id, now - self.repeat_window)
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
