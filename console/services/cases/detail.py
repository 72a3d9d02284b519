"""One case in full for the detail pane: its record, names, rule, clock, timeline and buttons.

The actions offered are what the lifecycle table allows the seat's role in the case's state,
narrowed by the same rules the workflow enforces (a handler acts only on its own department's
cases; an extension is approved or denied only while one is pending, and requested only while
none is; an assigned inspector's task is offered to that inspector alone), so the view never
shows a button that would only raise.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.lifecycle import (
    FINAL_STATES,
    ROLE_LABELS,
    Lifecycle,
    default_lifecycle,
    state_label,
)
from console.domain.time_limits import LimitUnit, TimeLimit
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError
from console.models import Case, CaseEvent, Category, DeadlineRule, Department, Region, User
from console.services.acceptance import accepted_ids
from console.services.assignment import (
    InspectorOption,
    assigned_elsewhere,
    assigned_name,
    inspector_options,
)
from console.services.case_scope import DISTRICT, CaseScope
from console.services.cases.dto import CaseSnapshot, snapshot
from console.services.catalog import LOCAL_EXTENSION_MARK
from console.services.components.case_component import CaseComponent, case_component
from console.services.duplicates.pairs import DuplicateCandidate, open_pairs
from console.services.open311_extras import staff_extras
from console.services.permissions import permissions
from console.services.queue import clock_remaining
from console.services.street_tasks import ForceOption, OpenSubTask, forces_of, open_summary
from console.services.taxonomy_schedule import read_schedule
from console.services.tier_routing import SELF_HANDLE, duty_allows

#: The timeline's word for the first event (the table's label, 发现上报, names the step).
REPORT_LABEL = "上报"
#: A request a department makes, the decisions on it, and whether one is pending: the
#: decisions are offered only while it is, the request only while it is not.
_REQUESTS: tuple[tuple[str, frozenset[str], Callable[[Case], bool]], ...] = (
    (
        "request_extension",
        frozenset({"approve_extension", "deny_extension"}),
        lambda case: case.extension_requested is not None,
    ),
    (
        "request_suspension",
        frozenset({"approve_suspension", "refuse_suspension"}),
        lambda case: case.suspension_requested_at is not None,
    ),
)


@dataclass(frozen=True)
class TimelineEntry:
    event_id: int
    at: datetime
    action: str
    action_label: str
    from_state: str | None
    to_state: str
    from_label: str | None
    to_label: str
    actor_name: str
    actor_role: str
    actor_role_label: str
    department_name: str | None
    note: str | None
    data: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class ActionOption:
    action: str
    label_zh: str
    label_en: str
    note_required: bool
    input: str = "none"  # what the seat asks for first (transitions.csv's input column)


@dataclass(frozen=True)
class CaseDetail:
    snapshot: CaseSnapshot
    category_name: str
    major_name: str
    street_name: str
    area_name: str
    unit_name: str
    grid_code: str
    grid_name: str
    department_name: str | None
    rule_condition: str | None
    closing_condition: str | None
    limit_text: str | None
    remaining_seconds: float | None
    timeline: tuple[TimelineEntry, ...]
    actions: tuple[ActionOption, ...]
    #: Open cases this one may repeat, or that may repeat it (疑似重复), nearest first.
    duplicates: tuple[DuplicateCandidate, ...] = ()
    #: Which of "merge" (this case into one of them) and "keep_apart" the seat may take.
    duplicate_actions: frozenset[str] = frozenset()
    #: What the category line adds: "地方扩展", "原报 CJ/T 214 0102" (a mapped older code).
    category_note: str = ""
    #: Who reported it and the caller's phone, for staff who may see them (permission
    #: view_caller); None for every other seat, so the phone never leaves the command center.
    reporter: str | None = None
    reporter_phone: str | None = None
    #: What an Open311 request carried beyond the case (e-mail, device, account, photo link,
    #: attributes) as (label, value): for the same staff as the caller, else empty.
    open311_extras: tuple[tuple[str, str], ...] = ()
    caller_visible: bool = False
    #: The inspector its report check or check task is assigned to (信息核实, 核查任务).
    assigned_inspector_id: int | None = None
    assigned_inspector: str | None = None
    #: The inspectors the seat may name, when an action offered asks for one (input
    #: "inspector"); empty otherwise.
    inspectors: tuple[InspectorOption, ...] = ()
    #: The street forces the seat may send the case on to (input "force": 二级派遣).
    street_forces: tuple[ForceOption, ...] = ()
    #: The street's sub-task the case waits on (二级派遣, not yet fed back), for every seat.
    sub_task: OpenSubTask | None = None
    #: Natural hours from now to the deadline (None: no deadline): a sub-task's longest limit.
    hours_to_deadline: float | None = None
    #: The register object the case names (issue 17), with its other cases; None if none.
    component: CaseComponent | None = None


def category_note(local: bool, original_taxonomy: str | None, original_code: str | None) -> str:
    """The category's marks for the detail: a local extension class, the code as reported."""
    parts = [LOCAL_EXTENSION_MARK] if local else []
    if original_taxonomy and original_code:
        parts.append(f"原报 {read_schedule().label(original_taxonomy)} {original_code}")
    return "；".join(parts)


