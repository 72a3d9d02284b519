"""The transition table read from resources/ against the loop as the command center runs it."""

from __future__ import annotations

import itertools

import pytest

from console.domain.lifecycle import FINAL_STATES, Lifecycle, default_lifecycle
from console.errors import IllegalTransitionError, PermissionDeniedError, ValidationError

STATES = [
    "reported", "report_check", "self_handled", "registered", "dispatched", "return_requested",
    "hand_up_requested", "suspended",
    "handled", "verified", "closed", "archived", "voided", "merged",
]  # fmt: skip
ROLES = [
    "intake", "duty_chief", "dispatcher", "inspector", "leader", "admin", "wall",
    "department", "grid_manager", "street_duty_officer", "street_leader", "unit_head", "system",
    "grid_supervisor", "city_inspector", "enforcement_officer", "sanitation_worker",
    "frontage_inspector", "property_manager",
]  # fmt: skip
#: 一格七员 (resources/org/grid_staff_roles.csv): each reports; those whose duties
#: (grid_staff_duties.csv) list self-handling may self-handle — the supervisor and the city
#: inspector find and check, they do not handle.
GRID_STAFF = {
    "grid_manager", "grid_supervisor", "city_inspector", "enforcement_officer",
    "sanitation_worker", "frontage_inspector", "property_manager",
}  # fmt: skip
SELF_HANDLERS = GRID_STAFF - {"grid_supervisor", "city_inspector"}
OPEN_STATES = [s for s in STATES if s not in FINAL_STATES]

# The intended rules, written out by hand: (action) -> (legal from-states, roles, to-state).
EXPECTED: dict[str, tuple[list[str], set[str], str | None]] = {
    "self_handle": (["reported"], {"inspector"} | SELF_HANDLERS, "self_handled"),
    # 自处置审核: the duty chief closes a self-handled case, or rejects it back to 待立案.
    "reject_self_handle": (["self_handled"], {"duty_chief"}, "reported"),
    # 信息核实: the intake seat (or the duty chief) names an inspector, who confirms the report
    # (back to 待立案) or finds no problem there (voided).
    # Asked again while pending: reassigned (改派), still 待核实.
    "request_report_check": (
        ["reported", "report_check"], {"intake", "duty_chief"}, "report_check"
    ),
    "confirm_report": (["report_check"], {"inspector"}, "reported"),
    "reject_report": (["report_check"], {"inspector"}, "voided"),
    "register": (["reported"], {"duty_chief"}, "registered"),
    "void": (["reported", "registered"], {"duty_chief"}, "voided"),
    "dispatch": (["registered"], {"dispatcher"}, "dispatched"),
    # 签收: once per arrival (the workflow checks), in the states a handler's tasks list.
    "accept": (["dispatched", "return_requested"], {"department", "street_duty_officer"}, None),
    "request_return": (["dispatched"], {"department"}, "return_requested"),
    "approve_return": (["return_requested"], {"dispatcher"}, "registered"),
    "reject_return": (["return_requested"], {"dispatcher"}, "dispatched"),
    # 提级: a street seat hands a case up; the district approves (待派遣 anew) or refuses.
    "hand_up": (["dispatched"], {"street_duty_officer", "street_leader"}, "hand_up_requested"),
    "approve_hand_up": (["hand_up_requested"], {"dispatcher"}, "registered"),
    "refuse_hand_up": (["hand_up_requested"], {"dispatcher"}, "dispatched"),
    "request_extension": (["dispatched"], {"department"}, None),
    "approve_extension": (["dispatched"], {"dispatcher"}, None),
    "deny_extension": (["dispatched"], {"dispatcher"}, None),
    # 二级派遣: the street sends its case on to one of its forces; the force's feedback comes
    # back (the unit head for the unit, else the street seat records it).
    "sub_dispatch": (["dispatched"], {"street_duty_officer"}, None),
    "sub_feedback": (["dispatched"], {"street_duty_officer", "unit_head"}, None),
    "feedback": (["dispatched"], {"department", "street_duty_officer"}, "handled"),
    # 核查任务: the check assigned to a named inspector (the workflow keeps it theirs).
    "assign_check": (["handled"], {"intake", "duty_chief"}, None),
    "verify_pass": (["handled"], {"inspector"}, "verified"),
    "verify_fail": (["handled"], {"inspector"}, "dispatched"),
    "close": (["verified", "self_handled"], {"duty_chief"}, "closed"),
    "archive": (["closed"], {"duty_chief", "system"}, "archived"),
    "suspend": (["dispatched"], {"duty_chief"}, "suspended"),
    # 申请挂账: the department asks, the duty chief approves (suspended) or refuses.
    "request_suspension": (["dispatched"], {"department"}, None),
    "approve_suspension": (["dispatched"], {"duty_chief"}, "suspended"),
    "refuse_suspension": (["dispatched"], {"duty_chief"}, None),
    "supervise": (OPEN_STATES, {"system", "leader"}, None),
    "add_note": (
        OPEN_STATES,
        {"intake", "duty_chief", "dispatcher", "inspector", "leader", "department",
         "street_duty_officer", "street_leader", "unit_head"} | GRID_STAFF,
        None,
    ),
    # Possible duplicates: merge ends the repeat before dispatch; keep_apart changes no state;
    # merged_in is recorded on the surviving case by merge, never taken on its own.
    "merge": (["reported", "registered"], {"intake", "duty_chief", "dispatcher"}, "merged"),
    "keep_apart": (OPEN_STATES, {"intake", "duty_chief", "dispatcher"}, None),
    "merged_in": (OPEN_STATES, set(), None),
    # recompute_deadline is recorded by a change of the holiday schedule, never taken on its own.
    "recompute_deadline": (OPEN_STATES, set(), None),
}  # fmt: skip


