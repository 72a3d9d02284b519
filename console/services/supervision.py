"""The supervision scan (督促办理): yellow warnings, red overdue, then 督办 levels 1–3.

:func:`scan` raises every alert due at ``now`` that is not raised yet, for cases on the clock.
Exactly once: each alert is an ``INSERT … ON CONFLICT DO NOTHING … RETURNING`` on the unique
key (case, level, cycle), and only rows actually inserted get their ``case_events`` row, in the
same transaction. Several seats scanning at once, or a console catching up after downtime,
therefore raise each alert once. The levels are data (resources/supervision/levels.csv).

Set-based: the candidates are one indexed range (the first level's mark <= now on clock
states) anti-joined with the alerts of their cycle: per case one key lookup of the highest
level due, which SQL finds by comparing the stored marks with thresholds computed once per
scan (:func:`work_threshold`). Marks are computed in Python only for the cases that come back,
in steady state the few that just crossed a mark.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from console.config import LOCAL_TZ, csv_rows, resource
from console.domain.lifecycle import CLOCK_STATES, default_lifecycle
from console.domain.time_limits import LimitUnit
from console.domain.worktime import WorkCalendar
from console.errors import PermissionDeniedError, ValidationError
from console.models import Alert, Case, CaseEvent, Category, Department, Region
from console.models.org import DepartmentKind
from console.services import sub_task_alerts
from console.services.actors import SYSTEM, Actor
from console.services.alert_scope import (
    ALL_ALERTS,
    AlertScope,
    in_scope,
    scope_of,
    unacknowledged_where,
)
from console.services.permissions import require

MARKS = ("warning_at", "deadline_at")
RECIPIENT_KINDS = ("department", "street_leadership", "district_office")
DISTRICT_OFFICE = "网格化管理指挥中心"
_CHUNK = 500  # ids per IN (...): well under SQLite's parameter limit
#: Fields an alert row and its AlertRecord share.
_SHARED = ("case_id", "level", "due_at", "raised_at", "message", "recipient_kind", "recipient_name")


@dataclass(frozen=True)
class AlertLevel:
    """One row of levels.csv: when the level falls due and whom it goes to."""

    level: str
    label_zh: str
    label_en: str
    mark: str  # "warning_at" | "deadline_at"
    after_work_hours: float
    recipient_kind: str
    sound: str

    def due_at(self, cal: WorkCalendar, mark_at: datetime, natural: bool) -> datetime:
        """The instant this level falls due for a case whose mark is ``mark_at``."""
        seconds = self.after_work_hours * 3600.0
        if natural or seconds == 0:
            return mark_at + timedelta(seconds=seconds)
        return cal.add_work_seconds(mark_at, seconds)


def load_alert_levels(path: Path) -> list[AlertLevel]:
    """Read and check a levels file; ValidationError naming the file and line."""
    rows = csv_rows(path)
    levels: list[AlertLevel] = []
    for lineno, row in enumerate(rows, start=2):
        try:
            level = AlertLevel(
                level=row["level"].strip(),
                label_zh=row["label_zh"].strip(),
                label_en=row["label_en"].strip(),
                mark=row["mark"].strip(),
                after_work_hours=float(row["after_work_hours"]),
                recipient_kind=row["recipient_kind"].strip(),
                sound=row["sound"].strip(),
            )
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            raise ValidationError(f"{path.name} 第{lineno}行格式错误: {exc}") from exc
        if level.mark == "warning_at" and level.after_work_hours:
            raise ValidationError(f"{path.name} 第{lineno}行: 黄灯预警级别不能再加时长")
        if not level.level or len(level.level) > 16 or level.mark not in MARKS:
            raise ValidationError(f"{path.name} 第{lineno}行: 级别或计时点无效")
        if level.recipient_kind not in RECIPIENT_KINDS or level.after_work_hours < 0:
            raise ValidationError(f"{path.name} 第{lineno}行: 接收单位类型或时长无效")
        levels.append(level)
    order = [(MARKS.index(lv.mark), lv.after_work_hours) for lv in levels]
    if not levels or order != sorted(order) or len({lv.level for lv in levels}) != len(levels):
        raise ValidationError(f"{path.name}: 级别须按到期先后排列且不重复")
    return levels


@cache
def alert_levels() -> list[AlertLevel]:
    """The shipped levels (cached; resources/supervision/levels.csv)."""
    return load_alert_levels(resource("supervision", "levels.csv"))


@dataclass(frozen=True)
class AlertRecord:
    id: int
    case_id: int
    case_number: str
    level: str
    level_label_zh: str
    level_label_en: str
    due_at: datetime
    raised_at: datetime
    message: str
    recipient_kind: str
    recipient_name: str
    acknowledged_by_name: str | None
    acknowledged_at: datetime | None
    address: str
    category_code: str
    #: The level's place in levels.csv (higher = later, more serious); -1 for an unknown level.
    level_rank: int = -1
    #: A 督办 level (due some hours past the deadline), not a yellow warning or plain overdue.
    supervision: bool = False


@dataclass(frozen=True)
class AlertBoard:
    """What the alerts dock shows: its records, and the unacknowledged count by the one
    definition the handover summary uses too (more than the records when the list is capped)."""

    records: list[AlertRecord]
    unacknowledged: int


def is_supervision(level: AlertLevel) -> bool:
    """督办: a level due some working hours after the deadline (levels.csv)."""
    return level.mark == "deadline_at" and level.after_work_hours > 0


def _level_facts() -> dict[str, tuple[int, bool]]:
    return {lv.level: (i, is_supervision(lv)) for i, lv in enumerate(alert_levels())}


def _rank_sql() -> ColumnElement[int]:
    """The level's rank as SQL, so a capped list keeps the most serious alerts."""
    ranks = {level: rank for level, (rank, _) in _level_facts().items()}
    return sql_case(ranks, value=Alert.level, else_=-1)


