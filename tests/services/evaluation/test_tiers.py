"""The tier figures (小事不出网格率, 大事不出街道率, 街道处置时长): resources/evaluation/tiers.csv.

Cases on every path built through the real services on a real SQLite file, in two streets of the
demo district, and each figure checked against numbers worked out here by hand. 提级 (hand_up)
goes through the lifecycle: only a hand-up the district approved (approve_hand_up) makes a
district case; one it refused (refuse_hand_up) is settled where it really is, by the street.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.lifecycle import default_lifecycle
from console.errors import PermissionDeniedError, ValidationError
from console.models import Case, Department, Region, User
from console.services.actors import Actor, actor_of
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.evaluation.config import EvaluationConfig, load_tier_figures
from console.services.evaluation.report import (
    EvaluationReport,
    case_ids_for,
    evaluate,
    month_period,
)
from console.services.evaluation.tiers import tier_rates
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    GRID,
    INSPECTOR,
    Point,
    handler,
    local,
    own_grid,
    report_input,
    street_points,
)

START, END = month_period("2026-11")
TIER_KEYS = (
    "closed",
    "handed_up",
    "settled_in_grid",
    "settled_in_street",
    "kept_in_street",
    "settled_in_district",
    "grid_settle_rate",
    "street_settle_rate",
    "avg_street_handle_hours",
)


@dataclass
class Paths:
    street1: int
    grid1: int
    street2: int
    grid2: int
    ids: dict[str, int]


def street_committee(db: Database, street_id: int) -> int:
    with db.read() as s:
        found = s.scalar(
            select(Department.id).where(
                Department.kind == "street_committee", Department.street_id == street_id
            )
        )
    assert found is not None
    return found


def hand_up(db: Database, service: CaseService, case: CaseSnapshot, approve: bool) -> CaseSnapshot:
    """提级 asked by the street's duty officer, then approved by the district's dispatcher
    (back to 待派遣, dispatched anew: a district case) or refused (back to the street committee,
    which settles it: a street case, the hand-up counts nothing)."""
    with db.read() as s:
        officer = s.scalar(select(User).where(User.role == "street_duty_officer").limit(1))
        assert officer is not None
        seat = actor_of(officer)
    case = service.act(seat, case.id, "hand_up", case.version, note="超出街道职权，申请提级")
    if not approve:
        return service.act(DISPATCHER, case.id, "refuse_hand_up", case.version, note="街道可办")
    case = service.act(DISPATCHER, case.id, "approve_hand_up", case.version)
    return service.dispatch(DISPATCHER, case.id, case.version)  # routed: a professional one


def build_paths(db: Database, clock: Clock) -> Paths:
    """In street 1: A self-handled in the grid; B settled by the street committee (dispatched
    Mon 23rd 09:10, feedback 15:10: 2 h 50 + 1 h 10 = 4.0 working hours) after its 提级 was
    refused by the district; C a professional department's; D dispatched to the street
    committee, handed up (提级) with the district's approval and dispatched anew; G self-handled,
    the self-handling rejected, then dispatched to a department; E at the street committee, not
    closed; H self-handled and closed in October. In street 2: F self-handled."""
    service = CaseService(db, clock=clock)
    (street1, grid1, p1), (street2, grid2, p2) = street_points(db)
    committee = street_committee(db, street1)
    ids: dict[str, int] = {}

    def at(day: int, hour: int, minute: int = 0) -> None:
        clock.now = local(day, hour, minute)

    def self_handled(point: Point) -> CaseSnapshot:
        s = service.report(GRID, report_input(point, source="grid"))
        return service.self_handle(own_grid(s), s.id, s.version, note="已自行清理")

    def dispatched(point: Point, department: int | None = None) -> CaseSnapshot:
        s = service.report(GRID, report_input(point, source="grid"))
        s = service.register(CHIEF, s.id, s.version)
        return service.dispatch(DISPATCHER, s.id, s.version, department_id=department)

    def settled(s: CaseSnapshot, minute: int = 0) -> CaseSnapshot:
        s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已处理")
        clock.advance(minutes=5)
        s = service.verify_pass(INSPECTOR, s.id, s.version)
        clock.advance(minutes=5)
        return service.close(CHIEF, s.id, s.version)

    # October: closed before the month
    clock.now = datetime(2026, 10, 30, 10, 0, tzinfo=LOCAL_TZ)
    s = self_handled(p1)
    ids["H"] = service.close(CHIEF, s.id, s.version).id

    at(23, 9)
    s = self_handled(p1)
    ids["A"] = service.close(CHIEF, s.id, s.version).id
    at(23, 9, 10)
    b = dispatched(p1, committee)
    at(23, 9, 20)
    c = dispatched(p1)  # routed: 暴露垃圾 → a professional department
    d = dispatched(p1, committee)
    e = dispatched(p1, committee)
    at(23, 9, 30)
    g = self_handled(p1)
    g = service.act(CHIEF, g.id, "reject_self_handle", g.version, note="需专业部门处置")
    g = service.register(CHIEF, g.id, g.version)
    g = service.dispatch(DISPATCHER, g.id, g.version)
    at(23, 10)
    b = hand_up(db, service, b, approve=False)  # still the committee's: dispatched at 09:10
    d = hand_up(db, service, d, approve=True)
    s = self_handled(p2)
    ids["F"] = service.close(CHIEF, s.id, s.version).id
    at(23, 15, 10)
    ids["B"] = settled(b).id
    at(23, 16)
    ids["C"] = settled(c).id
    ids["D"] = settled(d).id
    ids["G"] = settled(g).id
    ids["E"] = e.id
    return Paths(street1, grid1, street2, grid2, ids)


@pytest.fixture
def paths(demo_db: Database, clock: Clock) -> Paths:
    return build_paths(demo_db, clock)


def figures(metrics: object) -> dict[str, object]:
    return {m.key: m.value for m in metrics if m.key in TIER_KEYS}  # type: ignore[attr-defined]


def region(report: EvaluationReport, level: str, object_id: int) -> dict[str, object]:
    return figures(next(o for o in report.by_kind[level] if o.object_id == object_id).metrics)


def test_tier_figures_by_hand(demo_db: Database, paths: Paths) -> None:
    check_tier_figures(demo_db, paths)


def check_tier_figures(db: Database, paths: Paths) -> None:
    """The figures of :func:`build_paths` (shared with the PostgreSQL test)."""
    ids = paths.ids
    with db.read() as s:
        report = evaluate(s, START, END, END)
        district_rates = tier_rates(s, START, END)
        street_rates = tier_rates(s, START, END, Case.street_id == paths.street1)
    # street 1 closed in November: A (grid), B (street: its 提级 refused), C, D (handed up
    # and approved), G (district) = 5
    street1 = {
        "closed": 5,
        "handed_up": 1,
        "settled_in_grid": 1,
        "settled_in_street": 1,
        "kept_in_street": 2,
        "settled_in_district": 3,
        "grid_settle_rate": 20.0,  # 1 / 5
        "street_settle_rate": 40.0,  # 2 / 5
        "avg_street_handle_hours": 4.0,  # B: 09:10–12:00 and 14:00–15:10
    }
    assert region(report, "street", paths.street1) == street1
    assert region(report, "grid", paths.grid1) == street1  # every case of street 1 is in grid 1
    street2 = {
        "closed": 1,
        "handed_up": 0,
        "settled_in_grid": 1,
        "settled_in_street": 0,
        "kept_in_street": 1,
        "settled_in_district": 0,
        "grid_settle_rate": 100.0,
        "street_settle_rate": 100.0,
        "avg_street_handle_hours": None,  # nothing settled by its committee
    }
    assert region(report, "street", paths.street2) == street2
    assert region(report, "grid", paths.grid2) == street2
    district = figures(report.district)
    assert district == {
        "closed": 6,
        "handed_up": 1,
        "settled_in_grid": 2,
        "settled_in_street": 1,
        "kept_in_street": 3,
        "settled_in_district": 3,
        "grid_settle_rate": 33.33,  # 2 / 6
        "street_settle_rate": 50.0,  # 3 / 6
        "avg_street_handle_hours": 4.0,
    }
    rate = report.district_metric("street_settle_rate")
    assert (rate.numerator, rate.denominator) == (3, 6)
    # the month-so-far rates of the dashboard and the wall: the same numbers
    assert [(r.key, r.numerator, r.denominator, r.value) for r in district_rates] == [
        ("grid_settle_rate", 2, 6, 33.33),
        ("street_settle_rate", 3, 6, 50.0),
    ]
    assert [(r.numerator, r.denominator) for r in street_rates] == [(1, 5), (2, 5)]

    # the drill-down: the cases behind each number
    with db.read() as s:

        def drill(kind: str, object_id: int, metric: str) -> list[int]:
            return case_ids_for(s, START, END, kind=kind, object_id=object_id, metric=metric)

        assert drill("street", paths.street1, "grid_settle_rate") == [ids["A"]]
        assert drill("street", paths.street1, "settled_in_street") == [ids["B"]]
        assert drill("street", paths.street1, "avg_street_handle_hours") == [ids["B"]]
        assert drill("street", paths.street1, "handed_up") == [ids["D"]]
        assert drill("street", paths.street1, "settled_in_district") == sorted(
            [ids["C"], ids["D"], ids["G"]]
        )
        assert drill("district", 0, "street_settle_rate") == sorted([ids["A"], ids["B"], ids["F"]])
    # informational: no tier figure is a term of any composite
    weighted = {t.metric for terms in EvaluationConfig.load().weights.values() for t in terms}
    assert not weighted & set(TIER_KEYS)


def test_only_an_approved_hand_up_is_counted() -> None:
    """tiers.csv's handed-up rule names the lifecycle's approval, not the request: a refused
    提级 (the request and refuse_hand_up) must not make a district case."""
    (handed_up,) = [f for f in load_tier_figures() if f.rule == "event"]
    transitions = default_lifecycle().transitions
    assert handed_up.value == "approve_hand_up" and handed_up.value in transitions
    assert transitions["approve_hand_up"].from_states == frozenset({"hand_up_requested"})


def test_a_month_without_closed_cases_has_no_rate(demo_db: Database, paths: Paths) -> None:
    start, end = month_period("2026-12")
    with demo_db.read() as s:
        report = evaluate(s, start, end, end)
        rates = tier_rates(s, start, end)
    assert figures(report.district)["grid_settle_rate"] is None
    assert figures(report.district)["street_settle_rate"] is None
    assert [r.value for r in rates] == [None, None]


def test_a_bad_tiers_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiers.csv"
    header = "key,label_zh,label_en,rule,value,definition\n"
    path.write_text(header + "x,甲,x,guess,,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="x 未知规则 guess"):
        load_tier_figures(path)
    path.write_text(header + "r,率,r,rate,nothing,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="r 引用的计数不存在或在其后: nothing"):
        load_tier_figures(path)
    path.write_text(header + "e,提级,e,event,,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="e 缺少规则参数"):
        load_tier_figures(path)


def test_a_street_leader_sees_its_street_only(
    demo_db: Database, paths: Paths, clock: Clock
) -> None:
    check_street_leader(demo_db, paths, clock)


def test_a_unit_head_sees_its_unit_only(demo_db: Database, paths: Paths, clock: Clock) -> None:
    """单元长: the evaluation of its unit (Workbench, the seat's CaseScope) — the unit and its
    grids ranked among themselves, the unit's figures in place of the district's, no street,
    area, department or position; drilling anywhere else is refused in the service."""
    head = actor_of_user(demo_db, "unit_head")
    with demo_db.read() as s:
        parent = dict(s.execute(select(Region.id, Region.parent_id)).all())
        level = dict(s.execute(select(Region.id, Region.level)).all())
    unit_id = head.region_id
    assert unit_id is not None and level[unit_id] == "unit"
    area_id = parent[unit_id]
    assert area_id is not None
    grids = [r for r, up in parent.items() if up == unit_id and level[r] == "grid"]
    other_unit_grid = next(
        r
        for r, up in parent.items()
        if level[r] == "grid" and up != unit_id and up is not None and parent[up] == area_id
    )
    assert paths.grid1 in grids
    seat = Workbench(demo_db, actor=head, clock=clock)
    report = seat.evaluation("2026-11")
    assert report.scope_region_id == unit_id
    assert [o.object_id for o in report.by_kind["unit"]] == [unit_id]
    assert sorted(o.object_id for o in report.by_kind["grid"]) == sorted(grids)
    assert report.by_kind["grid"][0].object_id == paths.grid1  # ranked: the one with cases
    assert report.by_kind["street"] == report.by_kind["area"] == ()
    assert set(report.by_kind) == {"street", "area", "unit", "grid"}
    # every closed case of street 1 is in grid 1, in this unit: the same hand-computed figures
    own = region(report, "unit", unit_id)
    assert figures(report.district) == own
    assert (own["closed"], own["grid_settle_rate"], own["street_settle_rate"]) == (
        5,
        20.0,
        40.0,
    )
    assert sum(n for _, n, _ in report.daily) == 6  # A B C D E G reported in November
    start, end = report.period_start, report.period_end
    assert [
        r.id for r in seat.evaluation_cases(start, end, "unit", unit_id, "settled_in_street")
    ] == [paths.ids["B"]]
    assert [
        r.id for r in seat.evaluation_cases(start, end, "grid", paths.grid1, "grid_settle_rate")
    ] == [paths.ids["A"]]
    assert len(seat.evaluation_cases(start, end, "district", 0, "closed")) == 5
    for kind, object_id in (
        ("street", paths.street1),  # its own street: above the unit
        ("area", area_id),
        ("grid", other_unit_grid),  # the same area's other unit
        ("grid", paths.grid2),
        ("department", 1),
        ("duty_chief", CHIEF.id or 0),
    ):
        with pytest.raises(PermissionDeniedError, match="单元长只能查看本单元的考核和案件"):
            seat.evaluation_cases(start, end, kind, object_id, "closed")


def actor_of_user(db: Database, username: str) -> Actor:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None, username
        return actor_of(user)


def street_leader(db: Database) -> Actor:
    """The demo's street leader (青年路), as the services see the signed-in seat."""
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == "street_leader"))
        assert user is not None
        return actor_of(user)


