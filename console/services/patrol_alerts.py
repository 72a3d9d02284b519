"""Patrol-gap alerts (巡查缺漏): at the end of a day, the grids left unpatrolled raise one alert
to their street. No Qt.

* **raise_for_day(day)**: the grids not visited within their frequency by the end of ``day``
  (console.services.patrols.PatrolService.unpatrolled), grouped by street: one ``patrol_alerts``
  row per street, to its street committee. Exactly once: each row is an ``INSERT … ON CONFLICT
  DO NOTHING`` on the unique key (day, street), so several seats raising at once, or a console
  catching up after downtime, raise each street's alert once; the day is then recorded as
  checked (``patrol_alert_days``).
* **due_days / catch_up**: the days whose end (``day_ends_at`` in resources/patrol/alerts.csv)
  has passed, at most ``catch_up_days`` before today, not checked yet, and not before the first
  patrol ever recorded (a district not yet patrolling with the app gets no alerts).
* **board / acknowledge**: what a seat sees and acknowledges. The duty chief, dispatchers and
  leaders see every street's alerts, a street committee's handler its own street's, the other
  roles none. Acknowledging takes the ``acknowledge_alert`` permission, as a case alert does,
  and an alert in the seat's scope; the row keeps who acknowledged it and when, and a second
  acknowledgement is refused naming them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from console.config import LOCAL_TZ, csv_rows, resource
from console.db import Database
from console.errors import PermissionDeniedError, ValidationError
from console.models import Department, Patrol, PatrolAlert, PatrolAlertDay, Region
from console.models.org import DepartmentKind
from console.services.actors import Actor
from console.services.case_scope import case_scope
from console.services.permissions import require

if TYPE_CHECKING:
    from console.services.patrols import PatrolService

#: Roles that see every street's patrol-gap alerts (the command center's duty officers).
ALL_STREETS_ROLES = frozenset({"duty_chief", "dispatcher", "leader"})
#: At most this many alerts go to the dock (its count still counts them all).
PANEL_LIMIT = 200
#: Grid codes named in an alert's message; the rest are counted ("等 N 个").
MESSAGE_CODES = 5


class PatrolAlertRulesError(ValidationError):
    """resources/patrol/alerts.csv cannot be used: the message names the file and line."""

    code = "patrol_alert_rules"


@dataclass(frozen=True)
class PatrolAlertRules:
    """When a day's patrols count as done, and how far back a catch-up looks."""

    day_ends_at: time
    catch_up_days: int

    def end_of(self, day: date) -> datetime:
        """The instant ``day``'s patrol gaps fall due (local time)."""
        return datetime.combine(day, self.day_ends_at, LOCAL_TZ)


def load_alert_rules(path: Path | None = None) -> PatrolAlertRules:
    path = path or resource("patrol", "alerts.csv")
    values: dict[str, str] = {}
    for line, row in enumerate(csv_rows(path), start=2):
        key = (row.get("key") or "").strip()
        if key in values:
            raise PatrolAlertRulesError(f"{path.name} 第 {line} 行: {key} 重复")
        values[key] = (row.get("value") or "").strip()
    try:
        hours, minutes = values["day_ends_at"].split(":")
        ends = time(int(hours), int(minutes))
        days = int(values["catch_up_days"])
    except KeyError as exc:
        raise PatrolAlertRulesError(f"{path.name}: 缺少 {exc.args[0]}") from None
    except ValueError as exc:
        raise PatrolAlertRulesError(f"{path.name}: 数值无效（时间为 HH:MM）: {exc}") from None
    if not 0 <= days <= 31:
        raise PatrolAlertRulesError(f"{path.name}: catch_up_days 应在 0–31 之间，实为 {days}")
    return PatrolAlertRules(ends, days)


