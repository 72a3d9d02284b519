"""Open311 GeoReport v2 request lists, in JSON and in XML, and the service_code → category table.

XML is parsed with expat directly and refuses any DOCTYPE or ENTITY declaration (no entity
expansion, no external entities: what defusedxml guards against).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from xml.parsers import expat

from console.config import resource
from console.services.ingest.formats import IngestFileError, Parsed, Record, decode
from console.services.ingest.json_reader import keys_of, located_document, object_records

FIELDS = (
    "service_request_id",
    "service_code",
    "service_name",
    "description",
    "lat",
    "long",
    "address_string",
    "address",
    "requested_datetime",
    "status",
)


@dataclass(frozen=True)
class Service:
    taxonomy: str
    kind: str
    category_code: str
    name: str


def load_services(path: Path | None = None) -> dict[str, Service]:
    """resources/intake/open311_services.csv: service_code → (taxonomy, kind, category_code)."""
    path = path or resource("intake", "open311_services.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {
            row["service_code"].strip(): Service(
                row["taxonomy"].strip(),
                row["kind"].strip(),
                row["category_code"].strip(),
                (row.get("name") or "").strip(),
            )
            for row in csv.DictReader(f)
            if row.get("service_code", "").strip()
        }


def read_open311(data: bytes) -> Parsed:
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return read_open311_xml(data)
    text, encoding = decode(data)
    rows, _members, _ = located_document(text)
    if rows is None:
        raise IngestFileError(
            "Open311 JSON 中没有请求列表（应为数组或含 service_requests 的对象）",
            code="malformed_json",
        )
    records = object_records(rows)
    return Parsed(records, "open311", encoding, keys_of(records))


class _Forbidden(Exception):
    pass


def read_open311_xml(data: bytes) -> Parsed:
    head = data[:4096].lower()
    for marker in (b"<!doctype", b"<!entity"):
        if marker in head or marker in data.lower():
            raise IngestFileError(
                "XML 含 DOCTYPE/ENTITY 声明，出于安全原因拒绝读取", code="xml_forbidden"
            )
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    records: list[Record] = []
    stack: list[str] = []
    current: dict[str, Any] | None = None
    current_line = 0
    text_parts: list[str] = []

    def forbid(*_args: object) -> NoReturn:
        raise _Forbidden

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal current, current_line
        stack.append(name)
        text_parts.clear()
        if name == "request" and current is None:
            current = {}
            current_line = parser.CurrentLineNumber

    def end(name: str) -> None:
        nonlocal current
        stack.pop()
        if current is None:
            return
        if name == "request" and (not stack or stack[-1] != "request"):
            records.append(Record(current_line, current))
            current = None
        elif stack and stack[-1] == "request":
            current[name] = "".join(text_parts).strip()
        text_parts.clear()

    def chars(data: str) -> None:
        text_parts.append(data)

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _Forbidden:
        raise IngestFileError(
            "XML 含 DOCTYPE/ENTITY 声明，出于安全原因拒绝读取", code="xml_forbidden"
        ) from None
    except expat.ExpatError as exc:
        raise IngestFileError(
            f"XML 格式错误（第 {exc.lineno} 行第 {exc.offset + 1} 列）: "
            f"{expat.ErrorString(exc.code)}",
            code="malformed_xml",
            line=exc.lineno,
        ) from None
    except RecursionError:
        raise IngestFileError("XML 嵌套过深", code="malformed_xml") from None
    if not records:
        raise IngestFileError(
            "XML 中没有 <request> 记录（应为 <service_requests><request>…</request>…）",
            code="malformed_xml",
        )
    return Parsed(records, "open311", "utf-8", keys_of(records))
