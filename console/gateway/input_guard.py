"""Hostile input refused before any route sees it, the field named (called by BodyLimitMiddleware).

* JSON nested deeper than ``MAX_DEPTH`` (a 100,000-deep array would blow the parser's stack);
* JSON numbers longer than a column holds (``MAX_NUMBER_CHARS``; Python refuses ints over 4,300
  digits with a ValueError), ``NaN`` / ``Infinity`` and floats that overflow to infinity;
* NUL (U+0000) in any text: the path, a query parameter, a header, a JSON string or key, an
  urlencoded field. PostgreSQL's text cannot hold it (psycopg raises), so it is refused on both
  engines alike. Multipart text fields are checked where the form is read (``bodies.no_nul``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from console.domain.input_limits import MAX_DEPTH, MAX_NUMBER_CHARS

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class HostileInput(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class _Refused:
    """A JSON number or constant the gateway does not take, found where it stood."""

    def __init__(self, text: str) -> None:
        self.text = text


def check_request(path: str, query: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    if "\x00" in path:
        raise HostileInput("路径含 NUL 字符", "path")
    for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            raise HostileInput("参数含 NUL 字符", key.replace("\x00", "") or "query")
    for header, raw in headers:
        if b"\x00" in raw:
            raise HostileInput("请求头含 NUL 字符", header.decode("latin-1"))


def check_body(content_type: str, body: bytes) -> None:
    if not body:
        return
    if content_type == "application/json" or content_type.endswith("+json"):
        _check_json(body)
    elif content_type == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="replace")
        for key, value in parse_qsl(text, keep_blank_values=True):
            if "\x00" in key or "\x00" in value:
                raise HostileInput("字段含 NUL 字符", key.replace("\x00", "") or "body")


def _check_json(body: bytes) -> None:
    depth = 0
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH:
        for bracket in _BRACKETS.finditer(_STRINGS.sub(b'""', body)):
            depth += 1 if bracket.group() in (b"[", b"{") else -1
            if depth > MAX_DEPTH:
                raise HostileInput(f"JSON 嵌套过深（最多 {MAX_DEPTH} 层）", "body")
    try:
        data = json.loads(
            body,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_Refused,
        )
    except (ValueError, RecursionError):
        return  # malformed: the route answers its own 400
    _walk(data, "")


def _int(text: str) -> int | _Refused:
    return _Refused(text) if len(text) > MAX_NUMBER_CHARS else int(text)


def _float(text: str) -> float | _Refused:
    if len(text) > MAX_NUMBER_CHARS:
        return _Refused(text)
    value = float(text)
    return _Refused(text) if value in (float("inf"), float("-inf")) else value


def _walk(value: Any, where: str) -> None:
    if isinstance(value, _Refused):
        shown = value.text if len(value.text) <= 30 else value.text[:20] + "…"
        raise HostileInput(f"数值超出范围: {shown}", where or "body")
    if isinstance(value, str):
        if "\x00" in value:
            raise HostileInput("文本含 NUL 字符", where or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = key.replace("\x00", "")
            if "\x00" in key:
                raise HostileInput("字段名含 NUL 字符", f"{where}.{name}" if where else name)
            _walk(item, f"{where}.{name}" if where else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{where}.{index}" if where else str(index))
