"""The component register written back to a file (`grid-console export-components`): GeoJSON
or CSV with the columns `import-components` reads, so an export imports back with no change.

CSV: UTF-8 with BOM (Excel), one row an object, lon/lat and, for a line or polygon, its shape as
GeoJSON text in ``geometry``; text a spreadsheet would evaluate is guarded as ingest's exports
are (the CSV reader takes the guard off). GeoJSON: a FeatureCollection, each object's own shape,
the same columns as properties (a line's or polygon's lon/lat too: the point the register keeps
for it). ``grid_code``, ``street``, ``geometry_kind`` and ``category_name`` are for people; the
importer reads past them. No Qt.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from console.errors import ValidationError
from console.models import Category, Component, Department, Region
from console.services.ingest.report import safe_text
from console.services.reference.data import TAXONOMY_GBT2026

FORMATS = ("geojson", "csv")
COLUMNS = (
    "identifier",
    "name",
    "category_code",
    "legacy_category_code",
    "category_name",
    "owner_department_code",
    "owner_department_name",
    "maintainer_code",
    "maintainer",
    "status",
    "surveyed_on",
    "address",
    "photo",
    "lon",
    "lat",
    "geometry_kind",
    "geometry",
    "grid_code",
    "street",
)
#: Objects read per round trip (the register has 100,000 and more).
FETCH = 5000


@dataclass(frozen=True)
class ExportResult:
    count: int
    path: Path
    format: str


def format_of(path: Path, chosen: str | None) -> str:
    if chosen is not None:
        if chosen not in FORMATS:
            raise ValidationError(f"未知格式 {chosen}（可选: {', '.join(FORMATS)}）")
        return chosen
    return "csv" if path.suffix.lower() in (".csv", ".txt") else "geojson"


def _rows(s: Session, street_id: int | None) -> Iterator[dict[str, Any]]:
    owner, keeper = aliased(Department), aliased(Department)
    grid, street = aliased(Region), aliased(Region)
    stmt = (
        select(
            Component,
            owner.code,
            owner.name,
            keeper.code,
            keeper.name,
            grid.code,
            street.name,
            Category.name,
        )
        .join(owner, owner.id == Component.owner_department_id)
        .outerjoin(keeper, keeper.id == Component.maintainer_department_id)
        .join(grid, grid.id == Component.grid_id)
        .join(street, street.id == Component.street_id)
        .outerjoin(
            Category,
            (Category.taxonomy == TAXONOMY_GBT2026)
            & (Category.kind == "component")
            & (Category.code == Component.category_code),
        )
        .order_by(Component.identifier)
        .execution_options(yield_per=FETCH)
    )
    if street_id is not None:
        stmt = stmt.where(Component.street_id == street_id)
    for (
        c,
        owner_code,
        owner_name,
        keeper_code,
        keeper_name,
        grid_code,
        street_name,
        cat,
    ) in s.execute(stmt):
        yield {
            "identifier": c.identifier,
            "name": c.name,
            "category_code": c.category_code,
            "legacy_category_code": c.legacy_category_code,
            "category_name": cat,
            "owner_department_code": owner_code,
            "owner_department_name": owner_name,
            "maintainer_code": keeper_code,
            "maintainer": keeper_name if keeper_code is not None else c.maintainer_name,
            "status": c.status,
            "surveyed_on": c.surveyed_on.isoformat(),
            "address": c.address,
            "photo": c.photo,
            "lon": c.lon,
            "lat": c.lat,
            "geometry_kind": c.geometry_kind,
            "geometry": c.geometry,
            "grid_code": grid_code,
            "street": street_name,
        }


def export_components(
    s: Session, path: Path, *, format: str | None = None, street_id: int | None = None
) -> ExportResult:
    """Write the register (or one street's objects) to ``path``, replacing it whole."""
    fmt = format_of(path, format)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    count = 0
    try:
        if fmt == "csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(COLUMNS)
                for row in _rows(s, street_id):
                    w.writerow([_csv_cell(row[c]) for c in COLUMNS])
                    count += 1
        else:
            with tmp.open("w", encoding="utf-8") as f:
                f.write('{"type":"FeatureCollection","features":[\n')
                for row in _rows(s, street_id):
                    f.write(",\n" if count else "")
                    f.write(json.dumps(_feature(row), ensure_ascii=False, separators=(",", ":")))
                    count += 1
                f.write("\n]}\n")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(count, path, fmt)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # every digit: the same double comes back
    return safe_text(str(value))


def _feature(row: dict[str, Any]) -> dict[str, Any]:
    shape = row["geometry"]
    geometry = (
        json.loads(shape)
        if shape is not None
        else {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
    )
    skip = ("geometry",) if shape is not None else ("geometry", "lon", "lat")
    properties = {k: v for k, v in row.items() if k not in skip}
    return {"type": "Feature", "geometry": geometry, "properties": properties}
