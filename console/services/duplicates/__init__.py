"""Possible duplicates (疑似重复): reports of the same category near an open case in place and time.

The rule is data (console.services.duplicates.rules): a radius in metres and a time window in
hours, per kind or category, and which states count as open. A new report is compared with
the open cases SQL can narrow it to — one category, the time window, a lon/lat box (index
ix_cases_category_reported) — and the exact great-circle distance is taken in Python on those
few. A bulk import does the same for all its rows in one pass: one query for the pool of open
cases around the batch, then a vectorised grid-cell match in numpy, never a query per row.

A flagged pair is a :class:`~console.models.case.PossibleDuplicate` row: ``case_id`` the later
report, ``other_case_id`` the earlier. It stays "open" until the dispatcher keeps the two apart
or merges one into the other (console.services.duplicates.pairs, console.services.workflow).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

import numpy as np
from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy.orm import Session

from console.domain.geography_rules import EARTH_RADIUS_KM
from console.domain.lifecycle import STATE_LABELS
from console.errors import ValidationError
from console.models.case import Case, PossibleDuplicate
from console.services.duplicates.rules import (
    DuplicateRule,
    DuplicateSettings,
    default_settings,
    load_settings,
)

__all__ = [
    "KEPT_APART",
    "MERGED",
    "OPEN",
    "DuplicateRule",
    "DuplicateSettings",
    "Match",
    "NewCase",
    "default_settings",
    "distance_m",
    "find_candidates",
    "flag_case",
    "flag_many",
    "later_first",
    "load_settings",
]

OPEN = "open"
KEPT_APART = "kept_apart"
MERGED = "merged"
STATUSES = (OPEN, KEPT_APART, MERGED)

_EARTH_RADIUS_M = EARTH_RADIUS_KM * 1000.0
_M_PER_DEGREE = _EARTH_RADIUS_M * math.pi / 180.0
#: Rows per executemany of new pairs.
_INSERT_CHUNK = 5000


# --------------------------------------------------------------------------- distance


def distance_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Great-circle (haversine) distance in metres; numbers or numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def box_around(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(lon_min, lon_max, lat_min, lat_max) around a point: a slightly generous prefilter."""
    dlat = radius_m / _M_PER_DEGREE * 1.01
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.0))), 1e-6)
    return lon - dlon, lon + dlon, lat - dlat, lat + dlat


# --------------------------------------------------------------------------- one report