# -- thresholds: "is the level due?" as a range comparison --------------------------------


def work_threshold(cal: WorkCalendar, now: datetime, seconds: float) -> datetime:
    """The latest instant ``t`` with ``cal.add_work_seconds(t, seconds) <= now``.

    A level ``after`` working seconds past a mark is due iff mark <= this threshold, so the
    scan compares stored marks instead of doing clock maths per row.
    """
    if seconds <= 0:
        return now
    span = timedelta(seconds=seconds)
    while cal.work_seconds_between(now - span, now) < seconds:
        span *= 2
        if span > timedelta(days=3660):
            raise ValidationError("工作日历中找不到足够的工作时间")
    lo = -round(span / timedelta(microseconds=1))  # offsets from now, in µs; lo qualifies
    hi = -round(seconds * 1_000_000)
    if cal.work_seconds_between(now + timedelta(microseconds=hi), now) >= seconds:
        return now + timedelta(microseconds=hi)
    while hi - lo > 1:  # invariant: lo qualifies, hi does not
        mid = (lo + hi) // 2
        if cal.work_seconds_between(now + timedelta(microseconds=mid), now) >= seconds:
            lo = mid
        else:
            hi = mid
    return now + timedelta(microseconds=lo)


def _top_due_level(
    levels: Sequence[AlertLevel], now: datetime, cal: WorkCalendar, natural: bool
) -> ColumnElement[str]:
    """The highest level due at ``now`` on one clock, as SQL (None when none is due)."""
    whens: list[tuple[ColumnElement[bool], str]] = []
    for level in reversed(levels):
        seconds = level.after_work_hours * 3600.0
        if seconds == 0:
            threshold = now
        elif natural:
            threshold = now - timedelta(seconds=seconds)
        else:
            threshold = work_threshold(cal, now, seconds)
        whens.append((getattr(Case, level.mark) <= threshold, level.level))
    return sql_case(*whens, else_=None)


# -- the scan -------------------------------------------------------------------------------


