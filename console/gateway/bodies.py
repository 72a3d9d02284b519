"""Request bodies as the gateway takes them: a JSON object, or a form (urlencoded/multipart).

The body is already bounded by the size limit (console.gateway.body_limit) when it is read here.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from console.gateway.errors import GatewayError
from console.services.attachments import PhotoUpload

FORMS = ("", "application/x-www-form-urlencoded", "multipart/form-data")
MAX_FIELDS = 100


async def read_body(
    request: Request, *, photo: bool = False
) -> tuple[dict[str, Any], PhotoUpload | None]:
    """(fields, the ``photo`` file if ``photo`` is allowed and one came); 400/415 otherwise."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise GatewayError(400, "JSON 格式错误", code="malformed_json") from None
        if not isinstance(data, dict):
            raise GatewayError(400, "请求体应为 JSON 对象", code="malformed_json")
        return data, None
    if content_type not in FORMS:
        raise GatewayError(
            415,
            "请求体格式不支持：应为 JSON、application/x-www-form-urlencoded 或 multipart/form-data",
            code="unsupported_media_type",
        )
    form = await request.form(max_files=1 if photo else 0, max_fields=MAX_FIELDS)
    no_nul(form)
    data = {k: v for k, v in form.multi_items() if not isinstance(v, UploadFile)}
    upload = form.get("photo") if photo else None
    if isinstance(upload, UploadFile):
        return data, PhotoUpload(await upload.read(), upload.filename)
    return data, None


def no_nul(form: FormData) -> None:
    """400 naming the field when a form's text or a file's name holds NUL (PostgreSQL refuses it,
    so both engines refuse it here alike; JSON and urlencoded bodies: console.gateway.input_guard).
    """
    for name, value in form.multi_items():
        text = value.filename if isinstance(value, UploadFile) else value
        if text and "\x00" in text:
            raise GatewayError(
                400, "字段含 NUL 字符", code="invalid", field=name.replace("\x00", "")
            )
