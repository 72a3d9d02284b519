"""Open311 GeoReport v2 reads: the service types, one type's conditions, service requests.

Service types are the categories of every taxonomy this database holds
(console.services.open311_catalog: one unique code each, ``C01001``, ``E0305``…), the taxonomy
in force for new reports first. A service request is a case: the six-step loop collapses into
Open311's two states, final states (resources/lifecycle/states.csv) are ``closed``, every other
is ``open`` with its step in ``status_notes`` (the export's fields,
:func:`~console.services.cases.export.request_fields`, with the catalog's code). Only public
fields leave: never the reporter's name or phone; the photo is an after-photo, the one the
public timeline shows (console.services.public_reports).

Everything here returns plain records; the gateway turns them into its response bodies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from console.domain.instant_range import checked_utc
from console.domain.lifecycle import FINAL_STATES
from console.errors import ValidationError
from console.models import Attachment, Case, CaseEvent, DeadlineRule
from console.services.attachments import PHOTO, AttachmentRecord, record_of
from console.services.cases.detail import limit_text
from console.services.cases.export import request_fields, requests_select
from console.services.catalog import LOCAL_EXTENSION_MARK
from console.services.ingest.open311_reader import Service as ServiceRow
from console.services.intake_limits import Limits
from console.services.open311_catalog import (
    CatalogEntry,
    catalog,
    resolve_service_code,
    service_code,
)
from console.services.public_reports import AFTER_PHOTO_ACTIONS
from console.services.reference.files import TAXONOMY_GBT2026
from console.services.taxonomy_schedule import TaxonomySchedule

KIND_ZH = {"component": "部件", "event_type": "事件"}
#: The most service codes one query may name (service_code=a,b,…).
MAX_CODES = 100


@dataclass(frozen=True)
class ServiceType:
    """One service type: a category of a taxonomy, with its unique code."""

    service_code: str
    #: The category's (小类) name
    service_name: str
    #: Taxonomy, kind (部件/事件) and category code, the local-extension mark, and for an older
    #: taxonomy the code its new reports are filed under
    description: str
    #: Comma-separated: the category's and major class's names, its kind, code and aliases
    keywords: str
    #: The major class (大类); an older taxonomy's carries its label, e.g. 市容环境〔CJ/T 214〕
    group: str
    #: It has registration conditions: GET services/{code} lists them
    metadata: bool


@dataclass(frozen=True)
class RegistrationCondition:
    """One registration condition (立案条件) of a service type, with its time limit."""

    rule_id: int
    condition: str
    #: The time limit as a seat reads it, e.g. "4工作时" (None for a rule without one)
    limit: str | None


@dataclass(frozen=True)
class RequestRecord:
    """One service request: the export's GeoReport v2 fields and the case's public photo."""

    #: :func:`console.services.cases.export.request_fields` (times local, ISO 8601)
    fields: dict[str, Any]
    #: The case's first after-photo (the public timeline's), if any
    photo_id: int | None


# --------------------------------------------------------------------------- service types


def _service_type(entry: CatalogEntry) -> ServiceType:
    kind = KIND_ZH.get(entry.kind, entry.kind)
    description = f"{entry.taxonomy_label} {kind} {entry.category_code}"
    if entry.local:
        description += f"（{LOCAL_EXTENSION_MARK}）"
    group = entry.major_name
    if not entry.in_force:
        group = f"{entry.major_name}〔{entry.taxonomy_label}〕"
        if entry.successor_code:
            successor = service_code(TAXONOMY_GBT2026, entry.kind, entry.successor_code)
            description += f"；旧标准代码，新报告归入 {successor}"
    words = [entry.name, entry.major_name, kind, entry.category_code, *entry.aliases]
    return ServiceType(
        service_code=entry.service_code,
        service_name=entry.name,
        description=description,
        keywords=",".join(dict.fromkeys(words)),
        group=group,
        metadata=entry.has_conditions,
    )


def service_types(
    session: Session,
    aliases: Mapping[str, ServiceRow],
    schedule: TaxonomySchedule,
    in_force: str,
) -> list[ServiceType]:
    """Every category as a service type, the taxonomy ``in_force`` (for new reports) first.

    An older taxonomy's categories are listed because older cases carry them; a POST naming
    one is accepted and filed under the successor code (console.services.category_intake).
    """
    return [_service_type(e) for e in catalog(session, schedule, in_force, aliases)]


def find_service(
    session: Session, code: str, aliases: Mapping[str, ServiceRow]
) -> tuple[str, ServiceRow] | None:
    """(the unique code, the category) a client's service_code names (an alias included)."""
    row = resolve_service_code(session, code, aliases)
    if row is None:
        return None
    return service_code(row.taxonomy, row.kind, row.category_code), row


def registration_conditions(session: Session, row: ServiceRow) -> list[RegistrationCondition]:
    """The registration conditions of a service type's category, in the rule table's order."""
    rules = session.scalars(
        select(DeadlineRule)
        .where(
            DeadlineRule.taxonomy == row.taxonomy,
            DeadlineRule.kind == row.kind,
            DeadlineRule.category_code == row.category_code,
        )
        .order_by(DeadlineRule.id)
    ).all()
    return [
        RegistrationCondition(
            rule_id=r.id,
            condition=r.condition,
            limit=limit_text(r.limit_value, r.limit_unit, 0.0),
        )
        for r in rules
    ]