@dataclass(frozen=True)
class PatrolAlertRecord:
    id: int
    day: date
    street_id: int
    street_name: str
    grid_count: int
    #: The unpatrolled grids' codes and names, by code.
    grid_codes: tuple[str, ...]
    grid_names: tuple[str, ...]
    raised_at: datetime
    message: str
    recipient_name: str
    acknowledged_by_name: str | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class PatrolAlertBoard:
    """What the alerts dock shows of patrol gaps: the records, and how many are unacknowledged
    in the seat's scope (more than the records when the list is capped)."""

    records: list[PatrolAlertRecord]
    unacknowledged: int


# -- who sees what ------------------------------------------------------------------------------


def scope_where(session: Session, actor: Actor) -> ColumnElement[bool]:
    """SQL for "``actor`` answers for this patrol alert"."""
    if actor.role in ALL_STREETS_ROLES:
        return true()
    cases = case_scope(actor)
    if cases.level == "street" and cases.region_id is not None:
        return PatrolAlert.street_id == cases.region_id  # a street seat: its own street's gaps
    if actor.role == "department" and actor.department_id is not None:
        street = session.scalar(
            select(Department.street_id).where(
                Department.id == actor.department_id,
                Department.kind == DepartmentKind.STREET_COMMITTEE.value,
            )
        )
        if street is not None:
            return or_(
                PatrolAlert.street_id == street,
                PatrolAlert.recipient_department_id == actor.department_id,
            )
    return PatrolAlert.id.is_(None)  # nothing


def sees_patrol_alerts(actor: Actor) -> bool:
    """Whether ``actor``'s seat can have patrol-gap alerts at all (a quick check for views)."""
    return (
        actor.role in ALL_STREETS_ROLES
        or actor.role == "department"
        or case_scope(actor).level == "street"
    )


# -- reading ------------------------------------------------------------------------------------


def _records(
    session: Session, *where: ColumnElement[bool], limit: int | None = None
) -> list[PatrolAlertRecord]:
    rows = session.scalars(
        select(PatrolAlert)
        .where(*where)
        .order_by(PatrolAlert.day.desc(), PatrolAlert.street_name, PatrolAlert.id)
        .limit(limit)
    ).all()
    codes = {c for row in rows for c in _codes(row.grid_codes)}
    names: dict[str, str] = {}
    listed = sorted(codes)
    for i in range(0, len(listed), 500):
        stmt = select(Region.code, Region.name).where(Region.code.in_(listed[i : i + 500]))
        names.update((code, name) for code, name in session.execute(stmt))
    return [_record(row, names) for row in rows]


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c for c in text.split(",") if c)


def _record(row: PatrolAlert, names: dict[str, str]) -> PatrolAlertRecord:
    codes = _codes(row.grid_codes)
    return PatrolAlertRecord(
        id=row.id,
        day=row.day,
        street_id=row.street_id,
        street_name=row.street_name,
        grid_count=row.grid_count,
        grid_codes=codes,
        grid_names=tuple(names.get(c, c) for c in codes),
        raised_at=row.raised_at,
        message=row.message,
        recipient_name=row.recipient_name,
        acknowledged_by_name=row.acknowledged_by_name,
        acknowledged_at=row.acknowledged_at,
    )


def board(session: Session, actor: Actor, now: datetime) -> PatrolAlertBoard:
    """The dock's patrol alerts: those unacknowledged and those raised in the last day, in the
    actor's scope, newest day first; and the unacknowledged count."""
    scope = scope_where(session, actor)
    open_ = PatrolAlert.acknowledged_at.is_(None)
    shown = or_(open_, PatrolAlert.raised_at >= now - timedelta(hours=24))
    records = _records(session, scope, shown, PatrolAlert.raised_at <= now, limit=PANEL_LIMIT)
    count = session.scalar(
        select(func.count())
        .select_from(PatrolAlert)
        .where(scope, open_, PatrolAlert.raised_at <= now)
    )
    return PatrolAlertBoard(records, int(count or 0))


