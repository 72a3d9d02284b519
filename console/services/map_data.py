"""What the map shows, read in one query each and handed to the view as plain data. No Qt.

* :func:`grid_feature_collection`: the grid polygons with their unit, area and street names
  (built once, when the page is built).
* :func:`case_markers` / :func:`marker_json`: the case markers, pushed to the page's JS API
  (``upsertCases``) as a compact JSON list.
* :func:`open_counts_by_grid`: open cases per grid, for the choropleth (``setGridStyle``).

Markers and counts take an optional ``function`` (one of the five of resources/org/
functions.csv): the cases of that function's categories only, filtered in SQL by category
code (console.services.queries.function_condition, as the queues filter).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.lifecycle import OPEN_STATES, STATE_LABELS
from console.models import Case, Category, Region, RegionLevel
from console.services.case_scope import DISTRICT, CaseScope
from console.services.queries import case_category, function_condition, light_expression

#: Field order of one marker in :func:`marker_json` (console_map.js reads the same order).
MARKER_FIELDS = (
    "id",
    "number",
    "lon",
    "lat",
    "light",
    "state",
    "state_label",
    "category_name",
    "address",
    "urgent",
)

_OPEN = frozenset(OPEN_STATES)


def grid_feature_collection(session: Session, scope: CaseScope = DISTRICT) -> dict[str, Any]:
    """The grids as a GeoJSON FeatureCollection (WGS-84), in id order; a street or unit seat's
    ``scope`` keeps the grids inside its region.

    Properties: ``id``, ``code``, ``name``, ``unit``, ``area``, ``street`` (the names of the
    grid's ancestors, "" where a level is missing) and ``demo`` (generated polygons).
    """
    rows = session.execute(
        select(Region.id, Region.level, Region.parent_id, Region.name).order_by(Region.id)
    ).all()
    level_of = {r.id: r.level for r in rows}
    parent_of = {r.id: r.parent_id for r in rows}
    name_of = {r.id: r.name for r in rows}
    grids = session.execute(
        select(Region.id, Region.code, Region.name, Region.geometry, Region.is_demo)
        .where(Region.level == RegionLevel.GRID, Region.geometry.is_not(None))
        .order_by(Region.id)
    ).all()
    features = []
    for grid in grids:
        names = {"unit": "", "area": "", "street": ""}
        inside = not scope.confined
        node = parent_of.get(grid.id)
        while node is not None:
            if level_of[node] in names and not names[level_of[node]]:
                names[level_of[node]] = name_of[node]
            inside = inside or node == scope.region_id
            node = parent_of.get(node)
        if not inside:
            continue
        features.append(
            {
                "type": "Feature",
                "id": grid.id,
                "geometry": json.loads(grid.geometry),
                "properties": {
                    "id": grid.id,
                    "code": grid.code,
                    "name": grid.name,
                    **names,
                    "demo": bool(grid.is_demo),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class CaseMarker:
    """One case on the map. ``light`` is None while the case is not on the clock."""

    id: int
    number: str
    lon: float
    lat: float
    light: str | None
    state: str
    category_name: str
    address: str
    urgent: bool

    @property
    def is_open(self) -> bool:
        return self.state in _OPEN


def case_markers(
    session: Session,
    now: datetime,
    *,
    ids: Collection[int] | None = None,
    scope: CaseScope = DISTRICT,
    function: str | None = None,
) -> list[CaseMarker]:
    """Markers of every open case, or of the cases ``ids`` whatever their state (one query);
    with ``function``, of that function's cases only (an unknown one is refused by name).

    With ``ids``, a case that has closed comes back with its final state (``is_open`` False):
    the caller removes it from the map; a case of another function does not come back.
    """
    light = light_expression(now).label("light")
    query = select(
        Case.id,
        Case.number,
        Case.lon,
        Case.lat,
        light,
        Case.state,
        func.coalesce(Category.name, Case.category_code),
        Case.address,
        Case.urgent,
    ).outerjoin(
        Category,
        case_category(),
    )
    if scope.confined:
        query = query.where(scope.where())
    if function is not None:
        query = query.where(function_condition(function))
    if ids is None:
        query = query.where(Case.state.in_(OPEN_STATES))
    else:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return []
        query = query.where(Case.id.in_(wanted))
    return [
        CaseMarker(
            id=row[0],
            number=row[1],
            lon=row[2],
            lat=row[3],
            light=row[4],
            state=row[5],
            category_name=row[6] or "",
            address=row[7] or "",
            urgent=bool(row[8]),
        )
        for row in session.execute(query.order_by(Case.id))
    ]


def open_counts_by_grid(
    session: Session, scope: CaseScope = DISTRICT, function: str | None = None
) -> dict[int, int]:
    """Open cases per grid id (grids with none are absent), inside ``scope``; with
    ``function``, of that function's cases only."""
    query = select(Case.grid_id, func.count()).where(Case.state.in_(OPEN_STATES), scope.where())
    if function is not None:
        query = query.where(function_condition(function))
    rows = session.execute(query.group_by(Case.grid_id))
    return {int(grid): int(n) for grid, n in rows}


def marker_row(marker: CaseMarker) -> list[Any]:
    """One marker as the JSON array console_map.js reads (see :data:`MARKER_FIELDS`)."""
    label = STATE_LABELS.get(marker.state, (marker.state, marker.state))[0]
    return [
        marker.id,
        marker.number,
        round(marker.lon, 6),
        round(marker.lat, 6),
        marker.light,
        marker.state,
        label,
        marker.category_name,
        marker.address,
        1 if marker.urgent else 0,
    ]


def marker_json(markers: Iterable[CaseMarker]) -> str:
    """The compact JSON list for ``upsertCases``: one array per marker, no whitespace."""
    return json.dumps([marker_row(m) for m in markers], ensure_ascii=False, separators=(",", ":"))
