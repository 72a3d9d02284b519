"""A seat's duty work: its alerts (case alerts and patrol gaps), the roster and the shift
handover (part of the Workbench).

Mixed into :class:`console.services.workbench.Workbench`, which provides the database, the
acting person and the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from console.config import LOCAL_TZ
from console.db import Database
from console.errors import ValidationError
from console.services import handover, patrol_alerts, supervision
from console.services.actors import Actor
from console.services.alert_scope import scope_of
from console.services.auth import sign_in
from console.services.permissions import allowed, require

#: At most this many unacknowledged alerts go to the dock (its count still counts them all).
PANEL_OPEN_LIMIT = 500


@dataclass(frozen=True)
class RosterWeek:
    """The duty chief's week view: the duties, the people, and whether this seat may edit."""

    first_day: date
    entries: list[handover.DutyEntry]
    candidates: list[handover.DutyCandidate]
    editable: bool


class DutyDesk:
    """Alerts, roster and handover for the seat's person."""

    db: Database
    actor: Actor
    clock: Callable[[], datetime]

    #: The Workbench's: refuses when the person's account was deactivated meanwhile.
    _check_still_signed_in: Callable[[], None]

    def alerts_for_panel(self) -> supervision.AlertBoard:
        """The dock's alerts: the last day's and the most serious still unacknowledged (no
        duplicates), in this seat's scope, with the unacknowledged count the handover uses."""
        now, scope = self.clock(), scope_of(self.actor)
        with self.db.read() as s:
            recent = supervision.recent_alerts(s, since=now - timedelta(hours=24), scope=scope)
            open_ones = supervision.unacknowledged(s, scope=scope, now=now, limit=PANEL_OPEN_LIMIT)
            count = supervision.unacknowledged_count(s, scope=scope, now=now)
        seen = {a.id for a in recent}
        return supervision.AlertBoard(recent + [a for a in open_ones if a.id not in seen], count)

    def acknowledge_alert(self, alert_id: int) -> supervision.AlertRecord:
        with self.db.session() as s:
            return supervision.acknowledge(s, alert_id, self.actor, self.clock())

    def patrol_alerts_for_panel(self) -> patrol_alerts.PatrolAlertBoard:
        """The dock's patrol-gap alerts (巡查缺漏) in this seat's scope: the unacknowledged and
        the last day's, with the unacknowledged count."""
        with self.db.read() as s:
            return patrol_alerts.board(s, self.actor, self.clock())

    def acknowledge_patrol_alert(self, alert_id: int) -> patrol_alerts.PatrolAlertRecord:
        with self.db.session() as s:
            return patrol_alerts.acknowledge(s, alert_id, self.actor, self.clock())

    def roster(self) -> list[handover.DutyEntry]:
        now = self.clock()
        with self.db.read() as s:
            return handover.roster(s, *handover.roster_span(now))

    def roster_week(self, first_day: date | None = None) -> RosterWeek:
        """Seven days of duties from ``first_day`` (default: today), and who may stand them."""
        first = first_day or self.clock().astimezone(LOCAL_TZ).date()
        start = datetime.combine(first, time(0), tzinfo=LOCAL_TZ)
        with self.db.read() as s:
            entries = handover.roster(s, start, start + timedelta(days=7))
            candidates = handover.duty_candidates(s)
        return RosterWeek(first, entries, candidates, allowed(self.actor, "edit_roster"))

    def set_duty(
        self, day: date, shift_code: str, role: str, user_id: int | None
    ) -> list[handover.DutyEntry]:
        """Put ``user_id`` (None: nobody) on ``role`` in the shift starting on ``day``."""
        require(self.actor, "edit_roster")
        self._check_still_signed_in()
        with self.db.session() as s:
            return handover.set_duty(s, day, shift_code, role, user_id)

    def handover_draft(self) -> handover.HandoverDraft:
        """The current shift's summary, who takes over by the roster, who else may, and a
        handover waiting for this officer's own signature as incoming."""
        now = self.clock()
        start, end, _code = handover.shift_bounds(now)
        with self.db.read() as s:
            summary = handover.build_summary(s, start, end, now, scope=scope_of(self.actor))
            successors = [
                e
                for e in handover.on_duty(s, end + timedelta(minutes=1))
                if e.role == self.actor.role and e.user_id != self.actor.id
            ]
            candidates = [c for c in handover.duty_candidates(s) if c.user_id != self.actor.id]
            pending = (
                handover.pending_for(s, self.actor.id, now - timedelta(hours=24))
                if self.actor.id is not None
                else None
            )
        return handover.HandoverDraft(
            summary, successors[0] if successors else None, candidates, pending
        )

    def sign_new_handover(
        self, summary: handover.HandoverSummary, incoming_user_id: int | None, notes: str | None
    ) -> handover.HandoverRecord:
        """Save the handover and sign it as outgoing, in one transaction."""
        require(self.actor, "write_handover")
        require(self.actor, "sign_handover")
        if self.actor.id is None:
            raise ValidationError("系统用户不能交接班")
        with self.db.session() as s:
            return handover.save_and_sign(
                s, summary, self.actor.id, incoming_user_id, notes, self.clock()
            )

    def sign_handover_for(
        self, handover_id: int, username: str, password: str
    ) -> handover.HandoverRecord:
        """The incoming officer signs at this seat with their own password (checked, counted
        and logged like any sign-in); the seat stays with whoever is signed in."""
        incoming = sign_in(self.db, username, password, self.clock())
        require(incoming, "sign_handover")
        if incoming.id is None:
            raise ValidationError("系统用户不能签字")
        with self.db.session() as s:
            return handover.sign(s, handover_id, incoming.id, self.clock(), side="incoming")

    def save_handover(
        self, summary: handover.HandoverSummary, incoming_user_id: int | None, notes: str | None
    ) -> handover.HandoverRecord:
        require(self.actor, "write_handover")
        if self.actor.id is None:
            raise ValidationError("系统用户不能交接班")
        with self.db.session() as s:
            handover_id = handover.save_handover(s, summary, self.actor.id, incoming_user_id, notes)
            return handover.load_handover(s, handover_id)

    def sign_handover(self, handover_id: int, side: str) -> handover.HandoverRecord:
        require(self.actor, "sign_handover")
        if self.actor.id is None:
            raise ValidationError("系统用户不能签字")
        with self.db.session() as s:
            return handover.sign(s, handover_id, self.actor.id, self.clock(), side=side)