class Report(Protocol):
    """What a lookup needs of a report: a Case, or a new report not stored yet."""

    @property
    def taxonomy(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def category_code(self) -> str: ...
    @property
    def lon(self) -> float: ...
    @property
    def lat(self) -> float: ...
    @property
    def reported_at(self) -> datetime: ...


@dataclass(frozen=True)
class Match:
    case_id: int
    reported_at: datetime
    distance_m: float


#: The candidate query, built once: every report asks the same shape with other values
#: (building the expression costs about as much as running it).
_CANDIDATES = select(Case.id, Case.lon, Case.lat, Case.reported_at).where(
    Case.category_code == bindparam("code"),
    Case.reported_at.between(bindparam("since"), bindparam("until")),
    Case.kind == bindparam("kind"),
    Case.taxonomy == bindparam("taxonomy"),
    Case.state.in_(bindparam("states", expanding=True)),
    Case.lon.between(bindparam("lon_min"), bindparam("lon_max")),
    Case.lat.between(bindparam("lat_min"), bindparam("lat_max")),
)
_CANDIDATES_BUT = _CANDIDATES.where(Case.id != bindparam("exclude_id"))


def find_candidates(
    session: Session,
    report: Report,
    *,
    settings: DuplicateSettings | None = None,
    exclude_id: int | None = None,
) -> list[Match]:
    """Open cases that ``report`` may repeat, nearest first (at most the rule's count)."""
    rule = (settings or default_settings()).rule_for(report.kind, report.category_code)
    lon_min, lon_max, lat_min, lat_max = box_around(report.lon, report.lat, rule.radius_m)
    params: dict[str, Any] = {
        "code": report.category_code,
        "since": report.reported_at - rule.window,
        "until": report.reported_at + rule.window,
        "kind": report.kind,
        "taxonomy": report.taxonomy,
        "states": sorted(rule.states),
        "lon_min": lon_min,
        "lon_max": lon_max,
        "lat_min": lat_min,
        "lat_max": lat_max,
    }
    if exclude_id is None:
        rows = session.execute(_CANDIDATES, params).all()
    else:
        rows = session.execute(_CANDIDATES_BUT, {**params, "exclude_id": exclude_id}).all()
    if not rows:
        return []
    dist = distance_m(
        report.lon, report.lat, np.array([r.lon for r in rows]), np.array([r.lat for r in rows])
    )
    found = [
        Match(r.id, r.reported_at, float(d))
        for r, d in zip(rows, dist, strict=True)
        if d <= rule.radius_m
    ]
    found.sort(key=lambda m: (m.distance_m, m.case_id))
    return found[: rule.max_candidates]


def later_first(a: int, a_at: datetime, b: int, b_at: datetime) -> tuple[int, int]:
    """(later case, earlier case) of a pair: by report time, then id."""
    return (a, b) if (a_at, a) > (b_at, b) else (b, a)


def _pair_row(later: int, earlier: int, distance: float, now: datetime) -> dict[str, Any]:
    """A new open PossibleDuplicate row, as an insert parameter set."""
    return {
        "case_id": later,
        "other_case_id": earlier,
        "distance_m": round(distance, 1),
        "flagged_at": now,
        "status": OPEN,
    }


def flag_case(
    session: Session, case: Case, now: datetime, *, settings: DuplicateSettings | None = None
) -> list[Match]:
    """Record the possible duplicates of a case just reported (in the caller's transaction)."""
    matches = find_candidates(session, case, settings=settings, exclude_id=case.id)
    rows = [
        _pair_row(
            *later_first(case.id, case.reported_at, m.case_id, m.reported_at), m.distance_m, now
        )
        for m in matches
    ]
    if rows:
        session.execute(insert(PossibleDuplicate), rows)
    return matches


# --------------------------------------------------------------------------- many reports


class NewCase(NamedTuple):
    """A case a bulk insert just wrote, as the matcher needs it (no reload; a tuple is cheap)."""

    id: int
    taxonomy: str
    kind: str
    category_code: str
    lon: float
    lat: float
    reported_at: datetime
    state: str = "reported"


def _pool(session: Session, new: Sequence[NewCase], settings: DuplicateSettings) -> list[Any]:
    """Open cases of the batch's categories around the batch in place and time (one query).

    The batch itself is left out when its ids form one range (always on SQLite, where they
    are reserved under the write lock): its rows are in memory already.
    """
    lons = [c.lon for c in new]
    lats = [c.lat for c in new]
    radius = settings.max_radius_m
    lon_lo, _, lat_lo, _ = box_around(min(lons), min(lats), radius)
    _, lon_hi, _, lat_hi = box_around(max(lons), max(lats), radius)
    window = settings.max_window
    codes = sorted({c.category_code for c in new})
    stmt = select(
        Case.id, Case.taxonomy, Case.kind, Case.category_code, Case.lon, Case.lat,
        Case.reported_at, Case.state,
    ).where(
        Case.state.in_(sorted(settings.all_states)),
        Case.reported_at.between(
            min(c.reported_at for c in new) - window, max(c.reported_at for c in new) + window
        ),
        Case.lon.between(lon_lo, lon_hi),
        Case.lat.between(lat_lo, lat_hi),
    )  # fmt: skip
    if len(codes) <= 200:
        stmt = stmt.where(Case.category_code.in_(codes))
    lo, hi = min(c.id for c in new), max(c.id for c in new)
    if hi - lo + 1 == len(new):
        stmt = stmt.where(or_(Case.id < lo, Case.id > hi))
    return list(session.execute(stmt))


def _cell_pairs(qkey: np.ndarray, pkey: np.ndarray, row: int) -> tuple[np.ndarray, np.ndarray]:
    """(query index, pool index) of every pool point in the 3×3 cells around each query.

    Keys are ``(cat * span + x) * span + y``, so the three cells of one column (y - 1 … y + 1)
    are one key range: three column offsets (``row`` = span) give two binary searches each.
    Sorted needles keep the searches cache-friendly.
    """
    order = np.argsort(pkey, kind="stable")
    sorted_keys = pkey[order]
    q_order = np.argsort(qkey, kind="stable")
    needles = qkey[q_order]
    qs, ps = [], []
    for dx in (-row, 0, row):
        lo = np.searchsorted(sorted_keys, needles + dx - 1, "left")
        hi = np.searchsorted(sorted_keys, needles + dx + 1, "right")
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            continue
        qs.append(np.repeat(q_order, counts))
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        ps.append(order[starts + np.arange(total)])
    if not qs:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(qs), np.concatenate(ps)


def flag_many(
    session: Session,
    new: Sequence[NewCase],
    now: datetime,
    *,
    settings: DuplicateSettings | None = None,
) -> int:
    """Record the possible duplicates of a batch of new cases in one set-based pass.

    Each new case is matched against every open case (the batch's own included) of its
    category within its rule's radius and window; the nearest ``max_candidates`` are kept.
    Returns the number of pairs recorded.
    """
    settings = settings or default_settings()
    if not new:
        return 0
    pool: list[Any] = _pool(session, new, settings)
    # One integer per category; the rule of each category.
    cats: dict[tuple[str, str, str], int] = {}
    for c in new:
        cats.setdefault((c.taxonomy, c.kind, c.category_code), len(cats))
    rules = [settings.rule_for(kind, code) for _, kind, code in cats]
    state_index = {s: i for i, s in enumerate(STATE_LABELS)}
    allowed = np.zeros((len(rules), len(state_index)), dtype=bool)
    for i, rule in enumerate(rules):
        for s in rule.states:
            allowed[i, state_index[s]] = True
    radius = np.array([r.radius_m for r in rules])
    window = np.array([r.window.total_seconds() for r in rules])
    most = np.array([r.max_candidates for r in rules])

    batch = {c.id for c in new}
    pool = [p for p in pool if p.id not in batch and (p.taxonomy, p.kind, p.category_code) in cats]

    def columns(items: Sequence[Any]) -> tuple[np.ndarray, ...]:
        return (
            np.array([c.id for c in items], dtype=np.int64),
            np.array([cats[(c.taxonomy, c.kind, c.category_code)] for c in items], np.int64),
            np.array([c.lon for c in items], dtype=float),
            np.array([c.lat for c in items], dtype=float),
            np.array([c.reported_at.timestamp() for c in items], dtype=float),
            np.array([state_index.get(c.state, 0) for c in items], dtype=np.int64),
        )

    q_id, q_cat, q_lon, q_lat, q_t, q_state = columns(new)
    # The pool: the open cases around, and the batch's own rows (candidates for each other).
    p_id, p_cat, p_lon, p_lat, p_t, p_state = (
        np.concatenate([old, mine])
        for old, mine in zip(columns(pool), (q_id, q_cat, q_lon, q_lat, q_t, q_state), strict=True)
    )

    # Cells one radius wide on a local equirectangular plane, per category (its own radius):
    # every point within the radius lies in the same or a neighbouring cell.
    lat0 = math.radians(float(np.mean(q_lat)))
    lon_min = min(float(q_lon.min()), float(p_lon.min()))
    lat_min = min(float(q_lat.min()), float(p_lat.min()))

    def cells(cat: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> tuple[Any, Any]:
        size = radius[cat] * 1.02  # a hair wide: the plane is not the sphere
        x = (lon - lon_min) * _M_PER_DEGREE * math.cos(lat0)
        y = (lat - lat_min) * _M_PER_DEGREE
        return (x // size).astype(np.int64) + 1, (y // size).astype(np.int64) + 1

    qx, qy = cells(q_cat, q_lon, q_lat)
    px, py = cells(p_cat, p_lon, p_lat)
    span = int(max(qx.max(), qy.max(), px.max(), py.max())) + 2
    if span * span * (len(cats) + 1) >= 2**62:
        raise ValidationError("导入范围过大，无法比对疑似重复；请按区域拆分文件")
    qkey = (q_cat * span + qx) * span + qy
    pkey = (p_cat * span + px) * span + py
    qi, pj = _cell_pairs(qkey, pkey, span)
    if len(qi) == 0:
        return 0
    cat = q_cat[qi]
    keep = (p_id[pj] != q_id[qi]) & allowed[cat, p_state[pj]]
    keep &= np.abs(p_t[pj] - q_t[qi]) <= window[cat]
    qi, pj, cat = qi[keep], pj[keep], cat[keep]
    dist = distance_m(q_lon[qi], q_lat[qi], p_lon[pj], p_lat[pj])
    keep = dist <= radius[cat]
    qi, pj, cat, dist = qi[keep], pj[keep], cat[keep], dist[keep]
    if len(qi) == 0:
        return 0
    # The nearest few per new case: sort by (case, distance), rank within each case.
    order = np.lexsort((p_id[pj], dist, qi))
    qi, pj, cat, dist = qi[order], pj[order], cat[order], dist[order]
    first = np.r_[0, np.flatnonzero(np.diff(qi)) + 1]
    rank = np.arange(len(qi)) - np.repeat(first, np.diff(np.r_[first, len(qi)]))
    keep = rank < most[cat]
    qi, pj, dist = qi[keep], pj[keep], dist[keep]
    # Later report first; a pair of two new cases found from both sides counts once.
    a_id, b_id = q_id[qi], p_id[pj]
    a_t, b_t = q_t[qi], p_t[pj]
    a_later = (a_t > b_t) | ((a_t == b_t) & (a_id > b_id))
    later = np.where(a_later, a_id, b_id)
    earlier = np.where(a_later, b_id, a_id)
    _, unique = np.unique(np.stack([later, earlier]), axis=1, return_index=True)
    rows = [_pair_row(int(later[i]), int(earlier[i]), float(dist[i]), now) for i in np.sort(unique)]
    for start in range(0, len(rows), _INSERT_CHUNK):
        session.execute(insert(PossibleDuplicate), rows[start : start + _INSERT_CHUNK])
    return len(rows)
