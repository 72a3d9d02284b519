"""A street seat (街道值班员, 街道领导) and a unit head (单元长) see their region only, in the
services: queues, one case, the map, the dashboard, alerts, exports, tasks (issue 16 §1)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError, PermissionDeniedError, ValidationError
from console.gateway.settings import load_task_scopes
from console.models import Case, Region, User
from console.services import queue
from console.services.actors import Actor, actor_of
from console.services.case_scope import DISTRICT, CaseScope, case_scope
from console.services.cases.service import CaseService
from console.services.field_tasks import list_tasks, load_task
from console.services.reference.files import read_grid_staff_roles
from console.services.supervision import scan
from console.services.user_admin import UserAdminDesk
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    report_input,
    street_points,
)

SYSTEM_ADMIN = Actor(None, "测试", "system")


def _user(db: Database, username: str) -> Actor:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return actor_of(user)


@pytest.fixture
def two_streets(demo_db: Database, clock: Clock) -> dict[str, list[int]]:
    """Cases in the street seat's street (青年路, the demo's first) and in a second street:
    reported, registered and dispatched in each."""
    (street_a, _, p1), (_, _, p2) = street_points(demo_db)
    with demo_db.read() as s:
        assert s.get(Region, street_a).code == "610104001"  # the demo street seats' street
    service = CaseService(demo_db, clock=clock)
    made: dict[str, list[int]] = {"a": [], "b": []}
    for key, point in (("a", p1), ("b", p2)):
        for step in range(3):
            clock.advance(minutes=1)
            snap = service.report(INTAKE, report_input(point, description=f"{key} 第{step}件"))
            if step >= 1:
                snap = service.register(CHIEF, snap.id, snap.version)
            if step >= 2:
                snap = service.dispatch(DISPATCHER, snap.id, snap.version)
            made[key].append(snap.id)
    return made


def test_the_role_file_gives_the_street_tier_its_levels() -> None:
    assert case_scope(Actor(1, "x", "street_duty_officer", region_id=7)) == CaseScope("street", 7)
    assert case_scope(Actor(1, "x", "street_leader", region_id=7)) == CaseScope("street", 7)
    assert case_scope(Actor(1, "x", "unit_head", region_id=9)) == CaseScope("unit", 9)
    assert case_scope(Actor(1, "x", "dispatcher", region_id=7)) == DISTRICT
    # A street role whose account lost its region sees nothing rather than everything.
    assert CaseScope("street", None).holds(1, 1) is False
    # An unknown role is confined too, never widened to the district.
    assert case_scope(Actor(1, "x", "no_such_role")).confined


def test_the_demo_street_seats_carry_their_region(demo_db: Database) -> None:
    with demo_db.read() as s:
        rows = s.execute(
            select(User.username, User.role, Region.code, Region.level).join(
                Region, Region.id == User.region_id
            )
        ).all()
    grid_staff = {r.code for r in read_grid_staff_roles()}
    assert sorted(r for r in rows if r.role not in grid_staff) == [
        ("street_duty_officer", "street_duty_officer", "610104001", "street"),
        ("street_leader", "street_leader", "610104001", "street"),
        ("unit_head", "unit_head", "610104001001", "unit"),
    ]
    # 一格七员: every grid staff account has its grid (the demo unit's first)
    assert sorted((r.role, r.code, r.level) for r in rows if r.role in grid_staff) == [
        (role, "610104001001001", "grid") for role in sorted(grid_staff)
    ]


def test_a_street_seat_queue_holds_its_street_only(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    seat = Workbench(demo_db, actor=_user(demo_db, "street_duty_officer"), clock=clock)
    district = Workbench(demo_db, username="dispatcher", clock=clock)
    everything = queue.QueueFilter(tab="all_open")
    rows = seat.queue_page(everything, 0, 100)
    assert sorted(r.id for r in rows) == sorted(two_streets["a"])
    assert seat.queue_count(everything) == 3
    assert district.queue_count(everything) == 6
    # A view cannot widen it: a filter's scope is replaced, another street is refused.
    assert seat.queue_count(queue.QueueFilter(tab="all_open", scope=DISTRICT)) == 3
    (_, _, _), (street_b, _, _) = street_points(demo_db)
    with pytest.raises(PermissionDeniedError):
        seat.queue_count(queue.QueueFilter(tab="all_open", street_id=street_b))
    # Rows by id, and a change batch, leave the other street's cases out.
    assert [r.id for r in seat.queue_rows(two_streets["b"] + two_streets["a"][:1])] == [
        two_streets["a"][0]
    ]
    inside, changed, _total = seat.queue_changes(
        everything, two_streets["a"] + two_streets["b"], set()
    )
    assert inside == set(two_streets["a"])
    assert {r.id for r in changed} == set(two_streets["a"])
    # The street filter offers its own street only.
    assert [c[0] for c in seat.filter_choices().streets] == [street_points(demo_db)[0][0]]


def test_another_streets_case_does_not_exist_for_a_street_seat(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    seat = Workbench(demo_db, actor=_user(demo_db, "street_leader"), clock=clock)
    own, other = two_streets["a"][2], two_streets["b"][2]
    assert seat.detail(own).snapshot.id == own
    for call in (seat.detail, seat.case_photos, seat.possible_duplicates):
        with pytest.raises(CaseNotFoundError):
            call(other)
    with pytest.raises(CaseNotFoundError):
        seat.dispatch_proposals([own, other])


def test_a_unit_head_sees_the_unit_only(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    actor = _user(demo_db, "unit_head")
    seat = Workbench(demo_db, actor=actor, clock=clock)
    with demo_db.read() as s:
        in_unit = set(s.scalars(select(Case.id).where(Case.unit_id == actor.region_id)))
    rows = seat.queue_page(queue.QueueFilter(tab="all_open"), 0, 100)
    assert {r.id for r in rows} == in_unit
    assert in_unit <= set(two_streets["a"])  # the unit lies in the seat's street, or is empty


def test_the_map_of_a_street_seat_is_its_street(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    seat = Workbench(demo_db, actor=_user(demo_db, "street_duty_officer"), clock=clock)
    grids = seat.map_grids()["features"]
    with demo_db.read() as s:
        street_id = s.scalar(select(Region.id).where(Region.code == "610104001"))
        codes = set(s.scalars(select(Region.code).where(Region.level == "grid")))
    assert grids and all(g["properties"]["street"] == "青年路街道" for g in grids)
    assert {g["properties"]["code"] for g in grids} == {c for c in codes if c[:9] == "610104001"}
    markers, counts = seat.map_markers()
    assert {m[0] for m in _json(markers)} == set(two_streets["a"])
    assert sum(counts.values()) == 3
    with demo_db.read() as s:
        assert {s.get(Case, i).street_id for i in two_streets["a"]} == {street_id}
    batch = seat.live_batch(None, two_streets["a"] + two_streets["b"], set())
    assert {m[0] for m in _json(batch.markers_json)} == set(two_streets["a"])
    assert set(batch.removed) == set(two_streets["b"])  # never shown: nothing to draw
    assert sum(seat.light_counts().values()) == 3
    with pytest.raises(PermissionDeniedError):  # people's tracks are not confined yet
        seat.patrol_layers()


def _json(text: str) -> list[list[object]]:
    import json

    return json.loads(text)


def test_the_dashboard_of_a_street_seat_counts_its_street(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    seat = Workbench(demo_db, actor=_user(demo_db, "street_leader"), clock=clock)
    district = Workbench(demo_db, username="leader", clock=clock)
    mine, whole = seat.dashboard_numbers(), district.dashboard_numbers()
    assert [name for _, name, _ in mine.open_by_street] == ["青年路街道"]
    assert mine.open_by_street[0][2] == 3
    assert mine.reported_today == 3 and whole.reported_today == 6
    assert sum(mine.open_by_light.values()) == 3
    assert len(whole.open_by_street) == 9


def test_alerts_follow_the_street(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    # The supervision scan raises the dispatched cases' alerts once they run late.
    clock.advance(days=10)
    with demo_db.session() as s:
        scan(s, clock(), WorkCalendar())
    seat = Workbench(demo_db, actor=_user(demo_db, "street_duty_officer"), clock=clock)
    district = Workbench(demo_db, username="dispatcher", clock=clock)
    mine, whole = seat.alerts_for_panel(), district.alerts_for_panel()
    assert mine.records and {a.case_id for a in mine.records} == {two_streets["a"][2]}
    assert {a.case_id for a in whole.records} == {two_streets["a"][2], two_streets["b"][2]}
    assert 0 < mine.unacknowledged < whole.unacknowledged
    other = next(a for a in whole.records if a.case_id == two_streets["b"][2])
    with pytest.raises((CaseNotFoundError, PermissionDeniedError, ValidationError)):
        seat.acknowledge_alert(other.id)
    assert seat.acknowledge_alert(mine.records[0].id).acknowledged_by_name


def test_exports_of_a_street_seat_hold_its_street(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]], tmp_path: Path
) -> None:
    seat = Workbench(demo_db, actor=_user(demo_db, "street_duty_officer"), clock=clock)
    by_filter = tmp_path / "queue.csv"
    seat.export_cases(by_filter, filter=queue.QueueFilter(tab="all_open"))
    chosen = tmp_path / "chosen.csv"
    seat.export_cases(chosen, case_ids=two_streets["a"][:1] + two_streets["b"])
    with demo_db.read() as s:
        numbers = {
            key: set(s.scalars(select(Case.number).where(Case.id.in_(ids))))
            for key, ids in two_streets.items()
        }
    assert _numbers(by_filter) == numbers["a"]
    assert _numbers(chosen) <= numbers["a"] and len(_numbers(chosen)) == 1


def _numbers(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return {cell for row in rows[1:] for cell in row if cell[:1] in "CE" and cell[1:].isdigit()}


def test_field_tasks_of_a_street_seat_are_its_street(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    actor = _user(demo_db, "street_duty_officer")
    scopes = load_task_scopes()
    with demo_db.read() as s:
        tasks = list_tasks(s, scopes, actor, clock(), 100)
        assert [t.id for t in tasks] == [two_streets["a"][2]]  # the dispatched one
        task, _detail = load_task(s, scopes, actor, two_streets["a"][2], clock(), WorkCalendar())
        assert task.id == two_streets["a"][2]
        with pytest.raises(CaseNotFoundError):
            load_task(s, scopes, actor, two_streets["b"][2], clock(), WorkCalendar())


def test_an_account_of_the_street_tier_needs_a_region_of_its_level(
    demo_db: Database, clock: Clock
) -> None:
    desk = UserAdminDesk(demo_db, SYSTEM_ADMIN, clock)
    with demo_db.read() as s:
        street = s.scalar(select(Region.id).where(Region.code == "610104002"))
        unit = s.scalar(select(Region.id).where(Region.level == "unit").limit(1))
    with pytest.raises(ValidationError, match="须指定所属街道"):
        desk.create_user("jd2", "北院门值班", "street_duty_officer", "Strong-pass-2026!")
    with pytest.raises(ValidationError, match="须为一个街道"):
        desk.create_user(
            "jd2", "北院门值班", "street_duty_officer", "Strong-pass-2026!", region_id=unit
        )
    made = desk.create_user(
        "jd2", "北院门值班", "street_duty_officer", "Strong-pass-2026!", region_id=street
    )
    assert made.role == "street_duty_officer"
    with pytest.raises(ValidationError, match="须为一个单元"):
        desk.change_role("jd2", "unit_head", region_id=street)
    desk.change_role("jd2", "unit_head", region_id=unit)
    desk.change_role("jd2", "dispatcher")
    with demo_db.read() as s:
        # A district role keeps no region; nothing half-written by the refusals above.
        assert s.scalar(select(User.region_id).where(User.username == "jd2")) is None
        assert s.scalar(select(func.count()).select_from(User).where(User.username == "jd2")) == 1


def test_a_seat_whose_region_was_changed_must_sign_in_again(
    demo_db: Database, clock: Clock
) -> None:
    seat = Workbench(demo_db, actor=_user(demo_db, "street_leader"), clock=clock)
    with demo_db.read() as s:
        other = s.scalar(select(Region.id).where(Region.code == "610104002"))
    UserAdminDesk(demo_db, SYSTEM_ADMIN, clock).change_role(
        "street_leader", "street_leader", region_id=other
    )
    with demo_db.read() as s:
        case_id = s.scalar(select(Case.id).limit(1))
    # Its next write is refused before anything is done: the seat was opened for a street
    # the account no longer has.
    with pytest.raises(PermissionDeniedError, match="重新登录"):
        seat.act("register", case_id or 1, None)


def test_a_street_seat_hears_of_its_street_only(
    demo_db: Database, clock: Clock, two_streets: dict[str, list[int]]
) -> None:
    seat = Workbench(demo_db, actor=_user(demo_db, "street_duty_officer"), clock=clock)
    district = Workbench(demo_db, username="dispatcher", clock=clock)
    service = CaseService(demo_db, clock=clock)
    for case_id in (two_streets["a"][1], two_streets["b"][1]):
        with demo_db.read() as s:
            version = s.get(Case, case_id).version
        service.dispatch(DISPATCHER, case_id, version)
    assert {c.case_id for c in seat.poll_changes()} == {two_streets["a"][1]}
    assert {c.case_id for c in district.poll_changes()} == {
        two_streets["a"][1],
        two_streets["b"][1],
    }
    assert seat.poll_changes() == []  # delivered once; the other street's never
