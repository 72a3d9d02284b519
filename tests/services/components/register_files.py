"""Shared helpers for the register import/export tests: points inside the demo district,
register files written as a census clerk would, and what the register holds."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select

from console.db import Database
from console.domain.component_identifier import make_identifier
from console.models import Component, ComponentChange
from console.services.demo import random_points_in_grids

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
COUNTY = "610104"
#: The standard's Chinese headers (as a census sheet has them).
ZH_HEADER = ("管理部件标识码", "管理部件名称", "部件类别", "主管部门", "养护单位", "管理部件状态",
             "初始日期", "地址", "经度", "纬度")  # fmt: skip


def points(db: Database, n: int = 10, seed: int = 7) -> list[tuple[float, float]]:
    with db.read() as s:
        lons, lats = random_points_in_grids(s, n, seed=seed)
    return [(round(float(x), 6), round(float(y), 6)) for x, y in zip(lons, lats, strict=True)]


def ident(category: str, serial: int, county: str = COUNTY) -> str:
    return make_identifier(county, category, serial)


def zh_row(
    point: tuple[float, float], serial: int, category: str = "01002", **over: str
) -> dict[str, str]:
    """A valid row under ZH_HEADER; ``over`` replaces cells by header."""
    row = {
        "管理部件标识码": ident(category if len(category) == 5 else "01002", serial),
        "管理部件名称": f"污水井盖{serial}",
        "部件类别": category,
        "主管部门": "SC610104001",
        "养护单位": "莲湖市政养护公司",
        "管理部件状态": "完好",
        "初始日期": "2026-06-01",
        "地址": f"莲湖路{serial}号",
        "经度": repr(point[0]),
        "纬度": repr(point[1]),
    }
    row.update(over)
    return row


def write_csv(
    path: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig", header: Any = None
) -> Path:
    buf = io.StringIO()
    names = list(header or dict.fromkeys(k for row in rows for k in row))
    w = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_geojson(path: Path, features: list[tuple[dict[str, Any] | None, dict[str, Any]]]) -> Path:
    """(geometry, properties) pairs, one feature a line (so a feature's line is its index + 2)."""
    lines = ['{"type": "FeatureCollection", "features": [']
    for i, (geometry, props) in enumerate(features):
        feature = {"type": "Feature", "geometry": geometry, "properties": props}
        lines.append(
            json.dumps(feature, ensure_ascii=False) + ("," if i < len(features) - 1 else "")
        )
    lines.append("]}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def register(db: Database) -> dict[str, SimpleNamespace]:
    """identifier → every column of the object."""
    with db.read() as s:
        rows = s.execute(select(*Component.__table__.columns)).all()
    return {r.identifier: SimpleNamespace(**r._mapping) for r in rows}


def component_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Component)) or 0


def changes(db: Database) -> list[SimpleNamespace]:
    with db.read() as s:
        rows = s.execute(select(*ComponentChange.__table__.columns).order_by(ComponentChange.id))
        return [SimpleNamespace(**r._mapping) for r in rows]
