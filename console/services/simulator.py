"""The field, simulated: new reports arrive and open cases move along as people would move them.

Every change goes through :class:`CaseService`, so a running console sees exactly what it
would see from real inspectors and departments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from console.errors import ConsoleError
from console.models import Case, Category, User
from console.services.actors import Actor, actor_of
from console.services.cases.service import CaseService
from console.services.demo import ROADS, random_points_in_grids
from console.services.report_input import ReportInput

#: One next step: the action, who takes it (None: the case's department) and the note.
Step = tuple[str, str | None, str | None]
_FEEDBACK: Step = ("feedback", None, "已处置完毕")

#: For a case in a state: the action someone would take next, and who (None: its department).
NEXT_STEP: dict[str, list[Step]] = {
    "reported": [("register", "duty_chief", None)] * 9 + [("void", "duty_chief", "重复上报")],
    "self_handled": [("close", "duty_chief", None)],
    "registered": [("dispatch", "dispatcher", None)],
    "dispatched": [_FEEDBACK] * 9 + [("request_return", None, "非本部门职责")],
    "return_requested": [("approve_return", "dispatcher", None)],
    "handled": [("verify_pass", "inspector", None)] * 9
    + [("verify_fail", "inspector", "未整改到位")],
    "verified": [("close", "duty_chief", None)],
    "suspended": [("resume", "duty_chief", None)],
}


@dataclass
class Simulator:
    service: CaseService
    seed: int | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
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
                .where(Case.state.in_(NEXT_STEP))
                .order_by(Case.updated_at)
                .limit(50)
            ).all()
        if not rows:
            return None
        case_id, state, version, department_id = self.rng.choice(rows)
        action, role, note = self.rng.choice(NEXT_STEP[state])
        if role is not None:
            actor = self.actors.get(role)
        else:  # the case's department, if it has one
            actor = self.dept_actors.get(department_id) if department_id is not None else None
        if actor is None:
            return None
        try:
            snap = self.service.act(actor, case_id, action, version, note=note)
        except ConsoleError as exc:  # another seat got there first, or a rule said no
            return f"跳过 case {case_id}: {exc.message}"
        return f"{action} {snap.number} → {snap.state}"

    def tick(self) -> list[str]:
        done = [self.add_report()]
        moved = self.move_one()
        if moved:
            done.append(moved)
        return done
