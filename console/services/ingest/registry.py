"""The import formats, declared once: name, labels, file extensions, how the first bytes give
the format away, the reader, and how a row's fields map onto a report.

Read by format detection, the ingest service, the import dialog (its format box and file
filter) and `grid-console ingest --format`. A new format is one reader module and one entry in
:data:`IMPORT_FORMATS`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.errors import ValidationError
from console.services.ingest.csv_reader import read_csv
from console.services.ingest.formats import Parsed
from console.services.ingest.geojson_reader import read_geojson
from console.services.ingest.json_reader import read_json, read_jsonl
from console.services.ingest.open311_reader import read_open311
from console.services.ingest.xlsx_reader import looks_like_xlsx, read_xlsx

_JSONISH = re.compile(rb"^\s*([\[{<])")


@dataclass(frozen=True)
class ImportFormat:
    name: str
    label_zh: str
    label_en: str
    #: file name endings (lower case) that name this format outright
    extensions: tuple[str, ...]
    reader: Callable[[bytes], Parsed]
    #: the first bytes (BOM removed) look like this format; tried in SNIFF_ORDER
    sniff: Callable[[bytes], bool]
    #: how a row becomes a report: "columns" (named columns, console.services.ingest.mapping)
    #: or "open311" (GeoReport fields and the district's service-code map)
    fields: str
    #: the report source when neither the file nor the operator gives one
    default_source: str
    #: endings this format is saved under that do not decide it (a .json may hold Open311 or
    #: GeoJSON): the first bytes do; listed in the file dialog's filter all the same
    sniffed_extensions: tuple[str, ...] = ()


def _opening(head: bytes) -> bytes:
    match = _JSONISH.match(head)
    return match.group(1) if match else b""


def _geojson(head: bytes) -> bool:
    return _opening(head) in (b"{", b"[") and (
        b'"FeatureCollection"' in head or b'"Feature"' in head
    )


def _open311(head: bytes) -> bool:
    opening = _opening(head)
    return opening == b"<" or (
        opening in (b"{", b"[") and (b'"service_code"' in head or b'"service_requests"' in head)
    )


def _jsonl(head: bytes) -> bool:
    """One object per line rather than one document."""
    if _opening(head) != b"{":
        return False
    lines = [ln for ln in head.splitlines() if ln.strip()]
    return len(lines) > 1 and lines[0].strip().endswith(b"}") and lines[1].lstrip()[:1] == b"{"


def _json(head: bytes) -> bool:
    return _opening(head) in (b"{", b"[")


IMPORT_FORMATS: tuple[ImportFormat, ...] = (
    ImportFormat(
        "csv", "CSV 表格", "CSV", (".csv", ".tsv", ".txt"), read_csv, lambda _h: True, "columns",
        "inspector",
    ),
    ImportFormat(
        "jsonl", "JSON 行", "JSON lines", (".jsonl", ".ndjson"), read_jsonl, _jsonl, "columns",
        "inspector",
    ),
    ImportFormat(
        "json", "JSON", "JSON", (), read_json, _json, "columns", "inspector", (".json",),
    ),
    ImportFormat(
        "open311", "Open311 GeoReport v2", "Open311 GeoReport v2", (".xml",), read_open311,
        _open311, "open311", "public",
    ),
    ImportFormat(
        "geojson", "GeoJSON", "GeoJSON", (".geojson",), read_geojson, _geojson, "columns",
        "inspector",
    ),
    ImportFormat(
        "xlsx", "Excel 工作簿", "Excel workbook", (".xlsx",), read_xlsx, looks_like_xlsx,
        "columns", "inspector",
    ),
)  # fmt: skip
#: Which sniffer speaks first when the extension says nothing: the more particular before the
#: more general (a GeoJSON or Open311 document is also JSON; anything else is read as CSV).
SNIFF_ORDER = ("xlsx", "geojson", "open311", "jsonl", "json", "csv")
FORMAT_NAMES = tuple(f.name for f in IMPORT_FORMATS)


def import_format(name: str) -> ImportFormat:
    for fmt in IMPORT_FORMATS:
        if fmt.name == name:
            return fmt
    raise ValidationError(f"未知格式 {name!r}（可选: auto, {', '.join(FORMAT_NAMES)}）")


def detect(path: Path, head: bytes) -> str:
    """The format of ``path`` from its extension, or from its first bytes when that is unclear."""
    suffix = path.suffix.lower()
    for fmt in IMPORT_FORMATS:
        if suffix in fmt.extensions:
            return fmt.name
    head = head.removeprefix(codecs.BOM_UTF8)
    for name in SNIFF_ORDER:
        if import_format(name).sniff(head):
            return name
    return "csv"


def file_patterns() -> list[str]:
    """Every extension as a file-dialog pattern (``*.csv`` …), in the formats' order."""
    return [
        f"*{ext}" for fmt in IMPORT_FORMATS for ext in (*fmt.extensions, *fmt.sniffed_extensions)
    ]
