"""The evaluation's averages in working hours (平均受理时长, 平均处置时长).

Working time needs the work calendar (holidays, office hours), which SQL does not have: the
database gives each averaged case's object and its two times, over the same facts as the
counts (so an average and its drill-down see the same cases), and the calendar measures them
here. Which averages each kind has: AVERAGES in console.services.evaluation_config.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.worktime import WorkCalendar
from console.models import Case
from console.services.evaluation_config import AVERAGES
from console.services.evaluation_metrics import Fact

#: object → average key → (Σ working seconds, number of cases)
Sums = dict[int, dict[str, tuple[float, int]]]


def duration_sums(session: Session, family: str, facts: list[Fact], calendar: WorkCalendar) -> Sums:
    """Σ working seconds and the number of cases per object, for each average of ``family``.

    ``facts``: the facts of the kind the averages are counted at (the grid for regions; the
    caller rolls grids up). A case is measured once per object, even if several of its rows
    match (a department's case dispatched to it twice).
    """
    by_metric = {f.metric: f for f in facts}
    out: Sums = defaultdict(dict)
    for key, population, since, until in AVERAGES.get(family, ()):
        fact = by_metric[population]
        a, b = getattr(Case, since), getattr(Case, until)
        query = (
            select(fact.obj, fact.case_id, a, b)
            .select_from(fact.source)
            .where(fact.condition(), a.is_not(None), b.is_not(None))
            .distinct()
        )
        sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0])
        for obj, _case_id, start, end in session.execute(query):
            if obj is None:
                continue
            bucket = sums[int(obj)]
            bucket[0] += working_seconds(calendar, start, end)
            bucket[1] += 1
        for obj, (seconds, n) in sums.items():
            out[obj][key] = (seconds, int(n))
    return out


def working_seconds(calendar: WorkCalendar, start: datetime, end: datetime) -> float:
    return calendar.work_seconds_between(start, end)


def add_sums(into: dict[str, tuple[float, int]], more: dict[str, tuple[float, int]]) -> None:
    for key, (seconds, n) in more.items():
        total, count = into.get(key, (0.0, 0))
        into[key] = (total + seconds, count + n)