def _candidates(
    session: Session, now: datetime, cal: WorkCalendar, levels: Sequence[AlertLevel]
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Clock-state cases whose highest level due at ``now`` is not raised in their cycle.

    A scan raises only the highest level due (catch-up never stamps a stale warning), so
    "is the current level raised?" is the whole question. One key lookup on the unique index
    per case on the clock past its first mark.
    """
    top_due = sql_case(
        (Case.limit_unit == LimitUnit.HOURS.value, _top_due_level(levels, now, cal, True)),
        else_=_top_due_level(levels, now, cal, False),
    )
    raised = aliased(Alert)
    return session.execute(
        select(
            Case.id,
            Case.number,
            Case.state,
            Case.dispatch_count,
            Case.department_id,
            Case.street_id,
            Case.taxonomy,
            Case.kind,
            Case.category_code,
            Case.address,
            Case.limit_unit,
            Case.warning_at,
            Case.deadline_at,
        ).where(
            Case.state.in_(sorted(CLOCK_STATES)),
            getattr(Case, levels[0].mark) <= now,
            ~select(raised.id)
            .where(
                raised.case_id == Case.id,
                raised.level == top_due,
                raised.cycle == Case.dispatch_count,
            )
            .exists(),
        )
    ).all()


def _raised_levels(session: Session, rows: Sequence[Any]) -> set[tuple[int, str, int]]:
    ids = [r.id for r in rows]
    found: set[tuple[int, str, int]] = set()
    for i in range(0, len(ids), _CHUNK):
        stmt = select(Alert.case_id, Alert.level, Alert.cycle).where(
            Alert.case_id.in_(ids[i : i + _CHUNK])
        )
        found.update((c, lv, cy) for c, lv, cy in session.execute(stmt))
    return found


class _Recipients:
    """Departments, street committees and the district office, read once per scan."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(Department.id, Department.name, Department.kind, Department.street_id)
            .where(Department.active.is_(True))
            .order_by(Department.id)
        ).all()
        self.names = {r.id: r.name for r in rows}
        self.committees: dict[int, tuple[int, str]] = {}
        for r in rows:
            if r.kind == DepartmentKind.STREET_COMMITTEE.value and r.street_id is not None:
                self.committees.setdefault(r.street_id, (r.id, r.name))
        district = session.scalar(
            select(Region.name).where(Region.level == "district").order_by(Region.id).limit(1)
        )
        self.district_office = f"{district or '区'}{DISTRICT_OFFICE}"

    def resolve(self, kind: str, row: Any) -> tuple[str, int | None, str]:
        """(kind, department id, name), falling back up the chain when one is missing."""
        if kind == "department" and row.department_id in self.names:
            return kind, row.department_id, self.names[row.department_id]
        if kind in ("department", "street_leadership") and row.street_id in self.committees:
            dept_id, name = self.committees[row.street_id]
            return kind, dept_id, name
        return "district_office", None, self.district_office


def _fmt(at: datetime, cal: WorkCalendar) -> str:
    return at.astimezone(cal.tz).strftime("%m-%d %H:%M")


def _message(level: AlertLevel, row: Any, category: str, recipient: str, cal: WorkCalendar) -> str:
    head = f"案件 {row.number}（{category}，{row.address}）"
    natural = row.limit_unit == LimitUnit.HOURS.value
    if level.after_work_hours > 0:
        unit = " 小时" if natural else " 工作时"
        state = f"已超期 {level.after_work_hours:g}{unit}"
    elif level.mark == "deadline_at":
        state = f"已超期（时限 {_fmt(row.deadline_at, cal)}）"
    else:
        state = f"即将超期（时限 {_fmt(row.deadline_at, cal)}）"
    return f"{head}{state}，{level.label_zh}：{recipient}"


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Alert.__table__)
    if dialect == "sqlite":
        return sqlite.insert(Alert.__table__)
    raise ValidationError(f"不支持的数据库: {dialect}")


def _categories(session: Session, rows: Sequence[Any]) -> dict[tuple[str, str, str], str]:
    codes = {r.category_code for r in rows}
    stmt = select(Category.taxonomy, Category.kind, Category.code, Category.name)
    return {(t, k, c): n for t, k, c, n in session.execute(stmt.where(Category.code.in_(codes)))}


def _current_level(
    levels: Sequence[AlertLevel], row: Any, calendar: WorkCalendar, natural: bool, now: datetime
) -> tuple[AlertLevel, datetime] | None:
    """The highest level due at ``now`` and when it fell due; None before the first mark.

    A scan raises only this one: after a first start or downtime a case 56 h late gets its
    督办, not a stale 即将超期 beside it (the levels below stay unraised for good).
    """
    current = None
    for lv in levels:
        mark_at = getattr(row, lv.mark)
        if mark_at is None:
            continue
        due = lv.due_at(calendar, mark_at, natural)
        if due > now:
            break  # levels fall due in order: none further is due either
        current = (lv, due)
    return current


