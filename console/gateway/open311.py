"""Open311 GeoReport v2 under /open311/v2 (the public app, the 12345 hotline system).

Every endpoint answers in JSON or XML as its extension says (``services.json`` /
``services.xml`` …): one function produces the records, :func:`open311_route` registers it under
both paths with a renderer each (JSON here, XML in console.gateway.open311_xml).

Reads are public, as GeoReport v2 says: no key, counted per client address
(console.gateway.open311_public), public fields only. Service types are every category of every
taxonomy, with codes derived from it (console.services.open311_catalog: ``E06010``, ``C0305``),
the taxonomy in force for new reports first; the friendly codes of
resources/intake/open311_services.csv stay aliases. A request's ``media_url`` is a signed,
expiring link to its after-photo, served by ``GET media/{id}``. The POST route is in
console.gateway.open311_post (on this module's router). Reads are
console.services.open311_requests; this module turns its records into Open311's bodies.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from console.errors import ValidationError
from console.gateway.context import Ctx, GatewayContext
from console.gateway.errors import GatewayError
from console.gateway.open311_public import (
    check_signature,
    public_read,
    public_settings,
    signed_query,
    signing_key,
)
from console.gateway.open311_xml import XMLResponse, document
from console.gateway.schemas import (
    AttributeValue,
    Discovery,
    DiscoveryEndpoint,
    Open311Error,
    RowId,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    ServiceRequest,
)
from console.services import open311_requests
from console.services.open311_requests import (
    RegistrationCondition,
    RequestRecord,
    parse_statuses,
    parse_when,
)

ERRORS = {
    400: "Bad input (the field is named)",
    401: "No valid token",
    403: "The token's role may not do this",
    413: "Request too large",
    429: "Too many requests (see Retry-After)",
}
router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])

MAX_IDS = 1000
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: Every endpoint accepts it; only this gateway's own id (settings) passes check_jurisdiction.
Jurisdiction = Annotated[str | None, Query(description="Optional: this district's id")]


# --------------------------------------------------------------------------- two formats

Records = BaseModel | Iterable[BaseModel]


def _json_body(records: Records) -> Any:
    if isinstance(records, BaseModel):
        return records.model_dump(mode="json")
    return [r.model_dump(mode="json") for r in records]


def _rendered(fn: Callable[..., Any], render: Callable[[Records], Response]) -> Callable[..., Any]:
    """``fn`` with its records rendered; the same signature, so FastAPI injects the same."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def render_async(*args: Any, **kwargs: Any) -> Response:
            return render(await fn(*args, **kwargs))

        return render_async

    @functools.wraps(fn)
    def render_sync(*args: Any, **kwargs: Any) -> Response:
        return render(fn(*args, **kwargs))

    return render_sync


