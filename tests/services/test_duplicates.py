"""Possible duplicates on a real SQLite demo database: the rule (radius, window, category, open
states, the data file), flagging at report and at bulk import, and the dispatcher's decision
(merge keeps both reports on the timeline, keep apart clears the flag), with optimistic locking
and roles checked on both cases."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from console.db import Database
from console.domain.geography_rules import EARTH_RADIUS_KM
from console.errors import (
    IllegalTransitionError,
    PermissionDeniedError,
    StaleVersionError,
    ValidationError,
)
from console.models import Case, CaseEvent
from console.models.case import PossibleDuplicate
from console.services import duplicates
from console.services.bulk_intake import bulk_report
from console.services.cases.detail import load_detail
from console.services.cases.service import CaseService
from console.services.locator import DbLocator
from console.services.queue import QueueFilter, count_queue, fetch_queue
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    Point,
    report_input,
    street_points,
)

M_PER_DEGREE = EARTH_RADIUS_KM * 1000 * math.pi / 180


def north(point: Point, metres: float) -> Point:
    """The point ``metres`` due north (along a meridian the great-circle distance is exact)."""
    return point[0], point[1] + metres / M_PER_DEGREE


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


@pytest.fixture
def p1(demo_db: Database) -> Point:
    return street_points(demo_db)[0][2]


def pairs(db: Database) -> list[tuple[int, int, str]]:
    with db.read() as s:
        rows = s.execute(
            select(
                PossibleDuplicate.case_id,
                PossibleDuplicate.other_case_id,
                PossibleDuplicate.status,
            ).order_by(PossibleDuplicate.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def events(db: Database, case_id: int) -> list[SimpleNamespace]:
    columns = CaseEvent.__table__.columns
    with db.read() as s:
        rows = s.execute(
            select(*columns).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        )
        return [SimpleNamespace(**r._mapping) for r in rows]


def event_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(CaseEvent)) or 0


def flagged_tab(db: Database, clock: Clock) -> list[int]:
    f = QueueFilter(tab="duplicates")
    with db.read() as s:
        rows = fetch_queue(s, f, clock(), CaseService(db).workflow.calendar, offset=0, limit=100)
        assert count_queue(s, f, clock()) == len(rows)
    return [r.id for r in rows]


# -- the rule --------------------------------------------------------------------------


def test_radius_boundary_just_inside_and_outside(service, demo_db, clock, p1) -> None:
    first = service.report(INTAKE, report_input(p1))
    clock.advance(minutes=5)
    inside = service.report(INTAKE, report_input(north(p1, 49.5)))
    clock.advance(minutes=5)
    outside = service.report(INTAKE, report_input(north(p1, -50.5)))
    # 事件 (event_type) rule: 50 m. inside–outside are 100 m apart: no pair either.
    assert pairs(demo_db) == [(inside.id, first.id, "open")]
    assert outside.id not in {c for pair in pairs(demo_db) for c in pair[:2]}
    with demo_db.read() as s:
        (distance,) = s.execute(select(PossibleDuplicate.distance_m)).one()
    assert distance == pytest.approx(49.5, abs=0.1)


def test_time_window_either_way(service, demo_db, clock, p1) -> None:
    first = service.report(INTAKE, report_input(p1))
    clock.advance(hours=47, minutes=59)
    within = service.report(INTAKE, report_input(p1))
    clock.advance(hours=48, minutes=2)  # 48 h 1 min after `within`, 96 h after `first`
    later = service.report(INTAKE, report_input(p1))
    assert pairs(demo_db) == [(within.id, first.id, "open")]
    # An import can bring an older report: it is matched backwards in time, and the pair
    # still names the later report first.
    older = service.report(
        INTAKE, report_input(p1, reported_at=clock() - timedelta(hours=47), source="hotline")
    )
    assert sorted(pairs(demo_db)) == sorted(
        [
            (within.id, first.id, "open"),
            (later.id, older.id, "open"),  # older was stored last but reported 47 h before later
            (older.id, within.id, "open"),  # 1 h 2 min after within; 49 h 1 min after first: no
        ]
    )


def test_other_category_or_kind_is_not_a_duplicate(service, demo_db, clock, p1) -> None:
    service.report(INTAKE, report_input(p1))
    service.report(INTAKE, report_input(p1, category_code="0101"))
    service.report(INTAKE, report_input(p1, category_code="0102", kind="component"))
    assert pairs(demo_db) == []


def test_finished_cases_are_not_candidates(service, demo_db, clock, p1) -> None:
    voided = service.report(INTAKE, report_input(p1))
    service.void(CHIEF, voided.id, voided.version, note="误报")
    clock.advance(minutes=1)
    service.report(INTAKE, report_input(p1))
    assert pairs(demo_db) == []


def test_nearest_few_only(service, demo_db, clock, p1) -> None:
    earlier = [service.report(INTAKE, report_input(north(p1, d))) for d in range(1, 8)]
    clock.advance(minutes=1)
    new = service.report(INTAKE, report_input(p1))
    mine = [other for case, other, _ in pairs(demo_db) if case == new.id]
    assert sorted(mine) == sorted(c.id for c in earlier[:5])  # max_candidates = 5


def test_data_file_is_respected(demo_db, clock, p1, tmp_path: Path) -> None:
    path = tmp_path / "duplicates.csv"
    path.write_text(
        "# a tighter rule for one category, a looser default\n"
        "scope,radius_m,window_hours,states,max_candidates\n"
        "*,200,1,open,3\n"
        "E06010,10,,registered|dispatched,\n",
        encoding="utf-8",
    )
    settings = duplicates.load_settings(path)
    rule = settings.rule_for("event_type", "06010")
    assert (rule.radius_m, rule.window, rule.max_candidates) == (10, timedelta(hours=1), 3)
    assert rule.states == {"registered", "dispatched"}
    assert settings.rule_for("event_type", "0101").radius_m == 200
    service = CaseService(demo_db, clock=clock, duplicates=settings)
    a = service.report(INTAKE, report_input(p1, category_code="0101"))
    b = service.report(INTAKE, report_input(north(p1, 150), category_code="0101"))
    c = service.report(INTAKE, report_input(p1))
    d = service.report(INTAKE, report_input(p1))  # c is only reported: not open by this rule
    c = service.register(CHIEF, c.id, c.version)
    e = service.report(INTAKE, report_input(north(p1, 9)))
    clock.advance(hours=1, minutes=1)
    service.report(INTAKE, report_input(p1, category_code="0101"))  # outside the 1 h window
    assert pairs(demo_db) == [(b.id, a.id, "open"), (e.id, c.id, "open")]
    assert d.id not in {x for pair in pairs(demo_db) for x in pair[:2]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("scope,radius_m,window_hours,states,max_candidates\nevent_type,50,24,open,5\n", "默认行"),
        ("scope,radius_m,window_hours,states,max_candidates\n*,-5,24,open,5\n", "radius_m"),
        ("scope,radius_m,window_hours,states,max_candidates\n*,50,24,closed,5\n", "closed"),
        ("scope,radius_m,window_hours,states,max_candidates\n*,50,x,open,5\n", "数值"),
        ("scope,radius_m,window_hours,states,max_candidates\n*,5,1,open,5\nX1,5,1,,\n", "X1"),
    ],
)
def test_bad_data_file_names_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "duplicates.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        duplicates.load_settings(path)


def test_find_candidates_for_a_report_not_stored_yet(service, demo_db, clock, p1) -> None:
    stored = service.report(INTAKE, report_input(p1))
    probe = SimpleNamespace(
        taxonomy="gbt47678-5-2026",
        kind="event_type",
        category_code="06010",
        lon=p1[0],
        lat=north(p1, 20)[1],
        reported_at=clock() + timedelta(hours=1),
    )
    with demo_db.read() as s:
        found = duplicates.find_candidates(s, probe)
    assert [(m.case_id, round(m.distance_m)) for m in found] == [(stored.id, 20)]


# -- bulk import -----------------------------------------------------------------------


def test_bulk_import_flags_in_one_set_based_pass(service, demo_db, clock, p1) -> None:
    existing = service.report(INTAKE, report_input(p1))
    far = street_points(demo_db)[1][2]
    batch = [
        report_input(north(p1, 30), external_id="A1", source="hotline"),  # near `existing`
        report_input(far, external_id="A2", source="hotline"),
        report_input(north(far, 10), external_id="A3", source="hotline"),  # near A2
        report_input(north(far, 10), external_id="A4", source="hotline", category_code="0101"),
    ]
    result = bulk_report(demo_db, INTAKE, batch, now=clock(), locator=DbLocator(demo_db))
    a1, a2, a3, _a4 = result.case_ids
    assert result.possible_duplicates == 2
    assert sorted(pairs(demo_db)) == sorted([(a1, existing.id, "open"), (a3, a2, "open")])


@pytest.mark.parametrize("size", [10, 300])
def test_bulk_flagging_statements_do_not_grow_with_the_batch(
    demo_db: Database, clock: Clock, p1: Point, size: int
) -> None:
    """One query for the pool and one executemany for the pairs, whatever the batch size."""
    reports = [report_input(north(p1, 3 * i), external_id=f"B{i}") for i in range(size)]
    result = bulk_report(demo_db, INTAKE, reports, now=clock(), locator=DbLocator(demo_db))
    with demo_db.read() as s:
        new = [
            duplicates.NewCase(c.id, c.taxonomy, c.kind, c.category_code, c.lon, c.lat,
                               c.reported_at)
            for c in s.scalars(select(Case).where(Case.id.in_(result.case_ids)))
        ]  # fmt: skip
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(demo_db.engine, "before_cursor_execute", count)
    try:
        with demo_db.session() as s:
            s.query(PossibleDuplicate).delete()
            statements.clear()
            flagged = duplicates.flag_many(s, new, clock())
            s.rollback()
    finally:
        event.remove(demo_db.engine, "before_cursor_execute", count)
    # Every report within 50 m (17 cases north and south) of the others: the nearest 5 each.
    assert flagged == result.possible_duplicates > size
    assert len(statements) == 2, statements


# -- deciding: merge -------------------------------------------------------------------


def _pair(service: CaseService, clock: Clock, p1: Point):  # type: ignore[no-untyped-def]
    first = service.report(INTAKE, report_input(p1, description="井盖周边垃圾成堆"))
    clock.advance(minutes=20)
    second = service.report(
        INSPECTOR,
        report_input(
            north(p1, 12),
            source="hotline",
            reporter="市民 <b>张</b>",
            description="<script>x</script> 同一堆垃圾",
        ),
    )
    clock.advance(minutes=5)
    return first, second


def test_merge_keeps_both_reports_on_the_timeline(service, demo_db, clock, p1) -> None:
    first, second = _pair(service, clock, p1)
    first = service.register(CHIEF, first.id, first.version)
    assert flagged_tab(demo_db, clock) == [second.id]
    merged = service.merge(
        DISPATCHER, second.id, second.version, first.id, first.version, note="同一处"
    )
    assert merged.state == "merged" and merged.closed_at == clock()
    survivor = service.get(first.id)
    assert survivor.state == "registered" and survivor.version == first.version + 1
    dup_event = events(demo_db, second.id)[-1]
    assert (dup_event.action, dup_event.from_state, dup_event.to_state) == (
        "merge",
        "reported",
        "merged",
    )
    assert json.loads(dup_event.data or "{}") == {"into_id": first.id, "into_number": first.number}
    kept = events(demo_db, first.id)[-1]
    assert (kept.action, kept.from_state, kept.to_state) == (
        "merged_in",
        "registered",
        "registered",
    )
    assert (kept.actor_role, kept.note) == ("dispatcher", "同一处")
    data = json.loads(kept.data or "{}")
    assert data["merged_id"] == second.id
    report = data["merged_report"]
    assert report["description"] == "<script>x</script> 同一堆垃圾"
    assert report["reporter"] == "市民 <b>张</b>" and report["source"] == "hotline"
    assert report["number"] == second.number and report["attachments"] == []
    assert pairs(demo_db) == [(second.id, first.id, "merged")]
    assert flagged_tab(demo_db, clock) == []
    # The survivor's detail shows both reports: its own and the merged one.
    with demo_db.read() as s:
        detail = load_detail(s, first.id, clock(), service.workflow.calendar, role="dispatcher")
    assert [e.action for e in detail.timeline] == ["report", "register", "merged_in"]
    assert detail.timeline[-1].action_label == "并入重复上报"
    assert detail.duplicates == ()


def test_merge_the_other_way_and_without_a_flag(service, demo_db, clock, p1) -> None:
    first, second = _pair(service, clock, p1)
    # The earlier report may be the one merged away (the later one has the better photo).
    service.merge(CHIEF, first.id, first.version, second.id, second.version)
    assert service.get(first.id).state == "merged"
    assert pairs(demo_db) == [(second.id, first.id, "merged")]
    # Two cases never flagged (beyond the radius) may still be merged by hand: recorded too.
    far = service.report(INTAKE, report_input(north(p1, 200)))
    service.merge(INTAKE, far.id, far.version, second.id, None)
    assert (far.id, second.id, "merged") in pairs(demo_db)


def test_stale_version_on_either_case_writes_nothing(service, demo_db, clock, p1) -> None:
    first, second = _pair(service, clock, p1)
    before = event_count(demo_db)
    with pytest.raises(StaleVersionError, match=first.number):
        service.merge(DISPATCHER, second.id, second.version, first.id, first.version - 1)
    with pytest.raises(StaleVersionError, match=second.number):
        service.merge(DISPATCHER, second.id, second.version + 1, first.id, first.version)
    with pytest.raises(StaleVersionError):
        service.keep_apart(DISPATCHER, second.id, second.version, first.id, first.version + 3)
    assert event_count(demo_db) == before
    assert service.get(second.id).state == "reported"
    assert service.get(first.id).version == first.version
    assert pairs(demo_db) == [(second.id, first.id, "open")]


def test_roles_and_states_are_checked_on_both_cases(service, demo_db, clock, p1) -> None:
    first, second = _pair(service, clock, p1)
    before = event_count(demo_db)
    with pytest.raises(PermissionDeniedError, match="监督员"):
        service.merge(INSPECTOR, second.id, second.version, first.id, first.version)
    with pytest.raises(PermissionDeniedError):
        service.keep_apart(INSPECTOR, second.id, None, first.id, None)
    with pytest.raises(ValidationError, match="自身"):
        service.merge(DISPATCHER, second.id, None, second.id, None)
    # merged_in is written by merge alone, never taken as an action of its own.
    with pytest.raises(PermissionDeniedError):
        service.act(DISPATCHER, first.id, "merged_in", None)
    # A dispatched case is with a department: it is not merged away.
    registered = service.register(CHIEF, first.id, first.version)
    dispatched = service.dispatch(DISPATCHER, registered.id, registered.version)
    with pytest.raises(IllegalTransitionError, match="处置中"):
        service.merge(DISPATCHER, dispatched.id, None, second.id, None)
    after_dispatch = event_count(demo_db)
    assert after_dispatch == before + 2
    # A case cannot be merged into a finished one.
    voided = service.report(INTAKE, report_input(p1))
    service.void(CHIEF, voided.id, voided.version, note="重复")
    with pytest.raises(IllegalTransitionError, match="已作废"):
        service.merge(DISPATCHER, second.id, None, voided.id, None)
    assert service.get(second.id).state == "reported"


# -- deciding: keep apart --------------------------------------------------------------


def test_keep_apart_clears_the_flag_on_both(service, demo_db, clock, p1) -> None:
    first, second = _pair(service, clock, p1)
    snap = service.keep_apart(
        DISPATCHER, first.id, first.version, second.id, second.version, note="两处不同垃圾点"
    )
    assert snap.id == first.id and snap.state == "reported" and snap.version == first.version + 1
    assert service.get(second.id).version == second.version + 1
    for case_id, other in ((first.id, second), (second.id, first)):
        last = events(demo_db, case_id)[-1]
        assert (last.action, last.from_state, last.to_state) == (
            "keep_apart",
            "reported",
            "reported",
        )
        assert json.loads(last.data or "{}")["other_number"] == other.number
    assert pairs(demo_db) == [(second.id, first.id, "kept_apart")]
    assert flagged_tab(demo_db, clock) == []
    with pytest.raises(ValidationError, match="没有待确认"):
        service.keep_apart(DISPATCHER, first.id, None, second.id, None)


# -- reading: queue tab and detail -----------------------------------------------------


def test_tab_lists_the_later_report_while_the_earlier_is_open(service, demo_db, clock, p1):
    first, second = _pair(service, clock, p1)
    assert flagged_tab(demo_db, clock) == [second.id]
    with demo_db.read() as s:
        assert queue_matching(s, clock, [first.id, second.id]) == {second.id}
    service.void(CHIEF, first.id, first.version, note="已由其他渠道处理")
    assert flagged_tab(demo_db, clock) == []


def queue_matching(s, clock, ids):  # type: ignore[no-untyped-def]
    from console.services.queue import matching_ids

    return matching_ids(s, QueueFilter(tab="duplicates"), ids, clock())


def test_detail_offers_the_pair_actions_to_the_allowed_roles(service, demo_db, clock, p1) -> None:
    first, second = _pair(service, clock, p1)
    cal = service.workflow.calendar
    with demo_db.read() as s:
        mine = load_detail(s, second.id, clock(), cal, role="dispatcher")
        theirs = load_detail(s, first.id, clock(), cal, role="intake")
        inspector = load_detail(s, second.id, clock(), cal, role="inspector")
    assert [(d.case_id, d.earlier, round(d.distance_m)) for d in mine.duplicates] == [
        (first.id, True, 12)
    ]
    assert mine.duplicates[0].description == "井盖周边垃圾成堆"
    assert mine.duplicate_actions == {"merge", "keep_apart"}
    assert not {"merge", "keep_apart", "merged_in"} & {a.action for a in mine.actions}
    assert [d.case_id for d in theirs.duplicates] == [second.id] and not theirs.duplicates[
        0
    ].earlier
    assert inspector.duplicates and inspector.duplicate_actions == frozenset()
    # Once the case is with a department it can still be kept apart, not merged away.
    reg = service.register(CHIEF, first.id, first.version)
    service.dispatch(DISPATCHER, reg.id, reg.version)
    with demo_db.read() as s:
        assert load_detail(s, first.id, clock(), cal, role="dispatcher").duplicate_actions == {
            "keep_apart"
        }


def test_the_console_path_through_workbench_act(demo_db, clock, p1) -> None:
    """The detail panel's request goes through Workbench.act like any action."""
    service = CaseService(demo_db, clock=clock)
    first, second = _pair(service, clock, p1)
    bench = Workbench(demo_db, username="dispatcher", clock=clock)
    assert [c.case_id for c in bench.possible_duplicates(second.id)] == [first.id]
    snap = bench.act(
        "merge", second.id, second.version, note=None, into_id=first.id, into_version=first.version
    )
    assert snap.state == "merged"
    with pytest.raises(ValidationError):
        bench.act("keep_apart", first.id, None)  # no other case named
