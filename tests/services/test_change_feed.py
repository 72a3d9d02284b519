"""The change feed: no history replay, each event once, late commits below the high-water mark."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.db import Database
from console.models import CaseEvent
from console.services.cases.service import CaseService
from console.services.change_feed import CaseChange, ChangeFeed
from tests.conftest import Clock
from tests.services.console_support import CHIEF, INTAKE, local, report_input, street_points


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


@pytest.fixture
def feed_clock() -> Clock:
    return Clock(local(23, 9))


@pytest.fixture
def feed(feed_clock: Clock) -> ChangeFeed:
    return ChangeFeed(gap_grace=timedelta(seconds=60), clock=feed_clock)


def poll(db: Database, feed: ChangeFeed) -> list[CaseChange]:
    with db.read() as s:
        return feed.poll(s)


def start(db: Database, feed: ChangeFeed) -> None:
    with db.read() as s:
        feed.start(s)


def insert_event(db: Database, event_id: int, case_id: int, action: str = "add_note") -> None:
    """A case_events row with an explicit id: what a late commit looks like to a reader."""
    with db.session() as s:
        s.add(
            CaseEvent(
                id=event_id,
                case_id=case_id,
                at=local(23, 9, 30),
                action=action,
                from_state="reported",
                to_state="reported",
                actor_name="另一席位",
                actor_role="intake",
                note="迟到的事务",
            )
        )


def test_start_skips_history(service, demo_db, feed) -> None:
    point = street_points(demo_db)[0][2]
    for _ in range(3):
        service.report(INTAKE, report_input(point))
    assert feed.cursor is None
    start(demo_db, feed)
    assert feed.cursor == 3
    assert poll(demo_db, feed) == []
    assert feed.pending_gaps == frozenset()


def test_poll_before_start_starts(service, demo_db, feed) -> None:
    service.report(INTAKE, report_input(street_points(demo_db)[0][2]))
    assert poll(demo_db, feed) == []
    assert feed.cursor == 1


def test_new_events_are_delivered_once_in_order(service, demo_db, feed, clock) -> None:
    start(demo_db, feed)
    assert feed.cursor == 0  # an empty database
    point = street_points(demo_db)[0][2]
    a = service.report(INTAKE, report_input(point))
    b = service.report(INTAKE, report_input(point))
    a = service.register(CHIEF, a.id, a.version)
    changes = poll(demo_db, feed)
    assert [(c.case_id, c.action) for c in changes] == [
        (a.id, "report"),
        (b.id, "report"),
        (a.id, "register"),
    ]
    assert [c.event_id for c in changes] == [1, 2, 3]
    assert changes[2].actor_name == CHIEF.name and changes[2].at == clock.now
    assert poll(demo_db, feed) == []
    service.add_note(CHIEF, b.id, b.version, note="跟进")
    assert [(c.case_id, c.action) for c in poll(demo_db, feed)] == [(b.id, "add_note")]
    assert poll(demo_db, feed) == []


def test_a_late_commit_below_the_high_water_mark_is_delivered(
    service, demo_db, feed, feed_clock
) -> None:
    case = service.report(INTAKE, report_input(street_points(demo_db)[0][2]))
    start(demo_db, feed)
    assert feed.cursor == 1
    # Two transactions took ids 2..5; the one with id 6 committed first (2..5 still open).
    insert_event(demo_db, 6, case.id)
    assert [c.event_id for c in poll(demo_db, feed)] == [6]
    assert feed.cursor == 6 and feed.pending_gaps == {2, 3, 4, 5}
    feed_clock.advance(seconds=20)
    assert poll(demo_db, feed) == []  # still waiting, nothing delivered twice
    # Id 3 commits now, within the grace period, along with a new event 7.
    insert_event(demo_db, 3, case.id)
    insert_event(demo_db, 7, case.id)
    changes = poll(demo_db, feed)
    assert [c.event_id for c in changes] == [3, 7]
    assert changes[0].actor_name == "另一席位" and changes[0].case_id == case.id
    assert feed.pending_gaps == {2, 4, 5}
    assert poll(demo_db, feed) == []
    # Past the grace the remaining gaps (rolled back, say) are given up...
    feed_clock.advance(seconds=41)
    assert poll(demo_db, feed) == []
    assert feed.pending_gaps == frozenset()
    # ...so a row that turns up after that is not delivered (the grace is the contract).
    insert_event(demo_db, 4, case.id)
    assert poll(demo_db, feed) == []
    assert feed.cursor == 7


def test_gaps_found_in_the_same_poll_as_new_events(service, demo_db, feed) -> None:
    case = service.report(INTAKE, report_input(street_points(demo_db)[0][2]))
    start(demo_db, feed)
    insert_event(demo_db, 4, case.id)
    insert_event(demo_db, 2, case.id)
    # Both visible at once: delivered together in id order, id 3 awaited.
    assert [c.event_id for c in poll(demo_db, feed)] == [2, 4]
    assert feed.pending_gaps == {3}
    insert_event(demo_db, 3, case.id)
    insert_event(demo_db, 5, case.id)
    assert [c.event_id for c in poll(demo_db, feed)] == [3, 5]
    assert feed.pending_gaps == frozenset()


def test_batches_carry_on_where_they_stopped(service, demo_db, feed_clock) -> None:
    feed = ChangeFeed(clock=feed_clock, batch_size=2)
    start(demo_db, feed)
    point = street_points(demo_db)[0][2]
    for _ in range(5):
        service.report(INTAKE, report_input(point))
    seen = [c.event_id for _ in range(4) for c in poll(demo_db, feed)]
    assert seen == [1, 2, 3, 4, 5]
    assert feed.pending_gaps == frozenset()
