"""JSON lines and JSON documents (a list of objects, or {"requests": [...]}), with line numbers."""

from __future__ import annotations

import bisect
import json
from typing import Any

from console.domain.input_limits import MAX_NUMBER_CHARS
from console.services.ingest.formats import IngestFileError, Parsed, Record, decode


def _int(text: str) -> int | str:
    # A longer literal stays text: its field refuses it with the row's line (int() would
    # raise past 4,300 digits and take the whole file down).
    return int(text) if len(text) <= MAX_NUMBER_CHARS else text


_decoder = json.JSONDecoder(parse_int=_int)
_WS = " \t\r\n"
#: Keys under which a JSON document may hold its list of rows.
LIST_KEYS = ("requests", "service_requests", "records", "rows", "data", "items", "features")


class Lines:
    """Character offset → 1-based line number."""

    def __init__(self, text: str) -> None:
        starts: list[int] = []
        pos = text.find("\n")
        while pos >= 0:
            starts.append(pos)
            pos = text.find("\n", pos + 1)
        self.starts = starts

    def __call__(self, pos: int) -> int:
        return bisect.bisect_left(self.starts, pos) + 1


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _fail(text: str, lines: Lines, pos: int, what: str) -> IngestFileError:
    return IngestFileError(
        f"JSON 格式错误（第 {lines(pos)} 行）: {what}", code="malformed_json", line=lines(pos)
    )


def _decode_value(text: str, pos: int, lines: Lines) -> tuple[Any, int]:
    try:
        return _decoder.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise IngestFileError(
            f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）: {exc.msg}",
            code="malformed_json",
            line=exc.lineno,
        ) from None
    except RecursionError:
        raise _fail(text, lines, pos, "嵌套过深") from None


def located_array(text: str, pos: int, lines: Lines) -> tuple[list[tuple[int, Any]], int]:
    """The items of the array starting at ``pos`` (a '['), each with its line; and the end."""
    assert text[pos] == "["
    items: list[tuple[int, Any]] = []
    pos = _skip(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return items, pos + 1
    while True:
        value_pos = _skip(text, pos)
        value, pos = _decode_value(text, value_pos, lines)
        items.append((lines(value_pos), value))
        pos = _skip(text, pos)
        if pos >= len(text):
            raise _fail(text, lines, pos, "数组没有结束（缺少 ]）")
        if text[pos] == "]":
            return items, pos + 1
        if text[pos] != ",":
            raise _fail(text, lines, pos, f"数组元素之间应为逗号，却是 {text[pos]!r}")
        pos += 1


def located_document(text: str) -> tuple[list[tuple[int, Any]] | None, dict[str, Any], Lines]:
    """Parse a JSON document; the row list (each item with its line) if it has one.

    Returns (rows or None, the top-level object's other members, line mapper).
    """
    lines = Lines(text)
    pos = _skip(text, 0)
    if pos >= len(text):
        raise IngestFileError("文件为空", code="empty_file")
    if text[pos] == "[":
        rows, end = located_array(text, pos, lines)
        _expect_end(text, end, lines)
        return rows, {}, lines
    if text[pos] != "{":
        _decode_value(text, pos, lines)  # a syntax error is reported as such first
        raise _fail(text, lines, pos, "应为对象列表或含 requests 列表的对象")
    members: dict[str, Any] = {}
    found: list[tuple[int, Any]] | None = None
    pos = _skip(text, pos + 1)
    if pos < len(text) and text[pos] == "}":
        _expect_end(text, pos + 1, lines)
        return None, members, lines
    while True:
        pos = _skip(text, pos)
        if pos >= len(text) or text[pos] != '"':
            raise _fail(text, lines, pos, "应为带引号的键名")
        key, pos = _decode_value(text, pos, lines)
        pos = _skip(text, pos)
        if pos >= len(text) or text[pos] != ":":
            raise _fail(text, lines, pos, "键名后应为冒号")
        pos = _skip(text, pos + 1)
        if pos < len(text) and text[pos] == "[" and key in LIST_KEYS and found is None:
            found, pos = located_array(text, pos, lines)
        else:
            members[key], pos = _decode_value(text, pos, lines)
        pos = _skip(text, pos)
        if pos >= len(text):
            raise _fail(text, lines, pos, "对象没有结束（缺少 }）")
        if text[pos] == "}":
            _expect_end(text, pos + 1, lines)
            return found, members, lines
        if text[pos] != ",":
            raise _fail(text, lines, pos, f"成员之间应为逗号，却是 {text[pos]!r}")
        pos += 1


def _expect_end(text: str, pos: int, lines: Lines) -> None:
    pos = _skip(text, pos)
    if pos < len(text):
        raise _fail(text, lines, pos, "文档结束后还有多余内容（若每行一个对象，请用 jsonl 格式）")


def object_records(rows: list[tuple[int, Any]]) -> list[Record]:
    records = []
    for line, value in rows:
        if isinstance(value, dict):
            records.append(Record(line, value))
        else:
            records.append(
                Record(
                    line, error=("not_an_object", f"应为 JSON 对象，却是 {type(value).__name__}")
                )
            )
    return records


def keys_of(records: list[Record]) -> list[str]:
    seen: dict[str, None] = {}
    for r in records:
        if r.data is not None:
            for k in r.data:
                seen.setdefault(str(k), None)
    return list(seen)


def read_json(data: bytes) -> Parsed:
    text, encoding = decode(data)
    return parse_json_text(text, encoding)


def parse_json_text(text: str, encoding: str = "utf-8") -> Parsed:
    rows, _members, _ = located_document(text)
    if rows is None:
        raise IngestFileError(
            f"JSON 文档中没有记录列表（应为对象数组，或含 {'/'.join(LIST_KEYS[:2])} 数组的对象）",
            code="malformed_json",
        )
    records = object_records(rows)
    return Parsed(records, "json", encoding, keys_of(records))


def read_jsonl(data: bytes) -> Parsed:
    text, encoding = decode(data)
    return parse_jsonl_text(text, encoding)


def parse_jsonl_text(text: str, encoding: str = "utf-8") -> Parsed:
    records: list[Record] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = _decoder.decode(line)
        except json.JSONDecodeError as exc:
            records.append(
                Record(
                    number,
                    error=("malformed_json", f"JSON 格式错误（第 {exc.colno} 列）: {exc.msg}"),
                )
            )
            continue
        except RecursionError:
            records.append(Record(number, error=("malformed_json", "JSON 嵌套过深")))
            continue
        records.extend(object_records([(number, value)]))
    if not records:
        raise IngestFileError("文件为空", code="empty_file")
    return Parsed(records, "jsonl", encoding, keys_of(records))
