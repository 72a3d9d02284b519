"""Where a point is: the grid and its unit, area and street, from the grid index in the DB."""

from __future__ import annotations

import threading
from typing import Protocol

import numpy as np
import numpy.typing as npt

from console.db import Database
from console.services.geography import GridLookup, RegionPath, load_grid_index


class Locator(Protocol):
    def locate(self, lon: float, lat: float) -> RegionPath | None: ...

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """An (n, 4) int64 array of grid, unit, area, street ids; -1 rows for outside."""
        ...

    def explain_outside(self, lon: float, lat: float) -> str: ...


class DbLocator:
    """Builds the grid index from the regions table once, on first use (thread-safe)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lookup: GridLookup | None = None
        self._lock = threading.Lock()

    def _get(self) -> GridLookup:
        with self._lock:
            if self._lookup is None:
                with self.db.read() as s:
                    self._lookup = load_grid_index(s)
            return self._lookup

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
        return self._get().locate_many(lons, lats)

    def locate(self, lon: float, lat: float) -> RegionPath | None:
        return self._get().locate(lon, lat)

    def explain_outside(self, lon: float, lat: float) -> str:
        return self._get().explain_outside(lon, lat)
