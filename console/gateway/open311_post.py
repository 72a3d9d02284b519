"""Open311 GeoReport v2 ``POST requests`` (reporting a problem) on :data:`open311.router`.

A POST becomes a case through :meth:`CaseService.report`, mapped and validated exactly as an
imported Open311 row is (console.services.ingest.mapping). The reads stay in
console.gateway.open311; importing this module registers the POST route on the same router.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from console.errors import ConsoleError, PermissionDeniedError, ValidationError
from console.gateway.bodies import read_body
from console.gateway.context import Credentials, Ctx, GatewayContext
from console.gateway.open311 import check_jurisdiction, open311_route
from console.gateway.schemas import ServiceRequestCreated
from console.services.api_tokens import TokenPrincipal
from console.services.ingest import mapping
from console.services.report_input import SOURCE_LABELS

#: Fields a POST may carry (Open311's, plus the extension `source`); others are ignored.
POST_FIELDS = ("service_code", "lat", "long", "address_string", "description")
#: Report fields → the Open311 names a client knows them by, for error messages.
OPEN311_FIELD = {
    "lon": "long",
    "category_code": "service_code",
    "address": "address_string",
    "reporter": "first_name",
    "kind": "service_code",
    "taxonomy": "service_code",
}


def _reporter(data: dict[str, Any]) -> object:
    names = [data.get("first_name"), data.get("last_name")]
    if any(n is not None and not isinstance(n, str) for n in names):
        raise ValidationError("姓名必须是文本", field="first_name")
    joined = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    return joined or None


def choose_source(ctx: GatewayContext, role: str, requested: object) -> str:
    """The case source for this token's role: its default, or the `source` it asked for."""
    allowed = ctx.settings.report_sources.get(role)
    if not allowed:
        raise PermissionDeniedError(
            f"角色 {role} 不能通过网关上报（见 resources/gateway/sources.csv）"
        )
    if requested in (None, ""):
        return allowed[0]
    if not isinstance(requested, str) or len(requested) > mapping.MAX_CODE:
        raise ValidationError("来源无效", field="source")
    code = mapping.SOURCES.get(requested.strip()) or mapping.SOURCES.get(requested.strip().lower())
    if code is None:
        raise ValidationError(
            f"未知来源（可选: {' / '.join(SOURCE_LABELS[s] for s in allowed)}）", field="source"
        )
    if code not in allowed:
        raise PermissionDeniedError(
            f"该令牌不能以来源「{SOURCE_LABELS[code]}」上报"
            f"（可选: {' / '.join(SOURCE_LABELS[s] for s in allowed)}）"
        )
    return code


def create_request(ctx: GatewayContext, who: TokenPrincipal, data: dict[str, Any]) -> str:
    """A new case from the POST fields; its number."""
    ctx.cases.lifecycle.check("report", None, who.actor.role)  # 403 before any validation
    check_jurisdiction(ctx, data.get("jurisdiction_id"))
    source = choose_source(ctx, who.actor.role, data.get("source"))
    try:
        fields = mapping.open311_fields({k: data.get(k) for k in POST_FIELDS}, ctx.services)
        fields["reporter"] = _reporter(data)
        fields["source"] = source
        report = mapping.to_report(fields, default_source=source)
        created = ctx.cases.report(who.actor, report)
    except ConsoleError as exc:
        if exc.field in OPEN311_FIELD:
            exc.field = OPEN311_FIELD[exc.field]
        raise
    return created.number


def authorized_create(
    ctx: GatewayContext, secret: object, data: dict[str, Any], address: str | None = None
) -> str:
    """The token check (failures counted for the client ``address``), then the case: one
    trip to the worker thread for both."""
    who = ctx.authorize(secret if isinstance(secret, str) else None, address)
    return create_request(ctx, who, data)


@open311_route(
    "POST",
    "/requests",
    model=list[ServiceRequestCreated],
    xml=("service_requests", "request"),
    summary="Report a problem (creates a case)",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "description": "Open311 fields: service_code, lat + long (WGS-84), address_string, "
            "description, first_name, last_name; api_key (or the Authorization header); "
            "extension: source (公众/12345 as the token's role allows).",
            "content": {
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def post_request(
    request: Request,
    ctx: Ctx,
    credentials: Credentials,
) -> list[ServiceRequestCreated]:
    data, _ = await read_body(request)
    secret = credentials.credentials if credentials else data.get("api_key")
    address = request.client.host if request.client else None
    number = await run_in_threadpool(authorized_create, ctx, secret, data, address)
    return [
        ServiceRequestCreated(
            service_request_id=number, service_notice="已受理，等待立案（待立案）"
        )
    ]
