"""Permissions as data: who may do what besides moving cases (resources/org/permissions.csv).

Case transitions check their roles in console.domain.lifecycle (resources/lifecycle/
transitions.csv); everything else a seat can do — acknowledge an alert, sign a handover,
export the evaluation, manage users — asks :func:`require` here, in the service, so a hidden
button is never the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from console.config import csv_rows, resource
from console.errors import PermissionDeniedError, ValidationError
from console.services.actors import Actor
from console.services.reference.files import read_roles

KINDS = ("read", "write")


@dataclass(frozen=True)
class Permission:
    code: str
    kind: str  # "read" or "write"
    roles: frozenset[str]
    label_zh: str
    label_en: str


@cache
def role_names() -> dict[str, str]:
    """Role code → Chinese name (resources/org/roles.csv)."""
    return {r.code: r.name_zh for r in read_roles()}


@cache
def permissions() -> dict[str, Permission]:
    """Every permission of resources/org/permissions.csv, checked against the roles file."""
    path = resource("org", "permissions.csv")
    known_roles = role_names()
    table: dict[str, Permission] = {}
    rows = csv_rows(path)
    for row in rows:
        code = (row.get("permission") or "").strip()
        where = f"{path.name}（{code or '?'}）"
        kind = (row.get("kind") or "").strip()
        roles = frozenset(r.strip() for r in (row.get("roles") or "").split("|") if r.strip())
        if not code or code in table:
            raise ValidationError(f"{where}: 权限代码为空或重复: {code!r}")
        if kind not in KINDS:
            raise ValidationError(f"{where}: kind 应为 read 或 write: {kind!r}")
        unknown = sorted(roles - known_roles.keys())
        if unknown:
            raise ValidationError(f"{where}: 未知角色 {', '.join(unknown)}")
        table[code] = Permission(code, kind, roles, row["label_zh"], row["label_en"])
    return table


def _permission(code: str) -> Permission:
    try:
        return permissions()[code]
    except KeyError:  # a typo in the code, not the user's fault: fail loudly
        raise KeyError(f"unknown permission {code!r} (resources/org/permissions.csv)") from None


def allowed(actor: Actor, code: str) -> bool:
    """Whether ``actor``'s role holds permission ``code``."""
    return actor.role in _permission(code).roles


def require(actor: Actor, code: str) -> None:
    """Raise PermissionDeniedError (in Chinese, naming the action and the role) unless allowed."""
    permission = _permission(code)
    if actor.role not in permission.roles:
        role = role_names().get(actor.role, actor.role)
        raise PermissionDeniedError(
            f"{actor.name}（{role}）无权{permission.label_zh}，请联系管理员分配相应角色"
        )


def granted(role: str) -> list[str]:
    """The permission codes ``role`` holds, in file order."""
    return [p.code for p in permissions().values() if role in p.roles]
