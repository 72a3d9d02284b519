"""Reports from the field app (发现上报 on a handheld), idempotent, with up to four photos.

A report arrives as form fields and photos, with the device's idempotency key. The first
request makes the case (CaseService.report_with), its photos' ``attachments`` rows and the
key's row (console.services.idempotency) in one transaction; a retry of it gets the same
answer and writes nothing; the same key with another request is refused. Every field and
every photo is checked before anything is written, so a refused report leaves no case, no
row and no file.

A grid staff member (一格七员) reports and self-handles only the categories its duties list
(resources/org/grid_staff_duties.csv, console.services.tier_routing.check_case), checked on
the category the case is filed under, inside the transaction: a refusal leaves nothing.

自处置 (小事不出网格): a grid manager (or an inspector) who handled a small matter on the spot
sends ``self_handled=1`` with the report, its ``handling_note`` and its after-photos. The
report, its photos, the lifecycle's ``self_handle`` step (reported → self_handled) with the
after-photos and the key's row are one transaction: a refused after-photo or note leaves no
case at all, and a resend gets the self-handled case's answer. The duty chief may reject it
(``reject_self_handle``): back to 待立案 for the normal loop.

A 部件 report may name the register object it is about (``component_id``, one the app
proposed from GET /components/nearby); the workflow checks it (the class, within 30 m:
console.services.components.linking) and a refusal names the field, nothing filed.

The device's clock and the accuracy of its position are kept with the key's row
(``field_submissions``): the case's time is the server's. They are not in the report's
``case_events`` data: that row is written by the workflow before the transaction's other rows,
and audit rows are never updated. No Qt, no HTTP.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.domain.instant_range import checked_utc
from console.domain.lifecycle import state_label
from console.errors import PermissionDeniedError, ValidationError
from console.models import Attachment, Case, CaseEvent, Category
from console.services import idempotency
from console.services.actors import Actor
from console.services.attachments import AttachmentStore, CheckedPhoto, PhotoUpload
from console.services.cases.service import CaseService
from console.services.reference import data as reference_data
from console.services.reference.functions import check_role_covers
from console.services.report_input import ReportInput, coordinates, validate
from console.services.tier_routing import check_case

REPORT = "report"
SELF_HANDLE = "self_handle"
MAX_PHOTOS = 4
#: A position's accuracy above this (metres) is not a position.
MAX_ACCURACY_M = 100_000.0
#: The text fields of a report, as the app sends them; all of them make the fingerprint.
FIELDS = (
    "category_code",
    "kind",
    "lon",
    "lat",
    "accuracy",
    "address",
    "description",
    "urgent",
    "device_time",
)
_KINDS = {
    "component": "component",
    "event_type": "event_type",
    "部件": "component",
    "事件": "event_type",
}
_FLAGS = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}
#: Most digits of a component_id (an id beyond SQLite's 64-bit integers is no id).
MAX_ID_DIGITS = 18
DEFAULT_MINE = 50
MAX_MINE = 200


@dataclass(frozen=True)
class ReportAnswer:
    """What the app is told, the first time and on every replay."""

    id: int
    number: str
    state: str
    state_label: str
    version: int
    photos: int
    #: The after-photos of a self-handled report (0 otherwise).
    after_photos: int = 0


@dataclass(frozen=True)
class Submitted:
    answer: ReportAnswer
    #: True when the key had made its case before: nothing was written this time.
    replayed: bool


@dataclass(frozen=True)
class ParsedReport:
    report: ReportInput
    device_time: datetime | None
    accuracy_m: float | None


@dataclass(frozen=True)
class SelfHandling:
    """自处置 with the report: the handling note and the after-photos, checked and staged."""

    note: str
    checked: Sequence[CheckedPhoto]
    staged: Sequence[Path]


@dataclass(frozen=True)
class _Pending:
    """A checked report on its way into the transaction."""

    key: str
    fingerprint: str
    parsed: ParsedReport
    checked: Sequence[CheckedPhoto]
    staged: Sequence[Path]
    api_token_id: int | None
    handled: SelfHandling | None = None


@dataclass(frozen=True)
class MyReport:
    id: int
    number: str
    state: str
    state_label: str
    category_name: str
    address: str
    reported_at: datetime
    #: The photos sent with the report.
    photos: int


def canonical_fields(data: Mapping[str, object]) -> dict[str, str]:
    """The report's fields as trimmed text ("" when absent); others are ignored."""
    return {name: str(data.get(name) or "").strip() for name in FIELDS}


