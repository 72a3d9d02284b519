"""Who is acting: the person (or the system) behind a service call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The acting user, as the services see them (issue #5 adds sign-in; this is what remains).

    ``department_id`` is set for handlers (role ``department``): they may act only on cases
    dispatched to that department.
    """

    id: int | None
    name: str
    role: str
    department_id: int | None = None


SYSTEM = Actor(id=None, name="系统", role="system")
