"""`grid-console seed-demo` and the first-run seeding of `grid-console gui`, through cli.main on
real SQLite files."""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.cli import main
from console.db import Database
from console.domain.lifecycle import default_lifecycle
from console.domain.traffic_light import Light
from console.models import (
    Case,
    CaseEvent,
    Category,
    Component,
    DeadlineRule,
    Department,
    GridStaff,
    GridStaffRole,
    Region,
    User,
)
from console.services.cases.dto import light_of
from console.services.components.repeats import NOT_A_FAULT, repeat_offenders
from console.services.demo import HANDLER_PATTERN, demo_accounts
from console.services.demo_census import census_classes
from console.services.reference.data import read_roles
from console.services.taxonomy_schedule import read_schedule
from tests.commands.expected import assert_histories

DEMO_REGIONS = {"district": 1, "street": 9, "area": 41, "unit": 134, "grid": 364}
# 9 street committees, 22 professional departments and the functional ones of the five
# functions (resources/org/departments.csv, issue 16 §3).
DEMO_DEPARTMENTS = {"street_committee": 9, "professional": 22, "functional": 28}


@dataclass
class Seeded:
    url: str
    before: datetime
    after: datetime
    out: str


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """One database seeded by `seed-demo --cases 300 --days 20 --seed 3` (read-only below)."""
    url = sqlite_url(tmp_path_factory.mktemp("seed") / "demo.sqlite3")
    before = datetime.now(UTC)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["--db", url, "seed-demo", "--cases", "300", "--days", "20", "--seed", "3"])
    after = datetime.now(UTC)
    assert code == 0
    return Seeded(url, before, after, buffer.getvalue())


@pytest.fixture
def seeded_db(seeded: Seeded) -> Iterator[Database]:
    database = Database(seeded.url)
    yield database
    database.dispose()


def test_prints_what_it_made(seeded: Seeded) -> None:
    out = seeded.out
    assert "演示地域 demo geography: 已生成 generated" in out
    assert f"departments {sum(DEMO_DEPARTMENTS.values())}" in out
    assert "一格七员 grid staff: 2548" in out  # 364 grids × 7
    assert "新增案件 cases added: 300" in out


def test_the_full_census_and_its_repeat_offenders(seeded: Seeded, seeded_db: Database) -> None:
    """The default seed's component census (console.services.demo_census): at least 100,000
    demo objects of every class of resources/components/demo_census.csv; and objects named by
    3 or more of the cases, listed as repeat offenders with their counts."""
    with seeded_db.read() as s:
        per_class = {
            code: n
            for code, n in s.execute(
                select(Component.category_code, func.count())
                .where(Component.is_demo.is_(True))
                .group_by(Component.category_code)
            )
        }
        named = s.execute(
            select(Case.component_id, Case.state).where(Case.component_id.is_not(None))
        ).all()
        offenders = repeat_offenders(s, seeded.after)
    total = sum(per_class.values())
    assert total >= 100_000
    assert f"演示部件 demo census components: {total:,}" in seeded.out
    assert set(per_class) == {c.code for c in census_classes()}
    counted = Counter(c.component_id for c in named if c.state not in NOT_A_FAULT)
    assert offenders  # 300 cases: a pool of a few objects draws several cases each
    assert {o.component_id: o.cases for o in offenders} == {
        k: n for k, n in counted.items() if n >= 3
    }


def test_prints_the_demo_sign_ins_that_work(seeded: Seeded, seeded_db: Database) -> None:
    from console.services.auth import sign_in

    table = seeded.out[seeded.out.index("演示账户") :]
    printed = dict(re.findall(r"^  ([a-z_0-9]+(?:-[a-z0-9]+)?)(?: …)?\s+(\S+)\s", table, re.M))
    center = {a.username: a.password for a in demo_accounts() if a.username != HANDLER_PATTERN}
    assert center.items() <= printed.items()
    handler = next(name for name in printed if name.startswith("dept-"))
    now = datetime.now(UTC)
    for username in ("dispatcher", "wall", handler):
        actor = sign_in(seeded_db, username, printed[username], now)
        assert actor.id is not None
    assert sign_in(seeded_db, "admin", printed["admin"], now).role == "admin"


