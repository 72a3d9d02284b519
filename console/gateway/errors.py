"""Errors as HTTP responses, in each API's own format.

Open311 (``/open311/...``) answers with its list of ``{code, description}`` (as
``<errors><error>…`` under a ``.xml`` path); the task API (``/api/v1/...``) with
``{error, message, field}``. The console's exceptions map to status
codes here, once: 400 bad input (the field named), 401 no valid token, 403 the role may not,
404 no such case, 409 stale version or wrong state, 413 too large, 415 not a photo type we take,
422 an idempotency key used for another request, 428 no version sent, 429 too many requests,
503 database busy or down.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from console.errors import (
    CaseNotFoundError,
    ConsoleError,
    DatabaseUnavailableError,
    IllegalTransitionError,
    PermissionDeniedError,
    StaleVersionError,
)
from console.gateway.open311_xml import MEDIA_TYPE as XML_MEDIA_TYPE
from console.gateway.open311_xml import XMLResponse, errors_document
from console.services.api_tokens import TokenError
from console.services.attachments import AttachmentTooLargeError, UnsupportedMediaError
from console.services.idempotency import IdempotencyMismatchError

log = logging.getLogger(__name__)

OPEN311_PREFIX = "/open311"
#: Most characters of a field name echoed back in an error (the name comes from the client).
_FIELD_CHARS = 60

_STATUS: list[tuple[type[ConsoleError], int]] = [
    (TokenError, 401),
    (PermissionDeniedError, 403),
    (CaseNotFoundError, 404),
    (StaleVersionError, 409),
    (IllegalTransitionError, 409),
    (AttachmentTooLargeError, 413),
    (UnsupportedMediaError, 415),
    (IdempotencyMismatchError, 422),
    (DatabaseUnavailableError, 503),
]


class GatewayError(ConsoleError):
    """An HTTP-level refusal raised by the gateway itself (a status the console has no class for)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str = "error",
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.status = status
        self.code = code
        self.headers = headers or {}


def status_of(exc: ConsoleError) -> int:
    if isinstance(exc, GatewayError):
        return exc.status
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400  # ValidationError and its kin: bad input


def wants_xml(path: str) -> bool:
    """An Open311 path in its XML form (``services.xml``, ``requests/{id}.xml`` …)."""
    return path.startswith(OPEN311_PREFIX) and path.endswith(".xml")


def error_payload(path: str, status: int, code: str, message: str, field: str | None) -> Any:
    field = field[:_FIELD_CHARS] if field else None
    if path.startswith(OPEN311_PREFIX):
        description = f"{field}: {message}" if field else message
        return [{"code": status, "description": description, "field": field}]
    return {"error": code, "message": message, "field": field}


def error_body(
    path: str, status: int, code: str, message: str, field: str | None = None
) -> tuple[bytes, str]:
    """(bytes, content type) of an error, for the raw ASGI layer (no response classes there)."""
    payload = error_payload(path, status, code, message, field)
    if wants_xml(path):
        return errors_document(payload), XML_MEDIA_TYPE
    return json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json"


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="grid-console"')
    path = request.url.path
    payload = error_payload(path, status, code, message, field)
    if wants_xml(path):
        return XMLResponse(errors_document(payload), status_code=status, headers=headers)
    return JSONResponse(payload, status_code=status, headers=headers)


def _location(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or None


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ConsoleError)
    async def console_error(request: Request, exc: ConsoleError) -> Response:
        headers = exc.headers if isinstance(exc, GatewayError) else None
        return error_response(request, status_of(exc), exc.code, exc.message, exc.field, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        field = _location(tuple(first.get("loc", ())))
        message = str(first.get("msg", "请求格式错误"))
        return error_response(request, 400, "invalid", f"请求格式错误: {message}", field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "路径不存在", 405: "不支持该请求方法"}
        message = messages.get(exc.status_code, str(exc.detail))
        return error_response(
            request, exc.status_code, "http_error", message, headers=dict(exc.headers or {})
        )

    @app.exception_handler(OperationalError)
    async def database_error(request: Request, exc: OperationalError) -> Response:
        log.warning("database error in %s: %s", request.url.path, exc)
        return error_response(
            request,
            503,
            "database_unavailable",
            "数据库繁忙或不可用，请稍后重试",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error in %s", request.url.path)
        return error_response(request, 500, "internal", "服务器内部错误，已记录")
