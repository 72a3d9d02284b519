"""The duty roster (值班表): shifts as data and who is on duty when. No Qt.

Shifts come from resources/duty/shifts.csv (白班 08:00–20:00, 夜班 20:00–08:00 the next day,
local time). The handover (console.services.handover) builds on these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ, csv_rows, resource
from console.errors import ValidationError
from console.models import DutyShift, User

#: The roles that stand duty in the command center.
DUTY_ROLES = ("duty_chief", "dispatcher")


# --- shifts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftDef:
    """One shift of the day as defined in resources/duty/shifts.csv."""

    code: str
    label_zh: str
    label_en: str
    start: time
    end: time

    def bounds_on(self, day: date) -> tuple[datetime, datetime]:
        """The local start and end of this shift when it starts on ``day``."""
        start = datetime.combine(day, self.start, tzinfo=LOCAL_TZ)
        end_day = day if self.end > self.start else day + timedelta(days=1)
        return start, datetime.combine(end_day, self.end, tzinfo=LOCAL_TZ)


def _parse_time(text: str, where: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(f"{where}: 时间格式错误 {text!r}") from exc


@cache
def shift_definitions() -> tuple[ShiftDef, ...]:
    """The shifts of resources/duty/shifts.csv, in the file's order."""
    path = resource("duty", "shifts.csv")
    rows = csv_rows(path)
    shifts: list[ShiftDef] = []
    for lineno, row in enumerate(rows, start=2):
        where = f"{path.name} 第{lineno}行"
        try:
            shifts.append(
                ShiftDef(
                    code=row["code"].strip(),
                    label_zh=row["label_zh"].strip(),
                    label_en=row["label_en"].strip(),
                    start=_parse_time(row["start"], where),
                    end=_parse_time(row["end"], where),
                )
            )
        except (KeyError, AttributeError) as exc:
            raise ValidationError(f"{where}格式错误: {exc}") from exc
    if not shifts:
        raise ValidationError(f"{path.name} 未定义任何班次")
    return tuple(shifts)


def shift_labels() -> dict[str, tuple[str, str]]:
    """Shift code → (label_zh, label_en)."""
    return {s.code: (s.label_zh, s.label_en) for s in shift_definitions()}


@cache
def alert_level_labels() -> dict[str, tuple[str, str]]:
    """Alert level → (label_zh, label_en), from resources/supervision/levels.csv."""
    rows = csv_rows(resource("supervision", "levels.csv"))
    return {r["level"]: (r["label_zh"], r["label_en"]) for r in rows}


@cache
def role_labels() -> dict[str, tuple[str, str]]:
    """Role code → (name_zh, name_en), from resources/org/roles.csv."""
    rows = csv_rows(resource("org", "roles.csv"))
    return {r["code"]: (r["name_zh"], r["name_en"]) for r in rows}


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValidationError(f"{name} 须带时区: {value!r}", field=name)
    return value


def shift_bounds(at: datetime) -> tuple[datetime, datetime, str]:
    """(start, end, shift code) of the shift containing ``at``; start ≤ at < end, local time."""
    local = _aware(at, "at").astimezone(LOCAL_TZ)
    for day in (local.date() - timedelta(days=1), local.date()):
        for shift in shift_definitions():
            start, end = shift.bounds_on(day)
            if start <= local < end:
                return start, end, shift.code
    raise ValidationError(f"{local:%H:%M} 不属于任何班次 (resources/duty/shifts.csv)")


def roster_span(now: datetime) -> tuple[datetime, datetime]:
    """Local midnight today to midnight after tomorrow: the roster dialog's window."""
    today = _aware(now, "now").astimezone(LOCAL_TZ).date()
    start = datetime.combine(today, time(0), tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=2)


# --- roster ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyEntry:
    """One person on duty in one role from ``starts_at`` to ``ends_at`` (local time)."""

    user_id: int
    username: str
    display_name: str
    role: str
    starts_at: datetime
    ends_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DutyEntry:
        return cls(
            user_id=int(data["user_id"]),
            username=str(data["username"]),
            display_name=str(data["display_name"]),
            role=str(data["role"]),
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
        )


_ROLE_ORDER = case({role: i for i, role in enumerate(DUTY_ROLES)}, value=DutyShift.role, else_=99)


def _entries(session: Session, *conditions: Any) -> list[DutyEntry]:
    rows = session.execute(
        select(
            DutyShift.user_id,
            User.username,
            User.display_name,
            DutyShift.role,
            DutyShift.starts_at,
            DutyShift.ends_at,
        )
        .join(User, User.id == DutyShift.user_id)
        .where(*conditions)
        .order_by(DutyShift.starts_at, _ROLE_ORDER, User.username)
    ).all()
    return [
        DutyEntry(
            user_id=r.user_id,
            username=r.username,
            display_name=r.display_name,
            role=r.role,
            starts_at=r.starts_at.astimezone(LOCAL_TZ),
            ends_at=r.ends_at.astimezone(LOCAL_TZ),
        )
        for r in rows
    ]


