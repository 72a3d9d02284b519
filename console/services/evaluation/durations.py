"""The evaluation's averages in working hours (平均受理时长, 平均处置时长).

Working time needs the work calendar (holidays, office hours), which SQL does not have: the
database gives each averaged case's objects and times (one scan of the cases, with the same
conditions as the counts, so an average and its drill-down see the same cases), and the
calendar measures them here, all at once (numpy). Which averages each kind has: AVERAGES in console.services.evaluation.config.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Float, and_, case, cast, extract, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from console.domain.worktime import WorkCalendar
from console.models import Case
from console.services.evaluation.config import AVERAGES
from console.services.evaluation.metrics import Fact

#: object → average key → (Σ working seconds, number of cases)
Sums = dict[int, dict[str, tuple[float, int]]]

_DAY = 86_400.0
_UNIX_EPOCH_JULIAN_DAY = 2440587.5


def epoch_seconds(dialect: str, column: Any) -> Any:
    """A timestamp column as seconds since 1970 (UTC), a plain float: no per-row datetime."""
    if dialect == "sqlite":  # stored as naive UTC text; typed Float: read as it comes
        return type_coerce((func.julianday(column) - _UNIX_EPOCH_JULIAN_DAY) * _DAY, Float)
    return cast(extract("epoch", column), Float)


def working_seconds(calendar: WorkCalendar, since: np.ndarray, until: np.ndarray) -> np.ndarray:
    """Working seconds in [since, until) per pair of epoch seconds, as
    WorkCalendar.work_seconds_between gives them one pair at a time (0 when until ≤ since).

    W(t) = the working seconds of the local days before t's + of its own day before t, so a
    pair is W(until) − W(since). The days' sums are built once over the span in use; the
    zone's offset is looked up once per hour of the span (offsets change on the hour).
    """
    n = len(since)
    if n == 0:
        return np.zeros(0)
    epochs = np.concatenate([since, until]).astype(np.float64)
    hours, which = np.unique(np.floor(epochs / 3600.0).astype(np.int64), return_inverse=True)
    offsets = np.array(
        [
            datetime.fromtimestamp(int(h) * 3600, UTC)
            .astimezone(calendar.tz)
            .utcoffset()
            .total_seconds()  # type: ignore[union-attr]
            for h in hours
        ]
    )
    local = epochs + offsets[which]
    day = np.floor(local / _DAY).astype(np.int64)
    second = local - day * _DAY
    first = int(day.min())
    span = int(day.max()) - first + 1
    workday = np.array(
        [calendar.is_workday(_EPOCH_DATE + timedelta(days=first + i)) for i in range(span)]
    )
    periods = [(_seconds_of_day(a), _seconds_of_day(b)) for a, b in calendar.office_hours]
    per_day = sum(b - a for a, b in periods)
    before = np.concatenate([[0.0], np.cumsum(workday * per_day)[:-1]])
    index = day - first
    within = sum(np.clip(second - a, 0.0, b - a) for a, b in periods)
    worked = before[index] + np.where(workday[index], within, 0.0)
    return np.where(until > since, worked[n:] - worked[:n], 0.0)


_EPOCH_DATE = date(1970, 1, 1)


def _seconds_of_day(t: time) -> float:
    return t.hour * 3600.0 + t.minute * 60.0 + t.second + t.microsecond / 1e6


def duration_sums(
    session: Session, facts: dict[str, list[Fact]], calendar: WorkCalendar
) -> dict[str, Sums]:
    """family → object → average → (Σ working seconds, cases), for the averages of AVERAGES.

    ``facts``: per family, the facts of the kind its averages are counted at (the grid for
    regions; the caller rolls grids up). Their populations are facts on the cases table (one
    row per case), so every average is read in one scan of the cases: a flag per average,
    the objects and the times as epoch seconds.
    """
    dialect = session.get_bind().dialect.name
    specs: list[tuple[str, str, Fact, str, str]] = []
    for family, family_facts in facts.items():
        by_metric = {f.metric: f for f in family_facts}
        for key, population, since, until in AVERAGES.get(family, ()):
            fact = by_metric[population]
            if not fact.per_row:
                raise ValueError(f"{family}/{key}: an average's cases must be a per-case fact")
            specs.append((family, key, fact, since, until))
    out: dict[str, Sums] = {family: defaultdict(dict) for family in facts}
    if not specs:
        return out
    names = sorted({name for *_, since, until in specs for name in (since, until)})
    flags = [
        case(
            (and_(*fact.where, getattr(Case, a).is_not(None), getattr(Case, b).is_not(None)), 1),
            else_=0,
        )
        for _f, _k, fact, a, b in specs
    ]
    query = select(
        *flags,
        *(fact.obj for _f, _k, fact, _a, _b in specs),
        *(epoch_seconds(dialect, getattr(Case, name)) for name in names),
    ).where(or_(*(and_(*fact.where) for _f, _k, fact, _a, _b in specs)))
    rows = [tuple(row) for row in session.connection().execute(query)]
    if not rows:
        return out
    n = len(specs)
    table = np.array(rows, dtype=np.float64)  # NULL → nan
    column = {name: table[:, 2 * n + i] for i, name in enumerate(names)}
    for i, (family, key, _fact, since, until) in enumerate(specs):
        chosen = (table[:, i] == 1) & ~np.isnan(table[:, n + i])
        if not chosen.any():
            continue
        objects = table[chosen, n + i].astype(np.int64)
        seconds = working_seconds(calendar, column[since][chosen], column[until][chosen])
        ids, slot = np.unique(objects, return_inverse=True)
        totals = np.bincount(slot, weights=seconds)
        counts = np.bincount(slot)
        for obj, total, count in zip(ids.tolist(), totals.tolist(), counts.tolist(), strict=True):
            out[family][obj][key] = (total, count)
    return out


def add_sums(into: dict[str, tuple[float, int]], more: dict[str, tuple[float, int]]) -> None:
    for key, (seconds, n) in more.items():
        total, count = into.get(key, (0.0, 0))
        into[key] = (total + seconds, count + n)
