"""The map benchmark's data, prepared without Qt: the demo grids and N case markers."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from console.db import Database
from console.services import geography
from console.services.demo import random_points_in_grids
from console.services.map_data import CaseMarker, grid_feature_collection

_LIGHTS = ["green"] * 6 + ["yellow"] * 2 + ["red", None]


def map_bench_data(
    workdir: Path, n: int, seed: int = 11
) -> tuple[dict[str, Any], list[CaseMarker]]:
    """The demo district's grids as GeoJSON and ``n`` plausible open-case markers."""
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "map_bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{db_path}")
    try:
        with db.session() as s:
            geography.ensure_demo_district(s)
        with db.read() as s:
            grids = grid_feature_collection(s)
            lons, lats = random_points_in_grids(s, n, seed=seed)
    finally:
        db.dispose()
    rng = random.Random(seed)
    markers = [
        CaseMarker(
            id=i + 1,
            number=f"E0102202611{23 + i // 9999:02d}{i % 9999 + 1:04d}",
            lon=float(lons[i]),
            lat=float(lats[i]),
            light=rng.choice(_LIGHTS),
            state="dispatched",
            category_name="暴露垃圾",
            address=f"莲湖路{rng.randrange(1, 300)}号附近",
            urgent=rng.random() < 0.05,
        )
        for i in range(n)
    ]
    return grids, markers
