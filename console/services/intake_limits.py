"""Intake limits (photo and body sizes, rates, query spans) and where photos are kept.

Read by every intake path (the seat's report form, the gateway, imports), so they live in the
services; the gateway's settings add its own tables on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from console.config import csv_rows, data_dir, resource
from console.errors import ValidationError

#: limits.csv names → (type, smallest allowed value)
_LIMITS: dict[str, tuple[type, float]] = {
    "max_body_bytes": (int, 1024),
    "max_upload_bytes": (int, 1024),
    "max_photo_bytes": (int, 1024),
    "rate_per_minute": (float, 0.001),
    "burst": (float, 1),
    "max_requests": (int, 1),
    "query_days": (int, 1),
    "max_tasks": (int, 1),
    "touch_seconds": (float, 0),
    "open311_repeat_seconds": (float, 0),
}


def named_values(path: Path) -> dict[str, str]:
    try:
        return {r["name"].strip(): r["value"].strip() for r in csv_rows(path) if r.get("name")}
    except (KeyError, AttributeError) as exc:
        raise ValidationError(f"{path.name} 格式错误（应有 name,value 列）: {exc}") from None


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    max_photo_bytes: int = 8 * 1024 * 1024
    rate_per_minute: float = 120.0
    burst: float = 30.0
    max_requests: int = 1000
    query_days: int = 90
    max_tasks: int = 500
    touch_seconds: float = 60.0
    #: An identical Open311 POST from the same token within this is a retry (0: never).
    open311_repeat_seconds: float = 600.0

    @classmethod
    def from_file(cls, path: Path | None = None) -> Limits:
        path = path or resource("gateway", "limits.csv")
        values: dict[str, int | float] = {}
        for name, raw in named_values(path).items():
            if name not in _LIMITS:
                raise ValidationError(f"{path.name}: 未知限额 {name!r}")
            kind, least = _LIMITS[name]
            try:
                number = kind(raw)
            except ValueError:
                raise ValidationError(f"{path.name}: {name} 不是数字: {raw!r}") from None
            if not math.isfinite(number) or number < least:
                raise ValidationError(f"{path.name}: {name} 必须不小于 {least}: {raw!r}")
            values[name] = number
        # Each value was made by its own field's type (_LIMITS), which mypy cannot follow.
        return cls(**values)  # type: ignore[arg-type]


def default_attachments_dir() -> Path:
    """Photos live beside the embedded database, in the per-user data directory."""
    return data_dir() / "attachments"
