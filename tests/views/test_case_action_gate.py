"""The toolbar's gates (console.views.case_action_gate) on stand-in details: the role, the
state, and a check task assigned to another inspector (核查任务, issue 15)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from console.views.case_action_gate import refusal


def detail(state: str, actions: tuple[str, ...], assigned: str | None = None) -> Any:
    return SimpleNamespace(
        snapshot=SimpleNamespace(state=state),
        actions=tuple(SimpleNamespace(action=a) for a in actions),
        assigned_inspector=assigned,
    )


def test_verify_pass_is_the_assigned_inspectors(qapp: object) -> None:
    mine = detail("handled", ("verify_pass", "verify_fail", "add_note"), assigned="监督员乙")
    assert refusal("verify_pass", "inspector", mine, False) == ""
    unassigned = detail("handled", ("verify_pass", "verify_fail", "add_note"))
    assert refusal("verify_pass", "inspector", unassigned, False) == ""
    theirs = detail("handled", ("add_note",), assigned="监督员乙")
    why = refusal("verify_pass", "inspector", theirs, False)
    assert "监督员乙" in why
    # The role and the state still come first.
    assert "监督员乙" not in refusal("verify_pass", "dispatcher", theirs, False)
    assert "监督员乙" not in refusal("verify_pass", "inspector", detail("dispatched", ()), False)
