"""Signing a field device in and out: the person's own account, a token for the device.

The person signs in with the console's account (argon2 password, the same lockout:
console.services.auth.sign_in, which logs every attempt). The device gets a gateway token
(console.services.api_tokens) bound to the person and labelled with the device's name; the app
keeps the token, never the password. Signing out revokes that token: its next request is
refused. No Qt, no HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from console.db import Database
from console.domain.lifecycle import ROLE_LABELS
from console.errors import AuthenticationError, MissingFieldError, TextTooLongError, ValidationError
from console.models import Department, User
from console.services import auth
from console.services.api_tokens import MAX_LABEL, ApiTokenService
from console.services.patrols import PATROL_ROLES

#: The fields a sign-in needs, with how a message names them.
SIGN_IN_FIELDS = {"username": "用户名", "password": "密码", "device_label": "设备名称"}
MAX_USERNAME = 50
MAX_PASSWORD = 1024


@dataclass(frozen=True)
class FieldUser:
    """The signed-in person as the app shows them."""

    username: str
    display_name: str
    role: str
    role_label: str
    #: The person's department's name (handlers), else None.
    department: str | None
    #: Whether the person walks patrols (巡查: patrols.PATROL_ROLES): the app shows its tab.
    may_patrol: bool


@dataclass(frozen=True)
class DeviceSession:
    """A device signed in. ``token`` exists only here: it is never stored or shown again."""

    token: str
    token_id: int
    user: FieldUser


def _text(data: Mapping[str, object], name: str, limit: int) -> str:
    """A sign-in field as text (the password exactly as typed, the others trimmed)."""
    value = data.get(name)
    label = SIGN_IN_FIELDS[name]
    if isinstance(value, str) and name != "password":
        value = value.strip()
    if value is None or value == "":
        raise MissingFieldError(f"缺少{label}", field=name)
    if not isinstance(value, str):
        raise ValidationError(f"{label}必须是文本", field=name)
    if len(value) > limit:
        raise TextTooLongError(f"{label}过长: {len(value)} 字，最多 {limit} 字", field=name)
    return value


def profile(db: Database, user_id: int | None) -> FieldUser:
    """The person ``user_id`` as the app shows them."""
    with db.read() as s:
        row = s.execute(
            select(User.username, User.display_name, User.role, Department.name)
            .outerjoin(Department, Department.id == User.department_id)
            .where(User.id == user_id)
        ).first()
    if row is None:
        raise AuthenticationError("账户不存在，请重新登录")
    username, display_name, role, department = row
    label = ROLE_LABELS.get(role, role)
    return FieldUser(username, display_name, role, label, department, role in PATROL_ROLES)


def sign_in_device(
    db: Database,
    tokens: ApiTokenService,
    data: Mapping[str, object],
    now: datetime,
) -> DeviceSession:
    """Sign in with ``data``'s username and password and issue a token for its device_label.

    Missing or malformed fields are refused before the password is tried (they count no
    failure); then auth.sign_in: AuthenticationError (wrong name or password, no password,
    inactive, locked: one message but for an inactive account with the right password).
    """
    username = _text(data, "username", MAX_USERNAME)
    password = _text(data, "password", MAX_PASSWORD)
    label = _text(data, "device_label", MAX_LABEL)
    actor = auth.sign_in(db, username, password, now)
    user = profile(db, actor.id)
    issued = tokens.create(user.username, label, actor=actor, note="外勤设备登录")
    return DeviceSession(issued.secret, issued.id, user)


def sign_out_device(tokens: ApiTokenService, token_id: int) -> None:
    """Revoke the device's token: its next request is refused (401)."""
    tokens.revoke(token_id, note="设备退出登录")
