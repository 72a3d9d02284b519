"""The case lifecycle as a state machine read from resources/lifecycle/transitions.csv.

The table says which action moves a case from which states to which, and which roles may take
it. Services ask :meth:`Lifecycle.check` before they touch a case; an illegal action raises
before anything is written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from console.config import resource
from console.errors import IllegalTransitionError, PermissionDeniedError, ValidationError

NEW = "-"  # from_states marker: the action creates the case
ANY_OPEN = "*"  # from_states marker: any state that is not final
SAME = "="  # to_state marker: unchanged
RESUME = "=resume"  # to_state marker: back to the state the case was suspended from

FINAL_STATES = frozenset({"closed", "archived", "voided"})

#: Display names of states (zh_CN, en), for messages; the views translate through Qt.
STATE_LABELS: dict[str, tuple[str, str]] = {
    "reported": ("待立案", "reported"),
    "self_handled": ("自处置待审核", "self-handled"),
    "registered": ("待派遣", "registered"),
    "dispatched": ("处置中", "dispatched"),
    "return_requested": ("回退申请中", "return requested"),
    "suspended": ("挂账", "suspended"),
    "handled": ("待核查", "handled"),
    "verified": ("待结案", "verified"),
    "closed": ("已结案", "closed"),
    "archived": ("已归档", "archived"),
    "voided": ("已作废", "voided"),
}

ROLE_LABELS: dict[str, str] = {
    "intake": "受理员",
    "duty_chief": "值班长",
    "dispatcher": "派遣员",
    "inspector": "监督员",
    "leader": "领导",
    "admin": "管理员",
    "wall": "大屏",
    "department": "处置人员",
    "grid_manager": "网格管理员",
    "system": "系统",
}


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: frozenset[str]
    to_state: str
    roles: frozenset[str]
    label_zh: str
    label_en: str
    note_required: bool

    def applies_to(self, state: str | None) -> bool:
        if state is None:
            return NEW in self.from_states
        if ANY_OPEN in self.from_states:
            return state not in FINAL_STATES
        return state in self.from_states

    def target(self, state: str, suspended_from: str | None = None) -> str:
        if self.to_state == SAME:
            return state
        if self.to_state == RESUME:
            if not suspended_from:
                raise IllegalTransitionError("案件未挂账，无法恢复")
            return suspended_from
        return self.to_state


def state_label(state: str | None) -> str:
    if state is None:
        return "新报"
    return STATE_LABELS.get(state, (state, state))[0]


class Lifecycle:
    """The transition table; one instance per table file."""

    def __init__(self, transitions: list[Transition]) -> None:
        self.transitions = {t.action: t for t in transitions}

    @classmethod
    def from_file(cls, path: Path) -> Lifecycle:
        transitions: list[Transition] = []
        with path.open(encoding="utf-8", newline="") as fh:
            lines = (line for line in fh if not line.startswith("#"))
            for lineno, row in enumerate(csv.DictReader(lines), start=2):
                try:
                    transitions.append(
                        Transition(
                            action=row["action"].strip(),
                            from_states=frozenset(row["from_states"].split("|")),
                            to_state=row["to_state"].strip(),
                            roles=frozenset(row["roles"].split("|")),
                            label_zh=row["label_zh"],
                            label_en=row["label_en"],
                            note_required=row["note_required"].strip() == "1",
                        )
                    )
                except (KeyError, AttributeError) as exc:
                    raise ValidationError(f"{path.name} 第{lineno}行格式错误: {exc}") from exc
        return cls(transitions)

    def get(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise IllegalTransitionError(f"未知操作: {action}") from None

    def check(
        self, action: str, state: str | None, role: str, *, note: str | None = None
    ) -> Transition:
        """The transition for ``action`` from ``state`` by ``role``, or a clear error."""
        transition = self.get(action)
        if not transition.applies_to(state):
            raise IllegalTransitionError(
                f"案件当前状态为「{state_label(state)}」，不能执行「{transition.label_zh}」"
            )
        if role not in transition.roles:
            allowed = "、".join(ROLE_LABELS.get(r, r) for r in sorted(transition.roles))
            raise PermissionDeniedError(
                f"角色「{ROLE_LABELS.get(role, role)}」无权执行「{transition.label_zh}」"
                f"（允许: {allowed}）"
            )
        if transition.note_required and not (note and note.strip()):
            raise ValidationError(f"「{transition.label_zh}」须填写说明", field="note")
        return transition

    def allowed_actions(self, state: str | None, role: str) -> list[str]:
        """Actions ``role`` may take on a case in ``state`` (the detail view's buttons)."""
        return [
            t.action for t in self.transitions.values() if t.applies_to(state) and role in t.roles
        ]


@cache
def default_lifecycle() -> Lifecycle:
    return Lifecycle.from_file(resource("lifecycle", "transitions.csv"))
