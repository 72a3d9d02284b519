"""Column names → report fields (resources/intake/columns.csv), and one raw row → ReportInput."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from console.config import LOCAL_TZ, csv_rows, resource
from console.domain.input_limits import MAX_NUMBER_CHARS, has_nul
from console.errors import ConsoleError, TextTooLongError
from console.services.ingest.formats import quote
from console.services.ingest.open311_reader import Service
from console.services.reference.open311_codes import parse_service_code
from console.services.report_input import SOURCE_LABELS, ReportInput

FIELDS = (
    "category_code",
    "lon",
    "lat",
    "description",
    "address",
    "reporter",
    "external_id",
    "reported_at",
    "kind",
    "source",
    "taxonomy",
)
#: Short code-like fields: longer values are rejected before they reach a message or a query.
MAX_CODE = 64
#: Each field's name in a row's message.
LABELS = {
    "category_code": "类别代码",
    "lon": "经度",
    "lat": "纬度",
    "description": "问题描述",
    "address": "地址",
    "reporter": "上报人",
    "external_id": "外部编号",
    "reported_at": "上报时间",
    "kind": "类型",
    "source": "来源",
    "taxonomy": "分类标准",
}

SOURCES: dict[str, str] = {
    **{code: code for code in SOURCE_LABELS},
    **{label: code for code, label in SOURCE_LABELS.items()},
    "视频巡查": "video",
    "热线": "hotline",
    "12345热线": "hotline",
}
KINDS = {
    "部件": "component",
    "事件": "event_type",
    "component": "component",
    "event_type": "event_type",
    "event": "event_type",
    "c": "component",
    "e": "event_type",
}


class RowError(ConsoleError):
    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code


def normalise(name: str) -> str:
    return "".join(str(name).lstrip("\ufeff").split()).lower().replace("-", "_")


@lru_cache(maxsize=4)
def load_aliases(path: Path | None = None, fields: tuple[str, ...] = FIELDS) -> dict[str, str]:
    """Normalised column name → field, from an alias file (``#`` lines are comments); also
    the component register's (resources/components/columns.csv, its own ``fields``)."""
    path = path or resource("intake", "columns.csv")
    aliases = {}
    for row in csv_rows(path):
        field = (row.get("field") or "").strip()
        if field not in fields:
            raise ValueError(f"{path}: unknown field {field!r}")
        aliases[normalise(row["alias"])] = field
    return aliases


@dataclass(frozen=True)
class ColumnPlan:
    #: column name in the file → field
    columns: dict[str, str]
    unknown: list[str]


def plan_columns(names: Iterable[str], aliases: dict[str, str] | None = None) -> ColumnPlan:
    """Which column feeds which field; when two columns name one field, the exact name wins,
    then the first."""
    aliases = aliases if aliases is not None else load_aliases()
    chosen: dict[str, str] = {}
    unknown: list[str] = []
    for name in names:
        key = normalise(name)
        field = aliases.get(key)
        if field is None:
            unknown.append(name)
            continue
        if field not in chosen or (key == field and normalise(chosen[field]) != field):
            chosen[field] = name
    return ColumnPlan({name: field for field, name in chosen.items()}, unknown)


def parse_time(value: object) -> datetime | None:
    """ISO 8601 (with or without zone), or "YYYY-MM-DD HH:MM[:SS]" / "YYYY/MM/DD …" local time."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_CODE:
        raise RowError("invalid_time", f"上报时间格式不对: {quote(value)}", field="reported_at")
    return _parse_time_text(value)


@lru_cache(maxsize=8192)
def _parse_time_text(value: str) -> datetime:
    # Cached: an export repeats its times (to the minute) many times over.
    text = value.strip().replace("/", "-")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(
            "invalid_time",
            f"上报时间格式不对: {quote(value)}（应为 2026-11-23 09:30 或 ISO 8601）",
            field="reported_at",
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=LOCAL_TZ)


def _code(value: object, field: str, label: str) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if has_nul(text):
        raise RowError("nul_character", f"{label}含 NUL 字符（\\0）", field=field)
    text = text.strip()
    if len(text) > MAX_CODE:
        raise TextTooLongError(f"{label}过长: {len(text)} 字", field=field)
    return text or None


def _text(value: object) -> object:
    # Numbers from JSON / spreadsheets become text; anything else goes to validate as it is.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def check_swapped(lon: object, lat: object) -> None:
    """A specific error for coordinates given as (lat, lon): latitude over 90, longitude not."""
    try:
        x, y = float(lon), float(lat)  # type: ignore[arg-type]  # any object: its TypeError is caught below
    except (TypeError, ValueError, OverflowError):
        return
    if math.isfinite(x) and math.isfinite(y) and abs(y) > 90 and abs(x) <= 90 and abs(y) <= 180:
        raise RowError(
            "swapped_coordinates",
            f"纬度 {y} 超过 90，经纬度可能写反了（应为 经度, 纬度）",
            field="lat",
        )


def check_hostile(fields: dict[str, Any]) -> None:
    """A row's raw values that no field can take, whatever it is: NUL in any text, and a
    coordinate written with more digits than any number the console stores
    (console.domain.input_limits, as the gateway refuses them)."""
    for name, value in fields.items():
        if isinstance(value, str) and has_nul(value):
            raise RowError(
                "nul_character", f"{LABELS.get(name, name)}含 NUL 字符（\\0）", field=name
            )
    for name in ("lon", "lat"):
        value = fields.get(name)
        if isinstance(value, str):
            too_long = len(value.strip()) > MAX_NUMBER_CHARS
        else:  # a JSON int (bool is an int too, and short)
            too_long = isinstance(value, int) and abs(value) >= 10**MAX_NUMBER_CHARS
        if too_long:
            raise RowError(
                "invalid_coordinates",
                f"{LABELS[name]}数值过长（超过 {MAX_NUMBER_CHARS} 个字符）",
                field=name,
            )


def to_report(fields: dict[str, Any], *, default_source: str) -> ReportInput:
    """A ReportInput from field → raw value; mapping errors (source, kind, time) and
    ``check_hostile``'s raise here, everything else is left to ``report_input.validate``."""
    check_hostile(fields)
    source_raw = _code(fields.get("source"), "source", "来源")
    if source_raw is None:
        source = default_source
    else:
        found = SOURCES.get(source_raw) or SOURCES.get(source_raw.lower())
        if found is None:
            raise RowError(
                "unknown_source",
                f"未知来源: {quote(source_raw)}（可选: {' / '.join(SOURCE_LABELS.values())}）",
                field="source",
            )
        source = found
    kind_raw = _code(fields.get("kind"), "kind", "类型")
    kind = None
    if kind_raw is not None:
        kind = KINDS.get(kind_raw) or KINDS.get(kind_raw.lower())
        if kind is None:
            raise RowError(
                "unknown_kind", f"未知类型: {quote(kind_raw)}（部件 / 事件）", field="kind"
            )
    lon, lat = fields.get("lon"), fields.get("lat")
    check_swapped(lon, lat)
    category = _code(fields.get("category_code"), "category_code", "类别代码")
    # The raw values as read (text, numbers, None): report_input.validate() checks and converts
    # them, with the error a row needs, so the arg-type ignores below are that hand-over.
    return ReportInput(
        category_code=category or "",
        lon=lon,  # type: ignore[arg-type]
        lat=lat,  # type: ignore[arg-type]
        description=_text(fields.get("description")),  # type: ignore[arg-type]
        address=_text(fields.get("address")),  # type: ignore[arg-type]
        source=source,
        taxonomy=_code(fields.get("taxonomy"), "taxonomy", "分类标准"),
        kind=kind,
        reporter=_text(fields.get("reporter")),  # type: ignore[arg-type]
        external_id=_code(fields.get("external_id"), "external_id", "外部编号"),
        reported_at=parse_time(fields.get("reported_at")),
    )


def row_fields(data: dict[str, Any], plan: ColumnPlan) -> dict[str, Any]:
    return {field: data.get(column) for column, field in plan.columns.items()}


def open311_fields(data: dict[str, Any], services: dict[str, Service]) -> dict[str, Any]:
    """An Open311 service request's fields, its service_code looked up in the table. A request
    that names its category outright (``category_code`` with ``taxonomy`` and ``kind``, as
    ``grid-console export`` writes them) is filed by those and keeps its ``source``."""
    named = _code(data.get("category_code"), "category_code", "类别代码")
    if named is not None:
        name = data.get("service_name")
        service = Service(
            _code(data.get("taxonomy"), "taxonomy", "分类标准") or "",
            _code(data.get("kind"), "kind", "类型") or "",
            named,
            name if isinstance(name, str) else "",
        )
    else:
        code = _code(data.get("service_code"), "service_code", "service_code")
        if code is None:
            raise RowError("missing_field", "缺少 service_code", field="service_code")
        found = services.get(code)
        parsed = parse_service_code(code) if found is None else None
        if found is None and parsed is None:
            raise RowError(
                "unknown_service_code",
                f"未知 Open311 service_code: {quote(code)}"
                "（见本区网关的 services.json，或 resources/intake/open311_services.csv）",
                field="service_code",
            )
        # A code of this gateway's own catalog (E06010, C0305) names its category outright;
        # an unknown category is refused by the category check like any other row.
        if found is not None:
            service = found
        else:
            assert parsed is not None
            service = Service(parsed[0], parsed[1], parsed[2], "")
    lon, lat = data.get("long"), data.get("lat")
    address = data.get("address_string") or data.get("address")
    if not address and lon not in (None, "") and lat not in (None, ""):
        address = f"坐标 {lon}, {lat}"  # Open311 lets lat/long stand for the address
    description = data.get("description") or data.get("service_name") or service.name
    if isinstance(description, str) and not description.strip():
        description = service.name
    return {
        "category_code": service.category_code,
        "taxonomy": service.taxonomy,
        "kind": service.kind,
        "lon": lon,
        "lat": lat,
        "description": description,
        "address": address,
        "external_id": data.get("service_request_id"),
        "reported_at": data.get("requested_datetime"),
        "reporter": None,
        "source": data.get("source") if named is not None else None,
    }
