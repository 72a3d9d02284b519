"""The possible-duplicate rule as data (resources/intake/duplicates.csv), read and checked.

Per scope — the default "*", a kind, or a category key or its start — a radius in metres, a
time window in hours, the states in which the earlier case counts as open, and how many
candidates one report may be flagged against. console.services.duplicates applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from console.config import csv_rows, resource
from console.domain.lifecycle import FINAL_STATES, OPEN_STATES, STATE_LABELS
from console.errors import ValidationError
from console.services.reference.files import KINDS, category_key


@dataclass(frozen=True)
class DuplicateRule:
    radius_m: float
    window: timedelta
    #: States in which the earlier case counts as open.
    states: frozenset[str]
    max_candidates: int


@dataclass(frozen=True)
class DuplicateSettings:
    """The rows of duplicates.csv: scope ("*", a kind, or a category-key prefix) → rule."""

    rules: Mapping[str, DuplicateRule]

    def rule_for(self, kind: str, code: str) -> DuplicateRule:
        """The rule of the longest matching scope: category key prefix, then kind, then "*"."""
        key = category_key(kind, code)
        best = max(
            (s for s in self.rules if s not in ("*", *KINDS) and key.startswith(s)),
            key=len,
            default=None,
        )
        if best is not None:
            return self.rules[best]
        return self.rules.get(kind) or self.rules["*"]

    @property
    def max_radius_m(self) -> float:
        return max(r.radius_m for r in self.rules.values())

    @property
    def max_window(self) -> timedelta:
        return max(r.window for r in self.rules.values())

    @property
    def all_states(self) -> frozenset[str]:
        return frozenset().union(*(r.states for r in self.rules.values()))


def _states(spec: str, where: str) -> frozenset[str]:
    if spec == "open":
        return frozenset(OPEN_STATES)
    states = frozenset(s.strip() for s in spec.split("|") if s.strip())
    bad = sorted(s for s in states if s not in STATE_LABELS or s in FINAL_STATES)
    if bad or not states:
        raise ValidationError(f"{where}: 状态应为未结束的状态代码或 open，而不是 {bad or spec!r}")
    return states


def load_settings(path: Path | None = None) -> DuplicateSettings:
    """Read duplicates.csv (the default file unless ``path``); a bad row names its line."""
    path = path or resource("intake", "duplicates.csv")
    raw: dict[str, dict[str, str]] = {}
    for lineno, row in enumerate(csv_rows(path), start=1):
        where = f"{path.name} 第{lineno}条"
        scope = (row.get("scope") or "").strip()
        if not scope:
            raise ValidationError(f"{where}: 缺少 scope")
        if scope in raw:
            raise ValidationError(f"{where}: scope {scope!r} 重复")
        if scope != "*" and scope not in KINDS and scope[:1] not in ("C", "E"):
            raise ValidationError(
                f"{where}: scope 应为 *、component、event_type 或以 C/E 开头的类别代码，"
                f"而不是 {scope!r}"
            )
        raw[scope] = {k: (v or "").strip() for k, v in row.items() if k}
    if "*" not in raw:
        raise ValidationError(f"{path.name}: 缺少默认行（scope 为 *）")
    default = raw["*"]
    rules: dict[str, DuplicateRule] = {}
    for lineno, (scope, row) in enumerate(raw.items(), start=1):
        where = f"{path.name} 第{lineno}条（{scope}）"

        def cell(name: str, row: dict[str, str] = row, where: str = where) -> str:
            value = row.get(name) or default.get(name) or ""
            if not value:
                raise ValidationError(f"{where}: 缺少 {name}")
            return value

        try:
            radius = float(cell("radius_m"))
            hours = float(cell("window_hours"))
            most = int(cell("max_candidates"))
        except ValueError as exc:
            raise ValidationError(f"{where}: 数值格式错误 {exc}") from None
        if not (0 < radius <= 5000 and 0 < hours <= 24 * 365 and 1 <= most <= 100):
            raise ValidationError(
                f"{where}: radius_m 应在 (0, 5000]，window_hours 在 (0, 8760]，"
                f"max_candidates 在 [1, 100]"
            )
        rules[scope] = DuplicateRule(
            radius, timedelta(hours=hours), _states(cell("states"), where), most
        )
    return DuplicateSettings(rules)


@cache
def default_settings() -> DuplicateSettings:
    return load_settings()
