"""The map's component layer (issue 17): the register's objects as compact rows, the classes
present, and one object's card with its cases. No Qt.

The console loads a seat's whole register once (a street seat: its street's), on the long-work
worker, and keeps it in the page, where a pan or a class filter needs no read at all. Measured
both ways (console.bench.component_map_bench, 100,000 objects over the demo district, a shared
2-core machine): the whole register is one read and JSON of 0.85 s (2.5 s under heavy load) and
3.3 MB, once; a zoom-16 viewport's bbox read took 60 ms (220 ms under load) for its 9,300
objects — at every pan, before the page draws, where the page's own canvas pan takes 26 ms.
Later reads ask only for the objects changed since (``since``:
components.updated_at). The bbox and class arguments serve other callers.

Rows go out as arrays, not objects: ``[id, lon, lat, class index, status index]`` with the
class codes and status codes listed once in the payload's header (:func:`layer_json`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ, csv_rows, resource
from console.domain.lifecycle import STATE_LABELS
from console.errors import ValidationError
from console.models import Case, Category, Component, Department, Region
from console.services.case_scope import DISTRICT, CaseScope
from console.services.components.rules import statuses
from console.services.reference.files import TAXONOMY_GBT2026

#: Field order of one row in :func:`layer_json` (component_layer.js reads the same order).
ROW_FIELDS = ("id", "lon", "lat", "category", "status")
#: A card lists this many of the object's cases, newest first (the count says how many in all).
CARD_CASES = 10


class LayerRow(NamedTuple):
    id: int
    lon: float
    lat: float
    category: str
    status: str
    #: A line's or polygon's GeoJSON geometry (components.geometry); None for a point.
    geometry: str | None = None


@dataclass(frozen=True)
class Bbox:
    """A WGS-84 box: what a map viewport asks for."""

    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class ComponentClass:
    """A 小类 the register holds in the seat's scope, with its 大类, and how many objects."""

    code: str
    name: str
    major_code: str
    major_name: str
    count: int


@dataclass(frozen=True)
class CardCase:
    id: int
    number: str
    state: str
    state_label: str
    reported_at: datetime


