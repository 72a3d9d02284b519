"""Which taxonomy classifies a new report, by the report's local date.

resources/taxonomy/schedule.csv (``effective_from,taxonomy,label,note``) lists each taxonomy from
the date it took effect: CJ/T 214 lineage until GB/T 47678.5-2026 came into force on
2026-07-01. A report is classified by the last row in force on its local date; a date before
the first row takes the first row. A district that adopts the new standard later edits the
date, not the code. No Qt, no database.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime

from console.config import LOCAL_TZ, resource
from console.errors import ValidationError
from console.services.reference.files import TAXONOMIES, _bad, _read_csv, _required

_COLUMNS = ("effective_from", "taxonomy", "label", "note")


@dataclass(frozen=True)
class TaxonomyPeriod:
    effective_from: date
    taxonomy: str
    #: How pickers name the taxonomy ("CJ/T 214").
    label: str
    note: str


@dataclass(frozen=True)
class TaxonomySchedule:
    """The periods in date order (at least one)."""

    periods: tuple[TaxonomyPeriod, ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValidationError("分类标准启用表为空：至少需要一行", field="taxonomy")

    def taxonomy_on(self, when: datetime | date) -> str:
        """The taxonomy for a report made at ``when`` (an aware time, or a local date)."""
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ValueError(f"when must be timezone-aware, got {when.isoformat()}")
            when = when.astimezone(LOCAL_TZ).date()
        starts = [p.effective_from for p in self.periods]
        return self.periods[max(bisect_right(starts, when) - 1, 0)].taxonomy

    def label(self, taxonomy: str) -> str:
        """The taxonomy's short name for pickers (its code if the schedule does not name it)."""
        return next((p.label for p in self.periods if p.taxonomy == taxonomy), taxonomy)


def read_schedule() -> TaxonomySchedule:
    """resources/taxonomy/schedule.csv, checked row by row (file and line in every error)."""
    path = resource("taxonomy", "schedule.csv")
    periods: list[TaxonomyPeriod] = []
    for line, r in _read_csv(path, _COLUMNS):
        _required(path, line, r, "effective_from", "taxonomy", "label")
        try:
            start = date.fromisoformat(r["effective_from"])
        except ValueError:
            raise _bad(
                path, line, f"启用日期“{r['effective_from']}”应为 YYYY-MM-DD 格式的日期"
            ) from None
        if r["taxonomy"] not in TAXONOMIES:
            raise _bad(
                path, line, f"未知的分类标准“{r['taxonomy']}”（应为 {' / '.join(TAXONOMIES)}）"
            )
        if periods and start <= periods[-1].effective_from:
            raise _bad(path, line, f"启用日期 {start} 应晚于上一行的 {periods[-1].effective_from}")
        periods.append(TaxonomyPeriod(start, r["taxonomy"], r["label"], r["note"]))
    if not periods:
        raise ValidationError(f"{path.name}：没有任何启用行", field="taxonomy")
    return TaxonomySchedule(tuple(periods))
