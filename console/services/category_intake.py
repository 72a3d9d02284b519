"""A reported category, filed in the taxonomy in force on the report's date.

Reports still arrive in the CJ/T 214 lineage (old handsets, import files, Open311 clients)
after GB/T 47678.5-2026 took effect. Such a code is accepted and filed under its successor
(``successor_code`` in resources/taxonomy/cjt214_*.csv), so routing, deadlines and statistics
after the changeover all run on one taxonomy; the case keeps the code as reported
(``Case.original_taxonomy`` / ``original_category_code``). An older code without a successor
stays in its own taxonomy, which keeps its rules and routes. No Qt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.errors import UnknownCategoryError, ValidationError
from console.models import Category
from console.services.reference import data as reference_data
from console.services.taxonomy_schedule import TaxonomySchedule


@dataclass(frozen=True)
class CategoryEntry:
    """What intake needs of one category row."""

    kind: str
    code: str
    successor_code: str | None


#: (taxonomy, code as given, kind or None) → the category, or a specific error.
Lookup = Callable[[str, str, str | None], CategoryEntry]


@dataclass(frozen=True)
class FiledCategory:
    taxonomy: str
    kind: str
    code: str
    #: Set only when the reported code was mapped onto its successor.
    original_taxonomy: str | None = None
    original_code: str | None = None


def file_category(
    lookup: Lookup,
    schedule: TaxonomySchedule,
    taxonomy: str | None,
    code: str,
    kind: str | None,
    reported_at: datetime,
) -> FiledCategory:
    """Where a report of ``code`` made at ``reported_at`` is filed.

    Without a taxonomy the code's form says which (4 digits: CJ/T 214; 5: 2026), else the
    one in force on the date.
    """
    in_force = schedule.taxonomy_on(reported_at)
    given = taxonomy or reference_data.taxonomy_of_code(code.strip()) or in_force
    entry = lookup(given, code, kind)
    # Only the 2026 standard has successors pointing at it.
    if (
        given == in_force
        or in_force != reference_data.TAXONOMY_GBT2026
        or entry.successor_code is None
    ):
        return FiledCategory(given, entry.kind, entry.code)
    successor = lookup(in_force, entry.successor_code, entry.kind)
    return FiledCategory(in_force, successor.kind, successor.code, given, entry.code)


class CategoryTable:
    """Every category in one read, for a batch of many reports (bulk intake)."""

    def __init__(self, session: Session) -> None:
        self._entries: dict[tuple[str, str], dict[str, CategoryEntry]] = defaultdict(dict)
        stmt = select(Category.taxonomy, Category.kind, Category.code, Category.successor_code)
        for taxonomy, kind, code, successor in session.execute(stmt):
            self._entries[(taxonomy, code)][kind] = CategoryEntry(kind, code, successor)

    def __call__(self, taxonomy: str, code: str, kind: str | None) -> CategoryEntry:
        if taxonomy not in reference_data.TAXONOMIES:
            raise ValidationError(
                f"未知的分类标准“{taxonomy}”（应为 {' / '.join(reference_data.TAXONOMIES)}）",
                field="taxonomy",
            )
        plain = code.strip()
        if plain[:1] in ("C", "E"):
            kind_of_key, plain = reference_data.split_category_key(plain)
            if kind is not None and kind != kind_of_key:
                raise ValidationError(f"类别 {code} 与类型 {kind} 不符", field="kind")
            kind = kind_of_key
        found = self._entries.get((taxonomy, plain), {})
        if kind is not None:
            found = {kind: found[kind]} if kind in found else {}
        if not found:
            raise UnknownCategoryError(f"未知类别代码 {code}（{taxonomy}）", field="category_code")
        if len(found) > 1:
            raise ValidationError(f"类别代码 {code} 部件和事件都有，请注明类型", field="kind")
        return next(iter(found.values()))