@pytest.fixture(scope="module")
def lifecycle() -> Lifecycle:
    return default_lifecycle()


def test_table_has_every_expected_action(lifecycle: Lifecycle) -> None:
    assert set(EXPECTED) | {"report", "resume"} == set(lifecycle.transitions)


@pytest.mark.parametrize(
    ("action", "state", "role"),
    list(itertools.product(sorted(EXPECTED), STATES, ROLES)),
)
def test_every_action_state_role(lifecycle: Lifecycle, action: str, state: str, role: str) -> None:
    states, roles, target = EXPECTED[action]
    note = "说明"
    if state not in states:
        with pytest.raises(IllegalTransitionError):
            lifecycle.check(action, state, role, note=note)
    elif role not in roles:
        with pytest.raises(PermissionDeniedError, match="无权"):
            lifecycle.check(action, state, role, note=note)
    else:
        transition = lifecycle.check(action, state, role, note=note)
        assert transition.target(state) == (target or state)


def test_report_creates_and_only_reporters_may(lifecycle: Lifecycle) -> None:
    for role in {"inspector", "intake", "system"} | GRID_STAFF:
        assert lifecycle.check("report", None, role).to_state == "reported"
    with pytest.raises(IllegalTransitionError):
        lifecycle.check("report", "reported", "inspector")
    for role in ("dispatcher", "wall", "leader", "department"):
        with pytest.raises(PermissionDeniedError):
            lifecycle.check("report", None, role)


def test_resume_returns_to_the_suspended_state(lifecycle: Lifecycle) -> None:
    transition = lifecycle.check("resume", "suspended", "duty_chief")
    assert transition.target("suspended", "dispatched") == "dispatched"
    with pytest.raises(IllegalTransitionError):
        transition.target("suspended", None)
    with pytest.raises(IllegalTransitionError):
        lifecycle.check("resume", "dispatched", "duty_chief")


@pytest.mark.parametrize(
    "action", ["void", "request_return", "feedback", "verify_fail", "suspend", "reject_report"]
)
def test_notes_required_where_a_reason_is_due(lifecycle: Lifecycle, action: str) -> None:
    state, role = EXPECTED[action][0][0], sorted(EXPECTED[action][1])[0]
    with pytest.raises(ValidationError, match="说明"):
        lifecycle.check(action, state, role, note="  ")


def test_messages_name_state_and_action(lifecycle: Lifecycle) -> None:
    with pytest.raises(IllegalTransitionError, match=r"「已结案」.*「派遣」"):
        lifecycle.check("dispatch", "closed", "dispatcher")
    with pytest.raises(PermissionDeniedError, match="「大屏」无权执行「立案」"):
        lifecycle.check("register", "reported", "wall")


