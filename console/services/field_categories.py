"""The categories the field app offers: the taxonomy in force today, searched as the console's
report form searches it (code prefix, name, pinyin initials: ``ljx`` → 垃圾箱), of the functions
of grid work the person's role covers (resources/org/role_functions.csv: a 网格管理员 all five,
a 监督员 城市管理), optionally of one of them.

The searchable choices (console.services.category_search) cost a pinyin pass over every
category, so they are built once per taxonomy and kept for a while: category rows are only
ever added (reference data loads), and a new one shows within ``ttl``. No Qt, no HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.config import LOCAL_TZ
from console.db import Database
from console.errors import PermissionDeniedError, ValidationError
from console.services.catalog import category_options
from console.services.category_search import CategoryChoice, choices_from, search
from console.services.reference.functions import read_functions, role_functions
from console.services.taxonomy_schedule import TaxonomySchedule
from console.services.tier_routing import SELF_HANDLE, tier_table

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
    #: One of the five functions of grid work: 城市管理, 安全稳定 …
    function: str
    #: Whether the asking role may self-handle it (its duties, grid_staff_duties.csv): the app
    #: offers the 自行处置 switch only then.
    self_handle: bool = False


def _field(choice: CategoryChoice, role: str | None) -> FieldCategory:
    path = PATH_SEPARATOR.join(p for p in (choice.major_name, choice.name) if p)
    mine = role is not None and tier_table().allows(
        role, SELF_HANDLE, choice.taxonomy, choice.kind, choice.code
    )
    return FieldCategory(
        choice.code, choice.kind, choice.name, choice.taxonomy, path, choice.function, mine
    )


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
        self.functions = read_functions()
        #: role → the functions it covers (a role without a row: none).
        self.role_functions = role_functions()

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

    def functions_of(self, role: str, function: str | None = None) -> tuple[str, ...]:
        """The functions ``role`` covers, or just ``function`` — refused when it covers not."""
        covered = self.role_functions.get(role, ())
        if function is None:
            return covered
        if function not in self.functions:
            raise ValidationError(
                f"未知的职能“{function}”（应为 {' / '.join(self.functions)} 之一）",
                field="function",
            )
        if function not in covered:
            mine = "、".join(covered) or "无"
            raise PermissionDeniedError(
                f"本角色不负责“{function}”方面的上报（可上报的职能：{mine}；"
                "见 resources/org/role_functions.csv）"
            )
        return (function,)

    def find(
        self,
        text: str | None,
        limit: int = DEFAULT_LIMIT,
        functions: Collection[str] | None = None,
        role: str | None = None,
    ) -> list[FieldCategory]:
        """The categories matching ``text``, best first (all, by kind and code, for none);
        of ``functions`` only, when given (FieldCategory.function); each marked whether
        ``role`` may self-handle it (FieldCategory.self_handle)."""
        limit = max(1, min(limit, MAX_LIMIT))
        choices = self.choices()
        if functions is not None:
            choices = [c for c in choices if c.function in functions]
        return [_field(c, role) for c in search(choices, text or "", limit)]