def assign(
    session: Session, user_id: int, role: str, starts_at: datetime, ends_at: datetime
) -> DutyEntry:
    """Put ``user_id`` on duty as ``role`` from ``starts_at`` to ``ends_at``.

    The role must be a duty role (值班长 or 派遣员) and the user's own; a user already on duty
    at any moment of the span is refused (no double booking).
    """
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if role not in DUTY_ROLES:
        raise ValidationError(f"角色 {role!r} 不参加值班（仅值班长、派遣员）", field="role")
    if ends_at <= starts_at:
        raise ValidationError("值班结束时间须晚于开始时间", field="ends_at")
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ValidationError(f"用户不存在或已停用: {user_id}", field="user_id")
    if user.role != role:
        raise ValidationError(
            f"用户「{user.display_name}」的角色是 {user.role}，不能担任 {role}", field="role"
        )
    if _has_duty(session, user_id, starts_at, ends_at):
        raise ValidationError(f"「{user.display_name}」在该时段已有排班", field="starts_at")
    session.add(DutyShift(user_id=user_id, role=role, starts_at=starts_at, ends_at=ends_at))
    session.flush()
    return DutyEntry(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=role,
        starts_at=starts_at.astimezone(LOCAL_TZ),
        ends_at=ends_at.astimezone(LOCAL_TZ),
    )


def _has_duty(session: Session, user_id: int, start: datetime, end: datetime) -> bool:
    """Whether ``user_id`` already has a duty overlapping [start, end)."""
    count = session.scalar(
        select(func.count())
        .select_from(DutyShift)
        .where(
            DutyShift.user_id == user_id,
            DutyShift.starts_at < end,
            DutyShift.ends_at > start,
        )
    )
    return bool(count)


def on_duty(session: Session, at: datetime) -> list[DutyEntry]:
    """Who is on duty at ``at`` (值班长 first)."""
    _aware(at, "at")
    return _entries(session, DutyShift.starts_at <= at, DutyShift.ends_at > at)


def roster(session: Session, start: datetime, end: datetime) -> list[DutyEntry]:
    """Every duty that overlaps [start, end), by start time then role."""
    _aware(start, "start")
    _aware(end, "end")
    return _entries(session, DutyShift.starts_at < end, DutyShift.ends_at > start)


def shift_def(code: str) -> ShiftDef:
    for shift in shift_definitions():
        if shift.code == code:
            return shift
    known = "、".join(s.code for s in shift_definitions())
    raise ValidationError(f"班次 {code!r} 不存在（可选：{known}）", field="shift")


def set_duty(
    session: Session, day: date, shift_code: str, role: str, user_id: int | None
) -> list[DutyEntry]:
    """Who holds ``role`` in the ``shift_code`` shift starting on ``day``: replaced, or cleared.

    The duty chief's week view and ``grid-console roster set`` both come here; the same checks
    as :func:`assign` apply to the new person. Returns the shift's duties afterwards.
    """
    if role not in DUTY_ROLES:
        raise ValidationError(f"角色 {role!r} 不参加值班（仅值班长、派遣员）", field="role")
    start, end = shift_def(shift_code).bounds_on(day)
    for duty in session.scalars(
        select(DutyShift).where(DutyShift.starts_at == start, DutyShift.role == role)
    ):
        session.delete(duty)
    session.flush()
    if user_id is not None:
        assign(session, user_id, role, start, end)
    return _entries(session, DutyShift.starts_at == start)


@dataclass(frozen=True)
class DutyCandidate:
    user_id: int
    username: str
    display_name: str
    role: str


def duty_candidates(session: Session) -> list[DutyCandidate]:
    """Active users who can stand duty, by role then name."""
    rows = session.execute(
        select(User.id, User.username, User.display_name, User.role)
        .where(User.active.is_(True), User.role.in_(DUTY_ROLES))
        .order_by(User.role, User.username)
    ).all()
    return [DutyCandidate(r.id, r.username, r.display_name, r.role) for r in rows]


#: The demo roster: who stands each shift, by role (the demo accounts).
DEMO_ROSTER = {
    "day": {"duty_chief": "duty_chief", "dispatcher": "dispatcher"},
    "night": {"duty_chief": "duty_chief2", "dispatcher": "dispatcher2"},
}


def ensure_demo_roster(session: Session, now: datetime) -> int:
    """The demo duty officers on duty for every shift from yesterday to a week ahead (local
    days): ``duty_chief`` and ``dispatcher`` by day, ``duty_chief2`` and ``dispatcher2`` by
    night (the day's when the night's accounts are missing). Idempotent: only missing duties
    are added; returns how many."""
    today = _aware(now, "now").astimezone(LOCAL_TZ).date()
    wanted = {name for by_role in DEMO_ROSTER.values() for name in by_role.values()}
    users = {
        r.username: (r.id, r.role)
        for r in session.execute(
            select(User.id, User.username, User.role).where(
                User.username.in_(sorted(wanted)), User.role.in_(DUTY_ROLES), User.active
            )
        )
    }
    added = 0
    for offset in range(-1, 8):
        for shift in shift_definitions():
            start, end = shift.bounds_on(today + timedelta(days=offset))
            for role, username in DEMO_ROSTER.get(shift.code, {}).items():
                found = users.get(username) or users.get(DEMO_ROSTER["day"][role])
                if found is None or found[1] != role:
                    continue
                taken = session.scalar(
                    select(func.count())
                    .select_from(DutyShift)
                    .where(DutyShift.starts_at == start, DutyShift.role == role)
                )
                if not taken and not _has_duty(session, found[0], start, end):
                    session.add(
                        DutyShift(user_id=found[0], role=role, starts_at=start, ends_at=end)
                    )
                    added += 1
    session.flush()
    return added
