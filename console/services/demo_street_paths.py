"""The demo's street showcase (issue 16): a few cases walked onto each street-tier path, so a new
user signing in finds work on every one of them. No Qt.

The random walk (console.services.demo) settles most of its street cases long before now, and
the grid staff's self-handling there is the grid manager's. Here, in the demo street seat's
street, at times just before now, through the real workflow:

- one closed self-handle (自处置) by each of the newer grid staff roles whose duties list any
  (resources/org/grid_staff_duties.csv: 城管执法员, 环卫保洁员, “三包”督查员, 物业管理员; the
  grid manager's come from the random walk; the 网格督导员 and the 城市监督员 find and check,
  they do not handle — they report cases below);
- a case dispatched to the street's committee an hour ago, waiting for the street seat;
- two 提级 (hand-up) requests waiting for the district's dispatcher;
- three open 二级派遣 sub-tasks: to the unit head's unit and to a grid staff member, both within
  their limits, and one to a station past its limit (the street's 二级派遣超时 alert).

Deterministic for a seed and a clock; the demo counts these cases among the ones it was asked
for (:func:`showcase_size`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import Case, Category, Department, DepartmentKind, Region, User
from console.services.actors import Actor, actor_of
from console.services.report_input import ReportInput
from console.services.street_tasks import forces_of
from console.services.tier_routing import SELF_HANDLE, STREET, tier_table
from console.services.workflow import CaseWorkflow

#: The grid staff roles that self-handle one case each (those with self_handle duties).
SELF_HANDLERS = (
    "enforcement_officer",
    "sanitation_worker",
    "frontage_inspector",
    "property_manager",
)
#: Each reporter's 来源 (resources/gateway/sources.csv: every grid staff role reports under 网格).
SOURCES = {"inspector": "inspector", "intake": "hotline"}
#: Below this many demo cases the showcase would crowd out the random history: none then.
MIN_CASES = 100
#: Self-handles, one waiting dispatch, two hand-ups, three sub-tasks.
SIZE = len(SELF_HANDLERS) + 1 + 2 + 3


@dataclass(frozen=True)
class _Street:
    seat: Actor
    leader: Actor
    committee: int
    #: The street's grids, and those of the unit head's unit (its sub-task goes there).
    grids: list[Region]
    unit_grids: list[Region]


def showcase_size(session: Session, cases: int) -> int:
    """How many of ``cases`` demo cases the showcase walks (0 without the demo street seat)."""
    if cases < MIN_CASES or _street(session) is None:
        return 0
    return SIZE


def _actor(session: Session, role: str) -> Actor | None:
    user = session.scalar(
        select(User).where(User.role == role, User.active.is_(True)).order_by(User.id).limit(1)
    )
    return actor_of(user) if user is not None else None


def _street(session: Session) -> _Street | None:
    seat = _actor(session, "street_duty_officer")
    leader = _actor(session, "street_leader") or seat
    if seat is None or leader is None or seat.region_id is None:
        return None
    committee = session.scalar(
        select(Department.id).where(
            Department.kind == DepartmentKind.STREET_COMMITTEE.value,
            Department.street_id == seat.region_id,
            Department.active.is_(True),
        )
    )
    street_code = session.scalar(select(Region.code).where(Region.id == seat.region_id))
    if committee is None or street_code is None:
        return None
    unit_head = _actor(session, "unit_head")
    unit_code = (
        session.scalar(select(Region.code).where(Region.id == unit_head.region_id))
        if unit_head is not None and unit_head.region_id is not None
        else None
    )
    grids = list(
        session.scalars(
            select(Region)
            .where(Region.level == "grid", Region.code.startswith(street_code))
            .order_by(Region.code)
        )
    )
    if not grids:
        return None
    unit_grids = [g for g in grids if unit_code is not None and g.code.startswith(unit_code)]
    return _Street(seat, leader, committee, grids, unit_grids or grids[:1])


def _point(grid: Region, rng: random.Random) -> tuple[float, float]:
    """A random point inside ``grid`` (cases in one grid apart, as found on a round), or its
    representative point should the draws all miss."""
    assert grid.geometry is not None
    polygon = shapely.from_geojson(grid.geometry)
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(50):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(polygon, x, y):
            return x, y
    point = polygon.representative_point()
    return float(point.x), float(point.y)


class _Walk:
    def __init__(
        self, session: Session, workflow: CaseWorkflow, now: datetime, seed: int, street: _Street
    ) -> None:
        self.s, self.wf, self.now, self.street = session, workflow, now, street
        self.rng = random.Random(f"street-showcase:{seed}")
        self.taxonomy = workflow.taxonomies.taxonomy_on(now)
        self.categories = list(
            session.execute(
                select(Category.code, Category.name, Category.kind, Category.major_name)
                .where(Category.taxonomy == self.taxonomy, Category.kind == "event_type")
                .order_by(Category.code)
            )
        )
        self.by_role: dict[str, Actor | None] = {}
        self.choices: dict[str, list[Any]] = {}
        self.next_grid = 0

    def actor(self, role: str) -> Actor:
        if role not in self.by_role:
            self.by_role[role] = _actor(self.s, role)
        found = self.by_role[role]
        assert found is not None, role
        return found

    def pick(self, key: str, wanted: Callable[[str], bool]) -> tuple[str, str, str, str]:
        """A random category of those ``wanted`` lets through (listed once per ``key``)."""
        if key not in self.choices:
            self.choices[key] = [c for c in self.categories if wanted(c.code)]
        codes = self.choices[key]
        assert codes, "no category for the showcase"
        code, name, kind, major = codes[self.rng.randrange(len(codes))]
        return code, name, kind, major

    def grid_for(self, actor: Actor) -> Region:
        """The actor's own grid when its account names one (a grid's staff self-handles there
        only), else the street's next."""
        own = self.s.get(Region, actor.region_id) if actor.region_id is not None else None
        if own is not None and own.level == "grid":
            return own
        grid = self.street.grids[self.next_grid % len(self.street.grids)]
        self.next_grid += 1
        return grid

    def report(
        self, reporter: Actor, category: tuple[str, str, str, str], at: datetime, grid: Region
    ) -> Case:
        code, name, kind, major = category
        lon, lat = _point(grid, self.rng)
        source = SOURCES.get(reporter.role, "grid")
        return self.wf.report(
            self.s,
            reporter,
            ReportInput(
                category_code=code,
                kind=kind,
                taxonomy=self.taxonomy,
                lon=lon,
                lat=lat,
                description=f"{major}：{name}，{grid.name}内发现",
                address=f"{grid.name}",
                source=source,
                reported_at=at,
            ),
            at,
        )

    def step(self, case: Case, actor: Actor, action: str, at: datetime, **kw: object) -> None:
        assert at <= self.now
        note = kw.pop("note", None)
        assert note is None or isinstance(note, str)
        self.wf.apply(self.s, actor, case, action, at, note=note, **kw)

    def ago(self, hours: float) -> datetime:
        return self.now - timedelta(hours=hours, minutes=self.rng.uniform(0, 20))

    # -- the paths ----------------------------------------------------------------------------

    def self_handles(self) -> None:
        table = tier_table()
        for i, role in enumerate(SELF_HANDLERS):
            staff = self.actor(role)
            category = self.pick(
                role, partial(table.allows, role, SELF_HANDLE, self.taxonomy, "event_type")
            )
            t = self.ago(24 * (i + 1) + 2)
            case = self.report(staff, category, t, self.grid_for(staff))
            t += timedelta(minutes=self.rng.uniform(20, 90))
            self.step(case, staff, "self_handle", t, note=f"{category[1]}已在网格内自行处置完毕")
            self.step(case, self.actor("duty_chief"), "close", t + timedelta(minutes=40))

    def to_street(
        self, reporter: Actor, hours_ago: float, grid: Region | None = None
    ) -> tuple[Case, datetime]:
        """A street matter reported ``hours_ago``, registered and dispatched to the committee."""
        table = tier_table()
        category = self.pick(
            STREET, lambda code: table.tier_of(self.taxonomy, "event_type", code).tier == STREET
        )
        t = self.ago(hours_ago)
        case = self.report(reporter, category, t, grid or self.grid_for(reporter))
        t += timedelta(minutes=8)
        self.step(case, self.actor("duty_chief"), "register", t)
        t += timedelta(minutes=6)
        self.step(
            case, self.actor("dispatcher"), "dispatch", t, department_id=self.street.committee
        )
        return case, t

    def waiting(self) -> None:
        self.to_street(self.actor("inspector"), 1)

    def hand_ups(self) -> None:
        reasons = (
            (self.street.seat, "涉及主干道市政设施改造，超出街道处置能力，请区里派专业部门"),
            (self.street.leader, "需多部门联合执法，街道力量不足，申请提级"),
        )
        for i, (seat, reason) in enumerate(reasons):
            reporter = self.actor("grid_supervisor" if i == 0 else "intake")
            case, t = self.to_street(reporter, 3 + 2 * i)
            self.step(case, seat, "hand_up", t + timedelta(minutes=50), note=reason)

    def sub_tasks(self) -> None:
        # (reporter, dispatched hours ago, force kind, limit in hours, past it by now)
        plan = (
            ("city_inspector", 1.5, "unit", 6.0, False),
            ("grid_manager", 2.5, "staff", 8.0, False),
            ("inspector", 26, "station", 2.0, True),
        )
        for reporter, hours_ago, kind, hours, overdue in plan:
            grid = self.street.unit_grids[0] if kind == "unit" else None
            case, t = self.to_street(self.actor(reporter), hours_ago, grid)
            self._sub_dispatch(case, t, kind, hours, overdue=overdue)

    def _sub_dispatch(
        self, case: Case, t: datetime, kind: str, hours: float, *, overdue: bool
    ) -> None:
        seat = self.street.seat
        t += timedelta(minutes=10)
        self.step(case, seat, "accept", t)
        forces = [f for f in forces_of(self.s, case) if f.kind == kind]
        if kind == "staff":  # the grid's sanitation worker, the usual one for a street's errand
            role_name = tier_table().role_names.get("sanitation_worker", "")
            forces = [f for f in forces if f.label.startswith(role_name)] or forces
        force = forces[0]
        t += timedelta(minutes=15)
        assert case.deadline_at is not None
        left = (case.deadline_at - t).total_seconds() / 3600
        # Inside the district's deadline (sub_dispatch refuses later); past due by now when
        # asked, else still running at now when the district's deadline allows it.
        hours = round(max(0.2, min(hours, left * (0.5 if overdue else 0.9))), 1)
        self.step(case, seat, "sub_dispatch", t, force=force.key, hours=hours)


def seed_street_paths(session: Session, workflow: CaseWorkflow, *, now: datetime, seed: int) -> int:
    """Walk the showcase (see the module) in the demo street; how many cases it reported."""
    street = _street(session)
    if street is None:
        return 0
    walk = _Walk(session, workflow, now, seed, street)
    walk.self_handles()
    walk.waiting()
    walk.hand_ups()
    walk.sub_tasks()
    session.flush()
    return SIZE
