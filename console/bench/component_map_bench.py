"""The component layer's benchmark data, without Qt (the page's part is
console.views.component_map_bench): the demo district's grids, a register of N objects spread
over its grids, and the two ways of reading it for the map — the seat's whole register once
(what the console does) and a zoom-16 viewport's bbox read (what a per-viewport layer would do
at every pan).
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select

from console.db import Database
from console.models import Component, Department, Region
from console.services import geography
from console.services.case_scope import DISTRICT
from console.services.components.map_layer import Bbox, layer_json, layer_rows
from console.services.demo import random_points_in_grids
from console.services.map_data import grid_feature_collection
from console.services.reference.data import load_reference_data

#: Classes drawn from (lamps, covers, bins, signs, …: GB/T 47678.5-2026 component codes).
CLASSES = ("01001", "01002", "01003", "01006", "02001", "03001", "03002", "04001", "05001")
#: Mostly intact, a few faults.
STATUSES = ("intact",) * 17 + ("damaged", "missing", "occupied")
#: A zoom-16 viewport of 1200 × 800 px at Xi'an's latitude, in degrees.
VIEW_DEG = (1200 * 360 / 2**24, 800 * 360 / 2**24 * 0.83)


@dataclass(frozen=True)
class ComponentBenchData:
    grids: dict[str, Any]
    payload: str  # the whole register as the page takes it (layer_json)
    count: int
    read_s: float  # reading the whole register and making its JSON (median)
    bbox_read_ms: float  # a zoom-16 viewport's bbox read and JSON (median)
    bbox_rows: int  # objects in that viewport
    centre: tuple[float, float]  # a busy point (lon, lat) to look at


#: One object in this many is a line (the rest points).
LINE_EVERY = 60


def _line(lon: float, lat: float) -> str:
    """A 40 m east-west line from the point (GeoJSON text, as the register stores it)."""
    return json.dumps({"type": "LineString", "coordinates": [[lon, lat], [lon + 4.4e-4, lat]]})


def component_bench_data(workdir: Path, n: int, seed: int = 17) -> ComponentBenchData:
    """A fresh SQLite file with the demo district, the reference data and ``n`` objects."""
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "component_map_bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{db_path}")
    try:
        with db.session() as s:
            geography.ensure_demo_district(s)
            load_reference_data(s)
        with db.read() as s:
            grids = grid_feature_collection(s)
            lons, lats = random_points_in_grids(s, n, seed=seed)
            grid = s.execute(
                select(Region.id, Region.parent_id).where(Region.level == "grid")
            ).first()
            street = s.scalar(select(Region.id).where(Region.level == "street"))
            department = s.scalar(select(Department.id))
        assert grid is not None and street is not None and department is not None
        rng = np.random.default_rng(seed)
        classes = rng.integers(0, len(CLASSES), n)
        states = rng.integers(0, len(STATUSES), n)
        now = datetime.now(UTC)
        rows = [
            {
                "identifier": f"610104{CLASSES[classes[i]]}{i + 1:06d}",
                "name": "部件",
                "category_code": CLASSES[classes[i]],
                # 1 in LINE_EVERY a 40 m line (guardrails: the demo census has ~1 in 60
                # lines or polygons), drawn with its shape
                "geometry_kind": "line" if i % LINE_EVERY == 0 else "point",
                "geometry": _line(float(lons[i]), float(lats[i])) if i % LINE_EVERY == 0 else None,
                "lon": float(lons[i]),
                "lat": float(lats[i]),
                "owner_department_id": department,
                "status": STATUSES[states[i]],
                # one grid and street for all: the bench reads the district's register
                "grid_id": grid.id,
                "street_id": street,
                "surveyed_on": date(2026, 6, 1),
                "is_demo": True,
                "updated_at": now,
            }
            for i in range(n)
        ]
        with db.session() as s:
            for start in range(0, n, 20_000):
                s.execute(insert(Component), rows[start : start + 20_000])

        def whole() -> str:
            with db.read() as s:
                return layer_json(layer_rows(s, DISTRICT))

        times, payload = [], ""
        for _ in range(3):
            started = time.perf_counter()
            payload = whole()
            times.append(time.perf_counter() - started)
        centre = (float(np.median(lons)), float(np.median(lats)))
        box = Bbox(
            centre[0] - VIEW_DEG[0] / 2,
            centre[1] - VIEW_DEG[1] / 2,
            centre[0] + VIEW_DEG[0] / 2,
            centre[1] + VIEW_DEG[1] / 2,
        )
        bbox_times, inside = [], 0
        for _ in range(5):
            started = time.perf_counter()
            with db.read() as s:
                found = layer_rows(s, DISTRICT, bbox=box)
            layer_json(found)
            bbox_times.append(time.perf_counter() - started)
            inside = len(found)
    finally:
        db.dispose()
    return ComponentBenchData(
        grids=grids,
        payload=payload,
        count=n,
        read_s=statistics.median(times),
        bbox_read_ms=statistics.median(bbox_times) * 1000,
        bbox_rows=inside,
        centre=centre,
    )
