"""Who is acting: the person (or the system) behind a service call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.models import User


@dataclass(frozen=True)
class Actor:
    """The acting user, as the services see them (issue #5 adds sign-in; this is what remains).

    ``department_id`` is set for handlers (role ``department``): they may act only on cases
    dispatched to that department. ``region_id`` is the street or unit a street-tier seat is
    confined to (console.services.case_scope).
    """

    id: int | None
    name: str
    role: str
    department_id: int | None = None
    region_id: int | None = None


SYSTEM = Actor(id=None, name="系统", role="system")


def actor_of(user: User) -> Actor:
    """The acting user as the services see them, from their account row."""
    return Actor(user.id, user.display_name, user.role, user.department_id, user.region_id)
