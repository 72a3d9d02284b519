"""The wall's numbers, hand-counted on a few cases at controlled times."""

from __future__ import annotations

from console.db import Database
from console.errors import DatabaseUnavailableError
from console.models import Alert
from console.services.cases.service import CaseService
from console.services.wall_data import WallSource, wall_numbers
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    handler,
    local,
    report_input,
    street_points,
)


def build(db: Database, clock: Clock) -> dict[str, int]:
    """Mon 23 Nov: c1 reported (street 2), c2 dispatched (1), c3 closed on time (1), c5
    dispatched (2). Mon 30 Nov 10:00: c4 reported (1). c2 is under 一级督办, c2 and c5 red."""
    service = CaseService(db, clock=clock)
    (_, _, p1), (_, _, p2) = street_points(db)

    def dispatched(point: tuple[float, float]) -> object:
        s = service.report(INTAKE, report_input(point))
        s = service.register(CHIEF, s.id, s.version)
        return service.dispatch(DISPATCHER, s.id, s.version)

    c1 = service.report(INTAKE, report_input(p2))
    clock.advance(minutes=5)
    c2 = dispatched(p1)
    clock.advance(minutes=5)
    s = dispatched(p1)
    s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    c3 = service.close(CHIEF, s.id, s.version)
    clock.advance(minutes=5)
    c5 = dispatched(p2)
    clock.now = local(30, 10)
    c4 = service.report(INTAKE, report_input(p1))
    with db.session() as s:
        for level, raised, acked in (
            ("warning", local(24, 9), True),
            ("supervise_1", local(30, 9), False),
        ):
            s.add(
                Alert(
                    case_id=c2.id,
                    level=level,
                    cycle=1,
                    due_at=raised,
                    raised_at=raised,
                    message="督办",
                    recipient_kind="department",
                    recipient_name="处置部门",
                    acknowledged_at=raised if acked else None,
                    acknowledged_by_name="值班长" if acked else None,
                )
            )
    return {"c1": c1.id, "c2": c2.id, "c3": c3.id, "c4": c4.id, "c5": c5.id}


def test_numbers_ticker_and_ranking(demo_db: Database, clock: Clock) -> None:
    ids = build(demo_db, clock)
    with demo_db.read() as s:
        n = wall_numbers(s, local(30, 11))
    assert n.built_at == local(30, 11)
    assert n.open_total == 4  # c1, c2, c4, c5
    assert (n.red, n.yellow) == (2, 0)  # c2, c5; c1 and c4 are not on the clock
    assert (n.reported_today, n.closed_today) == (1, 0)
    assert (n.closed_month, n.on_time_rate_month) == (1, 1.0)
    assert n.unacknowledged_alerts == 1
    # One line per case: c2 under 督办 (raised 30 Nov), then c5 red (deadline in the week before).
    assert [(t.case_id, t.kind) for t in n.ticker] == [
        (ids["c2"], "supervise_1"),
        (ids["c5"], "red"),
    ]
    assert n.ticker[0].number and n.ticker[0].street
    ranking = n.street_ranking
    assert len(ranking) == 9  # every street, idle ones too
    top = {(r.open, r.overdue, r.closed_month) for r in ranking[:2]}
    assert top == {(2, 1, 1), (2, 1, 0)}
    assert all((r.open, r.overdue, r.closed_month) == (0, 0, 0) for r in ranking[2:])


def test_todays_sources_and_the_seven_day_trend(demo_db: Database, clock: Clock) -> None:
    """c1, c2, c3, c5 reported on Mon 23 (c3 closed that day), c4 on Mon 30."""
    build(demo_db, clock)
    with demo_db.read() as s:
        n = wall_numbers(s, local(30, 11))
    assert n.today_by_source["hotline"] + n.today_by_source["inspector"] == 1
    assert sum(n.today_by_source.values()) == 1 and len(n.today_by_source) >= 5
    assert [d.day for d, _, _ in n.trend] == [24, 25, 26, 27, 28, 29, 30]
    assert [(r, c) for _, r, c in n.trend] == [(0, 0)] * 6 + [(1, 0)]
    with demo_db.read() as s:
        week_of_23 = wall_numbers(s, local(29, 23)).trend
    assert [d.day for d, _, _ in week_of_23] == [23, 24, 25, 26, 27, 28, 29]
    assert week_of_23[0][1:] == (4, 1)  # four reported, c3 closed, on the 23rd


def test_a_new_month_and_a_new_day_start_from_zero(demo_db: Database, clock: Clock) -> None:
    build(demo_db, clock)
    with demo_db.read() as s:
        n = wall_numbers(s, local(30, 11).replace(month=12, day=1))
    assert (n.reported_today, n.closed_today, n.closed_month) == (0, 0, 0)
    assert n.on_time_rate_month is None
    assert n.open_total == 4


def test_the_source_says_when_the_database_is_gone(
    demo_db: Database, clock: Clock, tmp_path
) -> None:
    class Bench:
        db = Database(f"sqlite:///{tmp_path / 'gone' / 'x.sqlite3'}", migrate=False)
        clock = staticmethod(lambda: local(30, 11))

    (tmp_path / "gone").rmdir()
    try:
        WallSource(Bench()).snapshot()
    except DatabaseUnavailableError as exc:
        assert "数据库" in exc.message
    else:
        raise AssertionError("no error")
    finally:
        Bench.db.dispose()

    class Good:
        db = demo_db
        clock = staticmethod(lambda: local(30, 11))

    build(demo_db, clock)
    snap = WallSource(Good()).snapshot()
    assert len(snap.marker_ids) == 4 and sum(snap.grid_counts.values()) == 4
    assert WallSource(Good()).district()