def open311_route(
    method: str,
    path: str,
    *,
    model: Any,
    xml: tuple[str, str | None],
    summary: str,
    status_code: int = 200,
    errors: dict[int, str] | None = None,
    openapi_extra: dict[str, Any] | None = None,
    dependencies: Sequence[Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function returning ``model`` records at ``path.json`` and ``path.xml``.

    ``xml`` is (root element, item element or None for a single record): ("services",
    "service") gives ``<services><service>…</service>…</services>``. ``dependencies`` run
    before it (the public reads' rate, :func:`open311_public.public_read`).
    """
    root, item = xml
    described = {**ERRORS, **(errors or {})}

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        router.add_api_route(
            f"{path}.json",
            _rendered(fn, lambda r: JSONResponse(_json_body(r), status_code=status_code)),
            methods=[method],
            name=f"{fn.__name__}_json",
            response_model=model,
            status_code=status_code,
            summary=summary,
            responses={
                s: {"model": list[Open311Error], "description": d} for s, d in described.items()
            },
            openapi_extra=openapi_extra,
            dependencies=dependencies,
        )
        router.add_api_route(
            f"{path}.xml",
            _rendered(fn, lambda r: XMLResponse(document(root, item, r), status_code=status_code)),
            methods=[method],
            name=f"{fn.__name__}_xml",
            response_model=None,
            response_class=XMLResponse,
            status_code=status_code,
            summary=f"{summary} (XML)",
            description=f"The fields of `{path.lstrip('/')}.json` in Open311's XML: "
            f"`<{root}>{f'<{item}>' if item else ''}…`",
            responses={
                s: {
                    "description": f"{d}: <errors><error><code/><description/></error></errors>",
                    "content": {"application/xml": {}},
                }
                for s, d in described.items()
            },
            openapi_extra=openapi_extra,
            dependencies=dependencies,
        )
        return fn

    return register


# --------------------------------------------------------------------------- services


@open311_route(
    "GET",
    "/services",
    model=list[Service],
    xml=("services", "service"),
    summary="List the service types (every category; no key needed)",
    errors={404: "Unknown jurisdiction_id"},
    dependencies=[Depends(public_read)],
)
def get_services(ctx: Ctx, jurisdiction_id: Jurisdiction = None) -> list[Service]:
    check_jurisdiction(ctx, jurisdiction_id)
    schedule = ctx.cases.workflow.taxonomies
    in_force = schedule.taxonomy_on(ctx.cases.clock())
    with ctx.db.read() as s:
        found = open311_requests.service_types(s, ctx.services, schedule, in_force)
    return [Service(**asdict(t), type="realtime") for t in found]


@open311_route(
    "GET",
    "/services/{service_code}",
    model=ServiceDefinition,
    xml=("service_definition", None),
    summary="One service type's definition (no key needed)",
    errors={404: "Unknown service_code or jurisdiction_id"},
    dependencies=[Depends(public_read)],
)
def get_service_definition(
    service_code: str, ctx: Ctx, jurisdiction_id: Jurisdiction = None
) -> ServiceDefinition:
    check_jurisdiction(ctx, jurisdiction_id)
    with ctx.db.read() as s:
        found = open311_requests.find_service(s, service_code, ctx.services)
        if found is None:
            raise GatewayError(
                404,
                f"未知 service_code: {service_code[:64]}（见 services.json）",
                code="unknown_service_code",
                field="service_code",
            )
        code, row = found
        conditions = open311_requests.registration_conditions(s, row)
    return service_definition(code, conditions)


def service_definition(code: str, conditions: list[RegistrationCondition]) -> ServiceDefinition:
    """The registration conditions and their time limits, as one information-only attribute."""
    attributes = []
    if conditions:
        attributes.append(
            ServiceAttribute(
                variable=False,
                code="registration_conditions",
                datatype="text",
                required=False,
                datatype_description="仅供参考，无须填写",
                order=1,
                description="立案条件与处置时限：\n"
                + "\n".join(f"{c.condition}（{c.limit}）" for c in conditions),
                values=[AttributeValue(key=str(c.rule_id), name=c.condition) for c in conditions],
            )
        )
    return ServiceDefinition(service_code=code, attributes=attributes)


def check_jurisdiction(ctx: GatewayContext, value: object) -> None:
    """404 with Open311's error body for a jurisdiction_id other than this gateway's."""
    if value not in (None, "") and value != ctx.settings.jurisdiction_id:
        raise GatewayError(
            404,
            f"未知 jurisdiction_id（本网关只服务 {ctx.settings.jurisdiction_id}）",
            code="unknown_jurisdiction",
            field="jurisdiction_id",
        )


# --------------------------------------------------------------------------- discovery


@open311_route(
    "GET",
    "/discovery",
    model=Discovery,
    xml=("discovery", None),
    summary="Service discovery: this endpoint, its formats, whom to ask, how to get a key",
    dependencies=[Depends(public_read)],
)
def get_discovery(request: Request) -> Discovery:
    config = public_settings()
    return Discovery(
        changeset=config.changeset,
        contact=config.contact,
        key_service=config.key_service,
        endpoints=[
            DiscoveryEndpoint(
                specification=SPECIFICATION,
                url=f"{request.base_url}{router.prefix.lstrip('/')}",
                changeset=config.changeset,
                type="production",
                formats=["text/xml", "application/json"],
            )
        ],
    )


# --------------------------------------------------------------------------- GET requests


@open311_route(
    "GET",
    "/requests",
    model=list[ServiceRequest],
    xml=("service_requests", "request"),
    summary="Query service requests (cases; no key needed, public fields only)",
    errors={404: "Unknown jurisdiction_id"},
    dependencies=[Depends(public_read)],
)
def get_requests(
    request: Request,
    ctx: Ctx,
    service_request_id: str | None = Query(
        None, description="Comma-separated case numbers; overrides the other filters"
    ),
    service_code: Annotated[
        list[str] | None,
        Query(description="Service types: comma-separated, or the parameter repeated"),
    ] = None,
    start_date: str | None = Query(None, description="Reported at or after (ISO 8601, zone)"),
    end_date: str | None = Query(None, description="Reported at or before (ISO 8601, zone)"),
    status: Annotated[
        list[str] | None,
        Query(description="open, closed or both: comma-separated, or the parameter repeated"),
    ] = None,
    jurisdiction_id: Jurisdiction = None,
) -> list[ServiceRequest]:
    check_jurisdiction(ctx, jurisdiction_id)
    numbers = None
    if service_request_id:
        numbers = [n.strip() for n in service_request_id.split(",") if n.strip()]
        if len(numbers) > MAX_IDS or any(len(n) > 64 for n in numbers):
            raise ValidationError(
                f"service_request_id 最多 {MAX_IDS} 个", field="service_request_id"
            )
    start, end = parse_when(start_date, "start_date"), parse_when(end_date, "end_date")
    statuses = parse_statuses(status)
    now = ctx.cases.clock()
    with ctx.db.read() as s:
        found = open311_requests.find_requests(
            s,
            ctx.services,
            ctx.settings.limits,
            now,
            numbers=numbers,
            service_codes=service_code,
            start=start,
            end=end,
            statuses=statuses,
        )
    return [service_request(ctx, r, str(request.base_url), now) for r in found]


def service_request(
    ctx: GatewayContext, record: RequestRecord, base_url: str, now: datetime
) -> ServiceRequest:
    """The export's public service request fields (case_export.request_fields) plus a signed
    link to the case's after-photo."""
    fields = record.fields
    photo = record.photo_id
    media_url = None
    if photo is not None:
        key = signing_key(ctx.settings.attachments_dir)
        query = signed_query(key, photo, now, public_settings().media_url_hours)
        media_url = f"{base_url}{router.prefix.lstrip('/')}/media/{photo}?{query}"
    return ServiceRequest(
        **{**fields, "requested_datetime": fields["requested_datetime"] or ""},
        media_url=media_url,
    )


@open311_route(
    "GET",
    "/requests/{service_request_id}",
    model=list[ServiceRequest],
    xml=("service_requests", "request"),
    summary="One service request (a list of one, as Open311 answers; no key needed)",
    errors={404: "No such request, or an unknown jurisdiction_id"},
    dependencies=[Depends(public_read)],
)
def get_request(
    request: Request,
    service_request_id: str,
    ctx: Ctx,
    jurisdiction_id: Jurisdiction = None,
) -> list[ServiceRequest]:
    check_jurisdiction(ctx, jurisdiction_id)
    number = service_request_id[:64]
    now = ctx.cases.clock()
    with ctx.db.read() as s:
        found = open311_requests.find_requests(
            s, ctx.services, ctx.settings.limits, now, numbers=[number]
        )
    if not found:
        raise GatewayError(404, f"服务请求不存在: {number}", code="not_found")
    return [service_request(ctx, r, str(request.base_url), now) for r in found]


# --------------------------------------------------------------------------- media


@router.get(
    "/media/{attachment_id}",
    summary="A request's photo by its media_url (a signed link; no key needed)",
    response_class=FileResponse,
    dependencies=[Depends(public_read)],
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
        403: {"model": list[Open311Error], "description": "A wrong or expired signature"},
        404: {"model": list[Open311Error], "description": "No such public photo"},
        429: {"model": list[Open311Error], "description": "Too many requests"},
    },
)
def get_media(
    attachment_id: RowId,
    ctx: Ctx,
    expires: int | None = Query(None, ge=0, le=2**40, description="Unix time it expires"),
    signature: str | None = Query(None, max_length=64, description="The server's signature"),
) -> FileResponse:
    now = ctx.cases.clock()
    check_signature(
        signing_key(ctx.settings.attachments_dir), attachment_id, expires, signature, now
    )
    with ctx.db.read() as s:
        record = open311_requests.public_photo(s, attachment_id)
    if record is None:  # signed once, no longer an after-photo
        raise GatewayError(404, f"照片不存在或不公开: {attachment_id}", code="not_found")
    path = ctx.attachments.store.path_of(record)
    if not path.is_file():
        raise GatewayError(404, f"照片文件缺失: {attachment_id}", code="not_found")
    return FileResponse(
        path,
        media_type=record.content_type,
        headers={"Cache-Control": "public, max-age=3600"},
    )
