"""The shift handover (交接班). No Qt. (The duty roster is console.services.duty_roster.)

At the end of a shift
:func:`build_summary` counts what happened in it and what is still pending, the outgoing and
incoming officers add notes and sign (:func:`save_handover`, :func:`sign`), and the summary is
kept as JSON exactly as it was built, so a handover reads the same years later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.lifecycle import CLOCK_STATES, FINAL_STATES, STATE_LABELS
from console.errors import PermissionDeniedError, ValidationError
from console.models import Alert, Case, CaseEvent, Handover, User
from console.services.alert_scope import ALL_ALERTS, AlertScope, unacknowledged_where
from console.services.duty_roster import (  # the roster, re-exported for the handover's users
    DUTY_ROLES,
    DutyCandidate,
    DutyEntry,
    ShiftDef,
    _aware,
    alert_level_labels,
    assign,
    duty_candidates,
    ensure_demo_roster,
    on_duty,
    role_labels,
    roster,
    roster_span,
    set_duty,
    shift_bounds,
    shift_definitions,
    shift_labels,
)
from console.services.supervision import unacknowledged_count

__all__ = [
    "DUTY_ROLES",
    "DutyCandidate",
    "DutyEntry",
    "ShiftDef",
    "alert_level_labels",
    "assign",
    "duty_candidates",
    "ensure_demo_roster",
    "on_duty",
    "role_labels",
    "roster",
    "roster_span",
    "set_duty",
    "shift_bounds",
    "shift_definitions",
    "shift_labels",
]

#: Order of the counts in a summary (and in the dialog and the PDF).
COUNT_KEYS = (
    "new",
    "registered",
    "dispatched",
    "closed",
    "overdue_now",
    "open_supervision",
    "unacknowledged_alerts",
)
#: The lists of a summary: the overdue cases, the open 督办, the unacknowledged alerts.
LIST_KEYS = ("overdue", "open_supervision", "unacknowledged_alerts")
#: At most this many lines per list (the counts are always complete).
LIST_LIMIT = 200
#: The services refuse longer handover notes.
MAX_NOTES = 4000
#: case_events action → summary count.
_EVENT_COUNTS = {
    "report": "new",
    "register": "registered",
    "dispatch": "dispatched",
    "close": "closed",
}
SIDES = ("outgoing", "incoming")


# --- the summary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """One case in a summary list. ``detail``: the deadline (overdue) or the alert."""

    case_id: int
    number: str
    category_code: str
    address: str
    state_label: str
    detail: str
    #: The state code (for an English label) and, for alert lists, the alert level.
    state: str = ""
    level: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "number": self.number,
            "category_code": self.category_code,
            "address": self.address,
            "state_label": self.state_label,
            "detail": self.detail,
            "state": self.state,
            "level": self.level,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseLine:
        return cls(
            case_id=int(data["case_id"]),
            number=str(data["number"]),
            category_code=str(data["category_code"]),
            address=str(data["address"]),
            state_label=str(data["state_label"]),
            detail=str(data["detail"]),
            state=str(data.get("state", "")),
            level=str(data.get("level", "")),
        )


@dataclass(frozen=True)
class HandoverSummary:
    """What a shift leaves behind: its activity, what is pending, who was on duty."""

    shift_start: datetime
    shift_end: datetime
    built_at: datetime
    counts: dict[str, int]
    lists: dict[str, list[CaseLine]]
    on_duty: list[DutyEntry] = field(default_factory=list)

    @property
    def shift_code(self) -> str:
        return shift_bounds(self.shift_start)[2]

    def to_json(self) -> str:
        return json.dumps(
            {
                "shift_start": self.shift_start.isoformat(),
                "shift_end": self.shift_end.isoformat(),
                "built_at": self.built_at.isoformat(),
                "counts": {k: self.counts.get(k, 0) for k in COUNT_KEYS},
                "lists": {k: [line.to_json() for line in self.lists.get(k, [])] for k in LIST_KEYS},
                "on_duty": [e.to_json() for e in self.on_duty],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> HandoverSummary:
        data = json.loads(text)
        return cls(
            shift_start=datetime.fromisoformat(data["shift_start"]),
            shift_end=datetime.fromisoformat(data["shift_end"]),
            built_at=datetime.fromisoformat(data["built_at"]),
            counts={k: int(v) for k, v in data["counts"].items()},
            lists={
                k: [CaseLine.from_json(line) for line in lines]
                for k, lines in data["lists"].items()
            },
            on_duty=[DutyEntry.from_json(e) for e in data.get("on_duty", [])],
        )


def _local_text(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else "—"


def _state_label(state: str) -> str:
    return STATE_LABELS.get(state, (state, state))[0]


def _alert_lines(session: Session, *conditions: Any) -> list[CaseLine]:
    rows = session.execute(
        select(
            Case.id,
            Case.number,
            Case.category_code,
            Case.address,
            Case.state,
            Alert.level,
            Alert.message,
            Alert.raised_at,
        )
        .join(Case, Case.id == Alert.case_id)
        .where(*conditions)
        .order_by(Alert.raised_at, Alert.id)
        .limit(LIST_LIMIT)
    ).all()
    levels = alert_level_labels()
    return [
        CaseLine(
            case_id=r.id,
            number=r.number,
            category_code=r.category_code,
            address=r.address,
            state_label=_state_label(r.state),
            detail=(
                f"{levels.get(r.level, (r.level, r.level))[0]} "
                f"{_local_text(r.raised_at)} {r.message}"
            ).strip(),
            state=r.state,
            level=r.level,
        )
        for r in rows
    ]


def _latest_per_case(conditions: tuple[Any, ...]) -> Any:
    """Only each case's newest matching alert: its highest level (levels are raised in order)."""
    newest = (
        select(func.max(Alert.id))
        .join(Case, Case.id == Alert.case_id)
        .where(*conditions)
        .group_by(Alert.case_id)
    )
    return Alert.id.in_(newest)


