"""Open311 reads: the service list, a service definition, and service requests from cases.

The six-step loop collapses into Open311's two states: final states (resources/lifecycle/
states.csv) are ``closed``, every other is ``open`` with its step in ``status_notes``.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.lifecycle import FINAL_STATES
from console.errors import ValidationError
from console.gateway.context import GatewayContext
from console.gateway.schemas import (
    AttributeValue,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    ServiceRequest,
)
from console.models import Attachment, Case, Category, DeadlineRule
from console.services.cases.detail import limit_text
from console.services.cases.export import request_fields, requests_select, service_codes
from console.services.catalog import LOCAL_EXTENSION_MARK
from console.services.ingest.open311_reader import Service as ServiceRow

KIND_ZH = {"component": "部件", "event_type": "事件"}


# --------------------------------------------------------------------------- services


def _categories(session: Session, rows: dict[str, ServiceRow]) -> dict[tuple[str, str, str], Any]:
    codes = {r.category_code for r in rows.values()}
    found = session.scalars(select(Category).where(Category.code.in_(codes)))
    return {(c.taxonomy, c.kind, c.code): c for c in found}


def service_list(session: Session, rows: dict[str, ServiceRow], taxonomy: str) -> list[Service]:
    """The services of the table in ``taxonomy`` (the one in force for new reports).

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
            Service(
                service_code=code,
                service_name=category.name,
                description=(
                    f"{row.taxonomy} {KIND_ZH.get(row.kind, row.kind)} {category.code}{local}"
                ),
                metadata=True,
                type="realtime",
                keywords=",".join(dict.fromkeys([category.name, row.name, category.major_name])),
                group=category.major_name,
            )
        )
    return out


def service_definition(session: Session, code: str, row: ServiceRow) -> ServiceDefinition:
    rules = session.scalars(
        select(DeadlineRule)
        .where(
            DeadlineRule.taxonomy == row.taxonomy,
            DeadlineRule.kind == row.kind,
            DeadlineRule.category_code == row.category_code,
        )
        .order_by(DeadlineRule.id)
    ).all()
    attributes = []
    if rules:
        attributes.append(
            ServiceAttribute(
                variable=False,
                code="registration_conditions",
                datatype="text",
                required=False,
                datatype_description="仅供参考，无须填写",
                order=1,
                description="立案条件与处置时限：\n"
                + "\n".join(
                    f"{r.condition}（{limit_text(r.limit_value, r.limit_unit, 0.0)}）"
                    for r in rules
                ),
                values=[AttributeValue(key=str(r.id), name=r.condition) for r in rules],
            )
        )
    return ServiceDefinition(service_code=code, attributes=attributes)


def parse_when(value: str | None, field: str) -> datetime | None:
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
    return at


def find_requests(
    ctx: GatewayContext,
    *,
    base_url: str,
    numbers: list[str] | None = None,
    service_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: AbstractSet[str] = frozenset(),
) -> list[ServiceRequest]:
    stmt = requests_select()
    limits = ctx.settings.limits
    if numbers:
        stmt = stmt.where(Case.number.in_(numbers))  # overrides every other filter
    else:
        span = timedelta(days=limits.query_days)
        if end is None:  # with no start either: the span up to now
            end = ctx.cases.clock() if start is None else start + span
        if start is None:
            start = end - span
        if end < start:
            raise ValidationError("end_date 早于 start_date", field="end_date")
        if end - start > span:
            raise ValidationError(f"时间跨度最多 {limits.query_days} 天", field="end_date")
        stmt = stmt.where(Case.reported_at >= start, Case.reported_at <= end)
        if service_code:
            row = ctx.services.get(service_code)
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
    codes = service_codes(ctx.services)
    with ctx.db.read() as s:
        rows = s.execute(stmt).all()
        photos = dict(
            s.execute(
                select(Attachment.case_id, func.min(Attachment.id))
                .where(Attachment.case_id.in_([c.id for c, _, _ in rows]))
                .group_by(Attachment.case_id)
            ).all()
        )
        return [
            to_service_request(case, category_name, department_name, codes, photos, base_url)
            for case, category_name, department_name in rows
        ]


def to_service_request(
    case: Case,
    category_name: str | None,
    department_name: str | None,
    codes: dict[tuple[str, str, str], str],
    photos: dict[int, int],
    base_url: str,
) -> ServiceRequest:
    """The export's service request fields (case_export.request_fields) plus the photo link."""
    fields = request_fields(case, category_name, department_name, codes)
    photo = photos.get(case.id)
    return ServiceRequest(
        **{**fields, "requested_datetime": fields["requested_datetime"] or ""},
        media_url=f"{base_url}api/v1/attachments/{photo}" if photo else None,
    )


def parse_statuses(value: str | None) -> set[str]:
    if not value:
        return set()
    statuses = {s.strip().lower() for s in value.split(",") if s.strip()}
    if not statuses <= {"open", "closed"}:
        raise ValidationError("status 只能是 open 或 closed", field="status")
    return statuses
