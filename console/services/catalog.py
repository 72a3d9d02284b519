"""Small lists for the queue's filter combos: streets, their grids, categories, sources."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from console.models import Category, Region, RegionLevel
from console.services.reference_data import DEFAULT_TAXONOMY
from console.services.report_input import SOURCE_LABELS


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
    session: Session, taxonomy: str = DEFAULT_TAXONOMY
) -> list[tuple[str, str, str, str]]:
    """(kind, code, name, major_name) of a taxonomy's categories, by kind then code."""
    stmt = (
        select(Category.kind, Category.code, Category.name, Category.major_name)
        .where(Category.taxonomy == taxonomy)
        .order_by(Category.kind, Category.code)
    )
    return [(kind, code, name, major) for kind, code, name, major in session.execute(stmt)]


def source_options() -> list[tuple[str, str]]:
    """(code, label) of the report sources."""
    return list(SOURCE_LABELS.items())
