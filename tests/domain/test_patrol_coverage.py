"""The equirectangular projection of the patrol coverage (console/domain/patrol_coverage.py)."""

from __future__ import annotations

import numpy as np
import pytest

from console.domain.patrol_coverage import LocalProjection, segment_lengths


def test_lonlat_inverts_xy() -> None:
    proj = LocalProjection(108.93, 34.27)
    lons, lats = np.array([108.90, 108.93, 108.97]), np.array([34.25, 34.27, 34.30])
    back_lon, back_lat = proj.lonlat(*proj.xy(lons, lats))
    assert back_lon == pytest.approx(lons, abs=1e-12)
    assert back_lat == pytest.approx(lats, abs=1e-12)


def test_a_hundred_metres_east_then_north_measure_as_such() -> None:
    proj = LocalProjection(108.93, 34.27)
    lons, lats = proj.lonlat([0.0, 100.0, 100.0], [0.0, 0.0, 100.0])
    assert segment_lengths(proj, lons, lats) == pytest.approx([100.0, 100.0])
