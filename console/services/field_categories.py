"""The categories the field app offers: the taxonomy in force today, searched as the console's
report form searches it (code prefix, name, pinyin initials: ``ljx`` → 垃圾箱).

The searchable choices (console.services.category_search) cost a pinyin pass over every
category, so they are built once per taxonomy and kept for a while: category rows are only
ever added (reference data loads), and a new one shows within ``ttl``. No Qt, no HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.config import LOCAL_TZ
from console.db import Database
from console.services.catalog import category_options
from console.services.category_search import CategoryChoice, choices_from, search
from console.services.taxonomy_schedule import TaxonomySchedule

#: Most categories one answer carries (the app may ask for all of them, to search offline).
MAX_LIMIT = 2000
DEFAULT_LIMIT = 50
#: The path of a category: its major class, then its name.
PATH_SEPARATOR = " / "


@dataclass(frozen=True)
class FieldCategory:
    code: str
    #: "component" (部件) or "event_type" (事件).
    kind: str
    name: str
    taxonomy: str
    #: "市容环境 / 暴露垃圾": the major class (大类) and the name.
    path: str


def _field(choice: CategoryChoice) -> FieldCategory:
    path = PATH_SEPARATOR.join(p for p in (choice.major_name, choice.name) if p)
    return FieldCategory(choice.code, choice.kind, choice.name, choice.taxonomy, path)


class CategoryFinder:
    def __init__(
        self,
        db: Database,
        schedule: TaxonomySchedule,
        clock: Callable[[], datetime],
        *,
        ttl: timedelta = timedelta(minutes=10),
    ) -> None:
        self.db = db
        self.schedule = schedule
        self.clock = clock
        self.ttl = ttl
        self._built: dict[str, tuple[datetime, list[CategoryChoice]]] = {}
        self._lock = threading.Lock()

    def in_force(self) -> str:
        """The taxonomy new reports are filed under today (resources/taxonomy/schedule.csv)."""
        return self.schedule.taxonomy_on(self.clock().astimezone(LOCAL_TZ).date())

    def choices(self) -> list[CategoryChoice]:
        taxonomy = self.in_force()
        now = self.clock()
        with self._lock:
            cached = self._built.get(taxonomy)
            if cached is not None and abs(now - cached[0]) < self.ttl:
                return cached[1]
        with self.db.read() as s:
            built = choices_from(category_options(s, taxonomy, schedule=self.schedule), taxonomy)
        with self._lock:
            self._built[taxonomy] = (now, built)
        return built

    def find(self, text: str | None, limit: int = DEFAULT_LIMIT) -> list[FieldCategory]:
        """The categories matching ``text``, best first (all, by kind and code, for none)."""
        limit = max(1, min(limit, MAX_LIMIT))
        return [_field(c) for c in search(self.choices(), text or "", limit)]
