"""The position steps the evaluation counts come from transitions.csv (issue 14 §2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.config import resource
from console.domain.lifecycle import Lifecycle, default_lifecycle
from console.errors import ValidationError
from console.services.evaluation.config import POSITION_ACTIONS, STEPS, Step, position_steps

TABLE = resource("lifecycle", "transitions.csv").read_text(encoding="utf-8")


def test_the_shipped_table_gives_the_steps_as_written_out_by_hand() -> None:
    """What the evaluation's README defines, written out: who counts in each step, and what
    each timed step is timed from (立案 from the case's report: no actions, its own limit)."""
    expected = {
        "report": Step(("report",), ("inspector", "intake")),
        "register": Step(("register",), ("duty_chief",), (), "register"),
        "close": Step(("close",), ("duty_chief",), ("self_handle", "verify_pass"), "close"),
        "dispatch": Step(
            ("dispatch",),
            ("dispatcher",),
            ("register", "approve_return", "approve_hand_up"),
            "dispatch",
        ),
        "check": Step(("verify_pass", "verify_fail"), ("inspector",), ("feedback",), "check"),
        # 信息核实: timed from the report check's request (issue 15).
        "verify": Step(
            ("confirm_report", "reject_report"), ("inspector",), ("request_report_check",), "verify"
        ),
    }
    assert position_steps(default_lifecycle()) == expected == STEPS
    assert set(POSITION_ACTIONS) == {a for s in expected.values() for a in s.actions}


def edited(tmp_path: Path, old: str, new: str) -> Lifecycle:
    assert old in TABLE
    path = tmp_path / "transitions.csv"
    path.write_text(TABLE.replace(old, new), encoding="utf-8")
    return Lifecycle.from_file(path)


def test_a_step_follows_its_column_and_the_graph(tmp_path: Path) -> None:
    """Re-dispatch after a failed check counts in the dispatch step, and its from-state
    (处置中 after 返工) brings verify_fail into what dispatch is timed from."""
    lifecycle = edited(
        tmp_path,
        "reject_return,return_requested,dispatched,dispatcher,驳回回退,Reject return,1,note,noop,-",
        "reject_return,return_requested,dispatched,dispatcher,驳回回退,Reject return,1,note,noop,dispatch",
    )
    dispatch = position_steps(lifecycle)["dispatch"]
    assert dispatch.actions == ("dispatch", "reject_return")
    assert set(dispatch.since) == {
        "register",
        "approve_return",
        "approve_hand_up",
        "request_return",
    }


def test_an_unknown_step_or_a_step_no_action_counts_in_is_refused(tmp_path: Path) -> None:
    lifecycle = edited(tmp_path, "Close,0,none,close,close", "Close,0,none,close,closing")
    with pytest.raises(ValidationError, match="没有计入考核环节 close 的操作"):
        position_steps(lifecycle)
    lifecycle = edited(tmp_path, "Add note,1,note,noop,-", "Add note,1,note,noop,notes")
    with pytest.raises(ValidationError, match="未知考核环节 notes"):
        position_steps(lifecycle)