def test_allowed_actions_for_detail_buttons(lifecycle: Lifecycle) -> None:
    assert set(lifecycle.allowed_actions("dispatched", "department")) == {
        "accept", "request_return", "request_extension", "request_suspension", "feedback",
        "add_note",
    }  # fmt: skip
    assert lifecycle.allowed_actions("archived", "duty_chief") == []
    assert lifecycle.allowed_actions("merged", "dispatcher") == []
    assert lifecycle.allowed_actions("reported", "wall") == []


def test_merged_is_final_and_off_the_clock(lifecycle: Lifecycle) -> None:
    from console.domain.lifecycle import CLOCK_STATES, STATE_LABELS

    assert "merged" in FINAL_STATES and "merged" not in CLOCK_STATES
    assert STATE_LABELS["merged"] == ("已合并", "Merged")
    assert lifecycle.check("merge", "reported", "dispatcher").label_zh == "合并"
    # No role takes merged_in: merge writes it on the surviving case.
    assert all("merged_in" not in lifecycle.allowed_actions("dispatched", r) for r in ROLES)


def test_unknown_action(lifecycle: Lifecycle) -> None:
    with pytest.raises(IllegalTransitionError, match="未知操作"):
        lifecycle.check("teleport", "reported", "duty_chief")


def test_states_table_matches_the_model_enum() -> None:
    from console.domain.lifecycle import CLOCK_STATES, OPEN_STATES, STATE_LABELS
    from console.models import CaseState

    assert set(STATE_LABELS) == {s.value for s in CaseState} == set(STATES)
    assert {"dispatched", "return_requested", "hand_up_requested"} == CLOCK_STATES
    assert {"closed", "archived", "voided", "merged"} == FINAL_STATES
    assert OPEN_STATES[0] == "reported" and set(OPEN_STATES) == set(STATES) - FINAL_STATES


def test_each_step_declares_what_a_seat_asks_for(tmp_path) -> None:
    """transitions.csv's input column: the detail panel, available_actions and the duplicates
    box read it instead of lists of action names (issue 14 §2)."""
    from console.domain.lifecycle import INPUTS, default_lifecycle

    table = default_lifecycle().transitions
    assert {t.input for t in table.values()} <= set(INPUTS)
    assert {a for a, t in table.items() if t.input == "photo"} == {
        "feedback", "self_handle", "confirm_report", "reject_report",
    }  # fmt: skip
    assert {a for a, t in table.items() if t.input == "inspector"} == {
        "request_report_check", "assign_check",
    }  # fmt: skip
    assert {a for a, t in table.items() if t.input == "pair"} == {"merge", "keep_apart"}
    assert table["dispatch"].input == "department"
    assert all(t.input in ("note", "photo", "extension", "pair") for t in table.values()
               if t.note_required)  # fmt: skip
    bad = tmp_path / "transitions.csv"
    bad.write_text(
        "action,from_states,to_state,roles,label_zh,label_en,note_required,input\n"
        "survey,reported,registered,duty_chief,勘查,Survey,0,drone\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="第2行: 未知输入 drone"):
        Lifecycle.from_file(bad)


def test_each_step_names_its_handler_and_evaluation_step() -> None:
    """transitions.csv's handler and evaluation_step columns (issue 14 §2); the usual role
    comes first (the demo and the simulator act as it)."""
    from console.domain.lifecycle import default_lifecycle

    table = default_lifecycle().transitions
    assert table["self_handle"].handler == "feedback"
    assert table["report"].handler == "-"
    assert {a for a, t in table.items() if t.handler == "noop"} >= {"supervise", "add_note"}
    assert {a: t.evaluation_step for a, t in table.items() if t.evaluation_step} == {
        "report": "report",
        "register": "register",
        "dispatch": "dispatch",
        "verify_pass": "check",
        "verify_fail": "check",
        "close": "close",
        "confirm_report": "verify",
        "reject_report": "verify",
    }
    assert table["self_handle"].roles[0] == "grid_manager"
    assert table["archive"].roles[0] == "system"
    # The dispatcher's time to dispatch runs from 立案, an approved return or an approved 提级.
    assert default_lifecycle().leading_to(frozenset({"registered"})) == (
        "register",
        "approve_return",
        "approve_hand_up",
    )


def test_unknown_state_in_table_is_rejected(tmp_path) -> None:
    table = tmp_path / "transitions.csv"
    table.write_text(
        "action,from_states,to_state,roles,label_zh,label_en,note_required\n"
        "teleport,reported,limbo,duty_chief,传送,Teleport,0\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="limbo"):
        Lifecycle.from_file(table)
