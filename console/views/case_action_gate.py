"""The toolbar's case actions (立案, 派遣, 核查通过, 结案) offered by role and by the case's state.

The lifecycle table (resources/lifecycle/transitions.csv) says which role may take an action
in which state; the services refuse the rest anyway, but a button that can only fail should say
why before it is pressed. A disabled action carries the reason as its tooltip and status tip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction

from console.domain.lifecycle import default_lifecycle
from console.views.labels import role_text, state_text

if TYPE_CHECKING:
    from console.services.cases.detail import CaseDetail

#: Toolbar command id → lifecycle action.
GATED_ACTIONS = {
    "register": "register",
    "dispatch": "dispatch",
    "verify_pass": "verify_pass",
    "close": "close",
}


def refusal(action: str, role: str, detail: CaseDetail | None, loading: bool) -> str:
    """Why ``role`` cannot take ``action`` on the current case now ("" when it can).

    ``detail`` is the current case's detail (None when there is none yet or it is loading).
    The role comes first: a seat that may never register should hear that, not "select a case".
    """
    transition = default_lifecycle().get(action)
    if role not in transition.roles:
        allowed = "、".join(role_text(r) for r in sorted(transition.roles))
        return (
            QCoreApplication.translate("CaseActionGate", "Only for: %1 (you are %2)")
            .replace("%1", allowed)
            .replace("%2", role_text(role))
        )
    if detail is None:
        return (
            QCoreApplication.translate("CaseActionGate", "The case is still loading")
            if loading
            else QCoreApplication.translate("CaseActionGate", "Select a case first")
        )
    state = str(detail.snapshot.state)
    if not transition.applies_to(state):
        return QCoreApplication.translate(
            "CaseActionGate", "Not possible while the case is %1"
        ).replace("%1", state_text(state))
    assigned = getattr(detail, "assigned_inspector", None)
    if assigned and action not in {a.action for a in detail.actions}:
        # 核查任务: the check is a named inspector's, and this seat's user is not them.
        return QCoreApplication.translate(
            "CaseActionGate", "The check is assigned to the inspector %1"
        ).replace("%1", assigned)
    return ""


def apply_gates(
    actions: Mapping[str, QAction], role: str, detail: CaseDetail | None, loading: bool
) -> None:
    """Enable each gated action, or disable it with the reason as tooltip and status tip."""
    for command_id, action_name in GATED_ACTIONS.items():
        action = actions.get(command_id)
        if action is None:
            continue
        why = refusal(action_name, role, detail, loading)
        action.setEnabled(not why)
        action.setToolTip(why or action.text().replace("&", ""))
        action.setStatusTip(why)
