"""The field's overlays (巡查人员 / 今日轨迹 / 巡查覆盖) in the real map page: patrols made through
PatrolService on a real SQLite file, read by the Workbench, sent through the real Bridge to the
real Leaflet page in Qt WebEngine; the page's own layers counted from JS. No mocks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from console.bridge import Bridge
from console.config import resource
from console.db import Database
from console.models import User
from console.services.patrols import PatrolService, TrackPoint
from console.services.workbench import Workbench
from console.views.map_page import build_map_page
from console.views.map_patrols import PatrolLayers, patrol_labels
from console.views.map_view import MapView
from tests.conftest import Clock
from tests.services.console_support import GRID, INSPECTOR
from tests.services.test_patrols import two_neighbours, walk

XSS_NAME = "<img src=x onerror=window.__xss=1>"
INSPECTOR_ID, GRID_ID = int(INSPECTOR.id or 0), int(GRID.id or 0)


@pytest.fixture
def field(demo_db: Database, clock: Clock) -> dict[str, Any]:
    """Today: the inspector (named like markup) still out, crossing two grids; the grid
    manager's patrol ended. Yesterday's patrol is not on the map."""
    with demo_db.session() as s:
        s.execute(update(User).where(User.id == INSPECTOR_ID).values(display_name=XSS_NAME))
    service = PatrolService(demo_db, clock)
    (ka, a), (kb, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    inspector = service.start(INSPECTOR_ID)
    service.add_points(INSPECTOR_ID, inspector.id, walk((pa.x, pa.y), (pb.x, pb.y), 30, clock.now))
    clock.advance(minutes=2)
    manager = service.start(GRID_ID)
    points = walk((pa.x, pa.y), (pa.x, pa.y + 0.0008), 12, clock.now)
    service.add_points(
        GRID_ID,
        manager.id,
        [*points[:-1], TrackPoint(pa.x, pa.y + 0.0008, points[-1].device_time, 12.0)],
    )
    clock.advance(minutes=1)
    service.end(GRID_ID, manager.id)
    return {"grids": (ka, kb), "inspector": inspector.id, "manager": manager.id}


@pytest.fixture
def loaded(
    demo_db: Database, clock: Clock, qtbot: Any, tmp_path: Path
) -> Iterator[tuple[MapView, Workbench]]:
    workbench = Workbench(demo_db, username="duty_chief", clock=clock)
    page = build_map_page(workbench.map_grids(), tmp_path / "map")
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(page)
    yield view, workbench


def counts(run_js: Callable[..., Any], view: MapView) -> dict[str, Any]:
    return json.loads(run_js(view, "JSON.stringify(consoleMap.patrolCounts())"))


def test_the_layers_come_through_the_bridge_and_appear_in_the_page(
    field: dict[str, Any],
    loaded: tuple[MapView, Workbench],
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    view, workbench = loaded
    bridge = Bridge()
    try:
        layers = PatrolLayers(
            bridge, lambda: workbench.patrol_layers().to_json(), view, lambda: True, view
        )
        layers.refresh()  # the page was ready before the controller: as a timer tick would
        qtbot.waitUntil(
            lambda: (run_js(view, "JSON.stringify(consoleMap.patrolCounts())") or "null") != "null",
            timeout=10000,
        )
        got = counts(run_js, view)
    finally:
        bridge.shutdown()
    # Two people drawn as markers, two tracks as SVG paths (a straight walk: two vertices
    # each), the two crossed grids visited; the coverage overlay is off until chosen.
    assert got["people"] == got["peopleDrawn"] == 2
    assert got["tracks"] == got["tracksDrawn"] == 2
    assert got["vertices"] == 4 and got["visited"] >= 2
    assert got["coverageDrawn"] == 0
    assert got["overlays"][-3:] == ["Patrol staff", "Today's tracks", "Patrol coverage"]
    # Each diamond is drawn where its person is (the icon is placed by Leaflet's transform;
    # only its ::before turns).
    for user in (INSPECTOR_ID, GRID_ID):
        assert run_js(view, f"consoleMap.personDrawnOffset({user})") < 1.0
    # Ended and still-open patrols look different.
    assert (
        run_js(view, "document.querySelectorAll('.leaflet-marker-icon.cm-person.cm-ended').length")
        == 1
    )
    assert (
        run_js(
            view,
            "document.querySelectorAll('.leaflet-marker-icon.cm-role-inspector:not(.cm-ended)').length",
        )
        == 1
    )


def test_names_are_text_never_markup(
    field: dict[str, Any],
    loaded: tuple[MapView, Workbench],
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    view, workbench = loaded
    done: list[Any] = []
    view.set_patrols(workbench.patrol_layers().to_json(), patrol_labels(), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert done[0]["people"] == 2 and done[0]["tracks"] == 2 and done[0]["vertices"] == 4
    for opener in (
        f"consoleMap._personTooltipForTest({INSPECTOR_ID})",
        f"consoleMap._personPopupForTest({INSPECTOR_ID})",
        f"consoleMap._trackTooltipForTest({field['inspector']})",
    ):
        el = f"({opener})"
        assert run_js(view, f"{el}.querySelector('.cm-person-name').textContent") == XSS_NAME
        assert run_js(view, f"{el}.querySelectorAll('img, script').length") == 0
    assert (
        run_js(view, "document.querySelectorAll('.leaflet-pane img:not(.leaflet-tile)').length")
        == 0
    )
    assert run_js(view, "typeof window.__xss") == "undefined"
    # The popup says who, what, when and how precisely, in the interface language.
    popup = f"(consoleMap._personPopupForTest({GRID_ID}))"
    text = run_js(view, f"{popup}.textContent")
    assert "Grid manager" in text and "Patrol ended" in text and "Accuracy ±12 m" in text


def test_coverage_overlay_light_and_dark(
    field: dict[str, Any],
    loaded: tuple[MapView, Workbench],
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    view, workbench = loaded
    layers = workbench.patrol_layers()
    done: list[Any] = []
    view.set_patrols(layers.to_json(), patrol_labels(), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    # Chosen in the layer control, as a person would: every grid drawn, the legend says how.
    run_js(
        view,
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".find(l => l.textContent.trim() === 'Patrol coverage').querySelector('input').click()",
    )
    grids = len(layers.coverage)
    qtbot.waitUntil(lambda: counts(run_js, view)["coverageDrawn"] == grids, timeout=5000)
    legend = run_js(view, "document.querySelector('.cm-patrol-legend').textContent")
    assert "Patrolled today (metres per grid)" in legend and "Not patrolled" in legend
    ka, _ = field["grids"]
    metres = next(g.length_m for g in layers.coverage if g.grid_id == ka)
    unvisited = next(g.grid_id for g in layers.coverage if not g.visited)
    fill = json.loads(run_js(view, f"JSON.stringify(consoleMap.coverageFill({ka}))"))
    assert metres > 0 and fill[0] != "#e8590c"
    assert json.loads(run_js(view, f"JSON.stringify(consoleMap.coverageFill({unvisited}))")) == [
        "#e8590c",
        0.2,
    ]
    # Dark: the coverage deepens, and the tracks keep their colours (not the grid lines').
    view.set_dark(True)
    qtbot.waitUntil(
        lambda: (
            json.loads(run_js(view, f"JSON.stringify(consoleMap.coverageFill({unvisited}))"))
            == ["#e8590c", 0.28]
        ),
        timeout=5000,
    )
    strokes = run_js(
        view,
        "Array.from(document.querySelectorAll('path.cm-track'))"
        ".map(p => getComputedStyle(p).stroke).join('|')",
    )
    assert strokes and "rgb(91, 114, 144)" not in strokes  # #5b7290: the dark grid lines


def test_chinese_labels(
    field: dict[str, Any],
    loaded: tuple[MapView, Workbench],
    run_js: Callable[..., Any],
    qtbot: Any,
    qapp: Any,
) -> None:
    from PySide6.QtCore import QTranslator

    view, workbench = loaded
    translator = QTranslator()
    assert translator.load(str(resource("i18n", "console_zh_CN.qm")))
    qapp.installTranslator(translator)
    try:
        labels = patrol_labels()
    finally:
        qapp.removeTranslator(translator)
    assert (labels["people"], labels["tracks"], labels["coverage"]) == (
        "巡查人员",
        "今日轨迹",
        "巡查覆盖",
    )
    done: list[Any] = []
    view.set_patrols(workbench.patrol_layers().to_json(), labels, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert counts(run_js, view)["overlays"][-3:] == ["巡查人员", "今日轨迹", "巡查覆盖"]
    popup = f"(consoleMap._personPopupForTest({GRID_ID}))"
    text = run_js(view, f"{popup}.textContent")
    assert "网格员" in text and "巡查已结束" in text and "精度 ±12 米" in text


def test_an_update_moves_people_and_drops_what_is_gone(
    field: dict[str, Any],
    loaded: tuple[MapView, Workbench],
    demo_db: Database,
    clock: Clock,
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    view, workbench = loaded
    view.set_patrols(workbench.patrol_layers().to_json(), patrol_labels())
    qtbot.waitUntil(lambda: counts(run_js, view)["people"] == 2, timeout=5000)
    # Tomorrow nobody has patrolled yet: the page empties (the open patrol's marker too).
    clock.advance(days=1)
    view.set_patrols(workbench.patrol_layers().to_json(), patrol_labels())
    qtbot.waitUntil(lambda: counts(run_js, view)["people"] == 0, timeout=5000)
    got = counts(run_js, view)
    assert (got["tracks"], got["peopleDrawn"], got["tracksDrawn"]) == (0, 0, 0)
    # The inspector walks on: one marker again, where the last point is.
    service = PatrolService(demo_db, clock)
    (_, a), _ = two_neighbours(demo_db)
    c = a.representative_point()
    service.add_points(
        INSPECTOR_ID, field["inspector"], walk((c.x, c.y), (c.x + 0.0004, c.y), 5, clock.now)
    )
    view.set_patrols(workbench.patrol_layers().to_json(), patrol_labels())
    qtbot.waitUntil(lambda: counts(run_js, view)["people"] == 1, timeout=5000)
    assert clock.now - timedelta(days=1) < clock.now


def test_a_timer_tick_brings_the_gateways_new_points(
    field: dict[str, Any],
    loaded: tuple[MapView, Workbench],
    demo_db: Database,
    clock: Clock,
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    """Points written by another process never pass the change feed: the tick reads them."""
    view, workbench = loaded
    bridge = Bridge()
    try:
        layers = PatrolLayers(
            bridge, lambda: workbench.patrol_layers().to_json(), view, lambda: True, view
        )
        layers.timer.setInterval(100)
        qtbot.waitUntil(lambda: (counts(run_js, view) or {}).get("people") == 2, timeout=10000)
        before = counts(run_js, view)["vertices"]
        # The inspector turns a corner (another PatrolService: as the gateway's process would).
        service = PatrolService(demo_db, clock)
        last = workbench.patrol_layers().tracks[0].coords[-1]
        clock.advance(minutes=1)
        service.add_points(
            INSPECTOR_ID,
            field["inspector"],
            walk(last, (last[0], last[1] + 0.0006), 8, clock.now + timedelta(minutes=5)),
        )
        # A straight walk and a turn: one vertex more, drawn without a reload or a feed event.
        qtbot.waitUntil(lambda: counts(run_js, view)["vertices"] == before + 1, timeout=10000)
        layers.timer.stop()
    finally:
        bridge.shutdown()


def test_a_role_without_the_dashboard_sees_nobody(
    field: dict[str, Any],
    loaded: tuple[MapView, Workbench],
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    """Shown, then the seat switches to a handler: the next read is refused and the people go."""
    from console.errors import PermissionDeniedError

    view, workbench = loaded
    allowed = [True]

    def read() -> str:
        if not allowed[0]:
            raise PermissionDeniedError("no")
        return workbench.patrol_layers().to_json()

    bridge = Bridge()
    try:
        layers = PatrolLayers(bridge, read, view, lambda: True, view)
        layers.refresh()
        qtbot.waitUntil(lambda: (counts(run_js, view) or {}).get("people") == 2, timeout=10000)
        allowed[0] = False
        layers.refresh()
        qtbot.waitUntil(lambda: counts(run_js, view)["people"] == 0, timeout=10000)
        assert counts(run_js, view)["tracks"] == 0
    finally:
        bridge.shutdown()


def test_the_duty_chiefs_window_shows_the_field_and_a_handlers_does_not_read_it(
    field: dict[str, Any],
    demo_db: Database,
    clock: Clock,
    tmp_path: Path,
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    from PySide6.QtCore import QSettings

    from console.services.queue import QueueFilter, queue_tabs
    from console.views.main_window import MainWindow
    from tests.views.test_main_window import main_window

    windows = main_window(qtbot, demo_db, tmp_path, clock)
    win = next(windows)
    try:
        assert win.patrols is not None
        qtbot.waitUntil(
            lambda: (counts(run_js, win.map) or {}).get("people") == 2,
            timeout=15000,
        )
    finally:
        next(windows, None)  # the rest of the generator: the window's bridge shut down
    with demo_db.read() as s:
        username = s.scalar(
            select(User.username).where(User.role == "department").order_by(User.id).limit(1)
        )
    handler = Workbench(demo_db, username=str(username), clock=clock)
    bridge = Bridge()
    try:
        other = MainWindow(
            bridge,
            handler,
            tabs=queue_tabs(),
            filter_type=QueueFilter,
            map_page=None,
            settings=QSettings(str(tmp_path / "dept.ini"), QSettings.Format.IniFormat),
        )
        qtbot.addWidget(other)
        assert other.patrols is None
    finally:
        bridge.shutdown()


def test_on_gcj02_tiles_people_and_tracks_are_shifted_at_display_time(
    field: dict[str, Any],
    demo_db: Database,
    clock: Clock,
    tmp_path: Path,
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    from console.views.map_page import wgs84_to_gcj02

    workbench = Workbench(demo_db, username="duty_chief", clock=clock)
    page = build_map_page(
        workbench.map_grids(), tmp_path / "gcj", basemap="gcj02:http://127.0.0.1:9/{z}/{x}/{y}.png"
    )
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(page)
    layers = workbench.patrol_layers()
    done: list[Any] = []
    view.set_patrols(layers.to_json(), patrol_labels(), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    person = next(p for p in layers.people if p.user_id == INSPECTOR_ID)
    lat, lon = json.loads(run_js(view, f"JSON.stringify(consoleMap.personLatLng({INSPECTOR_ID}))"))
    assert (lon, lat) == pytest.approx(wgs84_to_gcj02(person.lon, person.lat), abs=2e-6)
    track = next(t for t in layers.tracks if t.patrol_id == field["inspector"])
    lat, lon = json.loads(
        run_js(view, f"JSON.stringify(consoleMap.trackStart({field['inspector']}))")
    )
    assert (lon, lat) == pytest.approx(wgs84_to_gcj02(*track.coords[0]), abs=2e-6)


def test_a_sanitation_worker_on_patrol_is_drawn_as_grid_staff(
    demo_db: Database,
    clock: Clock,
    loaded: tuple[MapView, Workbench],
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    """一格七员 all patrol (#16 §4): the grid staff's colour, the role named as roles.csv does."""
    view, workbench = loaded
    with demo_db.read() as s:
        worker = s.scalar(select(User.id).where(User.username == "sanitation_worker"))
    assert worker is not None
    (_, area), _ = two_neighbours(demo_db)
    at = area.representative_point()
    service = PatrolService(demo_db, clock)
    patrol = service.start(worker)
    service.add_points(worker, patrol.id, walk((at.x, at.y), (at.x, at.y + 0.0005), 6, clock.now))
    done: list[Any] = []
    view.set_patrols(workbench.patrol_layers().to_json(), patrol_labels(), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    role = f"consoleMap._personPopupForTest({worker}).querySelector('.cm-person-role').textContent"
    assert run_js(view, role) == "环卫保洁员"
    drawn = "document.querySelectorAll('.leaflet-marker-icon.cm-person.cm-role-grid_manager')"
    assert run_js(view, f"{drawn}.length") == 1
    assert run_js(view, "document.querySelectorAll('.cm-role-inspector').length") == 0