def unacknowledged(session: Session, actor: Actor) -> list[PatrolAlertRecord]:
    """The patrol alerts in ``actor``'s scope nobody acknowledged yet, newest day first."""
    return _records(session, scope_where(session, actor), PatrolAlert.acknowledged_at.is_(None))


def acknowledge(session: Session, alert_id: int, actor: Actor, now: datetime) -> PatrolAlertRecord:
    """Mark a patrol alert read by ``actor``; a second acknowledgement says who did it and when."""
    require(actor, "acknowledge_alert")
    exists = session.get(PatrolAlert, alert_id) is not None
    if not exists:
        raise ValidationError(f"巡查缺漏提醒不存在: {alert_id}", field="alert_id")
    visible = session.scalar(
        select(PatrolAlert.id).where(PatrolAlert.id == alert_id, scope_where(session, actor))
    )
    if visible is None:
        raise PermissionDeniedError(f"{actor.name} 无权确认不属于本岗位的巡查缺漏提醒 {alert_id}")
    result = session.execute(
        update(PatrolAlert)
        .where(PatrolAlert.id == alert_id, PatrolAlert.acknowledged_at.is_(None))
        .values(acknowledged_by_id=actor.id, acknowledged_by_name=actor.name, acknowledged_at=now)
        .execution_options(synchronize_session=False)
    )
    record = _records(session, PatrolAlert.id == alert_id)[0]
    if getattr(result, "rowcount", 1) == 0:
        at = record.acknowledged_at
        when = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if at else "?"
        raise ValidationError(
            f"巡查缺漏提醒 {alert_id} 已由 {record.acknowledged_by_name} 于 {when} 确认",
            field="alert_id",
        )
    return record


# -- raising ------------------------------------------------------------------------------------


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValidationError(f"不支持的数据库: {dialect}")


def message_of(day: date, street: str, codes: Sequence[str], recipient: str) -> str:
    """The stored notice: ``巡查缺漏 2026-11-23 青年路街道 3 个网格未巡查（…）：codes``."""
    named = "、".join(codes[:MESSAGE_CODES])
    more = f" 等 {len(codes)} 个" if len(codes) > MESSAGE_CODES else ""
    return (
        f"巡查缺漏 {day:%Y-%m-%d} {street} {len(codes)} 个网格未按频次巡查，"
        f"请{recipient}督促：{named}{more}"
    )


