"""Which supervision alerts a seat answers for, and what counts as "unacknowledged". No Qt.

One definition for every reader: the alerts dock (console.services.workbench), its count and the
shift handover's summary (console.services.handover) all filter through :func:`in_scope` and
:func:`unacknowledged_where`, so the dock and the summary cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement

from console.models import Alert, Case
from console.services.actors import Actor
from console.services.case_scope import CaseScope, case_scope

#: recipient_kind of the street's own alerts (resources/supervision/sub_tasks.csv).
STREET_SEAT = "street_seat"
#: Roles that answer for no supervision alert: the intake seat takes calls, it does not chase
#: deadlines (its own reminders live in the seat's job store, not here).
NO_ALERT_ROLES = frozenset({"intake"})


@dataclass(frozen=True)
class AlertScope:
    """``kind``: "all", "department" (with ``department_id``), "region" (a street or unit seat:
    ``cases``, its case scope) or "none"."""

    kind: str
    department_id: int | None = None
    cases: CaseScope | None = None


ALL_ALERTS = AlertScope("all")
NO_ALERTS = AlertScope("none")


def scope_of(actor: Actor) -> AlertScope:
    """The alerts ``actor`` sees: a handler its department's, a street or unit seat those on
    its region's cases, intake none, the rest all."""
    if actor.role in NO_ALERT_ROLES:
        return NO_ALERTS
    cases = case_scope(actor)
    if cases.confined:
        return AlertScope("region", cases=cases)
    if actor.role == "department":
        if actor.department_id is None:
            return NO_ALERTS
        return AlertScope("department", actor.department_id)
    return ALL_ALERTS


def in_scope(scope: AlertScope) -> ColumnElement[bool]:
    """SQL for "the alert is in ``scope``"; the statement must join ``Case`` on the alert.

    A department answers for the alerts addressed to it and for those of the current cycle on
    the cases it now holds (a 二级督办 on its case goes to the street, but the case is its own);
    an earlier cycle's alerts stay with the department that had the case then.
    """
    if scope.kind == "all":
        # The street's own alerts (二级派遣超时) are the street's: the district's seats follow
        # the case's deadline through their own levels.
        return Alert.recipient_kind != STREET_SEAT
    if scope.kind == "region" and scope.cases is not None:
        return scope.cases.where()
    if scope.kind == "department" and scope.department_id is not None:
        return or_(
            Alert.recipient_department_id == scope.department_id,
            and_(Case.department_id == scope.department_id, Alert.cycle == Case.dispatch_count),
        )
    return false()


def unacknowledged_where(
    scope: AlertScope, now: datetime | None = None
) -> tuple[ColumnElement[bool], ...]:
    """Unacknowledged alerts in ``scope`` (raised by ``now`` when given); joins ``Case``."""
    conditions = [Alert.acknowledged_at.is_(None), in_scope(scope)]
    if now is not None:
        conditions.append(Alert.raised_at <= now)
    return tuple(conditions)
