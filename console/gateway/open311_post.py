"""Open311 GeoReport v2 ``POST requests`` and ``GET tokens/{token}`` on :data:`open311.router`.

A POST needs a key (``api_key`` in the body or the query, or ``Authorization: Bearer``): none or
a bad one answers 403 as the spec says. With lat/long it becomes a case at once; with only
``address_string`` / ``address_id`` it waits in the intake seat's 待定位 queue and the answer
carries a ``token`` instead of a ``service_request_id`` (``tokens/{token}`` gives the id once
the seat has placed it). A retry never files twice (``Idempotency-Key``, or the same token's
identical request within the repeat window): it answers 200 with the first answer and
``Idempotent-Replayed: true``. The rules are console.services.open311_intake's; this module
reads requests and writes Open311's bodies. Importing it registers the routes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, model_serializer
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from console.errors import PermissionDeniedError, ValidationError
from console.gateway.bodies import read_body
from console.gateway.context import Credentials, Ctx, GatewayContext
from console.gateway.errors import GatewayError
from console.gateway.open311 import ERRORS, check_jurisdiction, open311_route, router
from console.gateway.open311_public import public_read
from console.gateway.open311_xml import XMLResponse, document
from console.gateway.schemas import Open311Error
from console.services.api_tokens import TokenError, TokenPrincipal
from console.services.idempotency import KEY_FIELD, MAX_KEY, IdempotencyMismatchError
from console.services.ingest import mapping
from console.services.ingest.open311_reader import Service
from console.services.open311_catalog import resolve_service_code
from console.services.open311_intake import (
    Open311Intake,
    PostAnswer,
    UnknownServiceCodeError,
    answer_fields,
)
from console.services.open311_pending import token_status
from console.services.report_input import SOURCE_LABELS

MAX_TOKEN = 64


class PostedRequest(BaseModel):
    """The answer to POST requests: the case number, or (no point yet) a token."""

    service_request_id: str | None = Field(
        None, description="The case number (案件编号); absent while only a token is known"
    )
    token: str | None = Field(
        None,
        description="Given instead of service_request_id when the report has no point yet "
        "(待定位): GET tokens/{token} gives the case number once the intake seat placed it",
    )
    service_notice: str | None = Field(None, description="What happens next")
    account_id: str | None = Field(None, description="The client's account_id, as sent")

    @model_serializer(mode="wrap")
    def _present_only(self, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        # Open311: token absent whenever an id is returned; nothing else sent empty.
        return {k: v for k, v in handler(self).items() if v is not None}


class TokenAnswer(BaseModel):
    """A token's report: its case number once it is a case."""

    service_request_id: str | None = Field(None, description="The case number, once known")
    token: str = Field(description="The token a POST answered")

    @model_serializer(mode="wrap")
    def _present_only(self, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


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


def intake(ctx: GatewayContext) -> Open311Intake:
    aliases = ctx.services

    def resolve(session: Session, code: str) -> Service | None:
        # The service list's codes (E06010, C0305 …) and the friendly aliases (garbage …).
        return resolve_service_code(session, code, aliases)

    window = timedelta(seconds=ctx.settings.limits.open311_repeat_seconds)
    return Open311Intake(ctx.cases, resolve, window)


def create_request(
    ctx: GatewayContext,
    who: TokenPrincipal,
    data: dict[str, Any],
    *,
    key: str | None = None,
    form_items: list[tuple[str, str]] | None = None,
) -> PostAnswer:
    """The POST filed once: a case, or a pending report (no point)."""
    ctx.cases.lifecycle.check("report", None, who.actor.role)  # 403 before any validation
    check_jurisdiction(ctx, data.get("jurisdiction_id"))
    source = choose_source(ctx, who.actor.role, data.get("source"))
    try:
        return intake(ctx).submit(
            who.actor,
            data,
            source=source,
            key=key,
            api_token_id=who.token_id,
            form_items=form_items or (),
        )
    except UnknownServiceCodeError as exc:
        raise GatewayError(404, exc.message, code=exc.code, field="service_code") from None
    except IdempotencyMismatchError as exc:
        raise GatewayError(422, exc.message, code=exc.code, field=exc.field) from None


def authorized_create(
    ctx: GatewayContext,
    secret: object,
    data: dict[str, Any],
    address: str | None = None,
    *,
    key: str | None = None,
    form_items: list[tuple[str, str]] | None = None,
) -> PostAnswer:
    """The key check (failures counted for the client ``address``), then the filing: one trip
    to the worker thread for both. A missing or refused key is Open311's 403."""
    try:
        who = ctx.authorize(secret if isinstance(secret, str) and secret else None, address)
    except TokenError as exc:
        message = exc.message if secret else "缺少 api_key（或请求头 Authorization: Bearer 令牌）"
        raise GatewayError(403, message, code="invalid_api_key", field="api_key") from None
    return create_request(ctx, who, data, key=key, form_items=form_items)


def _answer_response(answer: PostAnswer, xml: bool) -> Response:
    status = 200 if answer.replayed else 201
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    record = PostedRequest(**answer_fields(answer))
    if xml:
        body = document("service_requests", "request", [record])
        return XMLResponse(body, status_code=status, headers=headers)
    return JSONResponse([record.model_dump(mode="json")], status_code=status, headers=headers)


async def _post(request: Request, ctx: GatewayContext, credentials: Any, xml: bool) -> Response:
    data, _ = await read_body(request)
    form_items: list[tuple[str, str]] = []
    if not request.headers.get("content-type", "").lower().startswith("application/json"):
        form = await request.form()  # read already: the parsed form, with repeated names
        form_items = [(k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile)]
    secret = (
        credentials.credentials
        if credentials
        else data.get("api_key") or request.query_params.get("api_key")
    )
    key = request.headers.get(KEY_FIELD)
    if key is not None and len(key) > MAX_KEY:
        raise GatewayError(400, f"幂等键过长，最多 {MAX_KEY} 个字符", field=KEY_FIELD)
    address = request.client.host if request.client else None
    answer = await run_in_threadpool(
        authorized_create, ctx, secret, data, address, key=key, form_items=form_items
    )
    return _answer_response(answer, xml)


_POST_BODY = {
    "requestBody": {
        "description": "Open311 fields: service_code; lat + long (WGS-84), or address_string "
        "/ address_id alone (then the answer is a token: the report waits for the intake seat "
        "to place it); description (≤ 4000), email, phone, first_name, last_name, device_id, "
        "account_id, media_url, attribute[code]; api_key (or the Authorization header); "
        "extension: source (公众/12345 as the token's role allows). Header Idempotency-Key: "
        "a retry answers 200 with the first answer.",
        "content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
_POST_ERRORS = {
    **ERRORS,
    403: "No key, a bad key, or the key's role may not report",
    404: "Unknown service_code or jurisdiction_id",
    422: "The Idempotency-Key was used for another request",
}


async def post_request_json(request: Request, ctx: Ctx, credentials: Credentials) -> Response:
    return await _post(request, ctx, credentials, xml=False)


async def post_request_xml(request: Request, ctx: Ctx, credentials: Credentials) -> Response:
    return await _post(request, ctx, credentials, xml=True)


router.add_api_route(
    "/requests.json",
    post_request_json,
    methods=["POST"],
    name="post_request_json",
    response_model=list[PostedRequest],
    status_code=201,
    summary="Report a problem (a case, or a token while it waits for its point)",
    responses={
        200: {"model": list[PostedRequest], "description": "A retry: the first answer"},
        **{s: {"model": list[Open311Error], "description": d} for s, d in _POST_ERRORS.items()},
    },
    openapi_extra=_POST_BODY,
)
router.add_api_route(
    "/requests.xml",
    post_request_xml,
    methods=["POST"],
    name="post_request_xml",
    response_class=XMLResponse,
    status_code=201,
    summary="Report a problem (XML)",
    description="The fields of `requests.json`'s answer in Open311's XML: "
    "`<service_requests><request>…`",
    responses={
        s: {"description": d, "content": {"application/xml": {}}} for s, d in _POST_ERRORS.items()
    },
    openapi_extra=_POST_BODY,
)


@open311_route(
    "GET",
    "/tokens/{token}",
    model=list[TokenAnswer],
    xml=("service_requests", "request"),
    summary="The case a POST's token became (no key needed)",
    errors={404: "No such token"},
    dependencies=[Depends(public_read)],  # counted per address, as every public read
)
def get_token(token: str, ctx: Ctx, jurisdiction_id: str | None = None) -> list[TokenAnswer]:
    check_jurisdiction(ctx, jurisdiction_id)
    with ctx.db.read() as s:
        found = token_status(s, token[:MAX_TOKEN])
    if found is None:
        raise GatewayError(404, "token 不存在", code="not_found", field="token")
    return [TokenAnswer(service_request_id=found.service_request_id, token=found.token)]
