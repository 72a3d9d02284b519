"""The patrol section of the evaluation (网格定期巡查): 巡查覆盖率 per grid, unit, area, street
and district, and per patrolling person 巡查里程, 巡查次数 and 上报数.

Informational: evaluation.md gives these no weight, so they enter no 综合指标值 (as 群众满意率).
Read from the coverage stored when patrols end (patrol_grid_coverage) and, for the patrols still
open, from their points (console.services.patrols.period_patrols): a month needs no track of an
ended patrol. Definitions: resources/evaluation/patrol.csv and README.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ, csv_rows, resource
from console.models import CaseEvent, Region, User
from console.services.duty_roster import role_labels
from console.services.patrol_rules import Frequencies, load_frequencies
from console.services.patrols import PATROL_ROLES, period_patrols

REPORT = "report"
#: The region levels of the coverage table, top down (district last).
LEVELS = ("street", "area", "unit", "grid")


@cache
def patrol_labels() -> dict[str, tuple[str, str]]:
    """key → (label_zh, label_en) of the patrol figures (resources/evaluation/patrol.csv)."""
    return {
        r["key"]: (r["label_zh"], r["label_en"])
        for r in csv_rows(resource("evaluation", "patrol.csv"))
    }


@dataclass(frozen=True)
class PatrolCoverage:
    """One region's (or the district's) patrol coverage in the period."""

    level: str
    region_id: int
    name: str
    grids: int
    required: int
    met: int
    grids_visited: int
    metres: float

    @property
    def rate(self) -> float | None:
        """巡查覆盖率 in percent (2 decimals); None when nothing was due."""
        return round(100.0 * self.met / self.required, 2) if self.required else None


@dataclass(frozen=True)
class PatrolPerson:
    user_id: int
    name: str
    role: str
    role_zh: str
    role_en: str
    patrols: int
    distance_km: float
    reported: int


@dataclass(frozen=True)
class PatrolSection:
    #: the local days counted: from the period's first day to its last, or today if sooner
    first_day: date
    days: int
    by_level: dict[str, tuple[PatrolCoverage, ...]]
    district: PatrolCoverage
    people: tuple[PatrolPerson, ...]
    open_now: int


def periods_met(visited: set[int], first: int, days: int, every: int) -> tuple[int, int]:
    """(periods due, periods with a visit) of ``days`` days from day ordinal ``first``, split
    into runs of ``every`` days (the last one shorter)."""
    if days <= 0:
        return 0, 0
    due = math.ceil(days / every)
    hit = {(d - first) // every for d in visited if first <= d < first + days}
    return due, len(hit)


def patrol_section(
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    frequencies: Frequencies | None = None,
) -> PatrolSection:
    """The patrol figures of [start, end) (whole local days) as of ``now``."""
    frequencies = frequencies or load_frequencies()
    first_day = start.astimezone(LOCAL_TZ).date()
    last_day = (end - timedelta(microseconds=1)).astimezone(LOCAL_TZ).date()
    last_day = min(last_day, now.astimezone(LOCAL_TZ).date())
    days = max(0, (last_day - first_day).days + 1)
    figures = period_patrols(session, start, end)

    regions = session.execute(
        select(
            Region.id,
            Region.level,
            Region.code,
            Region.name,
            Region.parent_id,
            Region.geometry.is_not(None).label("shaped"),
        )
    ).all()
    parent = {r.id: r.parent_id for r in regions}
    names = {r.id: r.name for r in regions}
    level_of = {r.id: r.level for r in regions}
    district_row = next((r for r in regions if r.level == "district"), None)
    sums: dict[str, dict[int, list[float]]] = {
        lv: defaultdict(lambda: [0, 0, 0, 0, 0.0]) for lv in LEVELS
    }
    total = [0, 0, 0, 0, 0.0]
    first = first_day.toordinal()
    for r in regions:
        if r.level != "grid" or not r.shaped:
            continue
        seen = figures.visited_days.get(r.id, set())
        due, hit = periods_met(seen, first, days, frequencies.every_days(r.code))
        in_period = any(first <= d < first + days for d in seen)
        numbers = (1, due, hit, int(in_period), figures.metres.get(r.id, 0.0))
        rid: int | None = r.id
        while rid is not None:
            level = level_of.get(rid)
            if level in sums:
                bucket = sums[level][rid]
                for i, n in enumerate(numbers):
                    bucket[i] += n
            rid = parent.get(rid)
        for i, n in enumerate(numbers):
            total[i] += n

    def row(level: str, rid: int, n: list[float]) -> PatrolCoverage:
        return PatrolCoverage(
            level,
            rid,
            names.get(rid, f"#{rid}"),
            int(n[0]),
            int(n[1]),
            int(n[2]),
            int(n[3]),
            round(n[4], 1),
        )

    by_level = {
        lv: tuple(
            sorted(
                (row(lv, rid, n) for rid, n in sums[lv].items()),
                key=lambda c: (c.rate is None, -(c.rate or 0.0), c.name),
            )
        )
        for lv in LEVELS
    }
    district_id = district_row.id if district_row is not None else 0
    names.setdefault(district_id, "全区")
    district = row("district", district_id, total)
    return PatrolSection(
        first_day,
        days,
        by_level,
        district,
        _people(session, start, end, figures.by_user),
        figures.open_now,
    )


def _people(
    session: Session, start: datetime, end: datetime, by_user: dict[int, tuple[int, float]]
) -> tuple[PatrolPerson, ...]:
    """Everyone who may patrol (active), and anyone who patrolled in the period."""
    reported = dict(
        session.execute(
            select(CaseEvent.actor_id, func.count(func.distinct(CaseEvent.case_id)))
            .where(
                CaseEvent.action == REPORT,
                CaseEvent.at >= start,
                CaseEvent.at < end,
                CaseEvent.actor_id.is_not(None),
            )
            .group_by(CaseEvent.actor_id)
        ).all()
    )
    users = session.execute(
        select(User.id, User.display_name, User.role).where(
            (User.role.in_(PATROL_ROLES) & User.active.is_(True)) | User.id.in_(list(by_user))
        )
    ).all()
    labels = role_labels()
    people = []
    for uid, name, role in users:
        patrols, metres = by_user.get(uid, (0, 0.0))
        zh, en = labels.get(role, (role, role))
        people.append(
            PatrolPerson(
                uid,
                name,
                role,
                zh,
                en,
                patrols,
                round(metres / 1000.0, 2),
                int(reported.get(uid, 0)),
            )
        )
    people.sort(key=lambda p: (-p.distance_km, -p.reported, p.name, p.user_id))
    return tuple(people)
