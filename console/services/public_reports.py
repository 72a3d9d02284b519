"""The public page (/report/, no account): a report with photos, its tracking, its rating.

* :meth:`PublicReportService.submit`: an event-type category of the taxonomy in force, the
  position, the address and description, an optional name and phone, up to
  :data:`MAX_PHOTOS` photos (their metadata removed: console.services.photo_metadata). The case
  is reported by :data:`PUBLIC` (the lifecycle's ``system`` role) with source 公众, and arrives
  in the intake queue as every report does. The answer is the case number and a tracking code
  (:data:`CODE_LENGTH` characters, random) shown once: only its hash is kept. The page's
  idempotency key makes a retry answer the same case and code (the code is sealed by the key:
  see console.models.PublicReport) and a second case is never made.
* :meth:`PublicReportService.track`: with the number and the code, the case's public timeline:
  its states and when it entered them, and the handler's after-photos; never a note, a name,
  a phone, a department or a person. A wrong code and an unknown number are the same
  :class:`~console.errors.CaseNotFoundError`.
* :meth:`PublicReportService.rate`: 满意度 of a closed (or archived) case, once per case
  (console.models.PublicRating; what the evaluation's 群众满意率 counts).
* 合并: when the intake seat merges the reporter's case into another as a duplicate, the
  tracking follows the merge (:func:`merge_chain`, chains A → B → C resolved, at most
  :data:`MAX_MERGE_HOPS` hops and never a case twice): the reporter's own timeline ends
  已合并 and the surviving case's public timeline (states, times, after-photos; nothing of its
  reporter) follows. The rating is given with the reporter's own number and code once the
  surviving case is closed; it is stored against the reporter's own case (once per code) and
  counted for the surviving case (``PublicRating.counted_case_id``): each rating counts once,
  for the case that was handled.

No Qt, no HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.domain.lifecycle import STATE_LABELS
from console.errors import (
    CaseNotFoundError,
    IllegalTransitionError,
    MissingFieldError,
    UnknownCategoryError,
    ValidationError,
)
from console.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseSource,
    Category,
    PublicRating,
    PublicReport,
)
from console.services import idempotency
from console.services.actors import Actor
from console.services.attachments import (
    PHOTO,
    AttachmentRecord,
    AttachmentStore,
    CheckedPhoto,
    PhotoUpload,
    record_of,
)
from console.services.cases.service import CaseService
from console.services.field_categories import CategoryFinder, FieldCategory
from console.services.photo_metadata import strip_metadata
from console.services.report_input import ReportInput, coordinates, validate

#: Who reports a public case: no account; the lifecycle's ``system`` role may report.
PUBLIC = Actor(id=None, name="公众", role="system")
PUBLIC_KIND = "event_type"
MAX_PHOTOS = 3
#: The tracking code: 8 characters of an alphabet without 0/O and 1/I (40 bits).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
#: The request's fields; all of them make the fingerprint.
FIELDS = ("category_code", "lon", "lat", "address", "description", "name", "phone")
#: 满意度: code → (label_zh, label_en). 群众满意率 = (满意 + 基本满意) / all ratings.
RATINGS: dict[str, tuple[str, str]] = {
    "satisfied": ("满意", "Satisfied"),
    "basically_satisfied": ("基本满意", "Basically satisfied"),
    "dissatisfied": ("不满意", "Dissatisfied"),
}
RATABLE_STATES = frozenset({"closed", "archived"})
MAX_COMMENT = 500
#: The steps whose photos the public sees: the handler's after-photo.
AFTER_PHOTO_ACTIONS = ("feedback",)
#: How many merges the tracking follows (A → B → C …): a bound, and a loop stops too.
MAX_MERGE_HOPS = 8
MERGED = "merged"
NOT_FOUND = "未找到该案件，或查询码不正确"
_SEAL = b"grid-console public tracking code"
_KEY_HASH = b"grid-console public idempotency key\0"


class AlreadyRatedError(IllegalTransitionError):
    code = "already_rated"


class NotClosedError(IllegalTransitionError):
    code = "not_closed"


@dataclass(frozen=True)
class PublicAnswer:
    """What the page is told, the first time and on a replay: shown to the person once."""

    number: str
    tracking_code: str
    state: str
    state_label: str


@dataclass(frozen=True)
class PublicSubmitted:
    answer: PublicAnswer
    replayed: bool


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    state: str
    state_label: str
    state_label_en: str


@dataclass(frozen=True)
class PublicPhoto:
    id: int
    at: datetime


@dataclass(frozen=True)
class PublicRatingOut:
    rating: str
    label: str
    rated_at: datetime


@dataclass(frozen=True)
class PublicMergedInto:
    """The case a public report was merged into (at the end of the chain), as the public sees
    it: ``via`` the numbers of the cases merged on in between (A → B → C: via [B])."""

    number: str
    category: str
    state: str
    state_label: str
    state_label_en: str
    reported_at: datetime
    closed_at: datetime | None
    timeline: list[PublicStep]
    via: list[str]


@dataclass(frozen=True)
class PublicCase:
    number: str
    category: str
    state: str
    state_label: str
    state_label_en: str
    reported_at: datetime
    closed_at: datetime | None
    timeline: list[PublicStep]
    #: the handler's after-photos: of the surviving case when merged
    after_photos: list[PublicPhoto]
    can_rate: bool
    rating: PublicRatingOut | None
    merged_into: PublicMergedInto | None = None


def normalize_code(code: str | None) -> str:
    """The code as typed: case and spaces or dashes do not matter."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -")


