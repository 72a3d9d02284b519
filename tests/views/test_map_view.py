"""The map: a folium page built once, offline, in the real Qt WebEngine with the real Leaflet,
driven through console_map.js and talking back over QWebChannel. No mocks."""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console.services.map_data import CaseMarker, marker_json
from console.views.map_page import (
    MBTILES_URL,
    build_map_page,
    page_resources,
    parse_basemap,
    wgs84_to_gcj02,
)
from console.views.map_view import MapView
from console.views.tile_scheme import MbtilesReader

BELL_TOWER = (108.9428, 34.2611)
BELL_TOWER_GCJ = (108.947457, 34.259514)
XSS_ADDRESS = "<img src=x onerror=alert(1)>"
XSS_CATEGORY = "<script>alert(1)</script>"
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*https?://|url\(\s*["']?\s*https?://""", re.I)


def marker(
    case_id: int, lon: float, lat: float, light: str | None = "green", **kw: Any
) -> CaseMarker:
    fields: dict[str, Any] = {
        "number": f"E0102202611230{case_id:03d}",
        "state": "dispatched",
        "category_name": "暴露垃圾",
        "address": f"莲湖路{case_id}号",
        "urgent": False,
    }
    fields.update(kw)
    return CaseMarker(id=case_id, lon=lon, lat=lat, light=light, **fields)


def grid_center(grids: dict[str, Any], index: int = 0) -> tuple[int, float, float]:
    feature = grids["features"][index]
    ring = feature["geometry"]["coordinates"][0]
    if isinstance(ring[0][0], list):  # MultiPolygon
        ring = ring[0]
    lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    return feature["properties"]["id"], lon, lat


@pytest.fixture(scope="session")
def page(demo_grids: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_map_page(demo_grids, tmp_path_factory.mktemp("map"))


@pytest.fixture
def view(qtbot: Any) -> Iterator[MapView]:
    v = MapView()
    qtbot.addWidget(v)
    v.resize(900, 700)
    v.show()
    yield v


@pytest.fixture
def loaded(view: MapView, page: Path, qtbot: Any) -> MapView:
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(page)
    return view


def wait_js(qtbot: Any, run_js: Callable[..., Any], view: MapView, script: str, want: Any) -> None:
    qtbot.waitUntil(lambda: run_js(view, script) == want, timeout=10000)


# --- the page --------------------------------------------------------------------------------


def test_page_loads_nothing_from_the_internet(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert not REMOTE.search(html), REMOTE.search(html)
    refs = page_resources(page)
    assert "qrc:///qtwebchannel/qwebchannel.js" in refs
    local = [r for r in refs if not r.startswith("qrc:")]
    names = {Path(r).name for r in local}
    assert {"leaflet.js", "leaflet.markercluster.js", "console_map.js", "console_map.css"} <= names
    assert not any(n in html for n in ("jquery", "bootstrap", "awesome-markers", "fontawesome"))
    for ref in local:
        file = page.parent / ref
        assert file.is_file(), ref
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".css":
            assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//", text, re.I), ref
            for url in re.findall(r"url\(\s*[\"']?([^\"')]+)", text):
                if not url.startswith(("data:", "#")):  # "#default#VML": old-IE behaviour
                    assert (file.parent / url).is_file(), (ref, url)
        else:
            # Leaflet's attribution prefix is an <a href="https://leafletjs.com"> *link* in a
            # JS string, never loaded; anything that would be fetched must be local.
            loaded = re.sub(r"<a\s+href=[\"'\\]+https?://[^\"'\\]+", "", text)
            assert not REMOTE.search(loaded), (ref, REMOTE.search(loaded))
            assert "https://unpkg" not in text and "cdn." not in text


def test_grid_tooltips_are_escaped_for_folium(tmp_path: Path) -> None:
    grids = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[108.9, 34.26], [108.91, 34.26], [108.91, 34.27], [108.9, 34.26]]
                    ],
                },
                "properties": {"id": 1, "code": "X", "name": XSS_ADDRESS, "unit": "", "street": ""},
            }
        ],
    }
    html = build_map_page(grids, tmp_path).read_text(encoding="utf-8")
    assert "<img" not in html
    # folium's tojson turns "&" into \u0026 inside the script: the text stays escaped.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html or "&lt;img" in html