# --------------------------------------------------------------------------- service requests


def parse_when(value: str | None, field: str) -> datetime | None:
    """An ISO 8601 time with its zone (``Z`` or ±HH:MM), as a query names it; None if blank."""
    if value is None or value == "":
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        at = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        at = None
    if at is None:
        raise ValidationError(
            "时间格式不对（应为 ISO 8601，如 2026-11-23T09:00:00+08:00）", field=field
        )
    if at.tzinfo is None:
        raise ValidationError("时间须带时区（Z 或 ±HH:MM）", field=field)
    return checked_utc(at, field)


def _listed(values: str | Sequence[str] | None) -> list[str]:
    """The items of a comma-separated query value, or of one given many times (``a,b`` or
    ``x=a&x=b``), blanks dropped."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def parse_statuses(values: str | Sequence[str] | None) -> set[str]:
    """``open``, ``closed`` or both (comma-separated or repeated); empty for no filter."""
    statuses = {s.lower() for s in _listed(values)}
    if not statuses <= {"open", "closed"}:
        raise ValidationError("status 只能是 open 或 closed", field="status")
    return statuses


def parse_service_codes(
    session: Session, values: str | Sequence[str] | None, aliases: Mapping[str, ServiceRow]
) -> list[tuple[str, str, str]]:
    """The categories (taxonomy, kind, code) of ``service_code=a,b`` (or repeated); every code
    must name one."""
    codes = _listed(values)
    if len(codes) > MAX_CODES:
        raise ValidationError(f"service_code 最多 {MAX_CODES} 个", field="service_code")
    found = []
    for code in codes:
        row = resolve_service_code(session, code, aliases)
        if row is None:
            raise ValidationError(
                f"未知 service_code: {code[:64]}（见 services.json）", field="service_code"
            )
        found.append((row.taxonomy, row.kind, row.category_code))
    return list(dict.fromkeys(found))


def find_requests(
    session: Session,
    aliases: Mapping[str, ServiceRow],
    limits: Limits,
    now: datetime,
    *,
    numbers: list[str] | None = None,
    service_codes: str | Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: AbstractSet[str] = frozenset(),
) -> list[RequestRecord]:
    """Service requests, newest first, at most ``limits.max_requests``.

    ``numbers`` (case numbers) overrides every other filter. Otherwise the cases reported
    between ``start`` and ``end``, a span of at most ``limits.query_days`` (the span up to
    ``now`` when neither is given), of the service types (any code :func:`parse_service_codes`
    takes) and status asked.
    """
    stmt = requests_select()
    if numbers:
        stmt = stmt.where(Case.number.in_(numbers))  # overrides every other filter
    else:
        span = timedelta(days=limits.query_days)
        if end is None:  # with no start either: the span up to now
            end = now if start is None else start + span
        if start is None:
            start = end - span
        if end < start:
            raise ValidationError("end_date 早于 start_date", field="end_date")
        if end - start > span:
            raise ValidationError(f"时间跨度最多 {limits.query_days} 天", field="end_date")
        stmt = stmt.where(Case.reported_at >= start, Case.reported_at <= end)
        categories = parse_service_codes(session, service_codes, aliases)
        if categories:
            stmt = stmt.where(
                or_(
                    *(
                        and_(Case.taxonomy == t, Case.kind == k, Case.category_code == c)
                        for t, k, c in categories
                    )
                )
            )
        if statuses == {"open"}:
            stmt = stmt.where(Case.state.not_in(FINAL_STATES))
        elif statuses == {"closed"}:
            stmt = stmt.where(Case.state.in_(FINAL_STATES))
    stmt = stmt.order_by(Case.reported_at.desc(), Case.id.desc()).limit(limits.max_requests)
    found = session.execute(stmt).all()
    codes = {
        (c.taxonomy, c.kind, c.category_code): service_code(c.taxonomy, c.kind, c.category_code)
        for c, _, _ in found
    }
    photos = dict(
        session.execute(
            _public_photos()
            .with_only_columns(Attachment.case_id, func.min(Attachment.id))
            .where(Attachment.case_id.in_([c.id for c, _, _ in found]))
            .group_by(Attachment.case_id)
        ).all()
    )
    return [
        RequestRecord(
            fields=request_fields(case, category_name, department_name, codes),
            photo_id=photos.get(case.id),
        )
        for case, category_name, department_name in found
    ]


# --------------------------------------------------------------------------- public photos


def _public_photos() -> Any:
    """The photos the public may see: the handlers' after-photos (AFTER_PHOTO_ACTIONS)."""
    return (
        select(Attachment)
        .join(CaseEvent, CaseEvent.id == Attachment.case_event_id)
        .where(Attachment.kind == PHOTO, CaseEvent.action.in_(AFTER_PHOTO_ACTIONS))
    )


def public_photo(session: Session, attachment_id: int) -> AttachmentRecord | None:
    """The photo ``attachment_id`` if the public may see it, else None."""
    row = session.scalar(_public_photos().where(Attachment.id == attachment_id))
    return record_of(row) if row is not None else None
