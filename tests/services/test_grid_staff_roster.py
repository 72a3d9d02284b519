"""一格七员 of a street's grids, as each seat may read them (issue 16 §1), on the real demo SQLite:
a street seat its own street, a unit head its own unit, refused elsewhere; a district seat any."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console.db import Database
from console.errors import PermissionDeniedError
from console.models import GridStaff, Region, User
from console.services.actors import Actor
from console.services.case_scope import DISTRICT, CaseScope
from console.services.catalog import grids_of_street
from console.services.grid_staff_roster import street_staff
from console.services.workbench import Workbench

SEVEN = [
    "grid_manager", "grid_supervisor", "city_inspector", "enforcement_officer",
    "sanitation_worker", "frontage_inspector", "property_manager",
]  # fmt: skip


def _region(db: Database, code: str) -> int:
    with db.read() as s:
        found = s.scalar(select(Region.id).where(Region.code == code))
    assert found is not None
    return found


def test_a_street_seat_reads_its_streets_grids_staff(demo_db: Database) -> None:
    street = _region(demo_db, "610104001")  # the demo street seats' 青年路
    seat = Workbench(demo_db, username="street_duty_officer")
    staff = seat.grid_staff()
    with demo_db.read() as s:
        grids = [g for g, _, _ in grids_of_street(s, street)]
        phone = s.scalar(
            select(GridStaff.phone).where(
                GridStaff.grid_id == grids[0], GridStaff.role == "sanitation_worker"
            )
        )
    assert staff.street_id == street and staff.street_name == "青年路街道"
    assert staff.within_id is None
    assert [c for c, _ in staff.roles] == SEVEN
    # Every grid of the street, each with its seven in the roles file's order.
    assert sorted({m.grid_id for m in staff.members}) == sorted(grids)
    assert len(staff.members) == 7 * len(grids)
    first = [m for m in staff.members if m.grid_id == grids[0]]
    assert [m.role for m in first] == SEVEN
    assert first[4].role_label == "环卫保洁员" and first[4].phone == phone
    assert all(m.grid_code.startswith("610104001") for m in staff.members)
    assert staff.streets == [(street, "青年路街道")]  # nothing else to pick
    # Naming its own street is fine; another street is refused.
    assert seat.grid_staff(street) == staff
    with pytest.raises(PermissionDeniedError):
        seat.grid_staff(_region(demo_db, "610104002"))


def test_a_unit_head_reads_its_unit_only(demo_db: Database) -> None:
    head = Workbench(demo_db, username="unit_head")
    unit = head.actor.region_id
    staff = head.grid_staff()
    with demo_db.read() as s:
        unit_grids = set(s.scalars(select(Region.id).where(Region.parent_id == unit)))
    assert staff.street_id == _region(demo_db, "610104001") and staff.within_id == unit
    assert {m.grid_id for m in staff.members} == unit_grids
    assert len(staff.members) == 7 * len(unit_grids)
    with pytest.raises(PermissionDeniedError):
        head.grid_staff(_region(demo_db, "610104002"))
    # A unit scope without its unit reads nothing, rather than the whole street; nor does a
    # confined scope this roster does not know.
    with demo_db.read() as s:
        with pytest.raises(PermissionDeniedError):
            street_staff(s, CaseScope("unit", None))
        with pytest.raises(PermissionDeniedError):
            street_staff(s, CaseScope("no_such_level", unit))


def test_a_grids_staff_reads_its_own_grid(demo_db: Database) -> None:
    street, grid = _region(demo_db, "610104001"), _region(demo_db, "610104001001001")
    with demo_db.read() as s:
        staff = street_staff(s, CaseScope("grid", grid))
        with pytest.raises(PermissionDeniedError):
            street_staff(s, CaseScope("grid", grid), _region(demo_db, "610104002"))
    assert staff.street_id == street and staff.within_id == grid
    assert {m.grid_id for m in staff.members} == {grid}
    assert [m.role for m in staff.members] == SEVEN


def test_a_district_seat_picks_any_street(demo_db: Database) -> None:
    other = _region(demo_db, "610104002")
    dispatcher = Workbench(demo_db, username="dispatcher")
    staff = dispatcher.grid_staff(other)
    assert staff.street_id == other and staff.members
    assert all(m.grid_code.startswith("610104002") for m in staff.members)
    assert len(staff.streets) == 9 and (other, staff.street_name) in staff.streets
    with demo_db.read() as s:
        assert street_staff(s, DISTRICT).street_id == _region(demo_db, "610104001")


def test_a_role_without_the_queues_is_refused(demo_db: Database) -> None:
    with demo_db.read() as s:
        user_id = s.scalar(select(User.id).where(User.username == "dispatcher"))
    outsider = Workbench(demo_db, actor=Actor(user_id, "无权限", "no_such_role"))
    with pytest.raises(PermissionDeniedError):
        outsider.grid_staff()
