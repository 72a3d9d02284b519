"""The gateway's settings: limits, who reports under which source, what a role's tasks are.

All of it is data in resources/gateway/*.csv; this module reads and checks it. It needs no
web framework, so the commands can use it without the ``gateway`` extra.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypedDict, Unpack

from console.config import csv_rows, resource
from console.domain.lifecycle import STATE_LABELS
from console.errors import ValidationError
from console.services.field_tasks import TaskScope
from console.services.intake_limits import Limits, default_attachments_dir, named_values
from console.services.report_input import SOURCE_LABELS

__all__ = ["GatewaySettings", "Limits", "TaskScope", "default_attachments_dir"]

TASK_SCOPES = ("own_department", "assigned", "own_region", "all")


class LimitChanges(TypedDict, total=False):
    """Some of :class:`Limits`' fields, by name: what :meth:`GatewaySettings.with_limits` takes."""

    max_body_bytes: int
    max_upload_bytes: int
    max_photo_bytes: int
    rate_per_minute: float
    burst: float
    max_requests: int
    query_days: int
    max_tasks: int
    touch_seconds: float
    open311_repeat_seconds: float


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
        open311 = named_values(resource("gateway", "open311.csv"))
        return cls(
            attachments_dir=attachments_dir or default_attachments_dir(),
            limits=Limits.from_file(),
            report_sources=load_report_sources(),
            task_scopes=load_task_scopes(),
            jurisdiction_id=open311.get("jurisdiction_id", "610104"),
        )

    def with_limits(self, **changes: Unpack[LimitChanges]) -> GatewaySettings:
        """A copy with some limits changed (tests, the benchmark)."""
        return replace(self, limits=replace(self.limits, **changes))