def test_basemap_choices(tmp_path: Path, demo_grids: dict[str, Any]) -> None:
    assert parse_basemap(None).kind == "none"
    xyz = parse_basemap("http://10.1.2.3/tiles/{z}/{x}/{y}.png")
    assert (xyz.kind, xyz.gcj02) == ("xyz", False)
    gcj = parse_basemap("gcj02:http://10.1.2.3/amap/{z}/{x}/{y}.png")
    assert (gcj.kind, gcj.gcj02, gcj.url) == ("xyz", True, "http://10.1.2.3/amap/{z}/{x}/{y}.png")
    mb = parse_basemap("/data/lianhu.mbtiles")
    assert (mb.kind, mb.url, mb.mbtiles) == ("mbtiles", MBTILES_URL, Path("/data/lianhu.mbtiles"))
    with pytest.raises(ValueError):
        parse_basemap("http://example/no-template.png")
    html = build_map_page(demo_grids, tmp_path, basemap=xyz.url).read_text(encoding="utf-8")
    assert "http://10.1.2.3/tiles/{z}/{x}/{y}.png" in html  # the intranet tiles, by choice


def test_gcj02_formula_matches_reference_values() -> None:
    lon, lat = wgs84_to_gcj02(*BELL_TOWER)
    assert lon == pytest.approx(BELL_TOWER_GCJ[0], abs=1e-6)
    assert lat == pytest.approx(BELL_TOWER_GCJ[1], abs=1e-6)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # outside China: unchanged


# --- the live page ---------------------------------------------------------------------------


