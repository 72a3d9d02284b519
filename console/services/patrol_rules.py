"""The patrol rules as data (resources/patrol/): how often each grid must be patrolled
(frequency.csv) and the checks on a track's points (track.csv). Errors name the file and line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from console.config import resource
from console.errors import ValidationError

FREQUENCY_COLUMNS = ("scope", "every_days", "note")
DEFAULT_SCOPE = "*"
_SCOPE_LENGTHS = (9, 12, 15)


class PatrolRulesError(ValidationError):
    """A rules file that cannot be used: the message names the file and line."""

    code = "patrol_rules"


@dataclass(frozen=True)
class Frequencies:
    """Days between patrols: the default and the overrides by region code prefix."""

    default_days: int
    overrides: dict[str, int]

    def every_days(self, grid_code: str) -> int:
        """The grid's frequency: the longest scope its code starts with, else the default."""
        for length in sorted(_SCOPE_LENGTHS, reverse=True):
            days = self.overrides.get(grid_code[:length])
            if days is not None and len(grid_code) >= length:
                return days
        return self.default_days


@dataclass(frozen=True)
class TrackLimits:
    max_speed_mps: float
    max_batch_points: int


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in lines)))
    numbers = [n for n, line in lines if line.strip()]
    out = []
    for index, row in enumerate(reader, start=1):
        out.append((numbers[index] if index < len(numbers) else 0, row))
    return out


def parse_frequencies(text: str, name: str = "frequency.csv") -> Frequencies:
    """The frequency table from the file's text; every fault a :class:`PatrolRulesError`."""
    header = next((ln for ln in text.splitlines() if ln and not ln.startswith("#")), "")
    columns = [c.strip() for c in header.split(",")]
    if columns[:2] != list(FREQUENCY_COLUMNS[:2]):
        raise PatrolRulesError(f"{name}: 表头应为 {','.join(FREQUENCY_COLUMNS)}，实为 {header!r}")
    default: int | None = None
    overrides: dict[str, int] = {}
    for line, row in _rows(text):
        scope = (row.get("scope") or "").strip()
        raw = (row.get("every_days") or "").strip()
        try:
            days = int(raw)
        except ValueError:
            raise PatrolRulesError(
                f"{name} 第 {line} 行: every_days 应为正整数，实为 {raw!r}"
            ) from None
        if days < 1:
            raise PatrolRulesError(f"{name} 第 {line} 行: every_days 应为正整数，实为 {days}")
        if scope == DEFAULT_SCOPE:
            if default is not None:
                raise PatrolRulesError(f"{name} 第 {line} 行: 默认行 “*” 重复")
            default = days
        elif scope.isalnum() and len(scope) in _SCOPE_LENGTHS:
            if scope in overrides:
                raise PatrolRulesError(f"{name} 第 {line} 行: 范围 {scope} 重复")
            overrides[scope] = days
        else:
            raise PatrolRulesError(
                f"{name} 第 {line} 行: 范围应为 “*”、街道（9 位）、单元（12 位）或网格（15 位）代码，"
                f"实为 {scope!r}"
            )
    if default is None:
        raise PatrolRulesError(f"{name}: 缺少默认行（scope 为 “*”）")
    return Frequencies(default, overrides)


def parse_track_limits(text: str, name: str = "track.csv") -> TrackLimits:
    values: dict[str, str] = {}
    for line, row in _rows(text):
        key = (row.get("key") or "").strip()
        if key in values:
            raise PatrolRulesError(f"{name} 第 {line} 行: {key} 重复")
        values[key] = (row.get("value") or "").strip()
    try:
        speed = float(values["max_speed_mps"])
        batch = int(values["max_batch_points"])
    except KeyError as exc:
        raise PatrolRulesError(f"{name}: 缺少 {exc.args[0]}") from None
    except ValueError as exc:
        raise PatrolRulesError(f"{name}: 数值无效: {exc}") from None
    if not speed > 0 or batch < 1:
        raise PatrolRulesError(f"{name}: max_speed_mps 和 max_batch_points 须为正数")
    return TrackLimits(speed, batch)


def load_frequencies(path: Path | None = None) -> Frequencies:
    path = path or resource("patrol/frequency.csv")
    return parse_frequencies(path.read_text(encoding="utf-8-sig"), path.name)


def load_track_limits(path: Path | None = None) -> TrackLimits:
    path = path or resource("patrol/track.csv")
    return parse_track_limits(path.read_text(encoding="utf-8-sig"), path.name)
