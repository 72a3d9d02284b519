"""What the field app's report form proposes (issue 17): the register's objects of the chosen
部件 category near the reporter's point, within the places the caller may report at. No Qt.

The confinement is where the caller may report: a street seat its street's objects, a unit head
its unit's; a grid's staff anywhere, since what they find next door they may report (and name)
like anyone else; every other role the district. An account of a confined role
without its region is offered nothing.
"""

from __future__ import annotations

import math
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.errors import ValidationError
from console.models import Category, Component, Region
from console.services.actors import Actor
from console.services.case_scope import case_scope
from console.services.components.nearby import NearbyComponent, nearby_components
from console.services.components.rules import register_rules

#: A component code of either taxonomy generation (CJ/T 214: 4 digits, GB/T 47678.5-2026: 5).
CODE = re.compile(r"\d{4,5}")
#: Rows read before the scope is applied: far more than 30 m ever holds of one class.
_READ_AT_MOST = 500


def check_category(session: Session, code: str) -> str:
    """``code`` trimmed, or a ValidationError on ``category_code`` if it is no 部件 category."""
    code = code.strip()
    if not CODE.fullmatch(code):
        raise ValidationError(
            f"部件类别编码应为 4 或 5 位数字: {code[:20]!r}", field="category_code"
        )
    kinds = set(session.scalars(select(Category.kind).where(Category.code == code)))
    if "component" not in kinds:
        why = "是事件类别，不是部件类别" if kinds else "不是已知的部件类别"
        raise ValidationError(f"类别 {code} {why}", field="category_code")
    return code


def check_point(lon: float, lat: float) -> None:
    for value, field, low, high in ((lon, "lon", -180.0, 180.0), (lat, "lat", -90.0, 90.0)):
        if not math.isfinite(value) or not low <= value <= high:
            raise ValidationError(f"坐标超出范围: {field}={value}", field=field)


def proposals(
    session: Session, actor: Actor, category_code: str, lon: float, lat: float
) -> list[NearbyComponent]:
    """The objects of ``category_code`` within the register's radius of the point that
    ``actor`` may name in a report, nearest first, at most the register's ``nearby_max``."""
    scope = case_scope(actor)
    code = check_category(session, category_code)
    check_point(lon, lat)
    confined = scope.level in ("street", "unit")
    if confined and scope.region_id is None:
        return []  # a confined account without its region sees nothing (CaseScope)
    found = nearby_components(session, code, lon, lat, limit=_READ_AT_MOST)
    most = register_rules().nearby_max
    if not confined or not found:
        return found[:most]
    ids = [c.id for c in found]
    if scope.level == "street":
        where = Component.street_id == scope.region_id
    else:  # a unit's grids are its children (grid → unit → area → street)
        grids = select(Region.id).where(Region.parent_id == scope.region_id)
        where = Component.grid_id.in_(grids)
    inside = set(session.scalars(select(Component.id).where(Component.id.in_(ids), where)))
    return [c for c in found if c.id in inside][:most]
