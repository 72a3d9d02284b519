"""The demo district: geography, reference data, people and a realistic history of cases.

Cases are not inserted as finished rows: each one is walked through the real lifecycle
(:class:`CaseWorkflow`) at simulated times, so the demo's timelines, deadlines and traffic
lights are exactly what the console would have produced.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.config import csv_rows, resource
from console.db import Database
from console.models import (
    Case,
    Category,
    Department,
    DepartmentKind,
    GridStaff,
    GridStaffRole,
    Region,
    User,
)
from console.services import geography, handover
from console.services.actors import SYSTEM, Actor, actor_of
from console.services.demo_census import CaseObjects, seed_census
from console.services.demo_patrols import seed_patrols
from console.services.demo_street_paths import seed_street_paths, showcase_size
from console.services.passwords import hash_password
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput
from console.services.seed_session import mark_bulk_seed
from console.services.street_tasks import forces_of
from console.services.tier_routing import SELF_HANDLE, tier_table
from console.services.workflow import CaseWorkflow

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文博浩宇欣怡晨阳"

#: In resources/org/demo_accounts.csv: the row whose password every department handler gets.
HANDLER_PATTERN = "dept-*"
#: The demo's first accounts, whose names come from the seed's generator; every account
#: added to demo_accounts.csv since (the street tier, the rest of 一格七员) draws its name from
#: a generator of its own, so the rest of the demo stays as it was.
FIRST_ACCOUNTS = frozenset(
    {
        "intake", "duty_chief", "dispatcher", "inspector", "leader", "admin", "wall",
        "grid_manager", "duty_chief2", "dispatcher2",
    }
)  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in: published in resources/org/demo_accounts.csv, never for real use."""

    username: str  # HANDLER_PATTERN for every department handler
    role: str
    label: str
    password: str
    #: The street or unit code a street-tier seat is confined to ("" for the district's).
    region: str = ""


@cache
def demo_accounts() -> tuple[DemoAccount, ...]:
    """The demo accounts in file order (one per command-center role, then the handlers)."""
    rows = csv_rows(resource("org", "demo_accounts.csv"))
    return tuple(
        DemoAccount(
            r["username"], r["role"], r["label_zh"], r["password"], (r.get("region") or "").strip()
        )
        for r in rows
    )


def handler_username(department_code: str) -> str:
    return f"dept-{department_code.lower()}"


SOURCE_WEIGHTS = {"inspector": 50, "hotline": 25, "video": 10, "public": 10, "opinion": 5}
ROADS = [
    "莲湖路",
    "北大街",
    "西大街",
    "劳动路",
    "桃园路",
    "枣园路",
    "丰庆路",
    "大庆路",
    "红光路",
    "环城西路",
    "星火路",
    "青年路",
    "洒金桥",
    "土门街",
    "西华门",
]
REMARKS = ["影响通行", "群众反映强烈", "需尽快处理", "存在安全隐患", "影响市容"]


@dataclass
class SeedReport:
    regions_created: bool = False
    reference: dict[str, int] = field(default_factory=dict)
    users: int = 0
    grid_staff: int = 0
    #: The demo accounts that can sign in with their published password.
    sign_ins: list[DemoAccount] = field(default_factory=list)
    cases: int = 0
    states: dict[str, int] = field(default_factory=dict)
    #: Today's demo patrols (console.services.demo_patrols): the map's field layers.
    patrols: int = 0
    #: The demo census's objects in the component register (console.services.demo_census).
    components: int = 0


#: ``progress(step, done, total)`` of :func:`seed_demo`: a STEP_* name, and for the cases how
#: many are done of how many (0, 0 for a step without a count).
SeedProgress = Callable[[str, int, int], None]
STEP_GEOGRAPHY = "geography"
STEP_REFERENCE = "reference"
STEP_PEOPLE = "people"
STEP_CASES = "cases"
STEP_FINISHING = "finishing"