def _accuracy(text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(f"定位精度不是数字: {text!r}（单位: 米）", field="accuracy") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_ACCURACY_M:
        raise ValidationError(
            f"定位精度应在 0 到 {MAX_ACCURACY_M:g} 米之间: {text}", field="accuracy"
        )
    return value


def _device_time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"设备时间格式错误: {text!r}（应为 ISO 8601，如 2026-11-23T09:00:00+08:00）",
            field="device_time",
        ) from None
    if value.tzinfo is None:
        raise ValidationError(
            f"设备时间须带时区: {text!r}（如 2026-11-23T01:00:00Z）", field="device_time"
        )
    return checked_utc(value, "device_time")


def component_id_of(data: Mapping[str, object]) -> str:
    """The ``component_id`` sent (the register object a 部件 report names), trimmed; "" for
    none (absent, empty: no object, or “not in the register”)."""
    text = str(data.get("component_id") or "").strip()
    if text and not (text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS):
        raise ValidationError(f"部件编号应为整数: {text[:20]!r}", field="component_id")
    return text


def parse(fields: Mapping[str, str], source: str) -> ParsedReport:
    """The report in ``fields`` (canonical_fields, with ``component_id`` when one is named),
    checked as every intake checks it."""
    kind_text = fields["kind"]
    kind = _KINDS.get(kind_text) if kind_text else None
    if kind_text and kind is None:
        raise ValidationError(
            f"未知类别类型: {kind_text!r}（部件 component / 事件 event_type）", field="kind"
        )
    urgent = _FLAGS.get(fields["urgent"].lower())
    if urgent is None:
        raise ValidationError(f"紧急标记应为 0 或 1: {fields['urgent']!r}", field="urgent")
    lon, lat = coordinates(fields["lon"], fields["lat"])
    report = validate(
        ReportInput(
            category_code=fields["category_code"],
            lon=lon,
            lat=lat,
            description=fields["description"],
            address=fields["address"],
            source=source,
            kind=kind,
            urgent=urgent,
            component_id=int(fields["component_id"]) if fields.get("component_id") else None,
        )
    )
    return ParsedReport(report, _device_time(fields["device_time"]), _accuracy(fields["accuracy"]))


def check_count(photos: Sequence[PhotoUpload], field: str = "photo") -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(f"照片最多 {MAX_PHOTOS} 张，本次 {len(photos)} 张", field=field)


def self_handling_of(
    data: Mapping[str, object], after_photos: Sequence[PhotoUpload]
) -> tuple[bool, str]:
    """Whether the report is self-handled (``self_handled``) and its ``handling_note``;
    after-photos or a note without the flag are refused (they would be dropped)."""
    text = str(data.get("self_handled") or "").strip()
    flag = _FLAGS.get(text.lower())
    if flag is None:
        raise ValidationError(f"自处置标记应为 0 或 1: {text[:20]!r}", field="self_handled")
    note = str(data.get("handling_note") or "").strip()
    if not flag and (after_photos or note):
        field = "after_photo" if after_photos else "handling_note"
        raise ValidationError("处置后照片和处置说明只随自处置上报（self_handled=1）", field=field)
    return flag, note


def answer_of(stored: Mapping[str, Any]) -> ReportAnswer:
    return ReportAnswer(**stored)