def build_summary(
    session: Session,
    shift_start: datetime,
    shift_end: datetime,
    now: datetime,
    *,
    scope: AlertScope = ALL_ALERTS,
) -> HandoverSummary:
    """The handover summary of the shift [shift_start, shift_end) as of ``now``.

    Activity counts come from case_events in the shift (new = reports; registered,
    dispatched, closed = those actions); the pending part is as of ``now``: cases on the clock
    at or past their deadline, cases still open under 督办 (one line each, its highest level),
    alerts nobody acknowledged in ``scope`` (counted as the alerts dock counts them).
    Every count is one SQL aggregate; each list is capped at :data:`LIST_LIMIT` lines.
    """
    for value, name in ((shift_start, "shift_start"), (shift_end, "shift_end"), (now, "now")):
        _aware(value, name)
    if shift_end <= shift_start:
        raise ValidationError("班次结束时间须晚于开始时间", field="shift_end")
    counts = dict.fromkeys(COUNT_KEYS, 0)
    activity = session.execute(
        select(CaseEvent.action, func.count())
        .where(
            CaseEvent.at >= shift_start,
            CaseEvent.at < shift_end,
            CaseEvent.action.in_(list(_EVENT_COUNTS)),
        )
        .group_by(CaseEvent.action)
    ).all()
    for action, count in activity:
        counts[_EVENT_COUNTS[action]] = int(count)

    overdue = and_(Case.state.in_(sorted(CLOCK_STATES)), Case.deadline_at <= now)
    counts["overdue_now"] = int(
        session.scalar(select(func.count()).select_from(Case).where(overdue)) or 0
    )
    supervision = (
        Alert.level.like("supervise_%"),
        Alert.raised_at <= now,
        Case.state.not_in(sorted(FINAL_STATES)),
    )
    # In cases, not alerts: a case under 二级督办 also holds its 一级督办.
    counts["open_supervision"] = int(
        session.scalar(
            select(func.count(func.distinct(Alert.case_id)))
            .select_from(Alert)
            .join(Case, Case.id == Alert.case_id)
            .where(*supervision)
        )
        or 0
    )
    # The alerts dock's definition and scope, so the summary and the dock say the same number.
    unacknowledged = unacknowledged_where(scope, now)
    counts["unacknowledged_alerts"] = unacknowledged_count(session, scope=scope, now=now)

    overdue_rows = session.execute(
        select(Case.id, Case.number, Case.category_code, Case.address, Case.state, Case.deadline_at)
        .where(overdue)
        .order_by(Case.deadline_at, Case.id)
        .limit(LIST_LIMIT)
    ).all()
    lists = {
        "overdue": [
            CaseLine(
                case_id=r.id,
                number=r.number,
                category_code=r.category_code,
                address=r.address,
                state_label=_state_label(r.state),
                detail=_local_text(r.deadline_at),
                state=r.state,
            )
            for r in overdue_rows
        ],
        "open_supervision": _alert_lines(session, *supervision, _latest_per_case(supervision)),
        "unacknowledged_alerts": _alert_lines(session, *unacknowledged),
    }
    return HandoverSummary(
        shift_start=shift_start.astimezone(LOCAL_TZ),
        shift_end=shift_end.astimezone(LOCAL_TZ),
        built_at=now.astimezone(LOCAL_TZ),
        counts=counts,
        lists=lists,
        on_duty=roster(session, shift_start, shift_end),
    )


