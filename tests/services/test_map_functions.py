"""The map's 职能 filter (#16 §3) on a real demo SQLite file: the markers and the grid counts
of one function's cases, alone or inside a street seat's scope, in the live batch too."""

from __future__ import annotations

import json

import pytest

from console.db import Database
from console.errors import ValidationError
from console.services.map_data import case_markers, open_counts_by_grid
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import street_points
from tests.services.test_queue_functions import NOW, cases  # noqa: F401  (the fixture)


def _marker_ids(db: Database, function: str | None, **kw: object) -> set[int]:
    with db.read() as s:
        return {m.id for m in case_markers(s, NOW, function=function, **kw)}  # type: ignore[arg-type]


def test_the_map_shows_one_function_s_cases(
    demo_db: Database,
    cases: dict[str, int],  # noqa: F811
) -> None:
    c = cases
    assert _marker_ids(demo_db, None) == set(c.values())
    assert _marker_ids(demo_db, "安全稳定") == {c["dispute"], c["hazard"]}
    assert _marker_ids(demo_db, "城市管理") == {c["rubbish"], c["manhole"]}
    assert _marker_ids(demo_db, "经济发展") == {c["business"]}
    assert _marker_ids(demo_db, "公共服务") == {c["hardship"]}
    assert _marker_ids(demo_db, "党的建设") == set()
    # The cases asked for by id (a change batch): another function's do not come back.
    assert _marker_ids(demo_db, "公共服务", ids=list(c.values())) == {c["hardship"]}


def test_the_choropleth_counts_one_function_s_cases(
    demo_db: Database,
    cases: dict[str, int],  # noqa: F811
) -> None:
    (_, grid1, _), (_, grid2, _) = street_points(demo_db)
    with demo_db.read() as s:
        assert open_counts_by_grid(s) == {grid1: 3, grid2: 3}
        assert open_counts_by_grid(s, function="安全稳定") == {grid1: 1, grid2: 1}
        assert open_counts_by_grid(s, function="城市管理") == {grid1: 1, grid2: 1}
        assert open_counts_by_grid(s, function="经济发展") == {grid1: 1}
        assert open_counts_by_grid(s, function="党的建设") == {}


def test_a_street_seat_s_map_by_function(
    demo_db: Database,
    clock: Clock,
    cases: dict[str, int],  # noqa: F811
) -> None:
    """The seat's street (the first of street_points) and the function, both in the query."""
    c = cases
    (_, grid1, _), _ = street_points(demo_db)
    seat = Workbench(demo_db, username="street_duty_officer", clock=clock)
    markers, counts = seat.map_markers("安全稳定")
    assert [row[0] for row in json.loads(markers)] == [c["dispute"]]
    assert counts == {grid1: 1}
    markers, counts = seat.map_markers()
    assert {row[0] for row in json.loads(markers)} == {c["rubbish"], c["dispute"], c["business"]}
    assert counts == {grid1: 3}


def test_a_change_batch_keeps_to_the_map_s_function(
    demo_db: Database,
    clock: Clock,
    cases: dict[str, int],  # noqa: F811
) -> None:
    c = cases
    (_, grid1, _), (_, grid2, _) = street_points(demo_db)
    seat = Workbench(demo_db, username="duty_chief", clock=clock)
    ids = sorted(c.values())
    batch = seat.live_batch(None, ids, set(), "经济发展")
    assert [row[0] for row in json.loads(batch.markers_json)] == [c["business"]]
    # The others leave the map (removing a marker the map does not have is harmless).
    assert set(batch.removed) == set(ids) - {c["business"]}
    assert batch.grid_counts == {grid1: 1}
    whole = seat.live_batch(None, ids, set())
    assert {row[0] for row in json.loads(whole.markers_json)} == set(ids)
    assert whole.removed == [] and whole.grid_counts == {grid1: 3, grid2: 3}


def test_an_unknown_function_is_refused_on_the_map(demo_db: Database) -> None:
    with demo_db.read() as s, pytest.raises(ValidationError, match="未知的职能: 城市建设"):
        case_markers(s, NOW, function="城市建设")