def tracking_hash(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}\0{normalize_code(code)}".encode()).hexdigest()


def key_hash(key: str) -> str:
    return hashlib.sha256(_KEY_HASH + key.encode()).hexdigest()


def _pad(key: str) -> bytes:
    return hmac.new(key.encode(), _SEAL, hashlib.sha256).digest()[:CODE_LENGTH]


def seal(code: str, key: str) -> str:
    return bytes(a ^ b for a, b in zip(code.encode(), _pad(key), strict=True)).hex()


def unseal(sealed: str, key: str) -> str:
    return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), _pad(key), strict=True)).decode()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def merge_chain(s: Session, case_id: int) -> list[int]:
    """``case_id`` and the cases it was merged into, in order (A → B → C: [A, B, C]).

    Follows each merged case's last 合并 event (its ``into_id``); stops at a case that is not
    merged, after :data:`MAX_MERGE_HOPS` hops, or at a case already seen (a loop the lifecycle
    does not allow, guarded anyway): the last id is the case whose handling the reporter sees.
    """
    chain = [case_id]
    for _ in range(MAX_MERGE_HOPS):
        if s.scalar(select(Case.state).where(Case.id == chain[-1])) != MERGED:
            break
        data = s.scalar(
            select(CaseEvent.data)
            .where(CaseEvent.case_id == chain[-1], CaseEvent.action == "merge")
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
            .limit(1)
        )
        into = json.loads(data).get("into_id") if data else None
        if not isinstance(into, int) or into in chain:
            break
        chain.append(into)
    return chain


def canonical_fields(data: Mapping[str, object]) -> dict[str, str]:
    return {name: str(data.get(name) or "").strip() for name in FIELDS}


def parse(fields: Mapping[str, str]) -> ReportInput:
    lon, lat = coordinates(fields["lon"], fields["lat"])
    return validate(
        ReportInput(
            category_code=fields["category_code"],
            lon=lon,
            lat=lat,
            description=fields["description"],
            address=fields["address"],
            source=CaseSource.PUBLIC.value,
            kind=PUBLIC_KIND,
            reporter=fields["name"] or None,
            reporter_phone=fields["phone"] or None,
        )
    )


@dataclass(frozen=True)
class _Pending:
    key: str
    fingerprint: str
    report: ReportInput
    photos: Sequence[tuple[CheckedPhoto, Path]]