def test_ready_then_upsert_update_and_remove(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    assert loaded.is_ready
    assert run_js(loaded, "consoleMap.isReady()") is True
    _, lon, lat = grid_center(demo_grids)
    markers = [
        marker(i, lon + i * 1e-4, lat, light)
        for i, light in enumerate(["green", "yellow", "red", None], start=1)
    ]
    counts: list[Any] = []
    loaded.upsert_cases(marker_json(markers), counts.append)
    qtbot.waitUntil(lambda: counts == [4], timeout=5000)
    assert run_js(loaded, "consoleMap.caseCount()") == 4
    assert run_js(loaded, "consoleMap.caseLight(3)") == "red"
    assert run_js(loaded, "consoleMap.caseLight(4)") == "none"

    moved = marker(1, lon + 0.002, lat + 0.001, "red")
    loaded.upsert_cases(marker_json([moved]))
    wait_js(qtbot, run_js, loaded, "consoleMap.caseLight(1)", "red")
    latlng = json.loads(run_js(loaded, "JSON.stringify(consoleMap.caseLatLng(1))"))
    assert latlng == pytest.approx([lat + 0.001, lon + 0.002])
    assert run_js(loaded, "consoleMap.caseCount()") == 4

    loaded.remove_cases([2, 3, 999])
    wait_js(qtbot, run_js, loaded, "consoleMap.caseCount()", 2)
    assert run_js(loaded, "consoleMap.hasCase(2)") is False


def test_calls_before_ready_are_applied_after_ready(
    view: MapView, page: Path, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    grid_id, lon, lat = grid_center(demo_grids, 5)
    view.upsert_cases(marker_json([marker(7, lon, lat, "yellow")]))
    view.set_grid_style({grid_id: 12})
    view.focus_case(7)
    assert not view.is_ready
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(page)
    wait_js(qtbot, run_js, view, "consoleMap.caseCount()", 1)
    assert run_js(view, f"consoleMap.gridFill({grid_id})") == "#e34a33"
    wait_js(qtbot, run_js, view, "consoleMap.focusedCase()", 7)


def test_marker_click_reaches_python(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    _, lon, lat = grid_center(demo_grids, 3)
    loaded.upsert_cases(marker_json([marker(41, lon, lat), marker(42, lon + 0.003, lat)]))
    loaded.focus_case(42)  # zoomed in and unclustered: its icon is in the DOM
    wait_js(qtbot, run_js, loaded, "!!document.querySelector('.cm-case.cm-focus')", True)
    with qtbot.waitSignal(loaded.case_clicked, timeout=5000) as signal:
        how = run_js(loaded, "consoleMap._clickForTest(42)")
    assert how == "dom"  # a real DOM click on the marker, through Leaflet and the cluster group
    assert signal.args == [42]


def test_a_case_asked_for_before_its_marker_arrives_is_focused_on_arrival(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    """Regression (a call filed under Xvfb): the new case was current, its marker came with
    the feed a moment later, and the map never went to it."""
    _, lon, lat = grid_center(demo_grids, 4)
    early: list[Any] = []
    loaded.focus_case(77, early.append)
    qtbot.waitUntil(lambda: early == [False], timeout=5000)
    loaded.upsert_cases(marker_json([marker(76, lon + 0.01, lat)]))  # another case: no focus
    assert run_js(loaded, "consoleMap.focusedCase() === null") is True
    loaded.upsert_cases(marker_json([marker(77, lon, lat)]))
    wait_js(qtbot, run_js, loaded, "consoleMap.focusedCase()", 77)
    # A case asked for later wins: an earlier wish does not come back when its marker does.
    loaded.focus_case(78)
    loaded.focus_case(76)
    wait_js(qtbot, run_js, loaded, "consoleMap.focusedCase()", 76)
    loaded.upsert_cases(marker_json([marker(78, lon, lat + 0.01)]))
    assert run_js(loaded, "consoleMap.focusedCase()") == 76


def test_focus_case_zooms_highlights_and_opens_popup(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    _, lon, lat = grid_center(demo_grids, 10)
    rows = [marker(100 + i, lon + (i % 10) * 2e-4, lat + (i // 10) * 2e-4) for i in range(60)]
    loaded.upsert_cases(marker_json(rows))
    results: list[Any] = []
    loaded.focus_case(123, results.append)
    qtbot.waitUntil(lambda: results == [True], timeout=5000)
    wait_js(
        qtbot,
        run_js,
        loaded,
        "(document.querySelector('.leaflet-popup-content .cm-number')||{}).textContent",
        rows[23].number,
    )
    assert run_js(loaded, "consoleMap.focusedCase()") == 123
    assert run_js(loaded, f"{_map_expr()}.getZoom()") == 16  # the grid level, not street level
    assert run_js(loaded, "document.querySelectorAll('.cm-highlight').length") == 1
    unknown: list[Any] = []
    loaded.focus_case(99999, unknown.append)
    qtbot.waitUntil(lambda: unknown == [False], timeout=5000)


def _map_expr() -> str:
    return "window.consoleMapParts.map()"


#: Closes the map's open popup.
CLOSE_POPUP = f"{_map_expr()}.closePopup() && true"


def open_wide_popup(x: int, y: int) -> str:
    """JS opening a 300 × 260 px popup anchored at container point (x, y), where it is."""
    m = _map_expr()
    wide = "'<div style=\\'width:300px;height:260px\\'>x</div>'"
    at = f"{m}.containerPointToLatLng([{x}, {y}])"
    return f"{m}.openPopup({wide}, {at}, {{autoPan: false}}) && true"


def test_case_text_is_shown_as_text_never_markup(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    _, lon, lat = grid_center(demo_grids, 20)
    evil = marker(
        66, lon, lat, "red", address=XSS_ADDRESS, category_name=XSS_CATEGORY, number="E\"&'<b>"
    )
    run_js(loaded, "window.__pwned = 0; window.alert = function () { window.__pwned++; }; 1")
    loaded.upsert_cases(marker_json([evil]))
    loaded.focus_case(66)
    popup = "document.querySelector('.leaflet-popup-content')"
    wait_js(qtbot, run_js, loaded, f"!!{popup}", True)
    assert run_js(loaded, f"{popup}.querySelector('.cm-address').textContent") == XSS_ADDRESS
    assert run_js(loaded, f"{popup}.querySelector('.cm-category').textContent") == XSS_CATEGORY
    assert run_js(loaded, f"{popup}.querySelector('.cm-number').textContent") == "E\"&'<b>"
    inner = run_js(loaded, f"{popup}.innerHTML")
    assert "<img" not in inner and "<script" not in inner and "<b>" not in inner
    assert run_js(loaded, f"{popup}.querySelectorAll('img, script, b').length") == 0
    # The hover tooltip goes through the same DOM builder.
    run_js(
        loaded,
        "(function(){var m=document.querySelector('.cm-case.cm-focus');"
        "m.dispatchEvent(new MouseEvent('mouseover',{bubbles:true}));return 1})()",
    )
    tip = "document.querySelector('.cm-tooltip')"
    wait_js(qtbot, run_js, loaded, f"!!{tip}", True)
    assert run_js(loaded, f"{tip}.querySelector('.cm-address').textContent") == XSS_ADDRESS
    assert run_js(loaded, f"{tip}.querySelectorAll('img, script').length") == 0
    assert run_js(loaded, "document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert run_js(loaded, "window.__pwned") == 0


def test_set_grid_style_colours_grids_by_open_cases(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    a, b, c = (f["properties"]["id"] for f in demo_grids["features"][:3])
    assert run_js(loaded, f"consoleMap.gridFill({a})") == "#dfe8f2"
    done: list[Any] = []
    loaded.set_grid_style({a: 25, b: 4}, done.append)
    qtbot.waitUntil(lambda: done == [2], timeout=5000)
    assert run_js(loaded, f"consoleMap.gridFill({a})") == "#b30000"
    assert run_js(loaded, f"consoleMap.gridFill({b})") == "#fdd49e"
    assert run_js(loaded, f"consoleMap.gridFill({c})") == "#dfe8f2"
    loaded.set_grid_style({})
    wait_js(qtbot, run_js, loaded, f"consoleMap.gridFill({a})", "#dfe8f2")


def test_layer_control_lists_cases_and_density(loaded: MapView, run_js: Callable[..., Any]) -> None:
    labels = run_js(
        loaded,
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(e => e.textContent.trim()).join('|')",
    )
    assert labels.split("|") == ["网格", "案件", "案件密度"]


def test_a_short_map_folds_its_layer_list_and_a_popup_moves_the_legends_aside(
    loaded: MapView, run_js: Callable[..., Any], qtbot: Any
) -> None:
    expanded = "document.querySelector('.leaflet-control-layers')" + (
        ".classList.contains('leaflet-control-layers-expanded')"
    )
    assert run_js(loaded, expanded) is True  # 700 px: room for the list and the legends
    width, height = 900, 450
    loaded.resize(width, height)  # a map dock of ordinary height: it met the legend and popups
    wait_js(qtbot, run_js, loaded, expanded, False)
    # An overlay added later (the patrol and component layers are) leaves it folded.
    run_js(loaded, "consoleMapParts.control().addOverlay(L.layerGroup(), 'test') && true")
    assert run_js(loaded, expanded) is False
    hover = "document.querySelector('.leaflet-control-layers').dispatchEvent(new MouseEvent('{}'))"
    run_js(loaded, hover.format("mouseover"))
    assert run_js(loaded, expanded) is True
    run_js(loaded, hover.format("mouseout"))
    assert run_js(loaded, expanded) is False
    run_js(loaded, "document.querySelector('.leaflet-control-layers-toggle').click()")
    assert run_js(loaded, expanded) is True
    # A popup over the legend (bottom right) moves it aside until it closes; one elsewhere
    # (a selected case's, in the top left) leaves it alone.
    legend = "getComputedStyle(document.querySelector('.cm-legend')).visibility"
    assert run_js(loaded, legend) == "visible"
    m = _map_expr()
    run_js(loaded, open_wide_popup(width - 200, height - 20))  # over the bottom right
    assert run_js(loaded, legend) == "hidden"
    run_js(loaded, CLOSE_POPUP)
    assert run_js(loaded, legend) == "visible"
    run_js(loaded, f"{m}.openPopup('x', {m}.containerPointToLatLng([120, 160])) && true")
    assert run_js(loaded, legend) == "visible"
    run_js(loaded, CLOSE_POPUP)
    loaded.resize(900, 800)
    wait_js(qtbot, run_js, loaded, expanded, True)
    run_js(loaded, hover.format("mouseout"))  # a tall map keeps it open
    assert run_js(loaded, expanded) is True


def test_an_overdue_marker_pulses_in_steps(
    loaded: MapView, run_js: Callable[..., Any], qtbot: Any
) -> None:
    # Eased, the ring repainted the map every frame: a whole core of a workstation without a
    # GPU while the console sat idle (measured under Xvfb); stepped, a few repaints a second.
    run_js(
        loaded,
        "var d = document.createElement('div'); d.id = 'probe'; d.className = 'cm-case cm-red';"
        "document.querySelector('.leaflet-marker-pane').appendChild(d); true",
    )
    style = "getComputedStyle(document.getElementById('probe'))"
    assert run_js(loaded, f"{style}.animationName") == "cm-pulse"
    assert run_js(loaded, f"{style}.animationTimingFunction").startswith("steps(")
    seen: set[str] = set()

    def rings() -> bool:
        seen.add(run_js(loaded, f"{style}.boxShadow"))
        return len(seen) >= 3

    qtbot.waitUntil(rings, timeout=5000)  # it does pulse: the ring's three steps


def test_gcj02_basemap_shifts_markers_at_display_time(
    view: MapView,
    demo_grids: dict[str, Any],
    tmp_path: Path,
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    path = build_map_page(demo_grids, tmp_path, basemap="gcj02:http://127.0.0.1:9/{z}/{x}/{y}.png")
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(path)
    js = json.loads(run_js(view, "JSON.stringify(consoleMap.gcj02(108.9428, 34.2611))"))
    assert js == pytest.approx(list(wgs84_to_gcj02(*BELL_TOWER)), abs=1e-9)
    view.upsert_cases(marker_json([marker(5, *BELL_TOWER)]))
    wait_js(qtbot, run_js, view, "consoleMap.hasCase(5)", True)
    lat, lon = json.loads(run_js(view, "JSON.stringify(consoleMap.caseLatLng(5))"))
    assert (lon, lat) == pytest.approx(BELL_TOWER_GCJ, abs=1e-6)


# --- MBTiles basemap -------------------------------------------------------------------------


def _png(rgb: tuple[int, int, int]) -> bytes:
    """A 256×256 one-colour PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + bytes(rgb) * 256 for _ in range(256))
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


@pytest.fixture
def mbtiles(tmp_path: Path) -> Path:
    """A tiny MBTiles file covering 莲湖区 at z10–16, TMS rows as the spec says."""
    path = tmp_path / "tiny.mbtiles"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute(
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)"
    )
    con.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        [("name", "tiny"), ("format", "png"), ("bounds", "108.83,34.23,108.96,34.30")],
    )
    tile = _png((200, 220, 240))
    rows = []
    for z in range(10, 17):
        x0, y0 = _tile_xy(108.83, 34.30, z)
        x1, y1 = _tile_xy(108.96, 34.23, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                rows.append((z, x, (1 << z) - 1 - y, tile))
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return path


def test_mbtiles_reader_flips_rows(mbtiles: Path) -> None:
    reader = MbtilesReader(mbtiles)
    x, y = _tile_xy(*BELL_TOWER, 14)
    data = reader.tile(14, x, y)
    assert data is not None and data.startswith(b"\x89PNG")
    assert reader.tile(14, x, (1 << 14) - 1 - y) is None  # the unflipped row is elsewhere
    assert reader.tile(3, 99, 0) is None
    assert reader.mime == b"image/png"
    reader.close()


def test_mbtiles_basemap_is_served_by_the_url_scheme(
    view: MapView,
    mbtiles: Path,
    demo_grids: dict[str, Any],
    tmp_path: Path,
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    path = build_map_page(demo_grids, tmp_path / "page", basemap=str(mbtiles))
    assert MBTILES_URL in path.read_text(encoding="utf-8")
    view.use_mbtiles(mbtiles)
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(path)
    qtbot.waitUntil(
        lambda: run_js(view, "document.querySelectorAll('img.leaflet-tile-loaded').length") > 0,
        timeout=10000,
    )
    src = run_js(view, "document.querySelector('img.leaflet-tile-loaded').src")
    assert src.startswith("mbtiles://tiles/")


def test_the_dark_map_for_the_night_shift(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    a, b = (f["properties"]["id"] for f in demo_grids["features"][:2])
    loaded.set_grid_style({b: 4})
    done: list[Any] = []
    loaded.set_dark(True, done.append)
    qtbot.waitUntil(lambda: done == [True], timeout=5000)
    assert run_js(loaded, "!!document.querySelector('.leaflet-container.cm-dark')") is True
    assert run_js(loaded, f"consoleMap.gridFill({a})") == "#1f2933"  # a dark empty grid
    assert run_js(loaded, f"consoleMap.gridFill({b})") == "#fdd49e"  # the choropleth stays
    background = run_js(
        loaded, "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
    )
    assert background == "rgb(20, 24, 29)"
    # The controls too (seen at night under Xvfb: a white layer box on the dark map).
    for selector in (".leaflet-control-layers", ".leaflet-bar a"):
        color = run_js(
            loaded,
            f"getComputedStyle(document.querySelector('{selector}')).backgroundColor",
        )
        assert color == "rgb(34, 39, 46)", selector
    # And the scrollbars in it (an object's popup lists its cases: a white bar, seen at night).
    scrollbars = "getComputedStyle(document.querySelector('.leaflet-container')).scrollbarColor"
    assert run_js(loaded, scrollbars) == "rgb(87, 96, 106) rgb(34, 39, 46)"
    loaded.set_dark(False)
    wait_js(qtbot, run_js, loaded, f"consoleMap.gridFill({a})", "#dfe8f2")


def test_popups_speak_the_interface_language(
    view: MapView,
    qtbot: Any,
    tmp_path: Path,
    demo_grids: dict[str, Any],
    run_js: Callable[..., Any],
) -> None:
    page = build_map_page(
        demo_grids,
        tmp_path / "en",
        labels={"urgent": "Urgent", "states": {"dispatched": "In progress"}},
    )
    with qtbot.waitSignal(view.ready, timeout=30_000):
        view.load_page(page)
    _gid, lon, lat = grid_center(demo_grids)
    view.upsert_cases(marker_json([marker(7, lon, lat, urgent=True)]))
    focused: list[Any] = []
    view.focus_case(7, focused.append)
    qtbot.waitUntil(lambda: focused == [True], timeout=5000)
    wait_js(
        qtbot,
        run_js,
        view,
        "(document.querySelector('.leaflet-popup-content .cm-state')||{}).textContent",
        "In progress · Urgent",
    )


def test_a_point_picked_on_a_gcj02_map_comes_back_in_wgs84(
    view: MapView,
    demo_grids: dict[str, Any],
    tmp_path: Path,
    run_js: Callable[..., Any],
    qtbot: Any,
) -> None:
    """The report form's pick: drawn shifted on GCJ-02 tiles, clicked back as WGS-84."""
    path = build_map_page(demo_grids, tmp_path, basemap="gcj02:http://127.0.0.1:9/{z}/{x}/{y}.png")
    with qtbot.waitSignal(view.ready, timeout=15000):
        view.load_page(path)
    view.set_pick_mode(True)
    with qtbot.waitSignal(view.point_picked, timeout=5000) as picked:
        assert run_js(view, f"consoleMap._clickMapForTest({BELL_TOWER[0]}, {BELL_TOWER[1]})")
    lon, lat = picked.args
    # The click lands on a pixel (metres at this zoom); the GCJ-02 offset (~500 m) is undone.
    assert (lon, lat) == pytest.approx(BELL_TOWER, abs=5e-4)
    assert abs(lon - BELL_TOWER_GCJ[0]) > 3e-3 or abs(lat - BELL_TOWER_GCJ[1]) > 1e-3
    # The mark sits where the click was: shown shifted, read back unshifted.
    marked = json.loads(run_js(view, "JSON.stringify(consoleMap.pickedPoint())"))
    assert marked == pytest.approx([lon, lat], abs=1e-7)
    view.set_pick_mode(False)
    assert run_js(view, "JSON.stringify(consoleMap.pickedPoint())") == "null"


def test_while_picking_a_click_on_a_cluster_picks_the_point_under_it(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any], qtbot: Any
) -> None:
    """Regression (the intake form under Xvfb): a click on a cluster zoomed the map in
    instead of picking the report's point. A real mouse click, through Qt to the page."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    _, lon, lat = grid_center(demo_grids, 5)
    loaded.upsert_cases(marker_json([marker(60 + i, lon + i * 1e-5, lat) for i in range(8)]))
    wait_js(qtbot, run_js, loaded, "!!document.querySelector('.marker-cluster')", True)
    zoom = run_js(loaded, f"{_map_expr()}.getZoom()")
    loaded.set_pick_mode(True)
    wait_js(qtbot, run_js, loaded, "!!document.querySelector('.cm-picking')", True)
    x, y = json.loads(
        run_js(
            loaded,
            "(function(){var r=document.querySelector('.marker-cluster').getBoundingClientRect();"
            "return JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]);})()",
        )
    )
    clicked: list[int] = []
    loaded.case_clicked.connect(clicked.append)
    target = loaded.focusProxy() or loaded
    with qtbot.waitSignal(loaded.point_picked, timeout=5000) as picked:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert picked.args[0] == pytest.approx(lon, abs=2e-3)
    assert picked.args[1] == pytest.approx(lat, abs=2e-3)
    assert run_js(loaded, f"{_map_expr()}.getZoom()") == zoom and clicked == []
    loaded.set_pick_mode(False)


def test_a_legend_says_what_the_colours_mean(loaded: MapView, run_js: Callable[..., Any]) -> None:
    text = run_js(loaded, "consoleMap.legendText()")
    for part in ("绿灯", "黄灯", "红灯", "未计时", "1–2", "21+"):
        assert part in text, (part, text)


def test_focus_grid_fits_the_map_to_that_grid(
    loaded: MapView, demo_grids: dict[str, Any], run_js: Callable[..., Any]
) -> None:
    """The grid staff dock's grid choice: the map fits that grid, all of it in view."""
    grid_id, _, _ = grid_center(demo_grids, 5)

    def on_screen() -> list[float]:
        return json.loads(run_js(loaded, f"JSON.stringify(consoleMap.gridOnScreen({grid_id}))"))

    x0, y0, x1, y1, w, h = on_screen()
    assert x1 - x0 < w / 4 and y1 - y0 < h / 4  # the district's view: one grid is small
    assert run_js(loaded, f"consoleMap.focusGrid({grid_id})") is True
    x0, y0, x1, y1, w, h = on_screen()
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h  # all of it on screen
    assert x1 - x0 > w / 3 or y1 - y0 > h / 3  # and filling the view
    assert run_js(loaded, "consoleMap.focusGrid(-1)") is False  # not drawn: nothing moves