# --- handover records -----------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverRecord:
    """A saved handover: the summary as built, the notes and the two signatures."""

    id: int
    summary: HandoverSummary
    notes: str
    created_at: datetime
    outgoing_user_id: int
    outgoing_name: str
    incoming_user_id: int | None
    incoming_name: str
    outgoing_signed_at: datetime | None
    incoming_signed_at: datetime | None

    @property
    def complete(self) -> bool:
        """Both officers have signed."""
        return self.outgoing_signed_at is not None and self.incoming_signed_at is not None


def _user(session: Session, user_id: int | None, name: str) -> User:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise ValidationError(f"用户不存在: {user_id}", field=name)
    return user


def save_handover(
    session: Session,
    summary: HandoverSummary,
    outgoing_user_id: int,
    incoming_user_id: int | None,
    notes: str | None,
) -> int:
    """Keep ``summary`` with the officers and notes; returns the handover's id (unsigned)."""
    _user(session, outgoing_user_id, "outgoing_user_id")
    if incoming_user_id is not None:
        _user(session, incoming_user_id, "incoming_user_id")
        if incoming_user_id == outgoing_user_id:
            raise ValidationError("交班人与接班人不能是同一人", field="incoming_user_id")
    text = (notes or "").strip()
    if len(text) > MAX_NOTES:
        raise ValidationError(f"交接说明过长（{len(text)}/{MAX_NOTES} 字）", field="notes")
    row = Handover(
        shift_start=summary.shift_start,
        shift_end=summary.shift_end,
        created_at=summary.built_at,
        outgoing_user_id=outgoing_user_id,
        incoming_user_id=incoming_user_id,
        summary=summary.to_json(),
        notes=text or None,
    )
    session.add(row)
    session.flush()
    return row.id


def _record(session: Session, row: Handover) -> HandoverRecord:
    ids = {row.outgoing_user_id, row.incoming_user_id} - {None}
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    return HandoverRecord(
        id=row.id,
        summary=HandoverSummary.from_json(row.summary),
        notes=row.notes or "",
        created_at=row.created_at.astimezone(LOCAL_TZ),
        outgoing_user_id=row.outgoing_user_id,
        outgoing_name=names.get(row.outgoing_user_id, ""),
        incoming_user_id=row.incoming_user_id,
        incoming_name=names.get(row.incoming_user_id, "") if row.incoming_user_id else "",
        outgoing_signed_at=(
            row.outgoing_signed_at.astimezone(LOCAL_TZ) if row.outgoing_signed_at else None
        ),
        incoming_signed_at=(
            row.incoming_signed_at.astimezone(LOCAL_TZ) if row.incoming_signed_at else None
        ),
    )


