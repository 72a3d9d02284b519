"""Small lists for the pickers: streets, their grids, categories, sources."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from console.config import LOCAL_TZ
from console.models import Category, Region, RegionLevel
from console.services.report_input import SOURCE_LABELS
from console.services.taxonomy_schedule import TaxonomySchedule, read_schedule

#: Shown beside a local extension class (扩展部件类 / 扩展事件), which no standard defines.
LOCAL_EXTENSION_MARK = "地方扩展"


class CategoryOption(NamedTuple):
    kind: str
    code: str
    name: str
    major_name: str
    taxonomy: str
    #: A local extension class, not one of the standard's.
    local: bool
    #: The taxonomy's short name when it is not the one in force for new reports, else "".
    older_label: str = ""
    #: One of the five functions of grid work (categories.function; "" when not read).
    function: str = ""

    @property
    def label(self) -> str:
        """ "0601 占道经营（地方扩展）", "0102 暴露垃圾〔CJ/T 214〕", "06010 暴露垃圾"."""
        marks = f"（{LOCAL_EXTENSION_MARK}）" if self.local else ""
        if self.older_label:
            marks += f"〔{self.older_label}〕"
        return f"{self.code} {self.name}{marks}"


def streets(session: Session) -> list[tuple[int, str, str]]:
    """(id, code, name) of every street, by code."""
    stmt = (
        select(Region.id, Region.code, Region.name)
        .where(Region.level == RegionLevel.STREET.value)
        .order_by(Region.code)
    )
    return [(i, code, name) for i, code, name in session.execute(stmt)]


def grids_of_street(session: Session, street_id: int) -> list[tuple[int, str, str]]:
    """(id, code, name) of the grids in a street (grid → unit → area → street), by code."""
    unit = aliased(Region)
    area = aliased(Region)
    stmt = (
        select(Region.id, Region.code, Region.name)
        .join(unit, unit.id == Region.parent_id)
        .join(area, area.id == unit.parent_id)
        .where(Region.level == RegionLevel.GRID.value, area.parent_id == street_id)
        .order_by(Region.code)
    )
    return [(i, code, name) for i, code, name in session.execute(stmt)]


def category_options(
    session: Session,
    taxonomy: str | None = None,
    *,
    on: date | None = None,
    schedule: TaxonomySchedule | None = None,
) -> list[CategoryOption]:
    """The categories a picker offers, by kind then code.

    With a ``taxonomy``: that one only. Without: the taxonomy in force ``on`` that day
    (default today) first, for new reports, then the older ones, which older cases carry
    and which filters still need; their options name their taxonomy.
    """
    schedule = schedule or read_schedule()
    in_force = schedule.taxonomy_on(on or datetime.now(LOCAL_TZ).date())
    stmt = select(
        Category.kind,
        Category.code,
        Category.name,
        Category.major_name,
        Category.taxonomy,
        Category.is_local_extension,
        Category.function,
    )
    if taxonomy is not None:
        stmt = stmt.where(Category.taxonomy == taxonomy)
    options = [
        CategoryOption(
            kind,
            code,
            name,
            major,
            tax,
            bool(local),
            "" if tax == in_force else schedule.label(tax),
            function,
        )
        for kind, code, name, major, tax, local, function in session.execute(stmt)
    ]
    return sorted(options, key=lambda o: (o.taxonomy != in_force, o.taxonomy, o.kind, o.code))


def source_options() -> list[tuple[str, str]]:
    """(code, label) of the report sources."""
    return list(SOURCE_LABELS.items())
