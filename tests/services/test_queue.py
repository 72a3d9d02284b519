"""The dispatch queues on a real SQLite file: tabs, filters, search, sorting, paging, the clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import ValidationError
from console.models import Region
from console.services.bulk_intake import bulk_report
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.locator import DbLocator
from console.services.queue import (
    QueueFilter,
    QueueRow,
    count_queue,
    fetch_queue,
    fetch_rows,
    matching_ids,
    page_ids_select,
    queue_tabs,
)
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    build_zoo,
    department_id,
    local,
    report_input,
    street_points,
)

CAL = WorkCalendar()
MORNING = local(23, 10)  # nothing is yellow or red yet
AFTERNOON = local(23, 16)  # the morning dispatches are overdue; late_green is green


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, calendar=CAL, clock=clock)


@pytest.fixture
def zoo(service: CaseService, demo_db: Database, clock: Clock) -> dict[str, CaseSnapshot]:
    return build_zoo(service, demo_db, clock)


def names(zoo: dict[str, CaseSnapshot], ids: set[int] | list[int]) -> set[str]:
    by_id = {snap.id: name for name, snap in zoo.items()}
    return {by_id[i] for i in ids}


def everything(db: Database, f: QueueFilter, now=MORNING) -> list[QueueRow]:
    with db.read() as s:
        rows = fetch_queue(s, f, now, CAL, offset=0, limit=10_000)
        assert count_queue(s, f, now) == len(rows)
    return rows


def shown(db: Database, zoo, now=MORNING, **kw) -> set[str]:
    return names(zoo, [r.id for r in everything(db, QueueFilter(**kw), now)])


def test_tabs_come_from_the_data_file() -> None:
    tabs = queue_tabs()
    assert [t.code for t in tabs] == [
        "to_register",
        "report_check",
        "to_dispatch",
        "in_progress",
        "to_verify",
        "late",
        "requests",
        "duplicates",
        "all_open",
        "search",
    ]
    labels = {t.code: t.label_zh for t in tabs}
    assert labels["to_register"] == "待立案" and labels["late"] == "黄灯/超期"
    assert all(t.label_en for t in tabs)


def test_every_tab_shows_its_cases(demo_db, zoo) -> None:
    finals = {"closed", "archived", "voided"}
    assert shown(demo_db, zoo, tab="to_register") == {"reported", "self_handled"}
    assert shown(demo_db, zoo, tab="to_dispatch") == {"registered"}
    assert shown(demo_db, zoo, tab="in_progress") == {
        "dispatched",
        "suspended",
        "extension",
        "urgent",
        "late_green",
    }
    assert shown(demo_db, zoo, tab="to_verify") == {"handled", "verified"}
    assert shown(demo_db, zoo, tab="requests") == {"return_requested", "extension"}
    assert shown(demo_db, zoo, tab="all_open") == set(zoo) - finals
    assert shown(demo_db, zoo, tab="search") == set(zoo)
    assert shown(demo_db, zoo, tab="late") == set()
    # Afternoon: every morning dispatch on the clock is red; suspended and handled are frozen.
    assert shown(demo_db, zoo, AFTERNOON, tab="late") == {
        "dispatched",
        "return_requested",
        "extension",
        "urgent",
    }
    # 17:30: late_green (dispatched 13:01, warning 17:13, deadline 18:01) has turned yellow.
    assert "late_green" in shown(demo_db, zoo, local(23, 17, 30), tab="late")
    assert "late_green" not in shown(demo_db, zoo, local(23, 17, 10), tab="late")


def test_lights_match_the_python_light(demo_db, zoo, service, clock) -> None:
    for now in (MORNING, local(23, 14, 30), AFTERNOON, local(23, 17, 30), local(24, 9)):
        clock.now = now
        rows = everything(demo_db, QueueFilter(tab="search"), now)
        assert {r.id: r.light for r in rows} == {
            snap.id: service.get(snap.id).light for snap in zoo.values()
        }, now
    assert shown(demo_db, zoo, AFTERNOON, tab="all_open", light="red") == {
        "dispatched",
        "return_requested",
        "extension",
        "urgent",
    }
    assert shown(demo_db, zoo, AFTERNOON, tab="all_open", light="green") == {
        "suspended",
        "handled",
        "verified",
        "late_green",
    }
    assert shown(demo_db, zoo, AFTERNOON, tab="late", light="green") == set()
    assert shown(demo_db, zoo, local(23, 17, 30), tab="late", light="yellow") == {"late_green"}


def test_filters(demo_db, zoo) -> None:
    (street_a, _, _), (street_b, grid_b, _) = street_points(demo_db)
    assert shown(demo_db, zoo, tab="search", street_id=street_b) == {"reported"}
    assert shown(demo_db, zoo, tab="search", street_id=street_a) == set(zoo) - {"reported"}
    assert shown(demo_db, zoo, tab="search", grid_id=grid_b) == {"reported"}
    pro04 = department_id(demo_db, "PRO04")
    assert shown(demo_db, zoo, tab="search", department_id=pro04) == {"dispatched"}
    assert shown(demo_db, zoo, tab="search", category_code="0101") == {"urgent"}
    assert shown(demo_db, zoo, tab="search", category_code="C0101") == {"urgent"}
    assert shown(demo_db, zoo, tab="search", category_code="E0101") == set()
    assert shown(demo_db, zoo, tab="search", category_code="0101", kind="event_type") == set()
    assert shown(demo_db, zoo, tab="search", kind="component") == {"urgent"}
    assert shown(demo_db, zoo, tab="search", source="hotline") == {"reported"}
    assert shown(demo_db, zoo, tab="search", source="grid") == {"self_handled"}
    first, second = zoo["reported"].reported_at, zoo["self_handled"].reported_at
    assert shown(
        demo_db, zoo, tab="search", reported_from=first, reported_to=second + timedelta(seconds=1)
    ) == {"reported", "self_handled"}
    assert shown(demo_db, zoo, tab="search", reported_to=second) == {"reported"}
    # Filters narrow a tab, never widen it.
    assert shown(demo_db, zoo, tab="to_dispatch", street_id=street_b) == set()


def test_the_search_tab_by_state(demo_db, zoo) -> None:
    for name, snap in zoo.items():
        assert name in shown(demo_db, zoo, tab="search", state=snap.state)
        others = shown(demo_db, zoo, tab="search", state=snap.state)
        assert all(zoo[n].state == snap.state for n in others)
    assert shown(demo_db, zoo, tab="search", state="suspended") == {
        n for n, snap in zoo.items() if snap.state == "suspended"
    }
    assert shown(demo_db, zoo, tab="all_open", state="archived") == set()  # not in that tab


def test_text_search(demo_db, zoo) -> None:
    assert shown(demo_db, zoo, tab="search", text="<script>") == {"reported"}
    assert shown(demo_db, zoo, tab="search", text="SCRIPT") == {"reported"}  # case-insensitive
    # Wildcards in user text are literal characters, not LIKE patterns.
    assert shown(demo_db, zoo, tab="search", text="%") == {"reported"}
    assert shown(demo_db, zoo, tab="search", text="_") == {"reported"}
    assert shown(demo_db, zoo, tab="search", text="100%_done") == {"reported"}
    assert shown(demo_db, zoo, tab="search", text="1%0") == set()
    assert shown(demo_db, zoo, tab="search", text="\\") == set()
    assert shown(demo_db, zoo, tab="search", text="西大街") == {"registered"}  # address
    number = zoo["verified"].number
    assert shown(demo_db, zoo, tab="search", text=number) == {"verified"}
    assert shown(demo_db, zoo, tab="search", text=number.lower()) == {"verified"}
    assert shown(demo_db, zoo, tab="search", text="   ") == set(zoo)  # blank: no filter
    # Escaping for display is the view's job: the text comes back verbatim.
    (row,) = everything(demo_db, QueueFilter(tab="search", text="<script>"))
    assert row.description == "<script>alert(1)</script> 进度100%_done"


def test_row_fields(demo_db, zoo) -> None:
    rows = {r.id: r for r in everything(demo_db, QueueFilter(tab="search"))}
    row = rows[zoo["dispatched"].id]
    assert row.number == zoo["dispatched"].number and row.version == zoo["dispatched"].version
    assert (row.state, row.state_label) == ("dispatched", "处置中")
    assert row.category_name == "暴露垃圾" and row.kind == "event_type"
    assert row.department_name == "区城市管理综合执法大队"
    assert (row.source, row.source_label) == ("inspector", "监督员")
    with demo_db.read() as s:
        street = s.get(Region, row.street_id)
        grid = s.get(Region, row.grid_id)
        assert street is not None and grid is not None
        assert (row.street_name, row.grid_code) == (street.name, grid.code)
    assert rows[zoo["reported"].id].source_label == "12345"
    assert rows[zoo["reported"].id].department_name is None
    assert rows[zoo["extension"].id].extension_requested is True
    assert rows[zoo["dispatched"].id].extension_requested is False
    assert rows[zoo["urgent"].id].urgent is True
    assert rows[zoo["registered"].id].remaining_seconds is None
    assert rows[zoo["handled"].id].remaining_seconds is None


def test_long_description_is_cut_to_200_characters(service, demo_db, clock) -> None:
    (_, _, p), _ = street_points(demo_db)
    snap = service.report(INTAKE, report_input(p, description="长" * 150 + "尾" * 150))
    (row,) = fetch_ids(demo_db, [snap.id], MORNING)
    assert row.description == "长" * 150 + "尾" * 50


def fetch_ids(db: Database, ids: list[int], now) -> list[QueueRow]:
    with db.read() as s:
        return fetch_rows(s, ids, now, CAL)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(
    "sort", ["reported_at", "deadline_at", "number", "state", "category_code", "street"]
)
def test_sorting(demo_db, zoo, sort: str, descending: bool) -> None:
    rows = everything(demo_db, QueueFilter(tab="search", sort=sort, descending=descending))
    assert len(rows) == len(zoo)
    with demo_db.read() as s:
        street_codes = dict(s.execute(select(Region.id, Region.code)).all())
    from console.domain.lifecycle import STATE_LABELS

    order = list(STATE_LABELS)

    def key(r: QueueRow) -> tuple:
        value = {
            "reported_at": r.reported_at,
            "number": r.number,
            "state": order.index(r.state),
            "category_code": r.category_code,
            "street": street_codes[r.street_id],
        }.get(sort)
        if sort == "deadline_at":
            return (r.deadline_at is None, r.deadline_at or MORNING, r.id)
        return (value, r.id)

    if sort == "deadline_at":
        with_deadline = [r for r in rows if r.deadline_at is not None]
        without = [r for r in rows if r.deadline_at is None]
        # Cases off the clock come last either way.
        assert rows == with_deadline + without
        expected = sorted(with_deadline, key=lambda r: (r.deadline_at, r.id), reverse=descending)
        assert with_deadline == expected
        assert without == sorted(without, key=lambda r: r.id, reverse=descending)
    else:
        assert rows == sorted(rows, key=key, reverse=descending)


def test_unknown_tab_sort_or_light_is_refused(demo_db) -> None:
    with demo_db.read() as s:
        for f in (
            QueueFilter(tab="nope"),
            QueueFilter(sort="description"),
            QueueFilter(light="blue"),
            QueueFilter(tab="search", state="lost"),
        ):
            with pytest.raises(ValidationError):
                count_queue(s, f, MORNING)
            with pytest.raises(ValidationError):
                fetch_queue(s, f, MORNING, CAL, offset=0, limit=10)
            with pytest.raises(ValidationError):
                matching_ids(s, f, [1], MORNING)


def test_paging_is_stable_and_consistent_with_count(demo_db, clock) -> None:
    points = [p for _, _, p in street_points(demo_db)]
    reports = [
        report_input(points[i % 2], description=f"批量{i}", reported_at=local(23, 8, i % 3))
        for i in range(120)
    ]
    result = bulk_report(demo_db, INTAKE, reports, now=clock.now, locator=DbLocator(demo_db))
    assert result.accepted == 120
    for descending in (True, False):
        f = QueueFilter(tab="to_register", descending=descending)
        with demo_db.read() as s:
            total = count_queue(s, f, MORNING)
            pages = [
                fetch_queue(s, f, MORNING, CAL, offset=o, limit=25) for o in range(0, total, 25)
            ]
            assert fetch_queue(s, f, MORNING, CAL, offset=total, limit=25) == []
        flat = [r for page in pages for r in page]
        assert total == 120 and len(flat) == total and len({r.id for r in flat}) == total
        assert [len(p) for p in pages] == [25, 25, 25, 25, 20]
        keys = [(r.reported_at, r.id) for r in flat]
        assert keys == sorted(keys, reverse=descending)  # ties on reported_at broken by id
        assert flat == everything(demo_db, f)


def test_remaining_time_on_a_working_day(service, demo_db, clock) -> None:
    (_, _, p), _ = street_points(demo_db)
    snap = service.report(INTAKE, report_input(p))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)  # Mon 09:00 + 4 work hours
    assert snap.deadline_at == local(23, 15)
    expected = {
        local(23, 9): 4 * 3600.0,
        # 11:30-12:00 and 14:00-15:00; the lunch break does not count.
        local(23, 11, 30): 1.5 * 3600,
        local(23, 13): 3600.0,
        local(23, 15): 0.0,
        local(23, 16): -3600.0,
        # Overdue since Mon 15:00: 15-18 Monday and 8-9 Tuesday.
        local(24, 9): -4 * 3600.0,
    }
    for now, seconds in expected.items():
        (row,) = fetch_ids(demo_db, [snap.id], now)
        assert row.remaining_seconds == pytest.approx(seconds), now


def test_remaining_time_of_an_urgent_case_runs_on_the_natural_clock(service, demo_db) -> None:
    (_, _, p), _ = street_points(demo_db)
    snap = service.report(INTAKE, report_input(p, category_code="0101", kind="component"))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)  # 6 natural hours from 09:00
    assert snap.urgent and snap.deadline_at == local(23, 15)
    (row,) = fetch_ids(demo_db, [snap.id], local(23, 11, 30))
    assert row.remaining_seconds == pytest.approx(3.5 * 3600)
    (row,) = fetch_ids(demo_db, [snap.id], local(24, 9))
    assert row.remaining_seconds == pytest.approx(-18 * 3600)


def test_remaining_time_is_frozen_while_suspended(service, demo_db, clock) -> None:
    (_, _, p), _ = street_points(demo_db)
    snap = service.report(INTAKE, report_input(p))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    clock.now = local(23, 10)
    snap = service.suspend(CHIEF, snap.id, snap.version, note="待规划部门意见")
    for now in (local(23, 10), local(23, 17), local(25, 16)):
        (row,) = fetch_ids(demo_db, [snap.id], now)
        # 10:00-12:00 and 14:00-15:00 were left when it stopped.
        assert row.remaining_seconds == pytest.approx(3 * 3600), now
        assert row.light == "green"


def test_fetch_rows_and_matching_ids_for_live_refresh(service, demo_db, zoo, clock) -> None:
    ids = [zoo["voided"].id, zoo["reported"].id, 999_999, zoo["reported"].id]
    rows = fetch_ids(demo_db, ids, MORNING)
    assert [r.id for r in rows] == [zoo["voided"].id, zoo["reported"].id]  # any state, in order
    all_ids = [snap.id for snap in zoo.values()] + [999_999]
    f = QueueFilter(tab="to_dispatch")
    with demo_db.read() as s:
        assert names(zoo, matching_ids(s, f, all_ids, MORNING)) == {"registered"}
        assert matching_ids(s, f, [], MORNING) == set()
    # The case moves on: it leaves the to_dispatch tab and enters in_progress.
    snap = zoo["registered"]
    service.dispatch(DISPATCHER, snap.id, snap.version)
    with demo_db.read() as s:
        assert matching_ids(s, f, [snap.id], MORNING) == set()
        in_progress = replace(f, tab="in_progress")
        assert matching_ids(s, in_progress, [snap.id], MORNING) == {snap.id}
    # The late tab follows the clock, not only events.
    late = QueueFilter(tab="late")
    with demo_db.read() as s:
        assert matching_ids(s, late, all_ids, MORNING) == set()
        assert names(zoo, matching_ids(s, late, all_ids, AFTERNOON)) == {
            "dispatched",
            "return_requested",
            "extension",
            "urgent",
        }


def test_many_ids_are_chunked(demo_db, zoo) -> None:
    ids = list(range(1, 2_000)) + [snap.id for snap in zoo.values()]
    with demo_db.read() as s:
        assert names(zoo, matching_ids(s, QueueFilter(tab="search"), ids, MORNING)) == set(zoo)
    assert len(fetch_ids(demo_db, ids, MORNING)) == len(zoo)


def test_a_page_is_chosen_from_the_cases_indexes_alone(demo_db) -> None:
    """The ids of a page come from an index of cases, without a table scan or joins."""
    with demo_db.read() as s:
        for f in (QueueFilter(), QueueFilter(tab="late"), QueueFilter(tab="to_dispatch")):
            stmt = page_ids_select(f, MORNING, offset=0, limit=50)
            compiled = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
            plan = [str(r[-1]) for r in s.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
            assert any("USING" in step and "INDEX" in step for step in plan), plan
            assert not any(step.startswith("SCAN") for step in plan), plan