def _row(session: Session, handover_id: int) -> Handover:
    row = session.get(Handover, handover_id)
    if row is None:
        raise ValidationError(f"交接班记录不存在: {handover_id}", field="handover_id")
    return row


def load_handover(session: Session, handover_id: int) -> HandoverRecord:
    return _record(session, _row(session, handover_id))


def sign(
    session: Session, handover_id: int, user_id: int, now: datetime, *, side: str
) -> HandoverRecord:
    """``user_id`` signs ``side`` ("outgoing" or "incoming") of the handover at ``now``.

    Only that side's officer may sign it, and only once; when both have signed the handover
    is complete (:attr:`HandoverRecord.complete`).
    """
    _aware(now, "now")
    if side not in SIDES:
        raise ValidationError(f"签字方须为 outgoing 或 incoming: {side!r}", field="side")
    row = _row(session, handover_id)
    expected = row.outgoing_user_id if side == "outgoing" else row.incoming_user_id
    if expected is None:
        raise ValidationError("该交接班尚未指定接班人", field="incoming_user_id")
    if user_id != expected:
        who = "交班人" if side == "outgoing" else "接班人"
        raise PermissionDeniedError(f"只有{who}本人可以签字")
    signed_at = row.outgoing_signed_at if side == "outgoing" else row.incoming_signed_at
    if signed_at is not None:
        raise ValidationError(f"已于 {_local_text(signed_at)} 签字，不能重复签字", field="side")
    if side == "outgoing":
        row.outgoing_signed_at = now
    else:
        row.incoming_signed_at = now
    session.flush()
    return _record(session, row)


def latest_handovers(session: Session, limit: int = 20) -> list[HandoverRecord]:
    """The newest handovers first (by shift end)."""
    rows = session.scalars(
        select(Handover).order_by(Handover.shift_end.desc(), Handover.id.desc()).limit(limit)
    ).all()
    return [_record(session, row) for row in rows]


def save_and_sign(
    session: Session,
    summary: HandoverSummary,
    outgoing_user_id: int,
    incoming_user_id: int | None,
    notes: str | None,
    now: datetime,
) -> HandoverRecord:
    """Save and sign the outgoing side in one step: signing is what the officer means."""
    if incoming_user_id is None:
        raise ValidationError("请先选择接班人", field="incoming_user_id")
    handover_id = save_handover(session, summary, outgoing_user_id, incoming_user_id, notes)
    return sign(session, handover_id, outgoing_user_id, now, side="outgoing")


def pending_for(session: Session, user_id: int, since: datetime) -> HandoverRecord | None:
    """The newest handover since ``since`` that names ``user_id`` as incoming and waits for
    their signature."""
    row = session.scalar(
        select(Handover)
        .where(
            Handover.incoming_user_id == user_id,
            Handover.incoming_signed_at.is_(None),
            Handover.created_at >= since,
        )
        .order_by(Handover.created_at.desc(), Handover.id.desc())
        .limit(1)
    )
    return _record(session, row) if row is not None else None


@dataclass(frozen=True)
class HandoverDraft:
    """What the handover dialog opens on."""

    summary: HandoverSummary
    #: Who takes over by the roster (the next shift's same role), the dialog's default.
    successor: DutyEntry | None
    #: Everyone who may take over (the duty roles, the outgoing officer excluded).
    candidates: list[DutyCandidate]
    #: A handover waiting for the signed-in officer's signature as incoming, if any.
    pending: HandoverRecord | None = None
