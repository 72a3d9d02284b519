"""What the video wall shows, in a few SQL aggregates: key numbers, the ticker, street ranking.

Qt-free. :func:`wall_numbers` reads one session; :class:`WallSource` is what the wall window
calls on the bridge's worker: one snapshot (numbers, every open case's marker, open cases per
grid, and the month's evaluation when the evaluation service exists), any database failure
turned into :class:`console.errors.DatabaseUnavailableError` so the wall can say so and retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.lifecycle import OPEN_STATES
from console.errors import ConsoleError, DatabaseUnavailableError
from console.models import Alert, Case, Region
from console.services.dashboard import daily_trend, day_bounds, month_bounds, today_by_source
from console.services.evaluation.config import CLOSED_STATES
from console.services.evaluation.tiers import TierRate, tier_columns, tier_rates_from
from console.services.map_data import case_markers, marker_json, open_counts_by_grid
from console.services.queries import light_expression

if TYPE_CHECKING:
    from console.services.workbench import Workbench

log = logging.getLogger(__name__)

#: The most ticker lines the wall scrolls through.
TICKER_MAX = 30
SUPERVISE_LEVELS = ("supervise_1", "supervise_2", "supervise_3")


@dataclass(frozen=True)
class TickerLine:
    """One red or 督办 line: ``kind`` is "red" or a supervise level; ``at`` when it fell due."""

    kind: str
    at: datetime
    case_id: int
    number: str
    street: str
    address: str


@dataclass(frozen=True)
class StreetRow:
    name: str
    open: int
    overdue: int
    closed_month: int


@dataclass(frozen=True)
class WallNumbers:
    built_at: datetime
    open_total: int
    red: int
    yellow: int
    reported_today: int
    closed_today: int
    #: Cases closed this month that were handled by their deadline, 0–1; None: none closed.
    on_time_rate_month: float | None
    closed_month: int
    unacknowledged_alerts: int
    #: Red cases and open cases under 督办, one line per case, newest first, ≤ TICKER_MAX.
    ticker: list[TickerLine]
    #: Every street: most overdue first, then most open, then name.
    street_ranking: list[StreetRow]
    #: Today's reports per source (监督员, 12345 …), every source listed.
    today_by_source: dict[str, int] = field(default_factory=dict)
    #: The last seven days: (day, reported, closed), oldest first.
    trend: list[tuple[date, int, int]] = field(default_factory=list)
    #: 小事不出网格率 / 大事不出街道率 of the district's cases closed this month (tiers.csv)
    tier_rates_month: tuple[TierRate, ...] = ()


def wall_numbers(session: Session, now: datetime) -> WallNumbers:
    today, month = day_bounds(now)[0], month_bounds(now)[0]
    is_open = Case.state.in_(OPEN_STATES)
    light = light_expression(now).label("light")
    lights: dict[str | None, int] = dict(
        session.execute(select(light, func.count()).where(is_open).group_by(light)).all()
    )
    open_total = sum(lights.values())
    reported_today = session.scalar(
        select(func.count()).select_from(Case).where(Case.reported_at >= today)
    )
    closed_today = session.scalar(
        select(func.count()).select_from(Case).where(Case.closed_at >= today)
    )
    # The rate counts only the cases with a deadline; the month's total counts every case.
    with_deadline = Case.deadline_at.is_not(None)
    # the tier rates (小事不出网格率 …) count in the same scan of the month's closed cases
    closed_month_all, closed_month, on_time, *tiers = session.execute(
        select(
            func.count(),
            func.count(Case.id).filter(with_deadline),
            func.count(Case.id).filter(
                and_(
                    with_deadline, Case.handled_at.is_not(None), Case.handled_at <= Case.deadline_at
                )
            ),
            *tier_columns(Case.state.in_(CLOSED_STATES)),
        ).where(Case.closed_at >= month)
    ).one()
    unacknowledged = session.scalar(
        select(func.count()).select_from(Alert).where(Alert.acknowledged_at.is_(None))
    )
    return WallNumbers(
        built_at=now,
        open_total=open_total,
        red=lights.get("red", 0),
        yellow=lights.get("yellow", 0),
        reported_today=reported_today or 0,
        closed_today=closed_today or 0,
        on_time_rate_month=(on_time / closed_month) if closed_month else None,
        closed_month=closed_month_all or 0,
        unacknowledged_alerts=unacknowledged or 0,
        ticker=ticker_lines(session, now),
        street_ranking=street_ranking(session, now),
        today_by_source=today_by_source(session, now),
        trend=daily_trend(session, now),
        tier_rates_month=tier_rates_from(tiers),
    )


def ticker_lines(session: Session, now: datetime, limit: int = TICKER_MAX) -> list[TickerLine]:
    """Open cases under 督办 (their highest level) and red cases, newest first."""
    street = Region.name.label("street")
    supervised = session.execute(
        select(Alert.level, Alert.raised_at, Case.id, Case.number, street, Case.address)
        .join(Case, Case.id == Alert.case_id)
        .join(Region, Region.id == Case.street_id)
        .where(Alert.level.in_(SUPERVISE_LEVELS), Case.state.in_(OPEN_STATES))
        .order_by(Alert.raised_at.desc())
        .limit(limit * 4)
    ).all()
    red = session.execute(
        select(Case.deadline_at, Case.id, Case.number, street, Case.address)
        .join(Region, Region.id == Case.street_id)
        .where(Case.state.in_(OPEN_STATES), light_expression(now) == "red")
        .order_by(Case.deadline_at.desc())
        .limit(limit * 2)
    ).all()
    by_case: dict[int, TickerLine] = {}
    for level, at, case_id, number, street_name, address in supervised:
        known = by_case.get(case_id)
        if known is None or level > known.kind:  # supervise_3 > supervise_2 > supervise_1
            by_case[case_id] = TickerLine(level, at, case_id, number, street_name, address)
    for deadline, case_id, number, street_name, address in red:
        # red means past a deadline, so it is never None here
        if deadline is not None and case_id not in by_case:
            by_case[case_id] = TickerLine("red", deadline, case_id, number, street_name, address)
    lines = sorted(by_case.values(), key=lambda t: (t.at, t.case_id), reverse=True)
    return lines[:limit]


def street_ranking(session: Session, now: datetime) -> list[StreetRow]:
    """Open, overdue (red) and closed-this-month cases of every street."""
    red = light_expression(now) == "red"
    open_rows = session.execute(
        select(Case.street_id, func.count(), func.count(Case.id).filter(red))
        .where(Case.state.in_(OPEN_STATES))
        .group_by(Case.street_id)
    ).all()
    closed = dict(
        session.execute(
            select(Case.street_id, func.count())
            .where(Case.closed_at >= month_bounds(now)[0])
            .group_by(Case.street_id)
        ).all()
    )
    open_of = {sid: (n, overdue) for sid, n, overdue in open_rows}
    streets = session.execute(select(Region.id, Region.name).where(Region.level == "street")).all()
    rows = [StreetRow(name, *open_of.get(sid, (0, 0)), closed.get(sid, 0)) for sid, name in streets]
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.name))


@dataclass(frozen=True)
class WallSnapshot:
    numbers: WallNumbers
    markers_json: str
    marker_ids: frozenset[int]
    grid_counts: dict[int, int]
    #: [(street name, composite, grade, rank)] from the evaluation service, if it exists.
    evaluation: list[tuple[str, float, str, int]] | None = None


class WallSource:
    """The wall's one reading call, on a workbench (``db`` and ``clock``), for the worker."""

    def __init__(self, workbench: Workbench) -> None:
        self.workbench = workbench

    def snapshot(self) -> WallSnapshot:
        try:
            now = self.workbench.clock()
            with self.workbench.db.read() as s:
                numbers = wall_numbers(s, now)
                markers = case_markers(s, now)
                counts = open_counts_by_grid(s)
        except ConsoleError:
            raise
        except Exception as exc:  # the database went away (file gone, server down, locked)
            raise DatabaseUnavailableError(f"数据库连接失败: {exc}") from exc
        return WallSnapshot(
            numbers,
            marker_json(markers),
            frozenset(m.id for m in markers),
            counts,
            self._evaluation(now),
        )

    def district(self) -> str:
        with self.workbench.db.read() as s:
            return district_name(s)

    def _evaluation(self, now: datetime) -> list[tuple[str, float, str, int]] | None:
        """The month's street evaluation, when the evaluation service is installed."""
        evaluate = getattr(self.workbench, "evaluation", None)
        if evaluate is None:
            return None
        try:
            report = evaluate(now.astimezone(LOCAL_TZ).strftime("%Y-%m"))
            scores = report.by_kind.get("street", [])
            rows = [
                (o.name, float(o.composite), o.grade or "", int(o.rank))
                for o in scores
                if o.composite is not None and o.rank is not None
            ]
        except Exception:  # a missing or changed evaluation API: the wall shows counts instead
            log.debug("no street evaluation for the wall", exc_info=True)
            return None
        return sorted(rows, key=lambda r: r[3]) or None


def district_name(session: Session) -> str:
    """The district's name ("" before a district is loaded)."""
    name = session.scalar(select(Region.name).where(Region.level == "district").limit(1))
    return name or ""