#: Demo reports younger than this may still wait for registration or dispatch.
RECENT_WAITING = timedelta(hours=8)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def ensure_people(
    session: Session,
    rng: random.Random,
    now: datetime | None = None,
    *,
    passwords: bool = True,
) -> tuple[int, int]:
    """Demo users (one per role, one handler per department) and 一格七员 for every grid.

    Demo users get the published passwords of resources/org/demo_accounts.csv; so does a
    demo account that has no password yet (a demo database made before sign-in existed).
    ``passwords=False`` leaves that to a later :func:`give_demo_passwords` in the same
    transaction (the fast seed hashes meanwhile).
    """
    users = 0
    accounts = demo_accounts()
    if not session.scalar(select(func.count()).select_from(User)):
        region_ids = {code: rid for code, rid in session.execute(select(Region.code, Region.id))}
        for account in accounts:
            if account.username == HANDLER_PATTERN or (
                account.region and account.region not in region_ids
            ):
                continue  # the handlers come per department; a region this district lacks
            names = rng if account.username in FIRST_ACCOUNTS else random.Random(account.username)
            session.add(
                User(
                    username=account.username,
                    display_name=f"{account.label}{person_name(names)}",
                    role=account.role,
                    region_id=region_ids.get(account.region) if account.region else None,
                )
            )
            users += 1
        for dept in session.scalars(select(Department).order_by(Department.id)):
            session.add(
                User(
                    username=handler_username(dept.code),
                    display_name=f"{dept.name}处置员",
                    role="department",
                    department_id=dept.id,
                )
            )
            users += 1
        session.flush()
    if passwords:
        give_demo_passwords(session, now or datetime.now(UTC))
    staff = 0
    if not session.scalar(select(func.count()).select_from(GridStaff)):
        for grid_id in session.scalars(select(Region.id).where(Region.level == "grid")):
            for role in GridStaffRole:
                session.add(
                    GridStaff(
                        grid_id=grid_id,
                        role=role.value,
                        name=person_name(rng),
                        phone=f"139{rng.randrange(10**8):08d}",
                    )
                )
                staff += 1
    session.flush()
    return users, staff


def _accounts_without_password(session: Session) -> list[tuple[User, DemoAccount]]:
    """Each demo user that has no password yet, with its demo account (by name and role)."""
    by_name = {a.username: a for a in demo_accounts()}
    handler = by_name.get(HANDLER_PATTERN)
    found = []
    for user in session.scalars(select(User).where(User.password_hash.is_(None))):
        if user.role == "department" and user.username.startswith("dept-"):
            account = handler
        else:
            account = by_name.get(user.username)
        if account is not None and account.role == user.role:
            found.append((user, account))
    return found


def give_demo_passwords(
    session: Session, now: datetime, hashed: Callable[[str], str] = hash_password
) -> None:
    """Set the published password on each demo account that has none.

    ``hashed(password)`` gives the hash (by default computed here; the fast seed passes hashes
    computed on another thread meanwhile)."""
    # One hash per distinct password, shared by the accounts that use it: argon2 is slow on
    # purpose, and these passwords are public anyway.
    hashes: dict[str, str] = {}
    for user, account in _accounts_without_password(session):
        if account.password not in hashes:
            hashes[account.password] = hashed(account.password)
        user.password_hash = hashes[account.password]
        user.password_changed_at = now
        user.demo_account = True


def demo_sign_ins(session: Session) -> list[DemoAccount]:
    """The demo accounts that still have their published password (the login dialog's hint).

    Empty on a real installation: only the demo seed flags accounts, and changing or
    resetting a password clears the flag.
    """
    rows = session.execute(
        select(User.username, User.role, Department.name)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.demo_account.is_(True), User.active)
    ).all()
    flagged = {(u, r) for u, r, _ in rows}
    shown = []
    for account in demo_accounts():
        if account.username == HANDLER_PATTERN:
            # Every department's handler, named by its department (the seat they would open).
            handlers = sorted((u, d or "") for u, r, d in rows if r == "department")
            shown += [
                DemoAccount(u, account.role, f"{account.label}（{d}）", account.password)
                for u, d in handlers
            ]
        elif (account.username, account.role) in flagged:
            shown.append(account)
    return shown


