"""The case lifecycle applied to rows: one handler per transition, inside the caller's session.

:class:`CaseWorkflow` checks the actor's role and the case's state against the transition table,
changes the case and appends its ``case_events`` row. It never commits: :class:`CaseService`
(console.services.cases) wraps each call in one transaction, and the demo seed runs many in one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from console.domain.lifecycle import NO_HANDLER, Lifecycle, Transition, state_label
from console.domain.time_limits import LimitUnit, TimeLimit, clock_seconds_between
from console.domain.traffic_light import clock_marks
from console.domain.worktime import WorkCalendar
from console.errors import (
    IllegalTransitionError,
    OutsideDistrictError,
    PermissionDeniedError,
    UnknownDepartmentError,
    ValidationError,
)
from console.models import Attachment, Case, CaseEvent, Department, DepartmentKind, User
from console.services import duplicates, street_tasks, tier_routing
from console.services.acceptance import arrival
from console.services.actors import Actor
from console.services.assignment import INSPECTOR_ROLE, assigned_elsewhere, assigned_name
from console.services.case_scope import case_scope
from console.services.cases import numbers as case_numbers
from console.services.category_intake import CategoryEntry, file_category
from console.services.components import case_component
from console.services.components.linking import check_component
from console.services.duplicates import pairs as duplicate_pairs
from console.services.locator import Locator
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput, validate
from console.services.taxonomy_schedule import TaxonomySchedule, read_schedule

Handler = Callable[[Session, Case, datetime, dict[str, Any]], dict[str, Any] | None]


class CaseWorkflow:
    def __init__(
        self,
        calendar: WorkCalendar,
        lifecycle: Lifecycle,
        locator: Locator,
        *,
        warning_share: float = 0.8,
        duplicates: duplicates.DuplicateSettings | None = None,
        taxonomies: TaxonomySchedule | None = None,
    ) -> None:
        self.calendar = calendar
        self.lifecycle = lifecycle
        self.locator = locator
        self.warning_share = warning_share
        #: The possible-duplicate rule (resources/intake/duplicates.csv unless given).
        self.duplicates = duplicates
        #: Which taxonomy files a new report (resources/taxonomy/schedule.csv unless given).
        self.taxonomies = taxonomies or read_schedule()
        #: (taxonomy, code as given, kind) → the category found. Safe to keep for the
        #: workflow's life: category rows are only ever added (reference_data.
        #: load_reference_data), never changed or removed; an unknown code is asked again.
        self._categories: dict[tuple[str, str, str | None], CategoryEntry] = {}
        #: action → its handler, as transitions.csv's handler column names it.
        self._handlers = self._bind_handlers(lifecycle)

    def _bind_handlers(self, lifecycle: Lifecycle) -> dict[str, Handler]:
        """Each applied action's handler method, or a clear error naming the table's row."""
        handlers: dict[str, Handler] = {}
        for action, transition in lifecycle.transitions.items():
            if transition.handler == NO_HANDLER:
                continue
            handler = getattr(self, f"_step_{transition.handler}", None)
            if handler is None:
                raise ValidationError(
                    f"transitions.csv: 操作 {action} 的处理程序 {transition.handler} 不存在"
                    f"（CaseWorkflow 中没有 _step_{transition.handler}）"
                )
            handlers[action] = handler
        return handlers

    # -- creating a case -------------------------------------------------------------------

    def report(self, session: Session, actor: Actor, raw: ReportInput, now: datetime) -> Case:
        """Create a case in state ``reported`` from a validated report."""
        # Its event goes with the session's next flush (or autoflushing query): no caller
        # here needs the event's id, and a flush of its own per case cost the demo seed ~1/6.
        return self._report(session, actor, raw, now, flush_event=False)[0]

    def report_event(
        self, session: Session, actor: Actor, raw: ReportInput, now: datetime
    ) -> tuple[Case, CaseEvent]:
        """:meth:`report`, and its ``case_events`` row (flushed: photos can point at it)."""
        return self._report(session, actor, raw, now, flush_event=True)

    def _report(
        self, session: Session, actor: Actor, raw: ReportInput, now: datetime, *, flush_event: bool
    ) -> tuple[Case, CaseEvent]:
        transition = self.lifecycle.check("report", None, actor.role)
        report = validate(raw, now=now)
        reported_at = report.reported_at or now
        filed = file_category(
            lambda taxonomy, code, kind: self._category(session, taxonomy, code, kind),
            self.taxonomies,
            report.taxonomy,
            report.category_code,
            report.kind,
            reported_at,
        )
        # 一格七员 report only what their duties list (resources/org/grid_staff_duties.csv).
        tier_routing.check_category(
            session, actor.role, tier_routing.REPORT, filed.taxonomy, filed.kind, filed.code
        )
        location = self.locator.locate(report.lon, report.lat)
        if location is None:
            reason = self.locator.explain_outside(report.lon, report.lat)
            raise OutsideDistrictError(f"位置 ({report.lon}, {report.lat}): {reason}", field="lon")
        if not case_scope(actor).admits_report(location.street_id, location.unit_id):
            raise PermissionDeniedError(
                "该位置不在您所在的街道（单元）内，不能在此上报", field="lon"
            )
        component_id = None
        if report.component_id is not None:
            component_id = check_component(
                session, report.component_id, filed.kind, filed.code, report.lon, report.lat
            ).id
        prefix = case_numbers.number_prefix(filed.kind, filed.code, reported_at)
        sequence = case_numbers.reserve(session, prefix)
        case = Case(
            number=case_numbers.format_number(prefix, sequence),
            source=report.source,
            external_id=report.external_id,
            reporter=report.reporter or actor.name,
            reporter_phone=report.reporter_phone,
            taxonomy=filed.taxonomy,
            kind=filed.kind,
            category_code=filed.code,
            original_taxonomy=filed.original_taxonomy,
            original_category_code=filed.original_code,
            urgent=report.urgent,
            component_id=component_id,
            description=report.description,
            address=report.address,
            lon=report.lon,
            lat=report.lat,
            grid_id=location.grid_id,
            unit_id=location.unit_id,
            area_id=location.area_id,
            street_id=location.street_id,
            state=transition.to_state,
            reported_at=reported_at,
            updated_at=now,
            extension_value=0.0,
            suspended_seconds=0.0,
            rework_count=0,
            return_count=0,
            dispatch_count=0,
        )
        session.add(case)
        session.flush()
        event = self._append_event(session, case, transition, actor, None, now, None, {})
        if flush_event:
            session.flush()
        duplicates.flag_case(session, case, now, settings=self.duplicates)
        return case, event

    def _category(
        self, session: Session, taxonomy: str, code: str, kind: str | None
    ) -> CategoryEntry:
        """A report's category, or the lookup's error."""
        key = (taxonomy, code, kind)
        found = self._categories.get(key)
        if found is None:
            category = reference_data.get_category(session, taxonomy, code, kind=kind)
            found = CategoryEntry(category.kind, category.code, category.successor_code)
            self._categories[key] = found
        return found

    # -- moving a case ---------------------------------------------------------------------

    def apply(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        action: str,
        now: datetime,
        *,
        note: str | None = None,
        **params: Any,
    ) -> CaseEvent:
        """Apply ``action`` to ``case``: checks, changes, and the appended event."""
        transition = self.lifecycle.check(action, case.state, actor.role, note=note)
        if action == "self_handle":  # 一格七员 self-handle only what their duties list
            tier_routing.check_case(session, actor.role, tier_routing.SELF_HANDLE, case)
        if actor.role == "department" and case.department_id != actor.department_id:
            raise PermissionDeniedError("该案件未派遣给您所在的部门，不能操作")
        scope = case_scope(actor)
        if action == "self_handle":  # and only in their own grid, said so by name
            scope.check_own_grid(session, case, actor.role)
        scope.check(case)  # a street, unit or grid seat: its own region's cases only
        if scope.level in ("street", "unit") and case.department_id is not None:
            self._check_street_committee(session, case)
        if assigned_elsewhere(case, action, actor.id):
            raise PermissionDeniedError(
                f"该任务已指派给监督员「{assigned_name(session, case)}」，"
                f"只有其本人可以执行「{transition.label_zh}」"
            )
        if note is not None and len(note) > 2000:
            raise ValidationError("说明过长，最多 2000 字", field="note")
        from_state = case.state
        to_state = transition.target(case.state, case.suspended_from)
        handler = self._handlers.get(action)
        if handler is None:
            raise IllegalTransitionError(f"「{transition.label_zh}」不作用于已有案件")
        # Handlers that record a step beside the case (a sub-task) read "_actor" and "_note".
        data = handler(session, case, now, {**params, "_actor": actor, "_note": note}) or {}
        case.state = to_state
        case.updated_at = now
        # Every action bumps the version, a note too: the timeline another seat shows changed.
        flag_modified(case, "updated_at")
        return self._append_event(session, case, transition, actor, from_state, now, note, data)

    # -- a pair of cases: possible duplicates -----------------------------------------------

    def merge(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        into: Case,
        now: datetime,
        *,
        note: str | None = None,
    ) -> CaseEvent:
        """合并: ``case`` repeats ``into``; it ends ``merged`` and ``into`` keeps its report.

        Both timelines record it: ``case`` gets the merge (pointing at ``into``), ``into`` a
        ``merged_in`` event carrying the merged report (reporter, source, time, text, photos).
        """
        if into.id == case.id:
            raise ValidationError("不能把案件合并到它自身", field="into_id")
        merged_in = self.lifecycle.get("merged_in")
        if not merged_in.applies_to(into.state):
            raise IllegalTransitionError(
                f"案件 {into.number} 当前状态为「{state_label(into.state)}」，不能并入其他案件"
            )
        event = self.apply(session, actor, case, "merge", now, note=note, into=into)
        report = {
            "number": case.number,
            "source": case.source,
            "external_id": case.external_id,
            "reporter": case.reporter,
            "reported_at": case.reported_at,
            "category_code": case.category_code,
            "address": case.address,
            "description": case.description,
            "lon": case.lon,
            "lat": case.lat,
            "attachments": [
                {"id": a.id, "filename": a.filename, "content_type": a.content_type}
                for a in session.scalars(
                    select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
                )
            ],
        }
        into.updated_at = now
        flag_modified(into, "updated_at")  # the survivor's timeline changed: a new version
        self._append_event(
            session,
            into,
            merged_in,
            actor,
            into.state,
            now,
            note,
            {"merged_id": case.id, "merged_number": case.number, "merged_report": report},
        )
        duplicate_pairs.decide(session, case, into, duplicates.MERGED, now)
        return event

    def keep_apart(
        self,
        session: Session,
        actor: Actor,
        case: Case,
        other: Case,
        now: datetime,
        *,
        note: str | None = None,
    ) -> CaseEvent:
        """不是重复: the pair flagged as possible duplicates is two problems; both timelines say so."""
        pair = duplicate_pairs.pair_between(session, case.id, other.id)
        if pair is None or pair.status != duplicates.OPEN:
            raise ValidationError(
                f"案件 {case.number} 与 {other.number} 之间没有待确认的疑似重复标记"
            )
        event = self.apply(session, actor, case, "keep_apart", now, note=note, other=other)
        self.apply(session, actor, other, "keep_apart", now, note=note, other=case)
        duplicate_pairs.decide(session, case, other, duplicates.KEPT_APART, now)
        return event

    def _append_event(
        self,
        session: Session,
        case: Case,
        transition: Transition,
        actor: Actor,
        from_state: str | None,
        now: datetime,
        note: str | None,
        data: dict[str, Any],
    ) -> CaseEvent:
        event = CaseEvent(
            case_id=case.id,
            at=now,
            action=transition.action,
            from_state=from_state,
            to_state=case.state,
            actor_id=actor.id,
            actor_name=actor.name,
            actor_role=actor.role,
            department_id=case.department_id,
            note=note.strip() if note else None,
            data=json.dumps(data, ensure_ascii=False, default=str) if data else None,
        )
        session.add(event)
        return event

    # -- the clock -------------------------------------------------------------------------

    def limit_of(self, case: Case) -> TimeLimit:
        if case.limit_value is None or case.limit_unit is None:
            raise ValidationError(f"案件 {case.number} 尚无处置时限（未立案）")
        return TimeLimit(case.limit_value, LimitUnit(case.limit_unit))

    def _restart_marks(self, case: Case) -> None:
        assert case.dispatched_at is not None
        marks = clock_marks(
            self.calendar,
            case.dispatched_at,
            self.limit_of(case),
            extension=case.extension_value,
            suspended_seconds=case.suspended_seconds,
            warning_share=self.warning_share,
        )
        case.warning_at = marks.warning_at
        case.deadline_at = marks.deadline_at

    # -- handlers: _step_<name>, as transitions.csv's handler column names them -----------

    def _step_noop(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        return None

    def _step_register(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        rules = reference_data.rules_for(s, case.taxonomy, case.category_code, kind=case.kind)
        if not rules:
            raise ValidationError(f"类别 {case.category_code} 没有立案条件，请先在时限规则中添加")
        rule_id = p.get("rule_id")
        rule = rules[0] if rule_id is None else next((r for r in rules if r.id == rule_id), None)
        if rule is None:
            raise ValidationError(f"立案条件 {rule_id} 不属于类别 {case.category_code}")
        case.rule_id = rule.id
        case.limit_value = rule.limit_value
        case.limit_unit = rule.limit_unit
        # An urgent flag set at intake stays; a rule on the natural clock makes any case urgent.
        case.urgent = case.urgent or rule.limit_unit == LimitUnit.HOURS.value
        case.registered_at = now
        return {"rule_id": rule.id, "limit": str(self.limit_of(case))}

    def _step_void(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        case.closed_at = now
        case.warning_at = case.deadline_at = None

    def _step_dispatch(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        department_id = p.get("department_id")
        if department_id is None:
            # A named object goes to its owner (主管部门) before the category's route.
            routed = case_component.owner_department(s, case) or reference_data.route(
                s, case.taxonomy, case.category_code, case.street_id, kind=case.kind
            )
            if routed is None:
                raise ValidationError("该类别没有默认处置部门，请选择部门", field="department_id")
            department = routed
        else:
            chosen = s.get(Department, department_id)
            if chosen is None or not chosen.active:
                raise UnknownDepartmentError(f"处置部门不存在或已停用: {department_id}")
            department = chosen
        case.department_id = department.id
        case.dispatched_at = now
        case.dispatch_count += 1
        # A new department starts a fresh clock: time with a wrongly chosen one is not theirs.
        case.extension_value = 0.0
        case.extension_requested = None
        case.suspension_requested_at = None
        case.suspended_seconds = 0.0
        self._restart_marks(case)
        return {"department": department.code, "deadline": case.deadline_at}

    def _check_street_committee(self, session: Session, case: Case) -> None:
        """A street seat works a dispatched case only when it went to its street's committee
        (a professional department's case in the street is the district's to follow)."""
        committee = session.get(Department, case.department_id)
        if (
            committee is None
            or committee.kind != DepartmentKind.STREET_COMMITTEE.value
            or committee.street_id != case.street_id
        ):
            raise PermissionDeniedError("该案件派遣给了区专业部门，不由街道办理；街道席位只能查看")

    def _step_approve_hand_up(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        """提级, approved: back to 待派遣 for a professional department; the street's clock
        stops (the district dispatches it anew). No return is counted: nobody misdispatched."""
        street = s.get(Department, case.department_id) if case.department_id else None
        case.department_id = None
        case.warning_at = case.deadline_at = None
        return {"from_department": street.code if street is not None else None}

    def _step_approve_return(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> None:
        case.return_count += 1
        case.department_id = None
        case.warning_at = case.deadline_at = None

    def _step_request_extension(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        if case.extension_requested is not None:
            raise ValidationError("已有待审批的延期申请")
        amount = p.get("amount")
        limit = self.limit_of(case)
        if not isinstance(amount, int | float) or amount <= 0 or amount > limit.value * 10:
            raise ValidationError(
                f"延期时长须为正数且不超过时限的 10 倍（单位同时限: {limit}）", field="amount"
            )
        case.extension_requested = float(amount)
        return {"amount": amount, "unit": limit.unit.value}

    def _step_approve_extension(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        if case.extension_requested is None:
            raise ValidationError("没有待审批的延期申请")
        amount = case.extension_requested
        case.extension_value += amount
        case.extension_requested = None
        self._restart_marks(case)
        return {"amount": amount, "deadline": case.deadline_at}

    def _step_deny_extension(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> None:
        if case.extension_requested is None:
            raise ValidationError("没有待审批的延期申请")
        case.extension_requested = None

    def _step_sub_dispatch(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        """二级派遣: the street sends the case on to one of its forces (street_tasks)."""
        return street_tasks.sub_dispatch(
            s, case, p["_actor"].name, now, p.get("force"), p.get("hours")
        )

    def _step_sub_feedback(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        """The street force's feedback closes its sub-task; the street feeds back next."""
        return street_tasks.sub_feedback(s, case, p["_actor"], now, p.get("_note"))

    def _step_feedback(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        if case.state == "dispatched":  # not a self-handle: a street's sub-task must be back
            street_tasks.refuse_feedback_while_open(s, case)
        case.handled_at = now
        case.suspension_requested_at = None  # a request the work overtook

    def _step_reject_self_handle(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> None:
        # 自处置审核, rejected: back to 待立案 for the normal loop; not handled after all.
        case.handled_at = None

    def _step_accept(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        """签收, once per arrival of the case in its state; its data: how long it waited."""
        arrived, accepted = arrival(s, case.id)
        if accepted:
            raise IllegalTransitionError("此任务已签收，无需重复签收")
        waited = (now - arrived).total_seconds() if arrived is not None else None
        return {"waited_seconds": round(waited) if waited is not None else None}

    def _step_request_suspension(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> None:
        if case.suspension_requested_at is not None:
            raise ValidationError("已有待审批的挂账申请")
        case.suspension_requested_at = now

    def _step_approve_suspension(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        if case.suspension_requested_at is None:
            raise ValidationError("没有待审批的挂账申请")
        asked = case.suspension_requested_at
        case.suspension_requested_at = None
        self._step_suspend(s, case, now, p)
        return {"requested_at": asked}

    def _step_refuse_suspension(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> None:
        if case.suspension_requested_at is None:
            raise ValidationError("没有待审批的挂账申请")
        case.suspension_requested_at = None

    def _step_assign_inspector(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        """信息核实 / 核查任务: the named inspector (param ``inspector_id``) takes the task."""
        inspector_id = p.get("inspector_id")
        if inspector_id is None:
            raise ValidationError("须选择承担任务的监督员", field="inspector_id")
        valid = isinstance(inspector_id, int) and not isinstance(inspector_id, bool)
        user = s.get(User, inspector_id) if valid else None
        if user is None or not user.active or user.role != INSPECTOR_ROLE:
            raise ValidationError(
                f"所选人员不存在、已停用或不是监督员: {inspector_id}", field="inspector_id"
            )
        previous = case.assigned_inspector_id
        case.assigned_inspector_id = user.id
        data: dict[str, Any] = {"inspector_id": user.id, "inspector": user.display_name}
        if previous is not None and previous != user.id:
            data["previous_inspector_id"] = previous
        return data

    def _step_confirm_report(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        # 核实属实: back to 待立案, the task done.
        case.assigned_inspector_id = None
        return {"confirmed": True}

    def _step_reject_report(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        # 核实不属实: the problem is not there; finished as a voided report.
        case.assigned_inspector_id = None
        self._step_void(s, case, now, p)
        return {"confirmed": False}

    def _step_verify_pass(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        case.assigned_inspector_id = None  # the check task done

    def _step_verify_fail(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        # Rework: back to the same department on the same clock; the deadline does not move.
        case.rework_count += 1
        case.handled_at = None
        case.assigned_inspector_id = None  # the check task done; the next one is assigned anew

    def _step_close(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any] | None:
        case.closed_at = now
        # The named object's status (a broken one back to intact by default), same transaction.
        changed = case_component.close_component_status(
            s, case, now, p["_actor"].name, p.get(case_component.CLOSE_PARAM)
        )
        return {"component_status": changed} if changed else None

    def _step_merge(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        into = p.get("into")
        if not isinstance(into, Case):
            raise ValidationError("合并须选定保留的案件", field="into_id")
        # Finished like a voided case: off the clock, closed as a duplicate.
        case.closed_at = now
        case.warning_at = case.deadline_at = None
        return {"into_id": into.id, "into_number": into.number}

    def _step_keep_apart(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        other = p.get("other")
        if not isinstance(other, Case):
            raise ValidationError("须选定另一件案件", field="other_id")
        return {"other_id": other.id, "other_number": other.number}

    def _step_merged_in(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        raise ValidationError("「并入重复上报」只随合并记录，请使用「合并」")

    def _step_recompute_deadline(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> None:
        raise ValidationError("「期限重算」由节假日安排的变更自动记录，不能直接操作")

    def _step_archive(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        case.archived_at = now

    def _step_suspend(self, s: Session, case: Case, now: datetime, p: dict[str, Any]) -> None:
        case.suspension_requested_at = None  # suspended: a pending request is answered
        case.suspended_at = now
        case.suspended_from = case.state

    def _step_resume(
        self, s: Session, case: Case, now: datetime, p: dict[str, Any]
    ) -> dict[str, Any]:
        assert case.suspended_at is not None
        paused = clock_seconds_between(
            self.calendar, case.suspended_at, now, LimitUnit(case.limit_unit or "work_hours")
        )
        case.suspended_seconds += paused
        case.suspended_at = None
        case.suspended_from = None
        self._restart_marks(case)
        return {"paused_seconds": round(paused), "deadline": case.deadline_at}
