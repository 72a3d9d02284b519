"""Point → grid lookup over the district's grid polygons (shapely 2 STRtree, vectorised).

Border rule: a point on a border shared by several grids (an edge, or a vertex where three or
four meet) belongs to the grid with the **smallest key** among those whose closed polygon
covers it. Keys are database ids in practice, so the result is stable for a stored geography.
A point outside every grid gives -1 (``lookup_many``) or None (``lookup``), never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

#: The "no grid" key in ``lookup_many`` results.
OUTSIDE = -1


class GridIndex:
    """Immutable index of grid polygons by integer key (build once, query many times)."""

    def __init__(self, keys: Sequence[int], polygons: Sequence[BaseGeometry]) -> None:
        if len(keys) != len(polygons):
            raise ValueError(f"{len(keys)} keys but {len(polygons)} polygons")
        self._keys = np.asarray(keys, dtype=np.int64)
        if len(np.unique(self._keys)) != len(self._keys):
            raise ValueError("grid keys must be unique")
        self._polygons = np.asarray(polygons, dtype=object)
        self._tree = shapely.STRtree(self._polygons)
        # Prepared geometries make the per-candidate intersects test of the query fast.
        shapely.prepare(self._polygons)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def keys(self) -> npt.NDArray[np.int64]:
        return self._keys.copy()

    def lookup(self, lon: float, lat: float) -> int | None:
        """The key of the grid covering (lon, lat), or None outside every grid."""
        key = int(self.lookup_many(np.array([lon], float), np.array([lat], float))[0])
        return None if key == OUTSIDE else key

    def lookup_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Keys for a batch of WGS-84 points in one bulk tree query; -1 where outside.

        Non-finite coordinates (NaN, inf) are outside.
        """
        x = np.asarray(lons, dtype=float).ravel()
        y = np.asarray(lats, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"{x.size} longitudes but {y.size} latitudes")
        result = np.full(x.size, OUTSIDE, dtype=np.int64)
        finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if finite.size == 0 or len(self._keys) == 0:
            return result
        points = shapely.points(x[finite], y[finite])
        point_idx, tree_idx = self._tree.query(points, predicate="intersects")
        if point_idx.size == 0:
            return result
        # Smallest key per point: sort by (point, key) and keep each point's first hit.
        keys = self._keys[tree_idx]
        order = np.lexsort((keys, point_idx))
        point_idx, keys = point_idx[order], keys[order]
        first = np.ones(point_idx.size, dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        result[finite[point_idx[first]]] = keys[first]
        return result

    def lookup_linear(self, lon: float, lat: float) -> int | None:
        """The same answer as :meth:`lookup` by testing every polygon in Python (baseline)."""
        point = Point(lon, lat)
        best: int | None = None
        for key, polygon in zip(self._keys.tolist(), self._polygons, strict=True):
            if polygon.intersects(point) and (best is None or key < best):
                best = key
        return best
