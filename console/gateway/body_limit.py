"""Request body size limit, enforced before the body is read (a raw ASGI middleware).

A declared Content-Length over the limit is refused at once, unread. A body without one
(chunked) is counted while it streams in and refused as soon as it passes the limit. What was
read is then handed to the application, which never sees more than the limit.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from console.gateway.errors import error_body
from console.gateway.input_guard import HostileInput, check_body, check_request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Requests that may carry a photo get the larger upload limit.
UPLOAD_PATHS = re.compile(r"^/api/v1/(tasks/[^/]+/(feedback|verification)|reports|public/reports)$")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    def limit_for(self, path: str) -> int:
        return self.max_upload if UPLOAD_PATHS.match(path) else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        path = scope.get("path", "")
        limit = self.limit_for(path)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, path, limit)
            return
        headers = scope.get("headers", [])
        try:
            check_request(path, scope.get("query_string", b""), headers)
        except HostileInput as exc:
            await _refuse_input(send, path, exc)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(send, path, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            check_body(_content_type(headers), body)
        except HostileInput as exc:
            await _refuse_input(send, path, exc)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            # JSON or XML is never to be sniffed as HTML by a browser, whatever text a case holds.
            headers.append((b"x-content-type-options", b"nosniff"))
            headers.append((b"cache-control", b"no-store"))
            message["headers"] = headers
        await send(message)

    return wrapped


def _content_type(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


async def _refuse_input(send: Send, path: str, exc: HostileInput) -> None:
    await _answer(send, 400, *error_body(path, 400, "invalid", exc.message, exc.field))


async def _refuse(send: Send, path: str, limit: int) -> None:
    body, content_type = error_body(path, 413, "too_large", f"请求过大：最多 {limit} 字节")
    await _answer(send, 413, body, content_type)


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