def random_points_in_grids(
    session: Session, count: int, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random points, each inside a grid picked uniformly (busy and quiet grids alike)."""
    rows = (
        session.execute(select(Region.geometry).where(Region.level == "grid").order_by(Region.id))
        .scalars()
        .all()
    )
    polygons = shapely.from_geojson(list(rows))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(polygons), size=count)
    lons = np.empty(count)
    lats = np.empty(count)
    bounds = shapely.bounds(polygons)
    for idx in np.unique(picks):
        where = np.flatnonzero(picks == idx)
        minx, miny, maxx, maxy = bounds[idx]
        got = 0
        while got < len(where):
            xs = rng.uniform(minx, maxx, 4 * (len(where) - got) + 4)
            ys = rng.uniform(miny, maxy, xs.size)
            # contains_xy is strict: a point on a border could resolve to the neighbour.
            inside = shapely.contains_xy(polygons[idx], xs, ys)
            xs, ys = xs[inside], ys[inside]
            take = min(len(xs), len(where) - got)
            lons[where[got : got + take]] = xs[:take]
            lats[where[got : got + take]] = ys[:take]
            got += take
    return lons, lats


def _actors(session: Session) -> tuple[dict[str, Actor], dict[int, Actor]]:
    by_role: dict[str, Actor] = {}
    by_dept: dict[int, Actor] = {}
    for user in session.scalars(select(User).where(User.active.is_(True))):
        actor = actor_of(user)
        if user.role == "department" and user.department_id is not None:
            by_dept.setdefault(user.department_id, actor)
        else:
            by_role.setdefault(user.role, actor)
    return by_role, by_dept


class _History:
    """Walks one case through the loop at simulated times, stopping at ``now``."""

    def __init__(
        self,
        session: Session,
        workflow: CaseWorkflow,
        rng: random.Random,
        now: datetime,
        by_role: dict[str, Actor],
        by_dept: dict[int, Actor],
        departments: list[int],
    ) -> None:
        self.s, self.wf, self.rng, self.now = session, workflow, rng, now
        self.by_role, self.by_dept, self.departments = by_role, by_dept, departments
        # The demo's street seat and its street's committee, looked up once for every walk.
        self.street_seat = by_role.get("street_duty_officer")
        self.street_committee = (
            session.scalar(
                select(Department.id).where(
                    Department.kind == DepartmentKind.STREET_COMMITTEE.value,
                    Department.street_id == self.street_seat.region_id,
                    Department.active.is_(True),
                )
            )
            if self.street_seat is not None and self.street_seat.region_id is not None
            else None
        )

    def step(
        self,
        case: Case,
        at: datetime,
        action: str,
        note: str | None = None,
        *,
        by: Actor | None = None,
        **params: object,
    ) -> bool:
        if at > self.now:
            return False
        role = self.wf.lifecycle.get(action).roles[0]  # the transition table's usual role
        if by is not None:
            actor = by
        elif role == "department":
            assert case.department_id is not None
            actor = self.by_dept[case.department_id]
        else:
            actor = SYSTEM if role == "system" else self.by_role[role]
        self.wf.apply(self.s, actor, case, action, at, note=note, **params)
        return True

    def minutes(self, lo: float, hi: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(lo, hi))

    def _to_street(self, case: Case) -> int | None:
        """In the demo street seat's street, two cases in five go to the street's committee
        (小事不出网格、大事不出街道), so its seat has work on every path. Its own generator."""
        seat = self.street_seat
        if seat is None or seat.region_id != case.street_id:
            return None
        if random.Random(f"route:{case.number}").random() >= 0.4:
            return None
        return self.street_committee

    def _street_seat(self, case: Case) -> Actor | None:
        """The demo's street seat, when ``case`` went to that street's own committee."""
        seat = self.street_seat
        if (
            seat is None
            or case.street_id != seat.region_id  # a wrong dispatch from another street
            or case.department_id != self.street_committee
        ):
            return None
        return seat

    def _street_path(self, case: Case, t: datetime) -> tuple[datetime, bool] | None:
        """The street tier on a case dispatched to the demo street seat's own committee: some
        are handed up (提级) and re-dispatched by the district, some sent on to a force of the
        street (二级派遣) and settled there. (time, settled in the street), or None when the
        walk reached now. Its own generator: the other cases' walks stay as they were."""
        seat = self._street_seat(case)
        if seat is None:
            return t, False
        rng = random.Random(f"street:{case.number}")

        def later(lo: float, hi: float) -> datetime:
            return t + timedelta(minutes=rng.uniform(lo, hi))

        roll = rng.random()
        if roll < 0.2:  # 提级: beyond the street's powers, the district takes it
            t = later(30, 240)
            if not self.step(case, t, "hand_up", note="涉及主干道设施，超出街道处置能力", by=seat):
                return None
            t = later(10, 90)
            if not self.step(case, t, "approve_hand_up"):
                return None
            t = later(3, 30)
            professional = [d for d in self.departments if d != case.department_id]
            target = professional[rng.randrange(len(professional))]
            if not self.step(case, t, "dispatch", department_id=target):
                return None
            return t, False
        if roll < 0.7:  # 二级派遣: the street's own force settles it
            t = later(5, 60)
            if not self.step(case, t, "accept", by=seat):
                return None
            forces = forces_of(self.s, case)
            force = forces[rng.randrange(len(forces))]
            assert case.deadline_at is not None
            left = (case.deadline_at - t).total_seconds() / 3600
            hours = round(max(0.5, min(8.0, left * 0.6)), 1)
            t = later(5, 30)
            if not self.step(case, t, "sub_dispatch", force=force.key, hours=hours, by=seat):
                return None
            t += timedelta(hours=hours * rng.uniform(0.3, 1.2))
            if not self.step(case, t, "sub_feedback", note=f"{force.label}已处置完毕", by=seat):
                return None
            t = later(10, 90)
            if not self.step(case, t, "feedback", note="街道力量已处置，街道复核属实", by=seat):
                return None
            return t, True
        return t, False

    def run(self, case: Case) -> None:
        rng, t = self.rng, case.reported_at
        roll = rng.random()
        if roll < 0.05 and tier_table().allows(
            "grid_manager", SELF_HANDLE, case.taxonomy, case.kind, case.category_code
        ):  # 小事不出网格: what the grid manager's duties let it settle itself
            t += self.minutes(20, 240)
            # by the case's own grid's manager (self-handling is confined to one's grid): the
            # demo's one grid-manager account stands in for every grid's
            manager = replace(self.by_role["grid_manager"], region_id=case.grid_id)
            if self.step(case, t, "self_handle", note="网格内自行处置完毕", by=manager):
                self.step(case, t + self.minutes(10, 120), "close")
            return
        t += self.minutes(3, 45)
        if roll < 0.10:
            self.step(case, t, "void", note="重复上报或不属于受理范围")
            return
        # Some of the last working day's reports still wait in 待立案 and 待派遣, so every
        # seat opens on a queue with work in it.
        recent = self.now - case.reported_at < RECENT_WAITING
        if recent and rng.random() < 0.3:
            return
        if not self.step(case, t, "register"):
            return
        t += self.minutes(3, 40)
        if recent and rng.random() < 0.4:
            return
        street_committee = self._to_street(case)
        if street_committee is not None:
            dispatched = self.step(case, t, "dispatch", department_id=street_committee)
        else:
            dispatched = self.step(case, t, "dispatch")
        if not dispatched:
            return
        if rng.random() < 0.08:  # a wrong dispatch, returned and re-dispatched
            t += self.minutes(30, 300)
            if not self.step(case, t, "request_return", note="非本部门职责，申请回退"):
                return
            t += self.minutes(5, 60)
            if not self.step(case, t, "approve_return"):
                return
            t += self.minutes(3, 30)
            other = rng.choice([d for d in self.departments if d != case.department_id])
            if not self.step(case, t, "dispatch", department_id=other):
                return
        street = self._street_path(case, t)
        if street is None:
            return  # stopped at now on the street's path
        t, settled = street
        if settled:
            t += self.minutes(5, 120)
            if self.step(case, t, "verify_pass"):
                t += self.minutes(5, 120)
                if self.step(case, t, "close"):
                    self.step(case, t + timedelta(days=3), "archive")
            return
        if rng.random() < 0.03:
            t += self.minutes(60, 600)
            if not self.step(case, t, "suspend", note="涉及规划调整，暂无法处置"):
                return
            t += timedelta(days=rng.uniform(1, 10))
            if not self.step(case, t, "resume"):
                return
        if rng.random() < 0.05:
            t += self.minutes(30, 240)
            if self.step(
                case,
                t,
                "request_extension",
                amount=case.limit_value or 1,
                note="需协调产权单位，申请延期",
            ):
                t += self.minutes(10, 120)
                self.step(case, t, "approve_extension")
        for attempt in range(3):
            assert case.deadline_at is not None and case.dispatched_at is not None
            span = (case.deadline_at - max(t, case.dispatched_at)).total_seconds()
            share = rng.uniform(0.2, 0.95) if rng.random() < 0.82 else rng.uniform(1.05, 2.5)
            t = max(t, case.dispatched_at) + timedelta(seconds=max(span, 3600) * share)
            if not self.step(case, t, "feedback", note="已按要求处置完毕"):
                return
            t += self.minutes(30, 480)
            if attempt < 2 and rng.random() < 0.1:
                if not self.step(case, t, "verify_fail", note="现场核查未整改到位"):
                    return
                continue
            if not self.step(case, t, "verify_pass"):
                return
            break
        t += self.minutes(5, 120)
        if self.step(case, t, "close"):
            self.step(case, t + timedelta(days=3), "archive")


def seed_cases(
    session: Session,
    workflow: CaseWorkflow,
    *,
    cases: int,
    days: float,
    seed: int,
    now: datetime,
    progress: SeedProgress | None = None,
) -> int:
    """Report ``cases`` demo cases over the last ``days`` and walk each through the loop."""
    rng = random.Random(seed)
    by_role, by_dept = _actors(session)
    departments = sorted(by_dept)
    # Each case is reported in the taxonomy in force on its day (2026 codes from 2026-07-01).
    by_taxonomy: dict[str, list[Any]] = {}
    for row in session.execute(
        select(
            Category.taxonomy, Category.code, Category.name, Category.kind, Category.major_name
        ).order_by(Category.id)
    ):
        by_taxonomy.setdefault(row.taxonomy, []).append(row[1:])
    lons, lats = random_points_in_grids(session, cases, seed=seed)
    history = _History(session, workflow, rng, now, by_role, by_dept, departments)
    objects = CaseObjects(session, seed=seed, cases=cases)  # which 部件 reports name an object
    reporter_for = {
        "inspector": by_role.get("inspector"),
        "hotline": by_role.get("intake"),
        "video": by_role.get("intake"),
        "public": by_role.get("intake"),
        "opinion": by_role.get("intake"),
    }
    sources = list(SOURCE_WEIGHTS)
    weights = list(SOURCE_WEIGHTS.values())
    starts = sorted(now - timedelta(days=rng.uniform(0, days)) for _ in range(cases))
    # Reference lookups need no pending rows: skip the autoflush before every query, and
    # flush in batches instead (reserve() flushes the counter rows it creates itself).
    with session.no_autoflush:
        for i, reported_at in enumerate(starts):
            taxonomy = workflow.taxonomies.taxonomy_on(reported_at)
            code, name, kind, major = rng.choice(by_taxonomy[taxonomy])
            source = rng.choices(sources, weights)[0]
            actor = reporter_for[source]
            assert actor is not None
            report = ReportInput(
                category_code=code,
                kind=kind,
                taxonomy=taxonomy,
                lon=float(lons[i]),
                lat=float(lats[i]),
                description=f"{major}：{name}，{rng.choice(REMARKS)}",
                address=f"{rng.choice(ROADS)}{rng.randrange(1, 300)}号附近",
                source=source,
                reported_at=reported_at,
            )
            history.run(workflow.report(session, actor, objects.about(report), reported_at))
            if i % 200 == 199:
                session.flush()
            if progress is not None and i % 50 == 49:
                progress(STEP_CASES, i + 1, cases)
    return len(starts)


def seed_demo(
    db: Database,
    workflow: CaseWorkflow,
    *,
    cases: int = 2000,
    days: float = 30,
    seed: int = 7,
    now: datetime,
    progress: SeedProgress | None = None,
    fast: bool = True,
    components: int | None = None,
) -> SeedReport:
    """The whole demo: idempotent for geography, reference data and people; adds cases, and
    today's two patrols when there are none (the map's field layers).

    ``progress(step, done, total)`` hears each step (STEP_*) as it starts and the cases as
    they go (any thread may call this; it must not touch widgets). ``fast=False`` is the
    per-call path the benchmark measures beside it: every lookup and case number a query of
    its own, the passwords hashed before the cases. Both write the same data. ``components``:
    about how many objects the demo census has (None: the full census, 0: none).
    """
    tell = progress or (lambda step, done, total: None)
    report = SeedReport()
    tell(STEP_GEOGRAPHY, 0, 0)
    with db.session() as s:
        report.regions_created = geography.ensure_demo_district(s, seed=seed)
    if not fast:
        return _seed_per_call(db, workflow, report, cases, days, seed, now, tell, components)
    with db.session() as s, ThreadPoolExecutor(1, thread_name_prefix="demo-hash") as pool:
        tell(STEP_REFERENCE, 0, 0)
        report.reference = reference_data.load_reference_data(s)
        tell(STEP_PEOPLE, 0, 0)
        report.users, report.grid_staff = ensure_people(
            s, random.Random(seed), now, passwords=False
        )
        # argon2 is slow on purpose (~0.2 s a password) and releases the GIL: hash while the
        # cases are walked, and give the passwords in the same transaction at the end.
        wanted = {a.password for _, a in _accounts_without_password(s)}
        hashes: dict[str, Future[str]] = {p: pool.submit(hash_password, p) for p in wanted}
        handover.ensure_demo_roster(s, now)
        mark_bulk_seed(s)
        report.components = seed_census(s, seed=seed, now=now, components=components)
        if cases:
            tell(STEP_CASES, 0, cases)
            report.cases = _seed_all_cases(s, workflow, cases, days, seed, now, tell)
        tell(STEP_FINISHING, 0, 0)
        give_demo_passwords(s, now, lambda password: hashes[password].result())
        s.flush()
        report.sign_ins = demo_sign_ins(s)
    report.patrols = seed_patrols(db, now, seed)
    return _with_states(db, report)


def _seed_per_call(
    db: Database,
    workflow: CaseWorkflow,
    report: SeedReport,
    cases: int,
    days: float,
    seed: int,
    now: datetime,
    tell: SeedProgress,
    components: int | None = None,
) -> SeedReport:
    """The seed as it ran before the bulk-seed session: the benchmark's baseline."""
    with db.session() as s:
        tell(STEP_REFERENCE, 0, 0)
        report.reference = reference_data.load_reference_data(s)
        tell(STEP_PEOPLE, 0, 0)
        report.users, report.grid_staff = ensure_people(s, random.Random(seed), now)
        report.sign_ins = demo_sign_ins(s)
        handover.ensure_demo_roster(s, now)
        report.components = seed_census(s, seed=seed, now=now, components=components)
    if cases:
        with db.session() as s:
            tell(STEP_CASES, 0, cases)
            report.cases = _seed_all_cases(s, workflow, cases, days, seed, now, tell)
    tell(STEP_FINISHING, 0, 0)
    report.patrols = seed_patrols(db, now, seed)
    return _with_states(db, report)


def _seed_all_cases(
    session: Session,
    workflow: CaseWorkflow,
    cases: int,
    days: float,
    seed: int,
    now: datetime,
    tell: SeedProgress,
) -> int:
    """The random history, then the street showcase (demo_street_paths: a case on every
    street-tier path just before now), counted among the ``cases`` asked for."""
    shown = showcase_size(session, cases)
    walked = seed_cases(
        session,
        workflow,
        cases=cases - shown,
        days=days,
        seed=seed,
        now=now,
        progress=lambda step, done, _total: tell(step, done, cases),
    )
    if shown:
        walked += seed_street_paths(session, workflow, now=now, seed=seed)
    tell(STEP_CASES, walked, cases)
    return walked


def _with_states(db: Database, report: SeedReport) -> SeedReport:
    with db.read() as s:
        report.states = dict(s.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    return report