class FieldReportService:
    def __init__(
        self,
        cases: CaseService,
        store: AttachmentStore,
        sources: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.cases = cases
        self.store = store
        #: role → the sources it reports under, the first by default (resources/gateway/sources.csv)
        self.sources = sources

    def source_of(self, role: str) -> str:
        allowed = self.sources.get(role)
        if not allowed:
            raise PermissionDeniedError(
                f"角色 {role} 不能通过网关上报（见 resources/gateway/sources.csv）"
            )
        return allowed[0]

    def check_photos(
        self, photos: Sequence[PhotoUpload], field: str = "photo"
    ) -> list[CheckedPhoto]:
        """Every photo checked (count, size, type from its bytes), the faulty one named."""
        check_count(photos, field)
        which = "处置后" if field == "after_photo" else ""
        checked = []
        for number, photo in enumerate(photos, 1):
            try:
                checked.append(self.store.check(photo))
            except ValidationError as exc:
                name = f"（{photo.filename}）" if photo.filename else ""
                raise type(exc)(
                    f"{which}第 {number} 张照片{name}: {exc.message}", field=field
                ) from None
        return checked

    def submit(
        self,
        actor: Actor,
        key: str | None,
        data: Mapping[str, object],
        photos: Sequence[PhotoUpload] = (),
        *,
        after_photos: Sequence[PhotoUpload] = (),
        api_token_id: int | None = None,
    ) -> Submitted:
        """The report in ``data`` with its ``photos``, once per ``key`` (see the module); with
        ``self_handled`` in ``data``, self-handled in the same transaction (``after_photos``)."""
        key = idempotency.check_key(key)
        if actor.id is None:
            raise PermissionDeniedError("现场上报须以本人账户登录")
        self.cases.lifecycle.check(REPORT, None, actor.role)
        source = self.source_of(actor.role)
        fields = canonical_fields(data)
        component_id = component_id_of(data)
        if component_id:  # a report naming no object keeps the fingerprint it always had
            fields = {**fields, "component_id": component_id}
        self_handled, handling_note = self_handling_of(data, after_photos)
        check_count(photos)  # before hashing them
        check_count(after_photos, "after_photo")
        files = [p.data for p in photos]
        if self_handled:  # a plain report's fingerprint stays what it always was
            fields = {
                **fields,
                "self_handled": "1",
                "handling_note": handling_note,
                "after_photos": str(len(after_photos)),
            }
            files += [p.data for p in after_photos]
        fingerprint = idempotency.fingerprint(fields, files)
        replayed = self._replay(actor.id, key, fingerprint)
        if replayed is not None:
            return replayed
        parsed = parse(fields, source)
        if self_handled:
            self.cases.lifecycle.check(SELF_HANDLE, "reported", actor.role, note=handling_note)
            if not photos:
                raise ValidationError("自处置须附处置前照片（现场原状）", field="photo")
            if not after_photos:
                raise ValidationError("自处置须附处置后照片", field="after_photo")
        checked = self.check_photos(photos)
        after_checked = self.check_photos(after_photos, "after_photo") if self_handled else []
        staged: list[Path] = []
        after_staged: list[Path] = []
        try:
            staged.extend(self.store.stage(p.data) for p in photos)
            after_staged.extend(self.store.stage(p.data) for p in after_photos)
            handled = (
                SelfHandling(handling_note, after_checked, after_staged) if self_handled else None
            )
            pending = _Pending(key, fingerprint, parsed, checked, staged, api_token_id, handled)
            for attempt in range(2):
                try:
                    return self._report(actor, pending)
                except IntegrityError:
                    # Another request committed first and this one rolled back whole. The
                    # same key (its row, or the day's case-number counter both created):
                    # the first one's answer. Another report that created the counter
                    # first: once more, now that the counter is there.
                    replayed = self._replay(actor.id, key, fingerprint)
                    if replayed is not None:
                        return replayed
                    if attempt:
                        raise
            raise AssertionError("unreachable: the loop returns or raises")
        finally:
            for path in (*staged, *after_staged):
                path.unlink(missing_ok=True)

    def _report(self, actor: Actor, pending: _Pending) -> Submitted:
        def also(s: Session, case: Case, event: CaseEvent, now: datetime) -> ReportAnswer:
            return self._record(s, actor, case, event, now, pending)

        _, answer = self.cases.report_with(actor, pending.parsed.report, also)
        assert answer is not None
        return Submitted(answer, replayed=False)

    def _replay(self, user_id: int, key: str, fingerprint: str) -> Submitted | None:
        with self.cases.db.read() as s:
            stored = idempotency.find(s, user_id, key)
        if stored is None:
            return None
        return Submitted(answer_of(idempotency.replay(stored, REPORT, fingerprint)), True)

    def _record(
        self,
        s: Session,
        actor: Actor,
        case: Case,
        event: CaseEvent,
        now: datetime,
        pending: _Pending,
    ) -> ReportAnswer:
        """Inside the report's transaction: the self-handling step (if any), the key (a
        concurrent twin fails here, before any file moves), then the photos' rows, then their
        files."""
        handled = pending.handled
        handled_event = None
        # On the category the case was filed under (the taxonomy schedule may have mapped it).
        check_case(s, actor.role, REPORT, case)
        category = reference_data.get_category(s, case.taxonomy, case.category_code, kind=case.kind)
        check_role_covers(actor.role, category.function, f"{category.code} {category.name}")
        if handled is not None:
            check_case(s, actor.role, SELF_HANDLE, case)
            s.flush()  # the report as it will commit, before its next step
            handled_event = self.cases.workflow.apply(
                s, actor, case, SELF_HANDLE, now, note=handled.note
            )
        s.flush()  # the case as it will commit: its version
        checked = pending.checked
        answer = ReportAnswer(
            case.id,
            case.number,
            case.state,
            state_label(case.state),
            case.version,
            len(checked),
            len(handled.checked) if handled is not None else 0,
        )
        assert actor.id is not None
        idempotency.record(
            s,
            user_id=actor.id,
            key=pending.key,
            action=REPORT,
            request_fingerprint=pending.fingerprint,
            case_id=case.id,
            answer=asdict(answer),
            now=now,
            api_token_id=pending.api_token_id,
            device_time=pending.parsed.device_time,
            accuracy_m=pending.parsed.accuracy_m,
        )
        files = [(c, staged, event) for c, staged in zip(checked, pending.staged, strict=True)]
        if handled is not None:
            assert handled_event is not None
            files += [
                (c, staged, handled_event)
                for c, staged in zip(handled.checked, handled.staged, strict=True)
            ]
        s.add_all(
            self.store.row(c, case.id, owner.id, now, actor.id, pending.api_token_id)
            for c, _, owner in files
        )
        s.flush()
        # Files in place before the commit: a committed row never lacks its file.
        for c, path, _ in files:
            self.store.publish(path, self.store.relative_path(c))
        return answer

    def mine(self, actor: Actor, limit: int = DEFAULT_MINE) -> list[MyReport]:
        """The cases ``actor`` reported (anywhere: the app, a seat), newest first."""
        limit = max(1, min(limit, MAX_MINE))
        photos = (
            select(func.count(Attachment.id))
            .where(Attachment.case_event_id == CaseEvent.id)
            .scalar_subquery()
        )
        stmt = (
            select(
                Case.id,
                Case.number,
                Case.state,
                Category.name,
                Case.category_code,
                Case.address,
                Case.reported_at,
                photos,
            )
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .outerjoin(
                Category,
                and_(
                    Category.taxonomy == Case.taxonomy,
                    Category.kind == Case.kind,
                    Category.code == Case.category_code,
                ),
            )
            .where(CaseEvent.action == REPORT, CaseEvent.actor_id == actor.id)
            # the report event's time: the (action, at, …, actor_id) index, read backwards
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
            .limit(limit)
        )
        with self.cases.db.read() as s:
            rows = s.execute(stmt).all()
        return [
            MyReport(
                case_id,
                number,
                state,
                state_label(state),
                name or code,
                address,
                reported_at,
                count,
            )
            for case_id, number, state, name, code, address, reported_at, count in rows
        ]