def test_geography_and_departments(seeded_db: Database) -> None:
    with seeded_db.read() as s:
        levels = Counter(s.scalars(select(Region.level)))
        kinds = Counter(s.scalars(select(Department.kind)))
        streets = s.scalars(select(Region.code).where(Region.level == "street")).all()
    assert dict(levels) == DEMO_REGIONS
    assert dict(kinds) == DEMO_DEPARTMENTS
    assert sum(kinds.values()) == 59
    assert all(re.fullmatch(r"610104\d{3}", code) for code in streets)


def test_seven_grid_staff_per_grid(seeded_db: Database) -> None:
    with seeded_db.read() as s:
        grid_ids = set(s.scalars(select(Region.id).where(Region.level == "grid")))
        staff = s.execute(select(GridStaff.grid_id, GridStaff.role)).all()
    roles_per_grid: dict[int, list[str]] = {}
    for grid_id, role in staff:
        roles_per_grid.setdefault(grid_id, []).append(role)
    assert set(roles_per_grid) == grid_ids
    every_role = sorted(r.value for r in GridStaffRole)
    assert len(every_role) == 7
    assert all(sorted(roles) == every_role for roles in roles_per_grid.values())


def test_the_command_center_roles_and_the_night_shift(seeded_db: Database) -> None:
    with seeded_db.read() as s:
        users = s.execute(select(User.username, User.role, User.department_id)).all()
        department_ids = set(s.scalars(select(Department.id)))
    center = Counter(u.role for u in users if u.role != "department")
    # Every role of resources/org/roles.csv that a person holds at the center (not handlers,
    # not the system itself) has one demo user; the two duty roles a second, for the night.
    center_roles = {r.code for r in read_roles()} - {"department", "system"}
    assert center_roles == {a.role for a in demo_accounts() if a.username != HANDLER_PATTERN}
    expected = dict.fromkeys(center_roles, 1) | {"duty_chief": 2, "dispatcher": 2}
    assert center == expected
    assert all(u.username.rstrip("2") == u.role for u in users if u.role != "department")
    handlers = [u for u in users if u.role == "department"]
    assert {u.department_id for u in handlers} == department_ids
    assert len(handlers) == len(department_ids)


def test_three_hundred_cases_with_legal_histories(seeded_db: Database) -> None:
    with seeded_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 300
        grouped = assert_histories(s, default_lifecycle())
    assert len(grouped) == 300
    assert sum(len(events) for events in grouped.values()) > 300 * 3  # cases were walked


def test_reported_within_the_last_twenty_days(seeded: Seeded, seeded_db: Database) -> None:
    with seeded_db.read() as s:
        reported = s.scalars(select(Case.reported_at)).all()
        numbers = s.scalars(select(Case.number)).all()
    assert all(r.tzinfo is not None for r in reported)
    assert min(reported) >= seeded.before - timedelta(days=20)
    assert max(reported) <= seeded.after
    # spread over the window, not bunched up at one end
    assert max(reported) - min(reported) > timedelta(days=15)
    assert len(set(numbers)) == 300


