"""Open311 GeoReport v2 reads: the service types, one type's conditions, service requests.

Service types are the rows of the importer's service_code → category table
(resources/intake/open311_services.csv, :func:`~console.services.ingest.open311_reader.
load_services`) whose category this database holds. A service request is a case: the six-step
loop collapses into Open311's two states, final states (resources/lifecycle/states.csv) are
``closed``, every other is ``open`` with its step in ``status_notes`` (the export's fields,
:func:`~console.services.cases.export.request_fields`).

Everything here returns plain records; the gateway turns them into its response bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.instant_range import checked_utc
from console.domain.lifecycle import FINAL_STATES
from console.errors import ValidationError
from console.models import Attachment, Case, Category, DeadlineRule
from console.services.cases.detail import limit_text
from console.services.cases.export import request_fields, requests_select, service_codes
from console.services.catalog import LOCAL_EXTENSION_MARK
from console.services.ingest.open311_reader import Service as ServiceRow
from console.services.intake_limits import Limits

KIND_ZH = {"component": "部件", "event_type": "事件"}


@dataclass(frozen=True)
class ServiceType:
    """One service type: a row of the service_code table whose category exists."""

    service_code: str
    #: The category's (小类) name
    service_name: str
    #: Taxonomy, kind (部件/事件) and category code, with the local-extension mark
    description: str
    #: Comma-separated: the category's, the row's and the major class's names
    keywords: str
    #: The major class (大类)
    group: str


@dataclass(frozen=True)
class RegistrationCondition:
    """One registration condition (立案条件) of a service type, with its time limit."""

    rule_id: int
    condition: str
    #: The time limit as a seat reads it, e.g. "4工作时" (None for a rule without one)
    limit: str | None


@dataclass(frozen=True)
class RequestRecord:
    """One service request: the export's GeoReport v2 fields and the case's first photo."""

    #: :func:`console.services.cases.export.request_fields` (times local, ISO 8601)
    fields: dict[str, Any]
    #: The case's first attachment, if any
    photo_id: int | None


# --------------------------------------------------------------------------- service types


def _categories(
    session: Session, rows: Mapping[str, ServiceRow]
) -> dict[tuple[str, str, str], Any]:
    codes = {r.category_code for r in rows.values()}
    found = session.scalars(select(Category).where(Category.code.in_(codes)))
    return {(c.taxonomy, c.kind, c.code): c for c in found}


def service_types(
    session: Session, rows: Mapping[str, ServiceRow], taxonomy: str
) -> list[ServiceType]:
    """The service types of the table in ``taxonomy`` (the one in force for new reports).

    Rows of an older taxonomy are not offered, but a POST naming one is still accepted: intake
    files it under the successor code (console.services.category_intake).
    """
    categories = _categories(session, rows)
    out = []
    for code, row in rows.items():
        category = categories.get((row.taxonomy, row.kind, row.category_code))
        if category is None or row.taxonomy != taxonomy:
            continue  # a taxonomy this database does not hold, or no longer the current one
        local = f"（{LOCAL_EXTENSION_MARK}）" if category.is_local_extension else ""
        out.append(
            ServiceType(
                service_code=code,
                service_name=category.name,
                description=(
                    f"{row.taxonomy} {KIND_ZH.get(row.kind, row.kind)} {category.code}{local}"
                ),
                keywords=",".join(dict.fromkeys([category.name, row.name, category.major_name])),
                group=category.major_name,
            )
        )
    return out


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


def parse_statuses(value: str | None) -> set[str]:
    """``open``, ``closed`` or both, comma-separated; empty for no filter."""
    if not value:
        return set()
    statuses = {s.strip().lower() for s in value.split(",") if s.strip()}
    if not statuses <= {"open", "closed"}:
        raise ValidationError("status 只能是 open 或 closed", field="status")
    return statuses


def find_requests(
    session: Session,
    rows: Mapping[str, ServiceRow],
    limits: Limits,
    now: datetime,
    *,
    numbers: list[str] | None = None,
    service_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: AbstractSet[str] = frozenset(),
) -> list[RequestRecord]:
    """Service requests, newest first, at most ``limits.max_requests``.

    ``numbers`` (case numbers) overrides every other filter. Otherwise the cases reported
    between ``start`` and ``end``, a span of at most ``limits.query_days`` (the span up to
    ``now`` when neither is given), of one service type and status when asked.
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
        if service_code:
            row = rows.get(service_code)
            if row is None:
                raise ValidationError(
                    f"未知 service_code: {service_code[:64]}", field="service_code"
                )
            stmt = stmt.where(
                Case.taxonomy == row.taxonomy,
                Case.kind == row.kind,
                Case.category_code == row.category_code,
            )
        if statuses == {"open"}:
            stmt = stmt.where(Case.state.not_in(FINAL_STATES))
        elif statuses == {"closed"}:
            stmt = stmt.where(Case.state.in_(FINAL_STATES))
    stmt = stmt.order_by(Case.reported_at.desc(), Case.id.desc()).limit(limits.max_requests)
    codes = service_codes(rows)
    found = session.execute(stmt).all()
    photos = dict(
        session.execute(
            select(Attachment.case_id, func.min(Attachment.id))
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
