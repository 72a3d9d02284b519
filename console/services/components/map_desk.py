"""What a seat's map and repeat-offender list ask of the register (issue 17), as the acting
user and inside their scope (a street seat: its street's objects and cases). Every call runs on
the bridge's worker and returns plain data or JSON text. No Qt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from console.db import Database
from console.services.actors import Actor
from console.services.case_scope import CaseScope, case_scope
from console.services.components.map_layer import (
    ComponentCard,
    ComponentClass,
    component_card,
    component_classes,
    last_change,
    layer_json,
    layer_rows,
)
from console.services.components.repeats import RepeatOffender, repeat_offenders
from console.services.permissions import require


@dataclass(frozen=True)
class LayerPayload:
    """The layer's rows as the page takes them, how many, and the ``since`` of the next read."""

    json: str
    count: int
    until: datetime | None


class ComponentMapDesk:
    """The map's register calls for ``actor`` (Workbench.component_map)."""

    def __init__(self, db: Database, actor: Actor, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.actor = actor
        self.clock = clock

    @property
    def scope(self) -> CaseScope:
        return case_scope(self.actor)

    def layer(self, since: datetime | None = None) -> LayerPayload:
        """Every object in scope (``since``: only those changed after it, to add or update)."""
        require(self.actor, "view_queues")
        with self.db.read() as s:
            until = last_change(s, self.scope)
            rows = layer_rows(s, self.scope, since=since)
        return LayerPayload(layer_json(rows, full=since is None), len(rows), until or since)

    def classes(self) -> list[ComponentClass]:
        require(self.actor, "view_queues")
        with self.db.read() as s:
            return component_classes(s, self.scope)

    def card(self, component_id: int) -> ComponentCard:
        require(self.actor, "view_queues")
        with self.db.read() as s:
            return component_card(s, component_id, self.scope)

    def repeats(self) -> list[RepeatOffender]:
        require(self.actor, "view_queues")
        with self.db.read() as s:
            return repeat_offenders(s, self.clock(), scope=self.scope)
