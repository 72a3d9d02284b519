"""One seat of the concurrency test: many conflicting actions on shared cases, every outcome logged.

Run as ``python -m tests.integration.conflict_worker --db URL --worker N --seed S --cases 1,2,…
--actions 500 --log FILE --ready FILE --go FILE``. The worker opens the database, writes the
``--ready`` file, waits for the ``--go`` file (so that all seats start together), then takes
``--actions`` actions, each with the version of the case it last saw:

* half the time it follows a case order shared by every worker (same ``--order-seed``), so the
  seats hit the same case at nearly the same moment (real races); otherwise a random case;
* it reads the case fresh (sometimes sleeping a few ms after the read, to widen the race
  window) or acts on the view it kept from earlier, which may be stale on purpose;
* it picks an action the lifecycle allows in the state it saw, by an actor of the right role,
  and now and then an action that state does not allow (to prove the illegal-state path).

Each attempt is one JSON line: the case, the action, the version and state it saw, the outcome
(``ok`` with the new version/state/department, ``conflict``, ``illegal``, or ``error`` with
the exception type for anything unexpected) and wall-clock start/end times. The last line is
``{"done": true}``; a worker that crashes never writes it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from console.db import Database
from console.errors import IllegalTransitionError, StaleVersionError
from console.services.actors import Actor
from console.services.cases.service import CaseService

#: Actions the worker takes in each state it sees, with their weights. Closing is rare so that
#: the cases stay in play for the whole run; notes keep the version moving in quiet states.
PLAUSIBLE: dict[str, list[tuple[str, float]]] = {
    "registered": [("dispatch", 1.0)],
    "dispatched": [
        ("feedback", 0.35),
        ("request_return", 0.25),
        ("suspend", 0.2),
        ("add_note", 0.2),
    ],
    "return_requested": [("approve_return", 0.6), ("reject_return", 0.4)],
    "handled": [("verify_fail", 0.6), ("verify_pass", 0.4)],
    "verified": [("close", 0.1), ("add_note", 0.9)],
    "suspended": [("resume", 0.8), ("add_note", 0.2)],
    "closed": [("archive", 1.0)],  # rarely reached: closing is rare
}
#: Actions the worker may try on purpose in a state that does not allow them.
ANY_ACTION = (
    "dispatch",
    "request_return",
    "approve_return",
    "feedback",
    "verify_pass",
    "verify_fail",
    "close",
    "suspend",
    "resume",
)
DONE_STATES = frozenset({"archived", "voided"})
ROLE_OF = {
    "dispatch": "dispatcher",
    "approve_return": "dispatcher",
    "reject_return": "dispatcher",
    "add_note": "dispatcher",
    "request_return": "department",
    "feedback": "department",
    "verify_pass": "inspector",
    "verify_fail": "inspector",
    "close": "duty_chief",
    "archive": "duty_chief",
    "suspend": "duty_chief",
    "resume": "duty_chief",
}


@dataclass
class View:
    """What this seat last saw of a case."""

    version: int
    state: str
    department_id: int | None


def actor_for(action: str, view: View, worker: int) -> Actor:
    role = ROLE_OF[action]
    # Names carry the worker so that the timeline shows which seat took each action.
    name = f"{role}-w{worker}"
    if role == "department":
        return Actor(None, name, role, department_id=view.department_id)
    return Actor(None, name, role)


def choose_action(rng: random.Random, state: str, p_illegal: float) -> str:
    allowed = PLAUSIBLE.get(state, [])
    if not allowed or rng.random() < p_illegal:
        names = {a for a, _ in allowed}
        return rng.choice([a for a in ANY_ACTION if a not in names])
    actions, weights = zip(*allowed, strict=True)
    return rng.choices(actions, weights)[0]


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed * 1000 + args.worker)
    case_ids = [int(c) for c in args.cases.split(",")]
    shared_order = case_ids[:]
    random.Random(args.order_seed).shuffle(shared_order)
    db = Database(args.db, migrate=False)
    service = CaseService(db)
    views: dict[int, View] = {}
    finished: set[int] = set()
    log = Path(args.log).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    Path(args.ready).write_text(str(args.worker), encoding="utf-8")
    deadline = time.monotonic() + 120
    while not Path(args.go).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal within 120 s")
        time.sleep(0.002)

    def pick(seq: int) -> tuple[int, View, bool]:
        """The case to act on, what this seat knows of it, and whether that was just read."""
        while True:
            in_play = [c for c in case_ids if c not in finished] or case_ids
            if rng.random() < 0.5:
                case_id = shared_order[seq % len(shared_order)]
                if case_id in finished:
                    case_id = rng.choice(in_play)
            else:
                case_id = rng.choice(in_play)
            view = views.get(case_id)
            fresh = view is None or rng.random() < 0.6
            if fresh:
                snap = service.get(case_id)
                view = views[case_id] = View(snap.version, snap.state, snap.department_id)
                if view.state in DONE_STATES and len(finished) < len(case_ids) - 1:
                    finished.add(case_id)  # nothing left to do there: choose again
                    continue
                if rng.random() < 0.5:
                    time.sleep(rng.uniform(0.0, 0.008))  # widen the read-to-write window
            assert view is not None
            return case_id, view, fresh

    try:
        for seq in range(args.actions):
            case_id, view, fresh = pick(seq)
            action = choose_action(rng, view.state, args.p_illegal)
            actor = actor_for(action, view, args.worker)
            record: dict[str, object] = {
                "worker": args.worker,
                "seq": seq,
                "case": case_id,
                "action": action,
                "seen_version": view.version,
                "seen_state": view.state,
                "fresh": fresh,
                "t_start": time.time(),
            }
            try:
                snap = service.act(
                    actor, case_id, action, view.version, note=f"w{args.worker}#{seq}"
                )
            except StaleVersionError as exc:
                record.update(outcome="conflict", message=exc.message)
                del views[case_id]  # read it fresh next time
            except IllegalTransitionError as exc:
                record.update(outcome="illegal", message=exc.message)
            except Exception as exc:  # anything else is a finding: logged, then keep going
                record.update(
                    outcome="error",
                    error_type=f"{type(exc).__module__}.{type(exc).__qualname__}",
                    message=str(exc)[:500],
                    trace=traceback.format_exc()[-2000:],
                )
                views.pop(case_id, None)
            else:
                record.update(
                    outcome="ok",
                    new_version=snap.version,
                    new_state=snap.state,
                    department_id=snap.department_id,
                )
                views[case_id] = View(snap.version, snap.state, snap.department_id)
                if snap.state in DONE_STATES:
                    finished.add(case_id)
            record["t_end"] = time.time()
            log.write(json.dumps(record, ensure_ascii=False) + "\n")
        log.write(json.dumps({"done": True, "worker": args.worker}) + "\n")
    finally:
        log.close()
        db.dispose()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--worker", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--order-seed", type=int, default=99)
    parser.add_argument("--cases", required=True, help="comma-separated case ids")
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--p-illegal", type=float, default=0.05)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--go", required=True)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run(parse_args()))
