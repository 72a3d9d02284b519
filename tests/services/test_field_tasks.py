"""A handheld's field tasks read from a real demo database (the gateway's reads, issue 14 §3)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from console.db import Database
from console.errors import CaseNotFoundError, IllegalTransitionError, PermissionDeniedError
from console.services import field_tasks
from console.services.acceptance import ACCEPT_MARK
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.field_tasks import FieldTask, TaskScope
from tests.conftest import Clock
from tests.gateway.support import dispatched, handled
from tests.services.console_support import DISPATCHER, INSPECTOR, handler

#: As resources/gateway/tasks.csv has them.
SCOPES = {
    "department": TaskScope(("dispatched", "return_requested"), "own_department"),
    "inspector": TaskScope(("report_check", "handled"), "assigned"),
}


@pytest.fixture
def cases(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


def _tasks(db: Database, actor: Actor, now: datetime, limit: int = 100) -> list[FieldTask]:
    with db.read() as s:
        return field_tasks.list_tasks(s, SCOPES, actor, now, limit)


def test_scope_of_refuses_roles_without_tasks() -> None:
    assert field_tasks.scope_of(SCOPES, INSPECTOR) == SCOPES["inspector"]
    with pytest.raises(PermissionDeniedError, match="没有外勤任务"):
        field_tasks.scope_of(SCOPES, DISPATCHER)
    with pytest.raises(PermissionDeniedError, match="未归属任何部门"):
        field_tasks.scope_of(SCOPES, Actor(9, "无部门", "department", None))


def test_a_departments_tasks_are_its_own_dispatched_cases(
    demo_db: Database, cases: CaseService, clock: Clock
) -> None:
    mine = dispatched(cases, demo_db)  # routed to PRO02
    other = dispatched(cases, demo_db, "PRO04")
    pro02 = handler(demo_db, mine.department_id)
    (task,) = _tasks(demo_db, pro02, clock())
    assert (task.id, task.number, task.version) == (mine.id, mine.number, mine.version)
    assert (task.state, task.state_label) == ("dispatched", "处置中")
    assert task.category_name == "暴露垃圾" and task.department_name
    assert task.street_name and task.grid_code
    assert task.deadline_at is not None and task.light == "green"
    assert task.accepted is False and task.rework_count == 0
    assert [t.id for t in _tasks(demo_db, handler(demo_db, other.department_id), clock())] == [
        other.id
    ]
    with demo_db.read() as s, pytest.raises(PermissionDeniedError):
        field_tasks.list_tasks(s, SCOPES, DISPATCHER, clock(), 100)


def test_tasks_come_soonest_deadline_first_up_to_the_limit(
    demo_db: Database, cases: CaseService, clock: Clock
) -> None:
    first = dispatched(cases, demo_db)
    clock.advance(hours=1)
    second = dispatched(cases, demo_db)
    pro02 = handler(demo_db, first.department_id)
    assert [t.id for t in _tasks(demo_db, pro02, clock())] == [first.id, second.id]
    assert [t.id for t in _tasks(demo_db, pro02, clock(), limit=1)] == [first.id]


def test_an_inspector_sees_every_handled_case(
    demo_db: Database, cases: CaseService, clock: Clock
) -> None:
    done = handled(cases, demo_db)
    dispatched(cases, demo_db)
    assert [t.id for t in _tasks(demo_db, INSPECTOR, clock())] == [done.id]


def test_load_task_is_the_listed_task_with_its_detail(
    demo_db: Database, cases: CaseService, clock: Clock
) -> None:
    mine = dispatched(cases, demo_db)
    pro02 = handler(demo_db, mine.department_id)
    (listed,) = _tasks(demo_db, pro02, clock())
    with demo_db.read() as s:
        task, detail = field_tasks.load_task(
            s, SCOPES, pro02, mine.id, clock(), cases.workflow.calendar, cases.lifecycle
        )
        assert task == listed
        assert [e.action for e in detail.timeline] == ["report", "register", "dispatch"]
        assert {"feedback", "request_return"} <= {a.action for a in detail.actions}
        with pytest.raises(CaseNotFoundError):
            field_tasks.load_task(s, SCOPES, pro02, 999_999, clock(), cases.workflow.calendar)
        pro04 = handler(demo_db, dispatched(cases, demo_db, "PRO04").department_id)
        with pytest.raises(PermissionDeniedError, match="未派遣给您所在的部门"):
            field_tasks.load_task(s, SCOPES, pro04, mine.id, clock(), cases.workflow.calendar)


def test_check_visible(demo_db: Database, cases: CaseService) -> None:
    mine = dispatched(cases, demo_db)
    pro02 = handler(demo_db, mine.department_id)
    pro04 = handler(demo_db, dispatched(cases, demo_db, "PRO04").department_id)
    with demo_db.read() as s:
        field_tasks.check_visible(s, SCOPES, pro02, mine.id)
        field_tasks.check_visible(s, SCOPES, INSPECTOR, mine.id)  # scope "assigned": no one
        with pytest.raises(PermissionDeniedError):
            field_tasks.check_visible(s, SCOPES, pro04, mine.id)
        with pytest.raises(CaseNotFoundError):
            field_tasks.check_visible(s, SCOPES, pro02, 999_999)


def test_accepted_is_a_marked_note_after_the_last_step(
    demo_db: Database, cases: CaseService, clock: Clock
) -> None:
    s = dispatched(cases, demo_db)
    other = dispatched(cases, demo_db)
    pro02 = handler(demo_db, s.department_id)
    with demo_db.read() as session:
        assert field_tasks.accepted_ids(session, []) == set()
        assert field_tasks.accepted_ids(session, [s.id, other.id]) == set()
    s = cases.add_note(pro02, s.id, s.version, note="只是备注")  # no mark: not an acceptance
    s = cases.add_note(pro02, s.id, s.version, note=f"{ACCEPT_MARK}{pro02.name} 已签收")
    with demo_db.read() as session:
        assert field_tasks.accepted_ids(session, [s.id, other.id]) == {s.id}
        snap, accepted = field_tasks.acceptance(session, SCOPES, pro02, s.id, clock())
        assert (snap.id, snap.version, accepted) == (s.id, s.version, True)
        snap, accepted = field_tasks.acceptance(session, SCOPES, pro02, other.id, clock())
        assert (snap.id, accepted) == (other.id, False)
    # a step after the acceptance (the work reported, sent back for rework): accept again
    clock.advance(minutes=5)
    s = cases.feedback(pro02, s.id, s.version, note="已清运")
    s = cases.verify_fail(INSPECTOR, s.id, s.version, note="未清理干净")
    with demo_db.read() as session:
        assert field_tasks.accepted_ids(session, [s.id]) == set()
        (task,) = [t for t in _tasks(demo_db, pro02, clock()) if t.id == s.id]
        assert task.accepted is False and task.rework_count == 1


def test_acceptance_refuses_cases_outside_the_tasks(
    demo_db: Database, cases: CaseService, clock: Clock
) -> None:
    done = handled(cases, demo_db)
    pro02 = handler(demo_db, done.department_id)
    with demo_db.read() as s:
        with pytest.raises(IllegalTransitionError, match="不在您的任务中"):
            field_tasks.acceptance(s, SCOPES, pro02, done.id, clock() + timedelta(minutes=1))
        with pytest.raises(CaseNotFoundError):
            field_tasks.acceptance(s, SCOPES, pro02, 999_999, clock())
        pro04 = handler(demo_db, dispatched(cases, demo_db, "PRO04").department_id)
        with pytest.raises(PermissionDeniedError):
            field_tasks.acceptance(s, SCOPES, pro04, done.id, clock())
