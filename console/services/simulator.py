"""The field, simulated: new reports arrive and open cases move along as people would move them.

Every change goes through :class:`CaseService`, so a running console sees exactly what it
would see from real inspectors and departments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console.config import csv_rows, resource
from console.domain.lifecycle import OPEN_STATES, Lifecycle
from console.errors import ConsoleError, DatabaseUnavailableError, ValidationError
from console.models import Case, Category, User
from console.services.actors import Actor, actor_of
from console.services.cases.service import CaseService
from console.services.demo import ROADS, random_points_in_grids
from console.services.report_input import ReportInput

#: One next step: the action, who takes it (None: the case's department) and the note.
Step = tuple[str, str | None, str | None]


def next_steps(lifecycle: Lifecycle, path: Path | None = None) -> dict[str, list[Step]]:
    """For each state the simulator moves, the steps someone would take next, each repeated by
    its weight: which and how often from resources/lifecycle/simulation.csv, who takes them
    from the transition table (checked against it: a step must apply to its state)."""
    path = path or resource("lifecycle", "simulation.csv")
    steps: dict[str, list[Step]] = {}
    for lineno, row in enumerate(csv_rows(path), start=2):
        try:
            state, action, weight = row["state"].strip(), row["action"].strip(), int(row["weight"])
        except (KeyError, ValueError) as exc:
            raise ValidationError(f"{path.name} 第{lineno}行格式错误: {exc}") from exc
        transition = lifecycle.get(action)  # an unknown action is a clear error
        if state not in OPEN_STATES or not transition.applies_to(state):
            raise ValidationError(
                f"{path.name} 第{lineno}行: 「{transition.label_zh}」不适用于状态 {state}"
            )
        note = (row.get("note") or "").strip() or None
        if transition.note_required and note is None:
            raise ValidationError(f"{path.name} 第{lineno}行: 「{transition.label_zh}」须填写说明")
        role = None if transition.roles[0] == "department" else transition.roles[0]
        steps.setdefault(state, []).extend([(action, role, note)] * weight)
    return steps


@dataclass
class Simulator:
    service: CaseService
    seed: int | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.next_steps = next_steps(self.service.lifecycle)
        with self.service.db.read() as s:
            # New reports use the taxonomy in force on the day they are made.
            self.categories: dict[str, list[Any]] = {}
            for taxonomy, code, kind in s.execute(
                select(Category.taxonomy, Category.code, Category.kind).order_by(Category.id)
            ):
                self.categories.setdefault(taxonomy, []).append((code, kind))
            self.actors: dict[str, Actor] = {}
            self.dept_actors: dict[int, Actor] = {}
            for u in s.scalars(select(User).where(User.active.is_(True))):
                actor = actor_of(u)
                if u.role == "department" and u.department_id is not None:
                    self.dept_actors.setdefault(u.department_id, actor)
                else:
                    self.actors.setdefault(u.role, actor)
        if not self.categories or "inspector" not in self.actors:
            raise ConsoleError("数据库中没有演示数据，请先运行 seed-demo")

    def add_report(self) -> str:
        with self.service.db.read() as s:
            lons, lats = random_points_in_grids(s, 1, seed=self.rng.randrange(2**31))
        taxonomy = self.service.workflow.taxonomies.taxonomy_on(self.service.clock())
        code, kind = self.rng.choice(self.categories[taxonomy])
        snap = self.service.report(
            self.actors["inspector"],
            ReportInput(
                category_code=code,
                kind=kind,
                taxonomy=taxonomy,
                lon=float(lons[0]),
                lat=float(lats[0]),
                description="模拟上报：现场发现问题，请及时处置",
                address=f"{self.rng.choice(ROADS)}{self.rng.randrange(1, 300)}号",
                source=self.rng.choice(["inspector", "hotline", "video", "public"]),
            ),
        )
        return f"上报 {snap.number}"

    def move_one(self) -> str | None:
        with self.service.db.read() as s:
            rows = s.execute(
                select(Case.id, Case.state, Case.version, Case.department_id)
                .where(Case.state.in_(self.next_steps))
                .order_by(Case.updated_at)
                .limit(50)
            ).all()
        if not rows:
            return None
        case_id, state, version, department_id = self.rng.choice(rows)
        action, role, note = self.rng.choice(self.next_steps[state])
        if role is not None:
            actor = self.actors.get(role)
        else:  # the case's department, if it has one
            actor = self.dept_actors.get(department_id) if department_id is not None else None
        if actor is None:
            return None
        try:
            snap = self.service.act(actor, case_id, action, version, note=note)
        except DatabaseUnavailableError:
            raise  # not a refusal of this step: the caller waits for the server
        except ConsoleError as exc:  # another seat got there first, or a rule said no
            return f"跳过 case {case_id}: {exc.message}"
        return f"{action} {snap.number} → {snap.state}"

    def tick(self) -> list[str]:
        done = [self.add_report()]
        moved = self.move_one()
        if moved:
            done.append(moved)
        return done