class PublicReportService:
    def __init__(self, cases: CaseService, store: AttachmentStore, categories: CategoryFinder):
        self.cases = cases
        self.store = store
        self.finder = categories

    # ------------------------------------------------------------------ categories

    def categories(self, text: str | None, limit: int = 50) -> list[FieldCategory]:
        """The event categories (事件) of the taxonomy in force, matching ``text``."""
        found = self.finder.find(text, 2000)
        return [c for c in found if c.kind == PUBLIC_KIND][: max(1, limit)]

    def check_category(self, code: str) -> None:
        """Refuse a code that is not an event category of the taxonomy in force."""
        if not code:
            raise MissingFieldError("请选择问题类别", field="category_code")
        if not any(c.code == code and c.kind == PUBLIC_KIND for c in self.finder.choices()):
            raise UnknownCategoryError(
                f"未知的问题类别: {code[:20]}（可选类别见 /api/v1/public/categories）",
                field="category_code",
            )

    # ------------------------------------------------------------------ report

    def submit(
        self, key: str | None, data: Mapping[str, object], photos: Sequence[PhotoUpload] = ()
    ) -> PublicSubmitted:
        """The report in ``data``, once per ``key`` (see the module)."""
        key = idempotency.check_key(key)
        self.cases.lifecycle.check("report", None, PUBLIC.role)
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(f"照片最多 {MAX_PHOTOS} 张，本次 {len(photos)} 张", field="photo")
        fields = canonical_fields(data)
        fingerprint = idempotency.fingerprint(fields, (p.data for p in photos))
        replayed = self._replay(key, fingerprint)
        if replayed is not None:
            return replayed
        self.check_category(fields["category_code"])
        report = parse(fields)
        cleaned = []
        for number, photo in enumerate(photos, 1):
            try:
                data_clean = strip_metadata(photo.data)
                cleaned.append(
                    (self.store.check(PhotoUpload(data_clean, photo.filename)), data_clean)
                )
            except ValidationError as exc:
                raise type(exc)(f"第 {number} 张照片: {exc.message}", field="photo") from None
        staged: list[Path] = []
        try:
            staged.extend(self.store.stage(d) for _, d in cleaned)
            pending = _Pending(
                key,
                fingerprint,
                report,
                [(c, p) for (c, _), p in zip(cleaned, staged, strict=True)],
            )
            for attempt in range(2):
                try:
                    return self._report(pending)
                except IntegrityError:
                    replayed = self._replay(key, fingerprint)
                    if replayed is not None:
                        return replayed
                    if attempt:
                        raise
            raise AssertionError("unreachable: the loop returns or raises")
        finally:
            for path in staged:
                path.unlink(missing_ok=True)

    def _replay(self, key: str, fingerprint: str) -> PublicSubmitted | None:
        with self.cases.db.read() as s:
            row = s.execute(
                select(PublicReport.fingerprint, PublicReport.sealed_code, Case.number, Case.state)
                .join(Case, Case.id == PublicReport.case_id)
                .where(PublicReport.key_hash == key_hash(key))
            ).first()
        if row is None:
            return None
        stored_fingerprint, sealed, number, state = row
        if stored_fingerprint != fingerprint:
            raise idempotency.IdempotencyMismatchError(
                "幂等键已用于另一次上报（内容不同），本次未执行：新的上报须使用新的键",
                field=idempotency.KEY_FIELD,
            )
        answer = PublicAnswer(number, unseal(sealed, key), state, STATE_LABELS[state][0])
        return PublicSubmitted(answer, replayed=True)

    def _report(self, pending: _Pending) -> PublicSubmitted:
        code = new_code()

        def also(s: Session, case: Case, event: CaseEvent, now: datetime) -> PublicAnswer:
            s.flush()
            # the key first: a concurrent twin fails here, before any file moves
            s.add(
                PublicReport(
                    case_id=case.id,
                    tracking_hash=tracking_hash(case.number, code),
                    key_hash=key_hash(pending.key),
                    fingerprint=pending.fingerprint,
                    sealed_code=seal(code, pending.key),
                    received_at=now,
                )
            )
            s.flush()
            s.add_all(self.store.row(c, case.id, event.id, now, None) for c, _ in pending.photos)
            s.flush()
            for c, path in pending.photos:
                self.store.publish(path, self.store.relative_path(c))
            return PublicAnswer(case.number, code, case.state, STATE_LABELS[case.state][0])

        _, answer = self.cases.report_with(PUBLIC, pending.report, also)
        assert answer is not None
        return PublicSubmitted(answer, replayed=False)

    # ------------------------------------------------------------------ tracking

    def _case_id(self, s: Session, number: str, code: str | None) -> int:
        """The case behind ``number`` when ``code`` is its tracking code; else not found."""
        wanted = tracking_hash(number, code or "")
        row = s.execute(
            select(Case.id, PublicReport.tracking_hash)
            .join(PublicReport, PublicReport.case_id == Case.id)
            .where(Case.number == number)
        ).first()
        stored = row[1] if row is not None else "0" * 64
        if not hmac.compare_digest(wanted, stored) or row is None or not code:
            raise CaseNotFoundError(NOT_FOUND)
        case_id: int = row[0]
        return case_id

    def track(self, number: str, code: str | None) -> PublicCase:
        """The public timeline of a case reported on the public page (see the module)."""
        with self.cases.db.read() as s:
            case_id = self._case_id(s, number, code)
            chain = merge_chain(s, case_id)
            case = s.get_one(Case, case_id)
            survivor = s.get_one(Case, chain[-1])
            rated = s.scalar(select(PublicRating).where(PublicRating.case_id == case_id))
            rating = (
                PublicRatingOut(rated.rating, RATINGS[rated.rating][0], rated.rated_at)
                if rated is not None
                else None
            )
            merged_into = None
            if survivor.id != case.id:
                rows = s.execute(select(Case.id, Case.number).where(Case.id.in_(chain))).all()
                numbers = {row_id: row_number for row_id, row_number in rows}
                merged_into = PublicMergedInto(
                    number=survivor.number,
                    category=_category(s, survivor),
                    state=survivor.state,
                    state_label=STATE_LABELS[survivor.state][0],
                    state_label_en=STATE_LABELS[survivor.state][1],
                    reported_at=survivor.reported_at,
                    closed_at=survivor.closed_at,
                    timeline=_timeline(s, survivor.id),
                    via=[numbers[i] for i in chain[1:-1]],
                )
            state = case.state
            return PublicCase(
                number=case.number,
                category=_category(s, case),
                state=state,
                state_label=STATE_LABELS[state][0],
                state_label_en=STATE_LABELS[state][1],
                reported_at=case.reported_at,
                closed_at=case.closed_at,
                timeline=_timeline(s, case_id),
                after_photos=[PublicPhoto(i, at) for i, at in _after_photos(s, survivor.id)],
                can_rate=survivor.state in RATABLE_STATES and rating is None,
                rating=rating,
                merged_into=merged_into,
            )

    def after_photo(self, number: str, code: str | None, attachment_id: int) -> AttachmentRecord:
        """One of the after-photos :meth:`track` lists (the surviving case's when merged)."""
        with self.cases.db.read() as s:
            case_id = merge_chain(s, self._case_id(s, number, code))[-1]
            row = s.scalar(
                select(Attachment)
                .join(CaseEvent, CaseEvent.id == Attachment.case_event_id)
                .where(
                    Attachment.id == attachment_id,
                    Attachment.case_id == case_id,
                    Attachment.kind == PHOTO,
                    CaseEvent.action.in_(AFTER_PHOTO_ACTIONS),
                )
            )
            if row is None:
                raise CaseNotFoundError("未找到该照片")
            return record_of(row)

    # ------------------------------------------------------------------ rating

    def rate(
        self, number: str, code: str | None, rating: str | None, comment: str | None = None
    ) -> PublicRatingOut:
        """满意度 of a closed case, once per code; a merged report's when the case it was merged
        into is closed, counted for that case (see the module)."""
        rating = (rating or "").strip()
        if rating not in RATINGS:
            labels = " / ".join(f"{v[0]} {k}" for k, v in RATINGS.items())
            raise ValidationError(f"请选择满意度（{labels}）", field="rating")
        text = (comment or "").strip() or None
        if text is not None and len(text) > MAX_COMMENT:
            raise ValidationError(
                f"评价过长: {len(text)} 字，最多 {MAX_COMMENT} 字", field="comment"
            )
        now = self.cases.clock()
        try:
            with self.cases.db.session() as s:
                case_id = self._case_id(s, number, code)
                counted = merge_chain(s, case_id)[-1]
                state = s.scalar(select(Case.state).where(Case.id == counted))
                if state not in RATABLE_STATES:
                    raise NotClosedError("案件尚未结案：结案后才能评价")
                if s.scalar(select(PublicRating.id).where(PublicRating.case_id == case_id)):
                    raise AlreadyRatedError("该案件已评价过，每件案件只能评价一次")
                s.add(
                    PublicRating(
                        case_id=case_id,
                        counted_case_id=counted,
                        rating=rating,
                        comment=text,
                        rated_at=now,
                    )
                )
                s.flush()
        except IntegrityError:
            raise AlreadyRatedError("该案件已评价过，每件案件只能评价一次") from None
        return PublicRatingOut(rating, RATINGS[rating][0], now)


def _category(s: Session, case: Case) -> str:
    name = s.scalar(
        select(Category.name).where(
            Category.taxonomy == case.taxonomy,
            Category.kind == case.kind,
            Category.code == case.category_code,
        )
    )
    return name or case.category_code


def _timeline(s: Session, case_id: int) -> list[PublicStep]:
    """The case's states and when it entered them: no note, no actor, no event data."""
    events = s.execute(
        select(CaseEvent.at, CaseEvent.action, CaseEvent.from_state, CaseEvent.to_state)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    return [
        PublicStep(at, to_state, *STATE_LABELS.get(to_state, (to_state, to_state)))
        for at, action, from_state, to_state in events
        if from_state != to_state or action == "report"
    ]


def _after_photos(s: Session, case_id: int) -> list[tuple[int, datetime]]:
    rows = s.execute(
        select(Attachment.id, Attachment.uploaded_at)
        .join(CaseEvent, CaseEvent.id == Attachment.case_event_id)
        .where(
            Attachment.case_id == case_id,
            Attachment.kind == PHOTO,
            CaseEvent.action.in_(AFTER_PHOTO_ACTIONS),
        )
        .order_by(Attachment.id)
    ).all()
    return [(photo_id, at) for photo_id, at in rows]