def scan(session: Session, now: datetime, calendar: WorkCalendar) -> list[AlertRecord]:
    """Raise each case's current level (the highest due at ``now``) if not raised yet, and
    each street sub-task's overdue alert (to the street's seats) once.

    Returns the records of those raised now. Levels passed while no scan ran are not raised
    after the fact: a duty officer needs the case's state now, not its history.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    records = _scan_levels(session, now, calendar) + _scan_sub_tasks(session, now)
    records.sort(key=lambda r: (r.due_at, r.case_id, r.id))
    return records


def _scan_sub_tasks(session: Session, now: datetime) -> list[AlertRecord]:
    """The street's own alerts (sub_task_alerts): each overdue sub-task once."""
    lv = sub_task_alerts.sub_task_level()
    pending = sub_task_alerts.overdue(session, now)
    inserted = _raise(session, [p.values for p in pending])
    records = []
    for p in pending:
        v = p.values
        alert_id = inserted.get((v["case_id"], v["level"], v["cycle"]))
        if alert_id is None:
            continue  # another scan raised it first
        records.append(
            AlertRecord(
                id=alert_id,
                case_number=p.case_number,
                level_label_zh=lv.label_zh,
                level_label_en=lv.label_en,
                acknowledged_by_name=None,
                acknowledged_at=None,
                address=p.address,
                category_code=p.category_code,
                level_rank=-1,
                supervision=False,
                **{k: v[k] for k in _SHARED},
            )
        )
    return records


def _raise(session: Session, values: Sequence[dict[str, Any]]) -> dict[tuple[int, str, int], int]:
    """Insert alerts, each once ((case, level, cycle) is unique: another seat's scan may have
    raised one first); the ids of those inserted now, by their key."""
    if not values:
        return {}
    table = Alert.__table__
    stmt = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["case_id", "level", "cycle"])
        .returning(table.c.id, table.c.case_id, table.c.level, table.c.cycle)
    )
    # executemany: batched into multi-row INSERT … RETURNING by SQLAlchemy
    return {(c, lv, cy): id_ for id_, c, lv, cy in session.execute(stmt, list(values))}


def _scan_levels(session: Session, now: datetime, calendar: WorkCalendar) -> list[AlertRecord]:
    """The levels of levels.csv (see :func:`scan`)."""
    levels = alert_levels()
    rows = _candidates(session, now, calendar, levels)
    if not rows:
        return []
    raised = _raised_levels(session, rows)
    recipients, categories = _Recipients(session), _categories(session, rows)
    pending: list[tuple[Any, AlertLevel, dict[str, Any]]] = []
    for row in rows:
        natural = row.limit_unit == LimitUnit.HOURS.value
        category = categories.get((row.taxonomy, row.kind, row.category_code), row.category_code)
        current = _current_level(levels, row, calendar, natural, now)
        if current is not None and (row.id, current[0].level, row.dispatch_count) not in raised:
            lv, due = current
            kind, dept_id, name = recipients.resolve(lv.recipient_kind, row)
            values = {
                "case_id": row.id,
                "level": lv.level,
                "cycle": row.dispatch_count,
                "due_at": due,
                "raised_at": now,
                "message": _message(lv, row, category, name, calendar),
                "recipient_kind": kind,
                "recipient_department_id": dept_id,
                "recipient_name": name,
            }
            pending.append((row, lv, values))
    inserted = _raise(session, [v for _, _, v in pending])
    lifecycle = default_lifecycle()
    events: list[dict[str, Any]] = []
    records: list[AlertRecord] = []
    for row, lv, v in pending:
        alert_id = inserted.get((v["case_id"], v["level"], v["cycle"]))
        if alert_id is None:
            continue  # another scan raised it first
        lifecycle.check("supervise", row.state, SYSTEM.role, note=v["message"])
        data = {"level": lv.level, "recipient": v["recipient_name"], "alert_id": alert_id}
        events.append(
            {
                "case_id": row.id,
                "at": now,
                "action": "supervise",
                "from_state": row.state,
                "to_state": row.state,
                "actor_id": SYSTEM.id,
                "actor_name": SYSTEM.name,
                "actor_role": SYSTEM.role,
                "department_id": row.department_id,
                "note": v["message"],
                "data": json.dumps(data, ensure_ascii=False),
            }
        )
        records.append(
            AlertRecord(
                id=alert_id,
                case_number=row.number,
                level_label_zh=lv.label_zh,
                level_label_en=lv.label_en,
                acknowledged_by_name=None,
                acknowledged_at=None,
                address=row.address,
                category_code=row.category_code,
                level_rank=levels.index(lv),
                supervision=is_supervision(lv),
                **{k: v[k] for k in _SHARED},
            )
        )
    if events:
        session.execute(CaseEvent.__table__.insert(), events)
    return records