def test_a_realistic_mix(seeded: Seeded, seeded_db: Database) -> None:
    with seeded_db.read() as s:
        cases = s.scalars(select(Case)).all()
        states = Counter(c.state for c in cases)
        finished = states["closed"] + states["archived"]
        assert finished > 100  # most of 20 days' work is done
        assert states["archived"] > 0 and states["closed"] > 0
        assert states["voided"] > 0
        dispatched = [c for c in cases if c.state == "dispatched"]
        assert len(dispatched) >= 5
        assert all(c.deadline_at is not None and c.department_id is not None for c in dispatched)
        # Some ran late: fed back after the deadline, or still with the department past it.
        # (Whether any is red right now depends on the calendar: just after a long holiday
        # such as the Spring Festival nothing dispatched may be overdue yet.)
        late = [
            c
            for c in cases
            if c.deadline_at is not None
            and (
                (c.handled_at is not None and c.handled_at > c.deadline_at)
                or (c.state == "dispatched" and c.deadline_at < seeded.before)
            )
        ]
        assert len(late) >= 10
        red = [c for c in dispatched if c.deadline_at < seeded.before]
        assert all(light_of(c, seeded.after) == Light.RED for c in red)
        assert len(red) < len(dispatched)
        on_time = [
            c
            for c in cases
            if c.handled_at is not None
            and c.deadline_at is not None
            and c.handled_at <= c.deadline_at
        ]
        assert len(on_time) > len(late)
        assert sum(c.rework_count > 0 for c in cases) >= 3
        assert sum(c.return_count > 0 for c in cases) >= 3
        assert {c.source for c in cases} >= {"inspector", "hotline"}


def test_seeding_twice_adds_cases_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path / "twice.sqlite3")
    assert main(["--db", url, "seed-demo", "--cases", "30", "--days", "5", "--seed", "3"]) == 0
    capsys.readouterr()
    db = Database(url)
    try:
        models = (Region, Department, User, GridStaff, Category, DeadlineRule, Component)
        first = {m.__name__: count(db, m) for m in models}
        assert count(db, Case) == 30
        with db.read() as s:
            codes_first = set(s.scalars(select(Region.code)))
        assert main(["--db", url, "seed-demo", "--cases", "20", "--days", "5", "--seed", "4"]) == 0
        out = capsys.readouterr().out
        assert "已存在 already present" in out
        assert "参考数据" not in out and "演示用户" not in out and "一格七员" not in out
        assert {m.__name__: count(db, m) for m in models} == first
        assert count(db, Case) == 50
        with db.read() as s:
            assert set(s.scalars(select(Region.code))) == codes_first
            numbers = s.scalars(select(Case.number)).all()
            reports = s.scalar(
                select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "report")
            )
        assert len(set(numbers)) == 50
        assert reports == 50
    finally:
        db.dispose()