class PatrolAlertService:
    """Raises a day's patrol-gap alerts on a database (each call its own transaction)."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        patrols: PatrolService | None = None,
        rules: PatrolAlertRules | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.rules = rules or load_alert_rules()
        self._patrols = patrols

    @property
    def patrols(self) -> PatrolService:
        """The PatrolService whose ``unpatrolled(day)`` says which grids fell short."""
        if self._patrols is None:
            from console.services.patrols import PatrolService

            self._patrols = PatrolService(self.db, self.clock)
        return self._patrols

    def due_days(self) -> list[date]:
        """Days whose end has passed, within the catch-up bound, not yet checked, and not
        before the first patrol ever recorded; oldest first."""
        now = self.clock().astimezone(LOCAL_TZ)
        today = now.date()
        with self.db.read() as s:
            first = s.scalar(select(func.min(Patrol.started_at)))
            if first is None:
                return []
            since = max(
                today - timedelta(days=self.rules.catch_up_days),
                first.astimezone(LOCAL_TZ).date(),
            )
            checked = set(
                s.scalars(select(PatrolAlertDay.day).where(PatrolAlertDay.day >= since)).all()
            )
        days = []
        day = since
        while day <= today:
            if day not in checked and self.rules.end_of(day) <= now:
                days.append(day)
            day += timedelta(days=1)
        return days

    def catch_up(self) -> list[PatrolAlertRecord]:
        """Raise every due day's alerts (:meth:`due_days`); the records raised now."""
        raised: list[PatrolAlertRecord] = []
        for day in self.due_days():
            raised += self.raise_for_day(day)
        return raised

    def raise_for_day(self, day: date) -> list[PatrolAlertRecord]:
        """One alert per street with grids left unpatrolled on ``day``, unless raised already;
        returns the records raised by this call. Refused before the day's end."""
        now = self.clock()
        if self.rules.end_of(day) > now:
            raise ValidationError(
                f"{day:%Y-%m-%d} 的巡查尚未结束（{self.rules.day_ends_at:%H:%M} 后才能判定缺漏）",
                field="day",
            )
        gaps = self.patrols.unpatrolled(day)
        with self.db.session() as s:
            street_of = _streets_of_grids(s)
            by_street: dict[int, list[str]] = {}
            for gap in gaps:
                street = street_of.get(gap.grid_id)
                if street is not None:
                    by_street.setdefault(street, []).append(gap.code)
            streets: dict[int, str] = {
                rid: name
                for rid, name in s.execute(
                    select(Region.id, Region.name).where(Region.id.in_(sorted(by_street)))
                )
            }
            committees = _committees(s)
            values: list[dict[str, Any]] = []
            for street_id in sorted(by_street, key=lambda k: (streets.get(k, ""), k)):
                codes = sorted(by_street[street_id])
                name = streets.get(street_id, str(street_id))
                dept_id, recipient = committees.get(street_id, (None, name))
                values.append(
                    {
                        "day": day,
                        "street_id": street_id,
                        "street_name": name,
                        "grid_count": len(codes),
                        "grid_codes": ",".join(codes),
                        "raised_at": now,
                        "message": message_of(day, name, codes, recipient),
                        "recipient_department_id": dept_id,
                        "recipient_name": recipient,
                    }
                )
            ids: list[int] = []
            if values:
                table = PatrolAlert.__table__
                stmt = (
                    _insert(s, table)
                    .on_conflict_do_nothing(index_elements=["day", "street_id"])
                    .returning(table.c.id)
                )
                ids = [row[0] for row in s.execute(stmt, values)]
            s.execute(
                _insert(s, PatrolAlertDay.__table__).on_conflict_do_nothing(index_elements=["day"]),
                {
                    "day": day,
                    "checked_at": now,
                    "streets": len(values),
                    "grids": sum(v["grid_count"] for v in values),
                },
            )
            return _records(s, PatrolAlert.id.in_(ids)) if ids else []


def _streets_of_grids(session: Session) -> dict[int, int]:
    """grid id → its street's id, up the parent chain (grid → unit → area → street)."""
    rows = session.execute(select(Region.id, Region.parent_id, Region.level)).all()
    parent = {r.id: r.parent_id for r in rows}
    level = {r.id: r.level for r in rows}
    out: dict[int, int] = {}
    for rid, lv in level.items():
        if lv != "grid":
            continue
        node: int | None = rid
        for _ in range(6):
            node = parent.get(node) if node is not None else None
            if node is None or level.get(node) == "street":
                break
        if node is not None and level.get(node) == "street":
            out[rid] = node
    return out


def _committees(session: Session) -> dict[int, tuple[int, str]]:
    """street id → (department id, name) of its active street committee."""
    rows = session.execute(
        select(Department.id, Department.name, Department.street_id)
        .where(
            Department.active.is_(True),
            Department.kind == DepartmentKind.STREET_COMMITTEE.value,
            Department.street_id.is_not(None),
        )
        .order_by(Department.id)
    ).all()
    out: dict[int, tuple[int, str]] = {}
    for r in rows:
        out.setdefault(r.street_id, (r.id, r.name))
    return out


__all__ = [
    "ALL_STREETS_ROLES",
    "PatrolAlertBoard",
    "PatrolAlertRecord",
    "PatrolAlertRules",
    "PatrolAlertService",
    "acknowledge",
    "board",
    "load_alert_rules",
    "message_of",
    "sees_patrol_alerts",
    "unacknowledged",
]
