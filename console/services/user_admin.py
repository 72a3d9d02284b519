"""The admin screen's use-cases: users, roles, passwords, locks, reading the security log,
and the field devices' gateway tokens.

Every call needs ``manage_users`` (the log: ``view_security_log``, the devices:
``manage_devices``), checked here rather than by hiding buttons, and every change is one
transaction that also appends to the security log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.db import Database
from console.errors import ValidationError
from console.models import Department, Region, SecurityEvent, SecurityEventKind, User
from console.services.actors import Actor
from console.services.api_tokens import ApiTokenService, TokenRecord
from console.services.auth import check_password_rules, log_event, set_password
from console.services.case_scope import REGION_LEVELS, scope_level
from console.services.permissions import require, role_names

USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{1,49}")
#: Roles no person holds (the scheduler and importers act as "system").
NOT_A_PERSON = {"system"}
MAX_DISPLAY_NAME = 50


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    department_id: int | None
    department_name: str
    active: bool
    locked_until: datetime | None  # set only while the lock runs
    failed_logins: int
    has_password: bool
    last_login_at: datetime | None
    #: The street or unit a street-tier seat is confined to (users.region_id), else None.
    region_id: int | None = None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


@dataclass(frozen=True)
class SecurityEventRecord:
    id: int
    at: datetime
    kind: str
    username: str
    actor_name: str
    detail: str


def role_options() -> list[tuple[str, str]]:
    """(code, Chinese name) of every role a person may hold."""
    return [(code, name) for code, name in role_names().items() if code not in NOT_A_PERSON]


def _confined(role: str) -> bool:
    """Whether accounts of ``role`` are confined to a street, unit or grid (roles.csv's
    scope)."""
    return scope_level(role) in REGION_LEVELS


def _role_text(role: str) -> str:
    return f"{role_names().get(role, role)}({role})"


class UserAdminDesk:
    """What an administrator (``actor``) can do to accounts; each method one transaction."""

    def __init__(self, db: Database, actor: Actor, clock: Callable[[], datetime]) -> None:
        self.db, self.actor, self.clock = db, actor, clock

    # -- reading -----------------------------------------------------------------------

    def list_users(self) -> list[UserRecord]:
        require(self.actor, "manage_users")
        with self.db.read() as s:
            names = {i: n for i, n in s.execute(select(Department.id, Department.name))}
            users = s.scalars(select(User).order_by(User.role, User.username)).all()
            return [self._record(s, u, names) for u in users]  # no query per user

    def role_options(self) -> list[tuple[str, str]]:
        require(self.actor, "manage_users")
        return role_options()

    def regions(self) -> list[tuple[int, str, str, str]]:
        """(id, code, name, level) of the streets, units and grids, for a confined seat's region
        (roles.csv's scope says which level a role needs; create_user checks it)."""
        require(self.actor, "manage_users")
        with self.db.read() as s:
            rows = s.execute(
                select(Region.id, Region.code, Region.name, Region.level)
                .where(Region.level.in_(sorted(set(REGION_LEVELS.values()))))
                .order_by(Region.code)
            ).all()
        return [(r.id, r.code, r.name, r.level) for r in rows]

    def departments(self) -> list[tuple[int, str, str]]:
        """(id, code, name) of the active departments, for a handler's department."""
        require(self.actor, "manage_users")
        with self.db.read() as s:
            rows = s.execute(
                select(Department.id, Department.code, Department.name)
                .where(Department.active)
                .order_by(Department.code)
            ).all()
        return [(dept_id, code, name) for dept_id, code, name in rows]

    def security_log(
        self, *, limit: int = 500, username: str | None = None
    ) -> list[SecurityEventRecord]:
        """The newest security events first (of one account when ``username`` is given)."""
        require(self.actor, "view_security_log")
        stmt = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(max(1, limit))
        if username:
            stmt = stmt.where(SecurityEvent.username == username)
        with self.db.read() as s:
            return [
                SecurityEventRecord(
                    e.id, e.at, e.kind, e.username, e.actor_name or "", e.detail or ""
                )
                for e in s.scalars(stmt)
            ]

    # -- changing ----------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        display_name: str,
        role: str,
        password: str,
        *,
        department_id: int | None = None,
        region_id: int | None = None,
    ) -> UserRecord:
        """A new account; a handler names its department, a street-tier seat its street or
        unit (``region_id``, of the level roles.csv's scope column says)."""
        require(self.actor, "manage_users")
        name = (username or "").strip()
        if not USERNAME_RE.fullmatch(name):
            raise ValidationError(
                "用户名须为 2–50 位字母、数字或 _ . -，以字母或数字开头", field="username"
            )
        shown = (display_name or "").strip()
        if not shown or len(shown) > MAX_DISPLAY_NAME:
            raise ValidationError(
                f"姓名不能为空，且不超过 {MAX_DISPLAY_NAME} 字", field="display_name"
            )
        check_password_rules(password, name)
        now = self.clock()
        with self.db.session() as s:
            self._check_role(s, role, department_id, region_id)
            if s.scalar(select(User.id).where(func.lower(User.username) == name.lower())):
                raise ValidationError(f"用户名已存在: {name}", field="username")
            user = User(
                username=name,
                display_name=shown,
                role=role,
                department_id=department_id if role == "department" else None,
                region_id=region_id if _confined(role) else None,
                active=True,
            )
            set_password(user, password, now)
            s.add(user)
            s.flush()
            log_event(
                s,
                SecurityEventKind.USER_CREATED,
                name,
                now,
                actor=self.actor,
                detail=f"角色 {_role_text(role)}"
                + self._dept_text(s, user.department_id)
                + self._region_text(s, user.region_id),
            )
            return self._record(s, user)

    def change_role(
        self,
        username: str,
        role: str,
        *,
        department_id: int | None = None,
        region_id: int | None = None,
    ) -> UserRecord:
        require(self.actor, "manage_users")
        now = self.clock()
        with self.db.session() as s:
            user = self._user(s, username)
            self._check_role(s, role, department_id, region_id)
            new_dept = department_id if role == "department" else None
            new_region = region_id if _confined(role) else None
            if (role, new_dept, new_region) == (user.role, user.department_id, user.region_id):
                raise ValidationError("角色、部门和所属区域都没有变化", field="role")
            if user.role == "admin" and role != "admin":
                self._keep_an_admin(s, user)
            before = (
                _role_text(user.role)
                + self._dept_text(s, user.department_id)
                + self._region_text(s, user.region_id)
            )
            user.role, user.department_id, user.region_id = role, new_dept, new_region
            after = (
                _role_text(role) + self._dept_text(s, new_dept) + self._region_text(s, new_region)
            )
            log_event(
                s,
                SecurityEventKind.ROLE_CHANGED,
                user.username,
                now,
                actor=self.actor,
                detail=f"{before} → {after}",
            )
            return self._record(s, user)

    def set_active(self, username: str, active: bool) -> UserRecord:
        """Deactivate (no more sign-ins; history kept) or reactivate an account."""
        require(self.actor, "manage_users")
        now = self.clock()
        with self.db.session() as s:
            user = self._user(s, username)
            if user.active == active:
                raise ValidationError(
                    f"账户 {user.username} 已经是{'启用' if active else '停用'}状态",
                    field="active",
                )
            if not active:
                if user.id == self.actor.id:
                    raise ValidationError("不能停用自己正在使用的账户", field="active")
                if user.role == "admin":
                    self._keep_an_admin(s, user)
            user.active = active
            kind = (
                SecurityEventKind.USER_REACTIVATED if active else SecurityEventKind.USER_DEACTIVATED
            )
            log_event(s, kind, user.username, now, actor=self.actor)
            return self._record(s, user)

    def reset_password(self, username: str, password: str) -> UserRecord:
        """Give ``username`` a new password (the admin tells them; it also lifts a lock)."""
        require(self.actor, "manage_users")
        now = self.clock()
        with self.db.session() as s:
            user = self._user(s, username)
            check_password_rules(password, user.username)
            set_password(user, password, now)
            log_event(s, SecurityEventKind.PASSWORD_RESET, user.username, now, actor=self.actor)
            return self._record(s, user)

    def unlock(self, username: str) -> UserRecord:
        require(self.actor, "manage_users")
        now = self.clock()
        with self.db.session() as s:
            user = self._user(s, username)
            locked = user.locked_until is not None and user.locked_until > now
            if not locked and not user.failed_logins:
                raise ValidationError(f"账户 {user.username} 未被锁定", field="username")
            detail = f"解除锁定（此前连续失败 {user.failed_logins} 次）"
            user.locked_until, user.failed_logins = None, 0
            log_event(
                s, SecurityEventKind.UNLOCKED, user.username, now, actor=self.actor, detail=detail
            )
            return self._record(s, user)

    # -- field devices -----------------------------------------------------------------

    def device_tokens(self, *, include_revoked: bool = False) -> list[TokenRecord]:
        """The gateway's tokens, newest first (never a secret: only its hash is stored);
        the revoked ones too with ``include_revoked``."""
        require(self.actor, "manage_devices")
        return self._tokens().list_tokens(include_revoked=include_revoked)[::-1]

    def revoke_device_token(self, token_id: int) -> TokenRecord:
        """Revoke a device's token: its next request is refused (401) and it must sign in
        again. Logged as token_revoked by this administrator."""
        require(self.actor, "manage_devices")
        return self._tokens().revoke(token_id, actor=self.actor, note="管理员吊销")

    def _tokens(self) -> ApiTokenService:
        return ApiTokenService(self.db, clock=self.clock)

    # -- helpers -----------------------------------------------------------------------

    def _user(self, s: Session, username: str) -> User:
        user = s.scalar(select(User).where(User.username == (username or "").strip()))
        if user is None:
            raise ValidationError(f"用户不存在: {username}", field="username")
        return user

    def _check_role(
        self, s: Session, role: str, department_id: int | None, region_id: int | None = None
    ) -> None:
        if role not in dict(role_options()):
            raise ValidationError(f"未知角色: {role}", field="role")
        level = scope_level(role)
        if level in REGION_LEVELS:
            label = {"street": "街道", "unit": "单元（社区）", "grid": "网格"}[level]
            if region_id is None:
                raise ValidationError(f"{_role_text(role)}须指定所属{label}", field="region_id")
            region = s.get(Region, region_id)
            if region is None or region.level != REGION_LEVELS[level]:
                raise ValidationError(
                    f"{_role_text(role)}的所属区域须为一个{label}: {region_id}",
                    field="region_id",
                )
        if role == "department":
            if department_id is None:
                raise ValidationError("处置人员须指定所属部门", field="department_id")
            dept = s.get(Department, department_id)
            if dept is None or not dept.active:
                raise ValidationError(f"部门不存在或已停用: {department_id}", field="department_id")

    def _keep_an_admin(self, s: Session, leaving: User) -> None:
        others = s.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == "admin", User.active, User.id != leaving.id)
        )
        if not others:
            raise ValidationError(
                "这是最后一个启用的管理员账户，不能停用或改为其他角色", field="role"
            )

    def _region_text(self, s: Session, region_id: int | None) -> str:
        if region_id is None:
            return ""
        region = s.get(Region, region_id)
        return f"，区域 {region.name if region else region_id}"

    def _dept_text(self, s: Session, department_id: int | None) -> str:
        if department_id is None:
            return ""
        dept = s.get(Department, department_id)
        return f"，部门 {dept.name if dept else department_id}"

    def _record(
        self, s: Session, user: User, department_names: dict[int, str] | None = None
    ) -> UserRecord:
        """``user`` as the screen shows it; ``department_names`` (id → name) spares a list the
        department lookup per user."""
        now = self.clock()
        if not user.department_id:
            department_name = ""
        elif department_names is not None:
            department_name = department_names.get(user.department_id, "")
        else:
            dept = s.get(Department, user.department_id)
            department_name = dept.name if dept else ""
        locked = user.locked_until if user.locked_until and user.locked_until > now else None
        return UserRecord(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            role_label=role_names().get(user.role, user.role),
            department_id=user.department_id,
            department_name=department_name,
            active=bool(user.active),
            locked_until=locked,
            failed_logins=user.failed_logins or 0,
            has_password=user.password_hash is not None,
            last_login_at=user.last_login_at,
            region_id=user.region_id,
        )