def test_same_seed_same_geography(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def geography(name: str, seed: str) -> list[tuple[str, str, str, str | None]]:
        url = sqlite_url(tmp_path / name)
        args = ["seed-demo", "--cases", "0", "--seed", seed, "--components", "0"]
        assert main(["--db", url, *args]) == 0
        db = Database(url)
        try:
            assert count(db, Component) == 0  # --components 0: no census
            with db.read() as s:
                parent = Region.__table__.alias("parent")
                rows = s.execute(
                    select(Region.code, Region.level, Region.geometry, parent.c.code)
                    .outerjoin(parent, parent.c.id == Region.parent_id)
                    .order_by(Region.code)
                ).all()
                assert s.scalar(select(func.count()).select_from(Case)) == 0
        finally:
            db.dispose()
        return [tuple(r) for r in rows]

    one = geography("a.sqlite3", "3")
    two = geography("b.sqlite3", "3")
    assert len(one) == sum(DEMO_REGIONS.values())
    assert one == two
    capsys.readouterr()


def parse_counts(out: str) -> dict[str, int]:
    """``label key: N`` lines of the printed stats, by key."""
    return {m[1]: int(m[2]) for m in re.finditer(r"^\s+(?:\S+ )?(\w+): (\d+)$", out, re.M)}


def test_each_case_uses_the_taxonomy_in_force_on_its_day(seeded_db: Database) -> None:
    schedule = read_schedule()
    with seeded_db.read() as s:
        rows = s.execute(
            select(Case.reported_at, Case.taxonomy, Case.category_code, Case.original_category_code)
        ).all()
    assert len(rows) == 300
    assert all(taxonomy == schedule.taxonomy_on(at) for at, taxonomy, _, _ in rows)
    assert all(original is None for *_, original in rows)  # reported in the current codes
    assert len({code for _, _, code, _ in rows}) > 50  # spread over the catalogue


def test_the_street_seat_finds_cases_on_its_paths(seeded_db: Database) -> None:
    """The demo walks some of the street seat's committee cases through 二级派遣 and some
    through 提级 (issue 16), in its own street, in the order the loop allows."""
    with seeded_db.read() as s:
        street = s.scalar(select(Region.id).where(Region.code == "610104001"))
        rows = s.execute(
            select(CaseEvent.case_id, CaseEvent.action, Case.street_id)
            .join(Case, Case.id == CaseEvent.case_id)
            .order_by(CaseEvent.id)
        ).all()
    by_case: dict[int, list[str]] = {}
    for case_id, action, street_id in rows:
        by_case.setdefault(case_id, []).append(action)
        if action in ("sub_dispatch", "hand_up"):
            assert street_id == street
    sent_on = [a for a in by_case.values() if "sub_dispatch" in a]
    handed_up = [a for a in by_case.values() if "hand_up" in a]
    assert sent_on and handed_up
    for actions in sent_on:
        i = actions.index("sub_dispatch")
        assert actions[i - 1] == "accept"
        if len(actions) > i + 2:  # walked on past now's edge
            assert actions[i + 1 : i + 3] == ["sub_feedback", "feedback"]
    for actions in handed_up:
        i = actions.index("hand_up")
        if len(actions) > i + 2:
            assert actions[i + 1 : i + 3] == ["approve_hand_up", "dispatch"]


def test_the_showcase_leaves_work_on_every_street_path(seeded: Seeded, seeded_db: Database) -> None:
    """A new user finds each street-tier path in the demo street (青年路) at seed time
    (console.services.demo_street_paths): a closed self-handle by each grid staff role whose
    duties list any, the 网格督导员's and 城市监督员's reports on the street's paths, hand-ups
    waiting for the dispatcher, open sub-tasks (one to the unit head's unit, one past its limit,
    which the street's 二级派遣超时 alert picks up)."""
    from console.models import SubTask
    from console.services import sub_task_alerts

    with seeded_db.read() as s:
        street = s.scalar(select(Region.id).where(Region.code == "610104001"))
        unit = s.scalar(select(User.region_id).where(User.username == "unit_head"))
        events = s.execute(
            select(CaseEvent.action, CaseEvent.actor_role, Case.state, Case.street_id)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(CaseEvent.action.in_(("report", "self_handle")))
        ).all()
        handed_up = s.scalars(select(Case.street_id).where(Case.state == "hand_up_requested")).all()
        open_tasks = s.execute(
            select(SubTask.target_kind, SubTask.target_id, SubTask.deadline_at, Case.street_id)
            .join(Case, Case.id == SubTask.case_id)
            .where(SubTask.done_at.is_(None), Case.state == "dispatched")
        ).all()
        overdue_alerts = sub_task_alerts.overdue(s, seeded.after)
    self_handled = {
        role for action, role, state, where in events
        if action == "self_handle" and state == "closed" and where == street
    }  # fmt: skip
    assert self_handled >= {
        "enforcement_officer", "sanitation_worker", "frontage_inspector", "property_manager"
    }  # fmt: skip
    reporters = {
        role for action, role, _, where in events if action == "report" and where == street
    }
    assert reporters >= {"grid_supervisor", "city_inspector"}
    assert len([s for s in handed_up if s == street]) >= 2
    in_street = [t for t in open_tasks if t.street_id == street]
    assert len(in_street) >= 3
    assert any(t.target_kind == "unit" and t.target_id == unit for t in in_street)
    assert any(t.deadline_at < seeded.before for t in in_street)
    assert any(a.values["due_at"] < seeded.before for a in overdue_alerts)
