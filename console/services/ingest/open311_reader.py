"""Open311 GeoReport v2 request lists, in JSON and in XML, and the service_code → category table.

XML is parsed with expat directly and refuses any DOCTYPE or ENTITY declaration (no entity
expansion, no external entities: what defusedxml guards against). JSON numbers written with a
leading zero (``"service_code":006``, as the spec's own example does; not JSON) are read as the
text they spell, so such a file is not refused whole.

Another system's requests carry its own service codes and its own points (another city in the
spec's examples, or GCJ-02 from a map app): :func:`load_open311_mapping` reads a district's
mapping for such a source (``grid-console ingest --format open311 --mapping FILE``): its codes
→ categories, and its address ids or addresses → points in the district (the district's
address repository), which replace the request's lat/long.
"""

from __future__ import annotations

import csv
import math
import re
import tomllib
from dataclasses import dataclass, field
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


#: A number with a leading zero (``006``, ``-01.5``) right after ``:`` ``[`` or ``,``.
_LEADING_ZERO = re.compile(r"(?<=[:\[,])(\s*)(-?0\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=\s*[,\]}])")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def leading_zeros_as_text(text: str) -> str:
    """``text`` with each leading-zero number outside strings quoted: ``006`` → ``"006"``."""
    if not re.search(r"[:\[,]\s*-?0\d", text):
        return text  # the usual case: nothing to do, no scan
    parts, end = [], 0
    for match in _STRING.finditer(text):
        parts.append(_LEADING_ZERO.sub(r'\1"\2"', text[end : match.start()]))
        parts.append(match.group())
        end = match.end()
    parts.append(_LEADING_ZERO.sub(r'\1"\2"', text[end:]))
    return "".join(parts)


def read_open311(data: bytes) -> Parsed:
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return read_open311_xml(data)
    text, encoding = decode(data)
    rows, _members, _ = located_document(leading_zeros_as_text(text))
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


Point = tuple[float, float]


@dataclass(frozen=True)
class Open311Mapping:
    """A district's mapping of one source system's Open311 requests (see the module)."""

    services: dict[str, Service] = field(default_factory=dict)
    #: address_id → (lon, lat) in the district, WGS-84
    address_ids: dict[str, Point] = field(default_factory=dict)
    #: address (as the source writes it, spaces and case ignored) → (lon, lat)
    addresses: dict[str, Point] = field(default_factory=dict)

    def placed(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` with its point from the tables when its address id or address is there."""
        point = self.address_ids.get(str(data.get("address_id") or "").strip())
        if point is None:
            address = data.get("address_string") or data.get("address")
            point = self.addresses.get(_address_key(address)) if isinstance(address, str) else None
        return data if point is None else {**data, "long": point[0], "lat": point[1]}


def _address_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _point(value: object, where: str) -> Point:
    if isinstance(value, list) and len(value) == 2:
        numbers = [v for v in value if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == 2:
            lon, lat = float(numbers[0]), float(numbers[1])
            if math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90:
                return lon, lat
    raise IngestFileError(f"映射文件 {where} 应为 [经度, 纬度]: {value!r}", code="bad_mapping")


def load_open311_mapping(path: Path) -> Open311Mapping:
    """The mapping file (TOML): ``[service_codes."006"]`` with taxonomy, kind, category_code
    (and an optional name); ``[address_ids]`` and ``[addresses]``: ``"545483" = [lon, lat]``."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise IngestFileError(
            f"无法读取映射文件 {path.name}: {exc.strerror}", code="bad_mapping"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise IngestFileError(f"映射文件 {path.name} 格式错误: {exc}", code="bad_mapping") from None
    unknown = set(data) - {"service_codes", "address_ids", "addresses"}
    if unknown:
        raise IngestFileError(
            f"映射文件 {path.name} 含未知的表: {', '.join(sorted(unknown))}"
            "（可用: service_codes, address_ids, addresses）",
            code="bad_mapping",
        )
    services = {}
    for code, row in data.get("service_codes", {}).items():
        try:
            services[code.strip()] = Service(
                str(row["taxonomy"]).strip(),
                str(row["kind"]).strip(),
                str(row["category_code"]).strip(),
                str(row.get("name") or "").strip(),
            )
        except (KeyError, TypeError, AttributeError):
            raise IngestFileError(
                f"映射文件 service_codes.{code} 须有 taxonomy、kind、category_code",
                code="bad_mapping",
            ) from None
    return Open311Mapping(
        services,
        {
            str(k).strip(): _point(v, f"address_ids.{k}")
            for k, v in data.get("address_ids", {}).items()
        },
        {
            _address_key(k): _point(v, f"addresses.{k}")
            for k, v in data.get("addresses", {}).items()
        },
    )
