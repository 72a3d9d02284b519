"""The gateway's settings: limits, who reports under which source, what a role's tasks are.

All of it is data in resources/gateway/*.csv; this module reads and checks it. It needs no
web framework, so the commands can use it without the ``gateway`` extra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from console.config import csv_rows, data_dir, resource
from console.domain.lifecycle import STATE_LABELS
from console.errors import ValidationError
from console.services.report_input import SOURCE_LABELS

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
}
TASK_SCOPES = ("own_department", "all")


def _named_values(path: Path) -> dict[str, str]:
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

    @classmethod
    def from_file(cls, path: Path | None = None) -> Limits:
        path = path or resource("gateway", "limits.csv")
        values: dict[str, int | float] = {}
        for name, raw in _named_values(path).items():
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
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TaskScope:
    states: tuple[str, ...]
    scope: str


def load_report_sources(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """role → the sources its tokens may report under (the first is the default)."""
    path = path or resource("gateway", "sources.csv")
    table: dict[str, tuple[str, ...]] = {}
    for row in csv_rows(path):
        sources = tuple(s.strip() for s in (row.get("sources") or "").split("|") if s.strip())
        unknown = [s for s in sources if s not in SOURCE_LABELS]
        if not sources or unknown:
            raise ValidationError(f"{path.name}: 角色 {row.get('role')!r} 的来源无效: {unknown}")
        table[(row.get("role") or "").strip()] = sources
    return table


def load_task_scopes(path: Path | None = None) -> dict[str, TaskScope]:
    """role → which cases are that role's tasks on a handheld."""
    path = path or resource("gateway", "tasks.csv")
    table: dict[str, TaskScope] = {}
    for row in csv_rows(path):
        states = tuple(s.strip() for s in (row.get("states") or "").split("|") if s.strip())
        scope = (row.get("scope") or "").strip()
        if not states or any(s not in STATE_LABELS for s in states) or scope not in TASK_SCOPES:
            raise ValidationError(f"{path.name}: 角色 {row.get('role')!r} 的任务定义无效")
        table[(row.get("role") or "").strip()] = TaskScope(states, scope)
    return table


def default_attachments_dir() -> Path:
    """Photos live beside the embedded database, in the per-user data directory."""
    return data_dir() / "attachments"


@dataclass(frozen=True)
class GatewaySettings:
    attachments_dir: Path
    limits: Limits = field(default_factory=Limits)
    report_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    task_scopes: dict[str, TaskScope] = field(default_factory=dict)
    jurisdiction_id: str = "610104"

    @classmethod
    def load(cls, *, attachments_dir: Path | None = None) -> GatewaySettings:
        """The settings from resources/gateway/; photos under ``attachments_dir``."""
        open311 = _named_values(resource("gateway", "open311.csv"))
        return cls(
            attachments_dir=attachments_dir or default_attachments_dir(),
            limits=Limits.from_file(),
            report_sources=load_report_sources(),
            task_scopes=load_task_scopes(),
            jurisdiction_id=open311.get("jurisdiction_id", "610104"),
        )

    def with_limits(self, **changes: float) -> GatewaySettings:
        """A copy with some limits changed (tests, the benchmark)."""
        return replace(self, limits=replace(self.limits, **changes))
