"""一格七员 of a street's grids, as a seat may read them (issue 16 §1: a street seat opens on "its
grids' staff"). No Qt.

The confinement is here, not in the view: a street seat reads its own street's grids and is
refused another street; a unit head reads its own unit's grids only, a grid's staff its own
grid; a district seat picks any street (the first by code when it names none).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from console.errors import PermissionDeniedError, ValidationError
from console.models import GridStaff, Region, RegionLevel
from console.services.case_scope import DISTRICT, CaseScope
from console.services.reference.files import read_grid_staff_roles

#: Each confined scope (case_scope) and what of its street it reads: a street seat the whole
#: street (None), a unit head its unit, a grid's staff its grid. Any other scope reads nothing.
WITHIN: dict[str, str | None] = {"street": None, "unit": "unit", "grid": "grid"}


@dataclass(frozen=True)
class StaffMember:
    grid_id: int
    grid_code: str
    grid_name: str
    unit_name: str
    #: The role's code (grid_staff_roles.csv) and its Chinese name.
    role: str
    role_label: str
    name: str
    phone: str


@dataclass(frozen=True)
class StreetStaff:
    """One street's (or unit's) grid staff, grid by grid in code order, each grid's seven in
    grid_staff_roles.csv's order."""

    street_id: int
    street_name: str
    #: The unit or grid the seat is confined to (a unit head's unit, a grid staff member's
    #: grid), else None: the whole street.
    within_id: int | None
    members: list[StaffMember]
    #: (code, Chinese name) of the seven roles, in file order: the panel's role filter.
    roles: list[tuple[str, str]]
    #: (id, name) of the streets the seat may pick: its own, or every street for the district.
    streets: list[tuple[int, str]]


def _street_above(session: Session, region_id: int) -> int | None:
    """The street a street, unit or grid lies in (grid → unit → area → street)."""
    region = session.get(Region, region_id)
    while region is not None and region.level != RegionLevel.STREET.value:
        region = session.get(Region, region.parent_id) if region.parent_id else None
    return region.id if region is not None else None


def _street_of(session: Session, scope: CaseScope, street_id: int | None) -> int:
    """The street to read: the seat's own (refusing another), or the one a district seat named
    (the first by code when it named none)."""
    if scope.level == DISTRICT.level:
        if street_id is not None:
            return street_id
        first = session.scalar(
            select(Region.id).where(Region.level == RegionLevel.STREET.value).order_by(Region.code)
        )
        if first is None:
            raise ValidationError("尚无街道数据")
        return first
    own = _street_above(session, scope.region_id) if scope.region_id is not None else None
    if own is None or scope.level not in WITHIN:
        raise PermissionDeniedError("该席位没有所属街道（单元、网格），不能查看网格人员")
    if street_id is not None and street_id != own:
        raise PermissionDeniedError("街道（单元、网格）席位只能查看本街道（单元、网格）的网格人员")
    return own


def street_staff(session: Session, scope: CaseScope, street_id: int | None = None) -> StreetStaff:
    """The grid staff of ``street_id`` (default: the seat's street), as ``scope`` may read."""
    sid = _street_of(session, scope, street_id)
    street = session.get(Region, sid)
    if street is None or street.level != RegionLevel.STREET.value:
        raise ValidationError(f"街道不存在: {sid}")
    roles = [(r.code, r.name_zh) for r in read_grid_staff_roles()]
    order = {code: i for i, (code, _) in enumerate(roles)}
    labels = dict(roles)
    unit = aliased(Region)
    area = aliased(Region)
    stmt = (
        select(
            GridStaff.grid_id,
            Region.code,
            Region.name,
            unit.name,
            GridStaff.role,
            GridStaff.name,
            GridStaff.phone,
        )
        .join(Region, Region.id == GridStaff.grid_id)
        .join(unit, unit.id == Region.parent_id)
        .join(area, area.id == unit.parent_id)
        .where(area.parent_id == sid)
    )
    within = WITHIN[scope.level] if scope.level != DISTRICT.level else None
    within_id = scope.region_id if within is not None else None
    if within == "unit":
        stmt = stmt.where(unit.id == within_id)
    elif within == "grid":
        stmt = stmt.where(Region.id == within_id)
    members = [
        StaffMember(gid, code, grid, unit_name, role, labels.get(role, role), name, phone or "")
        for gid, code, grid, unit_name, role, name, phone in session.execute(stmt)
    ]
    members.sort(key=lambda m: (m.grid_code, order.get(m.role, len(order))))
    if scope.level != DISTRICT.level:
        streets = [(sid, street.name)]
    else:
        streets = [
            (i, name)
            for i, name in session.execute(
                select(Region.id, Region.name)
                .where(Region.level == RegionLevel.STREET.value)
                .order_by(Region.code)
            )
        ]
    return StreetStaff(sid, street.name, within_id, members, roles, streets)