@dataclass(frozen=True)
class ComponentCard:
    """What a component's popup shows (every text field is imported data: escape it)."""

    id: int
    identifier: str
    name: str
    category_code: str
    category_name: str
    major_name: str
    status: str
    status_label: str
    owner_department: str
    address: str
    lon: float
    lat: float
    cases_total: int
    cases: tuple[CardCase, ...]

    def to_json(self) -> str:
        data = {
            "id": self.id,
            "identifier": self.identifier,
            "name": self.name,
            "category": self.category_code,
            "categoryName": self.category_name,
            "majorName": self.major_name,
            "status": self.status,
            "statusLabel": self.status_label,
            "owner": self.owner_department,
            "address": self.address,
            "lon": self.lon,
            "lat": self.lat,
            "casesTotal": self.cases_total,
            "cases": [
                [
                    c.id,
                    c.number,
                    c.state,
                    c.state_label,
                    c.reported_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
                ]
                for c in self.cases
            ],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@cache
def status_colors() -> dict[str, str]:
    """Status code → the layer's dot colour (resources/components/map_colors.csv), one for
    every status of statuses.csv."""
    colors = {r["code"]: r["color"] for r in csv_rows(resource("components", "map_colors.csv"))}
    missing = sorted(set(statuses()) - set(colors))
    if missing:
        raise ValidationError(f"map_colors.csv：缺少状态 {'、'.join(missing)} 的颜色")
    return colors


def in_scope(scope: CaseScope) -> ColumnElement[bool]:
    """The register's objects a seat sees: its street's, unit's or grid's (the district: all)."""
    region = scope.region_id if scope.region_id is not None else -1
    if scope.level == "street":
        return Component.street_id == region
    if scope.level == "grid":
        return Component.grid_id == region
    if scope.level == "unit":
        grids = select(Region.id).where(Region.parent_id == region)
        return Component.grid_id.in_(grids)
    return true()


def _class_condition(categories: Collection[str]) -> ColumnElement[bool]:
    """5-digit codes are 小类; 2-digit ones 大类 (the identifier's class digits)."""
    items = sorted(c for c in categories if len(c) != 2)
    majors = sorted(c for c in categories if len(c) == 2)
    parts: list[ColumnElement[bool]] = []
    if items:
        parts.append(Component.category_code.in_(items))
    parts.extend(Component.category_code.like(f"{m}%") for m in majors)
    return or_(*parts) if parts else Component.id.is_(None)


def layer_rows(
    s: Session,
    scope: CaseScope = DISTRICT,
    *,
    bbox: Bbox | None = None,
    categories: Collection[str] | None = None,
    since: datetime | None = None,
) -> list[LayerRow]:
    """The objects in ``scope`` (inside ``bbox``, of ``categories`` — 小类 codes or 2-digit
    大类 — and changed after ``since``, each when given), in id order."""
    query = select(
        Component.id,
        Component.lon,
        Component.lat,
        Component.category_code,
        Component.status,
        Component.geometry,
    ).where(in_scope(scope))
    if bbox is not None:
        query = query.where(
            Component.lat.between(bbox.south, bbox.north),
            Component.lon.between(bbox.west, bbox.east),
        )
    if categories is not None:
        query = query.where(_class_condition(categories))
    if since is not None:
        query = query.where(Component.updated_at > since)
    return [LayerRow(*row) for row in s.execute(query.order_by(Component.id))]


def last_change(s: Session, scope: CaseScope = DISTRICT) -> datetime | None:
    """The newest updated_at in ``scope``: the next read's ``since``."""
    value: datetime | None = s.scalar(select(func.max(Component.updated_at)).where(in_scope(scope)))
    return value


#: The kinds of a shape in :func:`layer_json`'s ``shapes`` (component_layer.js reads them).
SHAPE_LINE, SHAPE_POLYGON = 1, 2


def layer_json(rows: Sequence[LayerRow], *, full: bool = True) -> str:
    """The rows as the page takes them: ``{"full", "categories", "statuses", "rows",
    "shapes"}`` with each row ``[id, lon, lat, class index, status index]`` (coordinates to
    1e-6°, ~0.1 m) and each part of a line or polygon ``[id, kind, [lon, lat, lon, lat…]]``
    (a polygon by its outer ring). ``full``: the layer becomes exactly these; else they are
    added or updated."""
    codes = {c: i for i, c in enumerate(dict.fromkeys(r.category for r in rows))}
    states = {c: i for i, c in enumerate(dict.fromkeys(r.status for r in rows))}
    # Written by hand, not json.dumps of lists: 100,000 rows in less than half the time.
    body = ",".join(
        f"[{r.id},{r.lon:.6f},{r.lat:.6f},{codes[r.category]},{states[r.status]}]" for r in rows
    )
    shapes = ",".join(
        f"[{r.id},{kind},[{','.join(f'{v:.6f}' for v in flat)}]]"
        for r in rows
        if r.geometry
        for kind, flat in shape_parts(r.geometry)
    )
    return (
        f'{{"full":{"true" if full else "false"},"categories":{json.dumps(list(codes))},'
        f'"statuses":{json.dumps(list(states))},"rows":[{body}],"shapes":[{shapes}]}}'
    )


def shape_parts(geometry: str) -> list[tuple[int, list[float]]]:
    """A stored line's or polygon's parts as (kind, flat lon/lat list); a polygon by its outer
    ring, a multi-geometry part by part. Anything else (a point, unreadable text) gives none:
    the object is still drawn as its point."""
    try:
        data = json.loads(geometry)
        kind, coords = data["type"], data["coordinates"]
        if kind == "LineString":
            parts = [(SHAPE_LINE, coords)]
        elif kind == "MultiLineString":
            parts = [(SHAPE_LINE, part) for part in coords]
        elif kind == "Polygon":
            parts = [(SHAPE_POLYGON, coords[0])]
        elif kind == "MultiPolygon":
            parts = [(SHAPE_POLYGON, part[0]) for part in coords]
        else:
            return []
        return [(k, [float(v) for point in ring for v in point[:2]]) for k, ring in parts if ring]
    except (ValueError, KeyError, TypeError, IndexError):
        return []


def _category_names(s: Session) -> dict[str, tuple[str, str, str]]:
    """Component code → (小类 name, 大类 code, 大类 name) in GB/T 47678.5-2026."""
    rows = s.execute(
        select(Category.code, Category.name, Category.major_code, Category.major_name).where(
            Category.taxonomy == TAXONOMY_GBT2026, Category.kind == "component"
        )
    )
    return {code: (name, major, major_name) for code, name, major, major_name in rows}


def component_classes(s: Session, scope: CaseScope = DISTRICT) -> list[ComponentClass]:
    """The 小类 the register holds in ``scope``, by code, with their 大类 (the layer's filter)."""
    names = _category_names(s)
    rows = s.execute(
        select(Component.category_code, func.count())
        .where(in_scope(scope))
        .group_by(Component.category_code)
        .order_by(Component.category_code)
    )
    out = []
    for code, n in rows:
        name, major, major_name = names.get(code, (code, code[:2], code[:2]))
        out.append(ComponentClass(code, name, major, major_name, int(n)))
    return out


def component_card(s: Session, component_id: int, scope: CaseScope = DISTRICT) -> ComponentCard:
    """One object and its newest cases (those ``scope`` may see). An object outside ``scope``
    is refused as if it did not exist, like a case (CaseScope.check)."""
    found = s.execute(
        select(Component, Department.name)
        .join(Department, Department.id == Component.owner_department_id)
        .where(Component.id == component_id, in_scope(scope))
    ).first()
    if found is None:
        raise ValidationError(f"部件 {component_id} 不在部件库中", field="component_id")
    component, department = found
    name, _major, major_name = _category_names(s).get(
        component.category_code, (component.category_code, "", "")
    )
    status = statuses().get(component.status)
    cases_where = and_(Case.component_id == component.id, scope.where(Case))
    total = int(s.scalar(select(func.count(Case.id)).where(cases_where)) or 0)
    rows = s.execute(
        select(Case.id, Case.number, Case.state, Case.reported_at)
        .where(cases_where)
        .order_by(Case.reported_at.desc(), Case.id.desc())
        .limit(CARD_CASES)
    )
    cases = tuple(
        CardCase(cid, number, state, STATE_LABELS.get(state, (state, state))[0], reported)
        for cid, number, state, reported in rows
    )
    return ComponentCard(
        id=component.id,
        identifier=component.identifier,
        name=component.name,
        category_code=component.category_code,
        category_name=name,
        major_name=major_name,
        status=component.status,
        status_label=status.label_zh if status is not None else component.status,
        owner_department=department,
        address=component.address or "",
        lon=component.lon,
        lat=component.lat,
        cases_total=total,
        cases=cases,
    )
