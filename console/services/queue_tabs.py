"""The queue tabs as data (resources/queues/tabs.csv): which states, lights and flags each shows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from console.config import csv_rows, resource
from console.domain.lifecycle import CLOCK_STATES, OPEN_STATES, STATE_LABELS
from console.errors import ValidationError

LIGHTS = ("green", "yellow", "red")
#: Flags a tab may OR with its states (console.services.queue turns them into SQL).
FLAGS = frozenset({"extension_requested", "pending_request", "possible_duplicate"})


@dataclass(frozen=True)
class QueueTab:
    code: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class TabRule:
    tab: QueueTab
    states: tuple[str, ...]
    lights: tuple[str, ...]
    flag: str | None


def _resolve_states(spec: str, where: str) -> tuple[str, ...]:
    if spec == "open":
        return OPEN_STATES
    if spec == "clock":
        return tuple(s for s in STATE_LABELS if s in CLOCK_STATES)
    if spec == "all":
        return tuple(STATE_LABELS)
    if spec == "none":  # the tab's flag alone chooses its (open) cases
        return ()
    states = tuple(s.strip() for s in spec.split("|") if s.strip())
    unknown = [s for s in states if s not in STATE_LABELS]
    if unknown or not states:
        raise ValidationError(f"{where}: 未知状态 {unknown or spec!r}")
    return states


@cache
def tab_rules() -> dict[str, TabRule]:
    path = resource("queues", "tabs.csv")
    rows = csv_rows(path)
    rules: dict[str, TabRule] = {}
    for lineno, row in enumerate(rows, start=1):
        where = f"{path.name} 第{lineno}条"
        try:
            code = row["code"].strip()
            lights = tuple(x for x in (row["light"] or "").split("|") if x)
            flag = (row["flag"] or "").strip() or None
            rule = TabRule(
                QueueTab(code, row["label_zh"], row["label_en"]),
                _resolve_states(row["states"].strip(), where),
                lights,
                flag,
            )
        except (KeyError, AttributeError) as exc:
            raise ValidationError(f"{where}: 格式错误 {exc}") from exc
        if set(lights) - set(LIGHTS):
            raise ValidationError(f"{where}: 未知灯色 {lights}")
        if flag is not None and flag not in FLAGS:
            raise ValidationError(f"{where}: 未知条件 {flag}")
        if not rule.states and flag is None:
            raise ValidationError(f"{where}: 状态为 none 时须给出条件 flag")
        rules[code] = rule
    return rules


def queue_tabs() -> list[QueueTab]:
    """The queue tabs in display order."""
    return [rule.tab for rule in tab_rules().values()]
