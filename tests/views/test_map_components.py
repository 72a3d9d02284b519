"""The component register on the real map page: objects inserted into a real SQLite file, read
by the Workbench's ComponentMapDesk, sent through the real Bridge to the canvas layer in Qt
WebEngine; the page's own counts read back from JS. No mocks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from console.bridge import Bridge
from console.db import Database
from console.models import Component
from console.services.cases.service import CaseService
from console.services.components.map_desk import ComponentMapDesk
from console.services.workbench import Workbench
from console.views.map_components import ComponentLayers
from console.views.map_page import build_map_page
from console.views.map_view import MapView
from tests.conftest import Clock
from tests.services.components.test_map_layer import seed_components
from tests.services.console_support import INSPECTOR, report_input, street_points
from tests.views.test_map_view import CLOSE_POPUP, open_wide_popup

HOSTILE = "<img src=x onerror=__x=1>&\"'"


@pytest.fixture
def register(demo_db: Database) -> dict[str, Any]:
    """300 objects in a grid of street A (a 20 × 15 lattice, 5 m apart), 100 in street B."""
    (street_a, grid_a, point_a), (street_b, grid_b, point_b) = street_points(demo_db)
    a = seed_components(demo_db, street_a, grid_a, point_a, 300)
    b = seed_components(demo_db, street_b, grid_b, point_b, 100, first=1000)
    return {"street_a": street_a, "a": a, "b": b, "point_a": point_a}


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


def open_map(
    qtbot: Any, tmp_path: Path, workbench: Workbench, bridge: Bridge, desk: Any = None
) -> tuple[MapView, ComponentLayers]:
    page = build_map_page(workbench.map_grids(), tmp_path / "map")
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    if desk is None:  # as Workbench.component_map gives it
        desk = lambda: ComponentMapDesk(workbench.db, workbench.actor, workbench.clock)  # noqa: E731
    layers = ComponentLayers(bridge, desk, view, lambda: True, view)
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(page)
    return view, layers


def open_district_map(
    qtbot: Any, tmp_path: Path, db: Database, bridge: Bridge, run_js: Callable[..., Any]
) -> tuple[MapView, ComponentLayers]:
    """The duty chief's map (the whole district) with the register fixture's 400 objects in."""
    view, layers = open_map(qtbot, tmp_path, Workbench(db, username="duty_chief"), bridge)
    wait_loaded(qtbot, run_js, view, 400)
    return view, layers


def counts(run_js: Callable[..., Any], view: MapView) -> dict[str, Any]:
    text = run_js(view, "window.consoleComponents ? consoleComponents.counts() : 'null'")
    return json.loads(text) if text else {}


def wait_loaded(qtbot: Any, run_js: Callable[..., Any], view: MapView, n: int) -> None:
    qtbot.waitUntil(lambda: (counts(run_js, view) or {}).get("loaded") == n, timeout=15000)


def test_the_layer_draws_from_its_zoom_and_filters_by_class(
    demo_db: Database,
    register: dict[str, Any],
    qtbot: Any,
    tmp_path: Path,
    run_js: Callable[..., Any],
    bridge: Bridge,
) -> None:
    view, _ = open_district_map(qtbot, tmp_path, demo_db, bridge, run_js)
    got = counts(run_js, view)
    # The district fitted: far below zoom 16, nothing drawn and the hint says why.
    assert got["zoom"] < 16 and got["minZoom"] == 16
    assert got["drawn"] == 0 and got["visible"] is False and got["hint"] is True
    assert run_js(view, "document.querySelector('.cm-component-hint').textContent") == (
        "Zoom in to level 16 to see components"
    )
    lon, lat = register["point_a"]
    centre = (lon + 9.5 * 5e-5, lat + 7 * 5e-5)
    assert run_js(view, f"consoleComponents.setView({centre[0]}, {centre[1]}, 17)") == 17
    got = counts(run_js, view)
    assert got["visible"] is True and got["hint"] is False
    assert got["drawn"] == 300 and got["shown"] == 400  # street B's are off screen
    # One canvas, not a layer per object.
    assert run_js(view, "document.querySelectorAll('canvas.cm-components').length") == 1
    assert run_js(view, "document.querySelectorAll('path.leaflet-interactive').length") < 400
    # The class filter: a 小类, a 大类, all again; and the filter box lists the classes.
    assert run_js(view, "consoleComponents.setFilter('', '01001')") == 134
    assert counts(run_js, view)["drawn"] == 100
    assert run_js(view, "consoleComponents.setFilter('01', '')") == 267
    assert counts(run_js, view)["drawn"] == 200
    assert run_js(view, "consoleComponents.setFilter('', '')") == 400
    assert counts(run_js, view)["drawn"] == 300
    majors = json.loads(
        run_js(
            view,
            "JSON.stringify(Array.from(document.querySelectorAll('.cm-filter-major option'))"
            ".map(o => o.textContent))",
        )
    )
    assert majors[1:] == ["市政公用设施", "交通设施"]
    # The box says what the dot colours mean: each status of statuses.csv in its colour.
    key = json.loads(
        run_js(
            view,
            "JSON.stringify(Array.from(document.querySelectorAll('.cm-component-key-entry'))"
            ".map(e => [e.textContent, e.querySelector('.cm-swatch').style.background]))",
        )
    )
    assert [text for text, _ in key] == ["完好", "损坏", "丢失", "占用", "废弃"]
    assert key[0][1] == "rgb(30, 136, 229)"  # intact: #1e88e5 of map_colors.csv
    # In the top-left corner under the zoom buttons, away from the case legend (bottom right)
    # and the layer list (top right), which it covered on a map dock of ordinary height.
    assert run_js(
        view, "!!document.querySelector('.leaflet-top.leaflet-left .cm-component-filter')"
    )
    # Below the zoom again: hidden.
    run_js(view, f"consoleComponents.setView({centre[0]}, {centre[1]}, 15)")
    got = counts(run_js, view)
    assert got["drawn"] == 0 and got["hint"] is True
    # An empty register (none imported yet): no hint, no filter box.
    assert run_js(view, "consoleComponents.load({full: true, rows: []})") == 0
    assert counts(run_js, view)["hint"] is False
    assert run_js(view, "document.querySelector('.cm-component-filter').style.display") == "none"
    # The box coming back under an open popup (a case's, at start-up) steps aside from it,
    # and shows again when the popup closes.
    run_js(view, open_wide_popup(150, 330))
    payload = json.dumps(
        {
            "full": True,
            "categories": ["01001"],
            "statuses": ["intact"],
            "rows": [[1, lon, lat, 0, 0]],
        }
    )
    assert run_js(view, f"consoleComponents.load({payload})") == 1
    shown = "getComputedStyle(document.querySelector('.cm-component-filter')).visibility"
    assert run_js(view, "document.querySelector('.cm-component-filter').style.display") == ""
    assert run_js(view, shown) == "hidden"
    run_js(view, CLOSE_POPUP)
    assert run_js(view, shown) == "visible"


PIXEL_JS = """(function (lon, lat) {
  var m = consoleMapParts.map();
  var p = m.latLngToContainerPoint([lat, lon]);
  var cv = document.querySelector("canvas.cm-components");
  var r = cv.getBoundingClientRect(), mr = m.getContainer().getBoundingClientRect();
  var x = Math.round((p.x + mr.left - r.left) * (cv.width / r.width));
  var y = Math.round((p.y + mr.top - r.top) * (cv.height / r.height));
  return Array.from(cv.getContext("2d").getImageData(x, y, 1, 1).data).join(",");
})"""


def test_lines_and_polygons_are_drawn_as_their_shapes(
    demo_db: Database,
    register: dict[str, Any],
    qtbot: Any,
    tmp_path: Path,
    run_js: Callable[..., Any],
    bridge: Bridge,
) -> None:
    lon, lat = register["point_a"]
    rail, park = register["a"][0], register["a"][1]  # classes 01001 and 01003, intact/damaged
    # South-west of the lattice of dots, so what is painted there is the shapes alone.
    line = [[lon - 3e-4, lat - 2e-4], [lon - 1e-4, lat - 2e-4]]
    ring = [[lon - 3e-4, lat - 4e-4], [lon - 1e-4, lat - 4e-4], [lon - 1e-4, lat - 3e-4],
            [lon - 3e-4, lat - 3e-4], [lon - 3e-4, lat - 4e-4]]  # fmt: skip
    with demo_db.session() as s:
        for target, kind, shape in (
            (rail, "line", {"type": "LineString", "coordinates": line}),
            (park, "polygon", {"type": "Polygon", "coordinates": [ring]}),
        ):
            s.execute(
                update(Component)
                .where(Component.id == target)
                .values(geometry_kind=kind, geometry=json.dumps(shape))
            )
    view, _ = open_district_map(qtbot, tmp_path, demo_db, bridge, run_js)
    run_js(view, f"consoleComponents.setView({lon - 1e-4}, {lat - 1e-4}, 18)")
    got = counts(run_js, view)
    assert got["shapes"] == 2 and got["shaped"] == 2

    def pixel(at: tuple[float, float]) -> list[int]:
        return [int(v) for v in run_js(view, f"{PIXEL_JS}({at[0]}, {at[1]})").split(",")]

    on_line = (lon - 2e-4, lat - 2e-4)
    in_park = (lon - 2e-4, lat - 3.5e-4)
    beside = (lon - 2e-4, lat - 2.7e-4)  # between the two: nothing there
    assert pixel(on_line)[3] > 200  # a line in its status colour, opaque
    assert 20 < pixel(in_park)[3] < 120  # an area tinted
    assert pixel(beside)[3] == 0
    rgb = pixel(on_line)[:3]
    assert rgb == pytest.approx([0x1E, 0x88, 0xE5], abs=2)  # intact: #1e88e5, map_colors.csv
    # A shape follows its class's filter.
    run_js(view, "consoleComponents.setFilter('', '01003')")
    assert pixel(on_line)[3] == 0 and pixel(in_park)[3] > 20
    assert counts(run_js, view)["shaped"] == 1


def test_a_click_opens_the_popup_and_register_text_stays_text(
    demo_db: Database,
    register: dict[str, Any],
    clock: Clock,
    qtbot: Any,
    tmp_path: Path,
    run_js: Callable[..., Any],
    bridge: Bridge,
) -> None:
    target = register["a"][0]  # 01001, the lattice's corner
    with demo_db.session() as s:
        s.execute(
            update(Component)
            .where(Component.id == target)
            .values(name=HOSTILE, address="<script>__y=1</script>莲湖路 1 号")
        )
    case = CaseService(demo_db, clock=clock).report(
        INSPECTOR,
        report_input(
            register["point_a"], kind="component", category_code="01001", component_id=target
        ),
    )
    view, _ = open_district_map(qtbot, tmp_path, demo_db, bridge, run_js)
    lon, lat = register["point_a"]
    run_js(view, f"consoleComponents.setView({lon}, {lat}, 18)")
    with qtbot.waitSignal(view.component_clicked, timeout=5000) as clicked:
        assert run_js(view, f"consoleComponents._clickForTest({target})") == "clicked"
    assert clicked.args == [target]
    qtbot.waitUntil(
        lambda: run_js(view, "!!consoleComponents.popupElement()") is True, timeout=10000
    )
    popup = "consoleComponents.popupElement()"
    assert run_js(view, f"{popup}.querySelector('.cm-component-name').textContent") == HOSTILE
    assert run_js(view, f"{popup}.querySelector('.cm-address').textContent").startswith("<script>")
    assert run_js(view, f"{popup}.querySelectorAll('img, script').length") == 0
    assert run_js(view, "typeof window.__x === 'undefined' && typeof window.__y === 'undefined'")
    text = run_js(view, f"{popup}.textContent")
    assert "61010401001000001" in text and case.number in text and "供水井盖" in text
    # A case number in the popup makes that case current (the map's case_clicked).
    with qtbot.waitSignal(view.case_clicked, timeout=5000) as opened:
        run_js(view, f"{popup}.querySelector('.cm-link').click()")
    assert opened.args == [case.id]


def test_a_refresh_brings_only_what_changed(
    demo_db: Database,
    register: dict[str, Any],
    qtbot: Any,
    tmp_path: Path,
    run_js: Callable[..., Any],
    bridge: Bridge,
) -> None:
    view, layers = open_district_map(qtbot, tmp_path, demo_db, bridge, run_js)
    qtbot.waitUntil(lambda: layers._until is not None, timeout=5000)
    street_a = register["street_a"]
    with demo_db.read() as s:
        grid_a = s.scalar(select(Component.grid_id).where(Component.id == register["a"][0]))
    [new] = seed_components(demo_db, street_a, grid_a, register["point_a"], 1, first=5000)
    with demo_db.session() as s:  # the import's clock: after the last read
        s.execute(
            update(Component)
            .where(Component.id == new)
            .values(updated_at=layers._until + timedelta(seconds=1))
        )
    layers.refresh()
    qtbot.waitUntil(lambda: counts(run_js, view)["loaded"] == 401, timeout=10000)
    assert counts(run_js, view)["shown"] == 401


def test_a_street_seat_sees_its_street_only(
    demo_db: Database,
    register: dict[str, Any],
    qtbot: Any,
    tmp_path: Path,
    run_js: Callable[..., Any],
    bridge: Bridge,
) -> None:
    workbench = Workbench(demo_db, username="duty_chief")
    actor = replace(workbench.actor, role="street_duty_officer", region_id=register["street_a"])
    view, _ = open_map(
        qtbot,
        tmp_path,
        workbench,
        bridge,
        desk=lambda: ComponentMapDesk(demo_db, actor, workbench.clock),
    )
    wait_loaded(qtbot, run_js, view, 300)
    assert counts(run_js, view)["shown"] == 300


def test_the_repeat_list_shows_the_repeats_and_choosing_one_centres_the_map(
    demo_db: Database,
    register: dict[str, Any],
    clock: Clock,
    qtbot: Any,
    tmp_path: Path,
    run_js: Callable[..., Any],
    bridge: Bridge,
) -> None:
    target = register["a"][0]
    service = CaseService(demo_db, clock=clock)
    for _ in range(3):
        clock.advance(minutes=5)
        service.report(
            INSPECTOR,
            report_input(
                register["point_a"], kind="component", category_code="01001", component_id=target
            ),
        )
    view, layers = open_district_map(qtbot, tmp_path, demo_db, bridge, run_js)
    table = layers.panel.table
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=10000)
    assert table.item(0, 0).text() == "61010401001000001"
    assert table.item(0, 1).text() == "供水井盖"
    assert table.item(0, 2).text()  # the owner department
    assert table.item(0, 3).data(0) == 3
    assert table.item(0, 4).text().startswith(clock.now.astimezone().strftime("%Y-"))
    qtbot.waitUntil(lambda: counts(run_js, view)["repeats"] == 1, timeout=10000)
    assert run_js(view, "document.querySelectorAll('path.cm-repeat').length") == 1

    with qtbot.waitSignal(layers.focus_requested, timeout=5000):
        table.selectRow(0)
    qtbot.waitUntil(
        lambda: run_js(view, "!!consoleComponents.popupElement()") is True, timeout=10000
    )
    lon, lat = register["point_a"]
    centre = json.loads(run_js(view, "JSON.stringify(consoleComponents.center())"))
    # centred (the popup's auto-pan may nudge the view by a pixel or so: ~2e-5° at zoom 16)
    assert centre == pytest.approx([lat, lon], abs=5e-5)
    got = counts(run_js, view)
    assert got["zoom"] >= 16 and got["marked"] == target and got["drawn"] > 0
    assert "供水井盖" in run_js(view, "consoleComponents.popupElement().textContent")
