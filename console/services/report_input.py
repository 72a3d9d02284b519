"""A new report as it arrives, and its validation (shared by the console, imports and the seed)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from console.domain.input_limits import has_nul
from console.domain.report_time import report_time_rule
from console.errors import (
    InvalidCoordinatesError,
    MissingFieldError,
    TextTooLongError,
    ValidationError,
)
from console.models import CaseSource

#: Open311 GeoReport v2 allows 4,000 characters of description; every intake takes as many.
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 256
MAX_REPORTER = 50
MAX_EXTERNAL_ID = 64
MAX_PHONE = 32
#: A phone as callers give it: digits with spaces, dashes, brackets, a leading +, an extension.
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]*(?:(?:转|ext\.?|x)\s*[0-9]{1,6})?", re.IGNORECASE)

SOURCE_LABELS = {
    "inspector": "监督员",
    "hotline": "12345",
    "video": "视频",
    "public": "公众",
    "opinion": "舆情",
    "grid": "网格员",
}


@dataclass(frozen=True)
class ReportInput:
    category_code: str
    lon: float
    lat: float
    description: str
    address: str
    source: str = CaseSource.INSPECTOR.value
    #: None: a 4-digit code is CJ/T 214, a 5-digit one 2026 (console.services.category_intake)
    taxonomy: str | None = None
    #: "component" (部件) or "event_type" (事件); needed only where both use the code.
    kind: str | None = None
    reporter: str | None = None
    #: The caller's phone (the intake seat's form): kept with the case, shown to staff only.
    reporter_phone: str | None = None
    external_id: str | None = None
    reported_at: datetime | None = None  # None: now
    #: Flagged urgent at intake (紧急); registration keeps the flag.
    urgent: bool = False
    #: The register's object a 部件 report names (components.id; issue 17); None: none named,
    #: or "not in the register". The workflow checks it (console.services.components.linking).
    component_id: int | None = None


def _text(value: object, field: str, label: str, limit: int, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MissingFieldError(f"缺少{label}", field=field)
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{label}必须是文本", field=field)
    if has_nul(value):  # PostgreSQL's text cannot hold it; refused on SQLite alike
        raise ValidationError(f"{label}含 NUL 字符", field=field)
    text = value.strip()
    if len(text) > limit:
        raise TextTooLongError(f"{label}过长: {len(text)} 字，最多 {limit} 字", field=field)
    return text


def _shown(value: object) -> str:
    """``value`` for a message: its repr, cut short (a 400-digit number is not quoted whole)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}…（{len(text)} 字符）"


def coordinate(value: object, field: str) -> float:
    """A finite float from a number or numeric text; a clear error otherwise."""
    label = "经度" if field == "lon" else "纬度"
    if value is None or value == "":
        raise MissingFieldError(f"缺少{label}", field=field)
    if isinstance(value, bool):
        raise InvalidCoordinatesError(f"{label}不是数字: {value!r}", field=field)
    try:
        number = float(value)  # type: ignore[arg-type]  # any object: its TypeError is caught below
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int of 400 digits
        raise InvalidCoordinatesError(f"{label}不是数字: {_shown(value)}", field=field) from None
    if not math.isfinite(number):
        raise InvalidCoordinatesError(f"{label}不是有效数字: {_shown(value)}", field=field)
    bound = 180.0 if field == "lon" else 90.0
    if not -bound <= number <= bound:
        raise InvalidCoordinatesError(f"{label}超出范围: {number}", field=field)
    return number


def coordinates(lon: object, lat: object) -> tuple[float, float]:
    """Both coordinates, with a hint when they look swapped (a latitude cannot exceed 90)."""
    x = coordinate(lon, "lon")
    try:
        y = coordinate(lat, "lat")
    except InvalidCoordinatesError as exc:
        if isinstance(lat, int | float | str) and abs(x) <= 90:
            raise InvalidCoordinatesError(
                f"{exc.message}（经纬度可能写反了：应为 经度, 纬度）", field="lat"
            ) from None
        raise
    return x, y


def phone(value: object) -> str | None:
    """A caller's phone number, trimmed, or None; 5 to 20 digits in a phone's usual shape."""
    text = _text(value, "reporter_phone", "来电号码", MAX_PHONE, required=False)
    if text is None:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE.fullmatch(text) or not 5 <= digits <= 20:
        raise ValidationError(f"来电号码格式不正确: {text}", field="reporter_phone")
    return text


def validate(report: ReportInput, *, now: datetime | None = None) -> ReportInput:
    """A cleaned copy of ``report`` (trimmed text, float coordinates) or a specific error.

    A report time must fall in the window of console.domain.report_time, measured from ``now``
    (default: the clock)."""
    if not isinstance(report.category_code, str) or not report.category_code.strip():
        raise MissingFieldError("缺少问题类别代码", field="category_code")
    if report.kind not in (None, "component", "event_type"):
        raise ValidationError(
            f"未知类别类型: {report.kind!r}（部件 component / 事件 event_type）", field="kind"
        )
    if report.source not in SOURCE_LABELS:
        raise ValidationError(
            f"未知来源: {report.source!r}（可选: {', '.join(SOURCE_LABELS)}）", field="source"
        )
    if report.reported_at is not None and report.reported_at.tzinfo is None:
        raise ValidationError("上报时间必须带时区", field="reported_at")
    if report.reported_at is not None:
        report_time_rule().check(report.reported_at, now or datetime.now(UTC))
    lon, lat = coordinates(report.lon, report.lat)
    description = _text(
        report.description, "description", "问题描述", MAX_DESCRIPTION, required=True
    )
    address = _text(report.address, "address", "地址", MAX_ADDRESS, required=True)
    reporter = _text(report.reporter, "reporter", "上报人", MAX_REPORTER, required=False)
    reporter_phone = phone(report.reporter_phone)
    external_id = _text(
        report.external_id, "external_id", "外部编号", MAX_EXTERNAL_ID, required=False
    )
    if not isinstance(report.urgent, bool):
        raise ValidationError("紧急标记必须是是/否", field="urgent")
    if report.component_id is not None and (
        isinstance(report.component_id, bool) or not isinstance(report.component_id, int)
    ):
        raise ValidationError("部件编号必须是整数", field="component_id")
    return ReportInput(
        category_code=report.category_code.strip(),
        lon=lon,
        lat=lat,
        description=description or "",
        address=address or "",
        source=report.source,
        taxonomy=report.taxonomy,
        kind=report.kind,
        reporter=reporter,
        reporter_phone=reporter_phone,
        external_id=external_id,
        reported_at=report.reported_at,
        urgent=report.urgent,
        component_id=report.component_id,
    )
