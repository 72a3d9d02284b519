"""The case lifecycle as a state machine read from resources/lifecycle/transitions.csv.

The table says which action moves a case from which states to which, and which roles may take
it. Services ask :meth:`Lifecycle.check` before they touch a case; an illegal action raises
before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from console.config import csv_rows, resource
from console.errors import IllegalTransitionError, PermissionDeniedError, ValidationError

NEW = "-"  # from_states marker: the action creates the case
ANY_OPEN = "*"  # from_states marker: any state that is not final
SAME = "="  # to_state marker: unchanged
RESUME = "=resume"  # to_state marker: back to the state the case was suspended from
NO_HANDLER = "-"  # handler marker: the action is not applied to an existing case (a report)
#: What a seat asks for before a step (transitions.csv's input column); "-": no seat takes it
#: from a case's detail (a service writes it, or the new-report form makes it).
#: "inspector": a named inspector (the step's param ``inspector_id``) and an optional note.
#: "force": one of the street's forces and a limit in hours (params ``force``, ``hours``: 二级派遣).
INPUTS = ("none", "note", "photo", "department", "extension", "pair", "inspector", "force", "-")


def _read_states() -> dict[str, tuple[str, str, bool, bool]]:
    """code → (label_zh, label_en, final, on_clock) from resources/lifecycle/states.csv."""
    path = resource("lifecycle", "states.csv")
    try:
        return {
            r["code"]: (r["label_zh"], r["label_en"], r["final"] == "1", r["on_clock"] == "1")
            for r in csv_rows(path)
        }
    except KeyError as exc:
        raise ValidationError(f"{path.name} 缺少列 {exc}") from exc


_STATES = _read_states()
#: Display names of states (zh_CN, en), for messages; the views translate through Qt.
STATE_LABELS: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in _STATES.items()}
#: States in which a case is finished (no clock, no queue but the archive).
FINAL_STATES = frozenset(k for k, v in _STATES.items() if v[2])
#: States in which the handling department's deadline clock runs.
CLOCK_STATES = frozenset(k for k, v in _STATES.items() if v[3])
#: Every state that is not final, in the table's order (the loop's order).
OPEN_STATES = tuple(k for k, v in _STATES.items() if not v[2])
#: Role code → Chinese name, from resources/org/roles.csv.
ROLE_LABELS: dict[str, str] = {
    r["code"]: r["name_zh"] for r in csv_rows(resource("org", "roles.csv"))
}


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: frozenset[str]
    to_state: str
    roles: tuple[str, ...]  # the usual one first (the demo and the simulator act as it)
    label_zh: str
    label_en: str
    note_required: bool
    input: str = "none"  # one of INPUTS
    #: The CaseWorkflow method that changes the case (without its leading _); NO_HANDLER:
    #: not applied to an existing case.
    handler: str = "noop"
    #: The evaluation's position step the event counts in (console.services.evaluation), or None.
    evaluation_step: str | None = None

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


def _optional(cell: str | None) -> str | None:
    """A cell where "-" (or nothing) means none."""
    value = (cell or "").strip()
    return None if value in ("", "-") else value


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
        markers = {NEW, ANY_OPEN, SAME, RESUME}
        for lineno, row in enumerate(csv_rows(path), start=2):
            try:
                transition = Transition(
                    action=row["action"].strip(),
                    from_states=frozenset(row["from_states"].split("|")),
                    to_state=row["to_state"].strip(),
                    roles=tuple(row["roles"].split("|")),
                    label_zh=row["label_zh"],
                    label_en=row["label_en"],
                    note_required=row["note_required"].strip() == "1",
                    input=(row.get("input") or "none").strip(),
                    handler=(row.get("handler") or "noop").strip(),
                    evaluation_step=_optional(row.get("evaluation_step")),
                )
            except (KeyError, AttributeError) as exc:
                raise ValidationError(f"{path.name} 第{lineno}行格式错误: {exc}") from exc
            if transition.input not in INPUTS:
                raise ValidationError(
                    f"{path.name} 第{lineno}行: 未知输入 {transition.input}（可选: {'、'.join(INPUTS)}）"
                )
            unknown = (transition.from_states | {transition.to_state}) - markers - set(_STATES)
            if unknown:
                raise ValidationError(f"{path.name} 第{lineno}行: 未知状态 {sorted(unknown)}")
            transitions.append(transition)
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

    def leading_to(self, states: frozenset[str]) -> tuple[str, ...]:
        """Actions that bring a case into one of ``states`` (what a step that starts there is
        timed from), in the table's order; the new report's action is not one of them."""
        return tuple(
            t.action
            for t in self.transitions.values()
            if t.to_state in states and NEW not in t.from_states
        )

    def allowed_actions(self, state: str | None, role: str) -> list[str]:
        """Actions ``role`` may take on a case in ``state`` (the detail view's buttons)."""
        return [
            t.action for t in self.transitions.values() if t.applies_to(state) and role in t.roles
        ]


@cache
def default_lifecycle() -> Lifecycle:
    return Lifecycle.from_file(resource("lifecycle", "transitions.csv"))