def check_street_leader(demo_db: Database, paths: Paths, clock: Clock) -> None:
    """日常考核: the street leader's evaluation (Workbench, the seat's CaseScope) holds its
    street's regions ranked among themselves, its street's figures in place of the district's,
    no department or position, and drills into its own regions only."""
    leader = street_leader(demo_db)
    assert leader.region_id == paths.street1
    with demo_db.read() as s:
        region_rows = s.execute(select(Region.id, Region.parent_id, Region.level)).all()
    parent = {r.id: r.parent_id for r in region_rows}
    level_of = {r.id: r.level for r in region_rows}

    def street_of(rid: int) -> int:
        while level_of[rid] != "street":
            rid = parent[rid]  # type: ignore[assignment]
        return rid

    seat = Workbench(demo_db, actor=leader, clock=clock)
    report = seat.evaluation("2026-11")
    assert report.scope_region_id == paths.street1
    assert [o.object_id for o in report.by_kind["street"]] == [paths.street1]
    for level in ("area", "unit", "grid"):
        rows = report.by_kind[level]
        assert rows and {street_of(o.object_id) for o in rows} == {paths.street1}, level
    grids_in_street = sum(
        1 for r in region_rows if r.level == "grid" and street_of(r.id) == paths.street1
    )
    assert len(report.by_kind["grid"]) == grids_in_street
    # ranked among themselves: grid 1 (the only one with cases) is first
    assert report.by_kind["grid"][0].object_id == paths.grid1
    assert set(report.by_kind) == {"street", "area", "unit", "grid"}
    # its own figures stand where the district's do (street 2's self-handled F is not in them)
    assert figures(report.district)["closed"] == 5
    assert figures(report.district)["grid_settle_rate"] == 20.0
    assert [street for street, *_ in report.by_street] == [paths.street1]
    # reported in November in street 1: A B C D E G (H in October, F in street 2)
    assert sum(n for _, n, _ in report.daily) == 6
    start, end = report.period_start, report.period_end
    assert (
        seat.evaluation_cases(start, end, "street", paths.street1, "settled_in_street")[0].id
        == paths.ids["B"]
    )
    assert {r.id for r in seat.evaluation_cases(start, end, "district", 0, "settled_in_grid")} == {
        paths.ids["A"]
    }
    # another street, another street's grid, a department or a position: refused
    for kind, object_id in (
        ("street", paths.street2),
        ("grid", paths.grid2),
        ("department", 1),
        ("duty_chief", CHIEF.id or 0),
    ):
        with pytest.raises(PermissionDeniedError, match="只能查看本街道"):
            seat.evaluation_cases(start, end, kind, object_id, "closed")
    # the district's seat still sees both streets and the district's figures
    district = Workbench(demo_db, actor=CHIEF, clock=clock).evaluation("2026-11")
    assert district.scope_region_id is None
    assert figures(district.district)["closed"] == 6
    assert {paths.street1, paths.street2} <= {o.object_id for o in district.by_kind["street"]}