# -- reading and acknowledging ----------------------------------------------------------------


def _records(
    session: Session, *where: ColumnElement[bool], order: Any, limit: int | None
) -> list[AlertRecord]:
    labels = {lv.level: (lv.label_zh, lv.label_en) for lv in alert_levels()}
    street = sub_task_alerts.sub_task_level()
    labels[street.level] = (street.label_zh, street.label_en)
    facts = _level_facts()
    stmt = (
        select(
            Alert.id,
            Alert.acknowledged_by_name,
            Alert.acknowledged_at,
            *(getattr(Alert, k) for k in _SHARED),
            Case.number.label("case_number"),
            Case.address,
            Case.category_code,
        )
        .join(Case, Case.id == Alert.case_id)
        .where(*where)
        .order_by(*order)
        .limit(limit)
    )
    out: list[AlertRecord] = []
    for row in session.execute(stmt):
        zh, en = labels.get(row.level, (row.level, row.level))
        rank, supervision = facts.get(row.level, (-1, False))
        out.append(
            AlertRecord(
                **row._mapping,
                level_label_zh=zh,
                level_label_en=en,
                level_rank=rank,
                supervision=supervision,
            )
        )
    return out


def acknowledge(session: Session, alert_id: int, actor: Actor, now: datetime) -> AlertRecord:
    """Mark an alert read by ``actor``; a second acknowledgement says who did it and when.

    Only an alert in the actor's scope (:func:`scope_of`): a seat acknowledges what it answers
    for, not what it cannot see.
    """
    require(actor, "acknowledge_alert")
    visible = session.scalar(
        select(Alert.id)
        .join(Case, Case.id == Alert.case_id)
        .where(Alert.id == alert_id, in_scope(scope_of(actor)))
    )
    if visible is None and session.get(Alert, alert_id) is not None:
        raise PermissionDeniedError(f"{actor.name} 无权确认不属于本岗位的提醒 {alert_id}")
    result = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_by_id=actor.id, acknowledged_by_name=actor.name, acknowledged_at=now)
        .execution_options(synchronize_session=False)
    )
    found = _records(session, Alert.id == alert_id, order=[Alert.id], limit=1)
    if not found:
        raise ValidationError(f"提醒不存在: {alert_id}", field="alert_id")
    record = found[0]
    if getattr(result, "rowcount", 1) == 0:
        at = record.acknowledged_at
        when = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if at else "?"
        raise ValidationError(
            f"提醒 {alert_id} 已由 {record.acknowledged_by_name} 于 {when} 确认",
            field="alert_id",
        )
    return record


def unacknowledged(
    session: Session,
    *,
    scope: AlertScope = ALL_ALERTS,
    now: datetime | None = None,
    limit: int | None = 200,
) -> list[AlertRecord]:
    """Alerts in ``scope`` nobody acknowledged yet: the most serious level first, then newest.

    By level first so that a capped list never drops a 督办 for a newer yellow warning.
    """
    return _records(
        session,
        *unacknowledged_where(scope, now),
        order=[_rank_sql().desc(), Alert.raised_at.desc(), Alert.id.desc()],
        limit=limit,
    )


def recent_alerts(
    session: Session, *, since: datetime, scope: AlertScope = ALL_ALERTS, limit: int = 500
) -> list[AlertRecord]:
    """Alerts in ``scope`` raised at or after ``since``, newest first."""
    return _records(
        session,
        Alert.raised_at >= since,
        in_scope(scope),
        order=[Alert.raised_at.desc(), Alert.id.desc()],
        limit=limit,
    )


def unacknowledged_count(
    session: Session, *, scope: AlertScope = ALL_ALERTS, now: datetime | None = None
) -> int:
    """How many alerts in ``scope`` are unacknowledged: the dock's and the handover's number."""
    stmt = (
        select(func.count())
        .select_from(Alert)
        .join(Case, Case.id == Alert.case_id)
        .where(*unacknowledged_where(scope, now))
    )
    return session.scalar(stmt) or 0


def alerts_for_case(session: Session, case_id: int) -> list[AlertRecord]:
    """Every alert of one case, oldest first (by cycle, then the mark)."""
    return _records(
        session,
        Alert.case_id == case_id,
        order=[Alert.cycle, Alert.due_at, Alert.id],
        limit=None,
    )
