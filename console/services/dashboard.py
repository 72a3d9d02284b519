"""The live dashboard's numbers: a handful of GROUP BY queries over the cases, Qt-free.

"Today" and "this month" are the district's local day and month (Asia/Shanghai). A case counts
as closed when it reached 结案 (closed or archived; a voided case is not closed), and it was on
time when its feedback (``handled_at``) came no later than its deadline. Today's patrols
(网格巡查): the grids visited today per street, the patrols open now and the km walked today
(console.services.patrols.period_patrols: stored coverage, and the open patrols' points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.lifecycle import OPEN_STATES
from console.errors import ValidationError
from console.models import Case, Region, RegionLevel
from console.services.case_scope import DISTRICT, CaseScope
from console.services.evaluation.config import CLOSED_STATES
from console.services.evaluation.tiers import TierRate, tier_columns, tier_rates_from
from console.services.patrols import period_patrols
from console.services.queries import light_expression
from console.services.report_input import SOURCE_LABELS

#: The traffic lights in display order; "none" is an open case without a clock.
LIGHTS = ("green", "yellow", "red", "none")


@dataclass(frozen=True)
class DashboardNumbers:
    built_at: datetime
    #: source code → cases reported today (every source, zero included, in SOURCE_LABELS order)
    today_by_source: dict[str, int]
    #: green/yellow/red/none → open cases
    open_by_light: dict[str, int]
    #: (street id, name, open cases) for every street, by street code
    open_by_street: list[tuple[int, str, int]]
    #: cases reported today in each local hour 0..23
    hourly_intake: list[int]
    #: closed this month on time / closed this month with a deadline; None when none had one
    on_time_rate_month: float | None
    closed_this_month: int
    #: 网格巡查 today: (street id, name, grids visited today, grids) for every street, by code
    patrol_by_street: list[tuple[int, str, int, int]] = field(default_factory=list)
    #: patrols open now (started, not ended)
    patrols_open: int = 0
    #: km along the tracks of the patrols started today (an open one's so far)
    patrol_km_today: float = 0.0
    #: 小事不出网格率 / 大事不出街道率 of the cases closed this month so far (tiers.csv)
    tier_rates_month: tuple[TierRate, ...] = ()

    @property
    def grids_patrolled_today(self) -> int:
        return sum(v for _, _, v, _ in self.patrol_by_street)

    @property
    def patrol_coverage_today(self) -> float | None:
        """Grids visited today / grids (0–1); None with no grid."""
        grids = sum(n for _, _, _, n in self.patrol_by_street)
        return self.grids_patrolled_today / grids if grids else None

    @property
    def open_total(self) -> int:
        return sum(self.open_by_light.values())

    @property
    def reported_today(self) -> int:
        return sum(self.today_by_source.values())


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The local day of ``now`` as [start, end)."""
    day = _local(now).date()
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The local month of ``now`` as [start, end)."""
    local = _local(now)
    start = datetime(local.year, local.month, 1, tzinfo=LOCAL_TZ)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return start, datetime(year, month, 1, tzinfo=LOCAL_TZ)


def today_by_source(session: Session, now: datetime, scope: CaseScope = DISTRICT) -> dict[str, int]:
    """Cases reported today per source (every source, zero included, in SOURCE_LABELS order)."""
    day_start, day_end = day_bounds(now)
    by_source = dict.fromkeys(SOURCE_LABELS, 0)
    for source, count in session.execute(
        select(Case.source, func.count())
        .where(Case.reported_at >= day_start, Case.reported_at < day_end, scope.where())
        .group_by(Case.source)
    ):
        by_source[source] = int(count)
    return by_source


def daily_trend(session: Session, now: datetime, days: int = 7) -> list[tuple[date, int, int]]:
    """(local day, reported, closed) for the last ``days`` days up to today, oldest first.

    One row of conditional sums over day bounds computed here: no dialect's date functions.
    """
    today_start = day_bounds(now)[0]
    starts = [today_start - timedelta(days=days - 1 - i) for i in range(days + 1)]
    starts[-1] = day_bounds(now)[1]

    def per_day(column: Any) -> list[Any]:
        return [
            func.coalesce(
                func.sum(case((and_(column >= starts[i], column < starts[i + 1]), 1), else_=0)), 0
            )
            for i in range(days)
        ]

    since = starts[0]
    reported = session.execute(
        select(*per_day(Case.reported_at)).where(Case.reported_at >= since)
    ).one()
    closed = session.execute(
        select(*per_day(Case.closed_at)).where(
            Case.closed_at >= since, Case.state.in_(CLOSED_STATES)
        )
    ).one()
    return [
        (starts[i].astimezone(LOCAL_TZ).date(), int(reported[i]), int(closed[i]))
        for i in range(days)
    ]


def dashboard_numbers(
    session: Session, now: datetime, scope: CaseScope = DISTRICT
) -> DashboardNumbers:
    """Every number of the dashboard as of ``now`` (an aware datetime), of the cases inside a
    seat's ``scope`` (a street seat: its street's, and only its street in the per-street rows).

    The patrol figures of today (patrols open, km) are the district's: patrols belong to
    people, not to a street."""
    day_start, day_end = day_bounds(now)
    inside = scope.where()
    today = and_(Case.reported_at >= day_start, Case.reported_at < day_end, inside)

    by_source = today_by_source(session, now, scope)

    light = light_expression(now).label("light")
    by_light = dict.fromkeys(LIGHTS, 0)
    for value, count in session.execute(
        select(light, func.count()).where(Case.state.in_(OPEN_STATES), inside).group_by(light)
    ):
        by_light[value or "none"] = int(count)

    open_counts = dict(
        session.execute(
            select(Case.street_id, func.count())
            .where(Case.state.in_(OPEN_STATES), inside)
            .group_by(Case.street_id)
        ).all()
    )
    own_street = scope.street_id(session)
    street_rows = session.execute(
        select(Region.id, Region.name)
        .where(
            Region.level == RegionLevel.STREET.value,
            Region.id == own_street if scope.confined else true(),
        )
        .order_by(Region.code)
    ).all()
    by_street = [(sid, name, int(open_counts.get(sid, 0))) for sid, name in street_rows]

    # One row of 24 conditional sums: hour bounds are computed here, so no dialect's
    # date functions (or time zones) are involved.
    hours = [day_start + timedelta(hours=h) for h in range(25)]
    sums = [
        func.coalesce(
            func.sum(
                case(
                    (and_(Case.reported_at >= hours[h], Case.reported_at < hours[h + 1]), 1),
                    else_=0,
                )
            ),
            0,
        )
        for h in range(24)
    ]
    hourly = [int(v) for v in session.execute(select(*sums).where(today)).one()]

    month_start, month_end = month_bounds(now)
    on_time = and_(
        Case.deadline_at.is_not(None),
        Case.handled_at.is_not(None),
        Case.handled_at <= Case.deadline_at,
    )
    # the tier rates (小事不出网格率 …) count in the same scan of the month's closed cases
    closed, with_deadline, in_time, *tiers = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Case.deadline_at.is_not(None), 1), else_=0)), 0),
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
            *tier_columns(true()),
        ).where(
            Case.state.in_(CLOSED_STATES),
            Case.closed_at >= month_start,
            Case.closed_at < month_end,
            inside,
        )
    ).one()
    rate = int(in_time) / int(with_deadline) if with_deadline else None
    patrol_by_street, patrols_open, km = patrols_today(session, now, street_rows)

    return DashboardNumbers(
        built_at=_local(now),
        today_by_source=by_source,
        open_by_light=by_light,
        open_by_street=by_street,
        hourly_intake=hourly,
        on_time_rate_month=rate,
        closed_this_month=int(closed),
        patrol_by_street=patrol_by_street,
        patrols_open=patrols_open,
        patrol_km_today=km,
        tier_rates_month=tier_rates_from(tiers),
    )


def patrols_today(
    session: Session, now: datetime, streets: Sequence[Any]
) -> tuple[list[tuple[int, str, int, int]], int, float]:
    """(per street: id, name, grids visited today, grids; patrols open now; km today). The
    ended patrols' coverage is stored; the open ones' comes from their points today."""
    day_start, day_end = day_bounds(now)
    today = period_patrols(session, day_start, day_end)
    regions = session.execute(
        select(Region.id, Region.level, Region.parent_id, Region.geometry.is_not(None))
    ).all()
    parent = {r[0]: r[2] for r in regions}
    street_ids = {r[0] for r in streets}
    grids: dict[int, int] = dict.fromkeys(street_ids, 0)
    visited: dict[int, int] = dict.fromkeys(street_ids, 0)
    for rid, level, _parent, has_shape in regions:
        if level != RegionLevel.GRID.value or not has_shape:
            continue
        up: int | None = rid
        while up is not None and up not in street_ids:
            up = parent.get(up)
        if up is None:
            continue
        grids[up] += 1
        visited[up] += int(rid in today.visited_days)
    km = sum(metres for _, metres in today.by_user.values()) / 1000.0
    return (
        [(sid, name, visited[sid], grids[sid]) for sid, name in streets],
        today.open_now,
        round(km, 2),
    )


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValidationError("时间须带时区", field="now")
    return value.astimezone(LOCAL_TZ)