def limit_text(limit_value: float | None, limit_unit: str | None, extension: float) -> str | None:
    """ "4工作时", or "4工作时+2工作时延期" with an approved extension; None without a limit."""
    if limit_value is None or limit_unit is None:
        return None
    unit = LimitUnit(limit_unit)
    text = str(TimeLimit(limit_value, unit))
    if extension > 0:
        text += f"+{TimeLimit(extension, unit)}延期"
    return text


def _parse_data(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {"raw": raw}
    return value if isinstance(value, dict) else {"value": value}


def _without_caller(data: dict[str, Any]) -> dict[str, Any]:
    """An event's data without the merged report's caller (for seats that may not see it)."""
    report = data.get("merged_report")
    if not isinstance(report, dict) or "reporter" not in report:
        return data
    return {**data, "merged_report": {k: v for k, v in report.items() if k != "reporter"}}


def _timeline(
    session: Session, case_id: int, lifecycle: Lifecycle, *, caller_visible: bool = True
) -> tuple[TimelineEntry, ...]:
    # Each row names the actor's own department (a handler's), not the case's department of
    # the moment: a duty chief's 立案 is not the sanitation centre's.
    stmt = (
        select(CaseEvent, Department.name)
        .outerjoin(User, User.id == CaseEvent.actor_id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.id)
    )
    entries = []
    for event, department_name in session.execute(stmt):
        transition = lifecycle.transitions.get(event.action)
        if event.action == "report":
            label = REPORT_LABEL
        else:
            label = transition.label_zh if transition is not None else event.action
        entries.append(
            TimelineEntry(
                event_id=event.id,
                at=event.at,
                action=event.action,
                action_label=label,
                from_state=event.from_state,
                to_state=event.to_state,
                from_label=state_label(event.from_state) if event.from_state else None,
                to_label=state_label(event.to_state),
                actor_name=event.actor_name,
                actor_role=event.actor_role,
                actor_role_label=ROLE_LABELS.get(event.actor_role, event.actor_role),
                department_name=department_name,
                note=event.note,
                data=(
                    _parse_data(event.data)
                    if caller_visible
                    else _without_caller(_parse_data(event.data))
                ),
            )
        )
    return tuple(entries)


def available_actions(
    case: Case,
    role: str,
    department_id: int | None,
    lifecycle: Lifecycle,
    *,
    accepted: bool = False,
    user_id: int | None = None,
) -> tuple[ActionOption, ...]:
    """The actions ``role`` (of ``department_id``) can take on ``case`` right now.

    ``accepted``: the case was accepted (签收) since it arrived in its state. ``user_id``: the
    seat's user (an inspector's assigned task is theirs alone)."""
    if role == "department" and case.department_id != department_id:
        return ()
    hidden = {"accept"} if accepted else set()
    for request, decisions, pending in _REQUESTS:
        hidden |= {request} if pending(case) else decisions
    options = []
    for action in lifecycle.allowed_actions(case.state, role):
        if lifecycle.get(action).input == "pair":
            continue  # taken from the duplicates box, with the other case
        if action in hidden or assigned_elsewhere(case, action, user_id):
            continue
        if action == SELF_HANDLE and not duty_allows(role, SELF_HANDLE, case):
            continue  # 一格七员 self-handle only what their duties list
        t = lifecycle.get(action)
        options.append(ActionOption(t.action, t.label_zh, t.label_en, t.note_required, t.input))
    return tuple(options)


def load_detail(
    session: Session,
    case_id: int,
    now: datetime,
    calendar: WorkCalendar,
    *,
    role: str,
    department_id: int | None = None,
    lifecycle: Lifecycle | None = None,
    user_id: int | None = None,
    scope: CaseScope = DISTRICT,
) -> CaseDetail:
    """Everything the detail pane shows of one case, for a seat of ``role`` (``user_id``:
    the seat's user, for the tasks assigned to them) confined to ``scope``."""
    lifecycle = lifecycle or default_lifecycle()
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFoundError(f"案件不存在: {case_id}")
    scope.check(case)
    category = session.scalar(
        select(Category).where(
            Category.taxonomy == case.taxonomy,
            Category.kind == case.kind,
            Category.code == case.category_code,
        )
    )
    region_ids = (case.street_id, case.area_id, case.unit_id, case.grid_id)
    regions = {r.id: r for r in session.scalars(select(Region).where(Region.id.in_(region_ids)))}

    def region(region_id: int) -> Region | None:
        return regions.get(region_id)

    grid = region(case.grid_id)
    department = session.get(Department, case.department_id) if case.department_id else None
    rule = session.get(DeadlineRule, case.rule_id) if case.rule_id else None
    finished = case.state in FINAL_STATES
    caller_visible = role in permissions()["view_caller"].roles
    duplicates = () if finished else tuple(open_pairs(session, case.id, scope))
    pair_actions = (
        # Actions on a pair of cases (input "pair"): beside each possible duplicate.
        frozenset(
            a
            for a in lifecycle.allowed_actions(case.state, role)
            if lifecycle.get(a).input == "pair"
        )
        if duplicates and role != "department"
        else frozenset()
    )
    actions = available_actions(
        case,
        role,
        department_id,
        lifecycle,
        accepted=role == "department" and case.id in accepted_ids(session, [case.id]),
        user_id=user_id,
    )
    return CaseDetail(
        snapshot=snapshot(case, now),
        category_name=category.name if category else case.category_code,
        major_name=category.major_name if category else "",
        street_name=getattr(region(case.street_id), "name", ""),
        area_name=getattr(region(case.area_id), "name", ""),
        unit_name=getattr(region(case.unit_id), "name", ""),
        grid_code=grid.code if grid else "",
        grid_name=grid.name if grid else "",
        department_name=department.name if department else None,
        rule_condition=rule.condition if rule else None,
        closing_condition=rule.closing_condition if rule else None,
        limit_text=limit_text(case.limit_value, case.limit_unit, case.extension_value),
        remaining_seconds=clock_remaining(
            case.state, case.limit_unit, case.deadline_at, case.suspended_at, now, calendar
        ),
        timeline=_timeline(session, case.id, lifecycle, caller_visible=caller_visible),
        actions=actions,
        duplicates=duplicates,
        duplicate_actions=pair_actions,
        category_note=category_note(
            bool(category and category.is_local_extension),
            case.original_taxonomy,
            case.original_category_code,
        ),
        reporter=case.reporter if caller_visible else None,
        reporter_phone=case.reporter_phone if caller_visible else None,
        open311_extras=staff_extras(session, case.id) if caller_visible else (),
        caller_visible=caller_visible,
        assigned_inspector_id=case.assigned_inspector_id,
        assigned_inspector=assigned_name(session, case),
        inspectors=(
            inspector_options(session) if any(a.input == "inspector" for a in actions) else ()
        ),
        street_forces=(
            tuple(forces_of(session, case)) if any(a.input == "force" for a in actions) else ()
        ),
        sub_task=open_summary(session, case.id) if case.state == "dispatched" else None,
        hours_to_deadline=(
            (case.deadline_at - now).total_seconds() / 3600 if case.deadline_at else None
        ),
        component=case_component(session, case, scope),
    )
