"""The map's scenarios: first render of the open backlog, and an update of 200 changed cases,
each beside the naive baseline measured in the same run: folium re-rendering the whole page
(markers in a folium MarkerCluster), saving it and reloading it in the same Qt WebEngine view.

Needs a QApplication (one is created if none exists). Headless: when neither QT_QPA_PLATFORM
nor QTWEBENGINE_CHROMIUM_FLAGS is set and there is no DISPLAY / WAYLAND_DISPLAY, the entry point
sets ``QT_QPA_PLATFORM=offscreen`` and ``--no-sandbox --disable-gpu`` for this process only
(never a user-facing default: a console on a desktop keeps its platform and sandbox).

The Chromium process is started once, with a blank page, before anything is timed: that cost
is paid once per console start, not per render.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.bench.harness import Figure
from console.bench.map_fixture import map_bench_data
from console.services.map_data import CaseMarker, marker_json

Log = Callable[[str], None]

UPDATE_SIZE = 200
_LIGHTS = ["green"] * 6 + ["yellow"] * 2 + ["red", None]
_TIMEOUT_S = 120.0


def _ensure_headless_env() -> None:
    """Offscreen Qt WebEngine for a headless run, only if the caller chose nothing."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if "QT_QPA_PLATFORM" in os.environ or "QTWEBENGINE_CHROMIUM_FLAGS" in os.environ:
        return
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = "--no-sandbox --disable-gpu"


def _changed(markers: list[CaseMarker], k: int, rng: random.Random) -> list[CaseMarker]:
    """``k`` cases with a new light, a fifth of them also moved (a corrected address)."""
    out = []
    for m in rng.sample(markers, k):
        light = rng.choice([x for x in _LIGHTS if x != m.light])
        moved = rng.random() < 0.2
        out.append(
            CaseMarker(
                m.id,
                m.number,
                m.lon + (rng.uniform(-3e-4, 3e-4) if moved else 0.0),
                m.lat + (rng.uniform(-3e-4, 3e-4) if moved else 0.0),
                light,
                m.state,
                m.category_name,
                m.address,
                m.urgent,
            )
        )
    return out


def _folium_page(grids: dict[str, Any], markers: list[CaseMarker], out_dir: Path) -> Path:
    """The naive page: everything rendered by folium (markers in a folium MarkerCluster)."""
    import folium
    from folium.plugins import MarkerCluster

    from console.views import map_page

    fmap = folium.Map(
        location=list(map_page.DEFAULT_CENTER), zoom_start=14, tiles=None, max_zoom=19
    )
    fmap.default_js = [js for js in map_page.LOCAL_JS if js[0] in ("leaflet",)]
    fmap.default_css = [css for css in map_page.LOCAL_CSS if css[0] == "leaflet_css"]
    folium.GeoJson(grids, name="网格").add_to(fmap)
    cluster = MarkerCluster(name="案件")
    cluster.default_js = [("markercluster", "static/markercluster/leaflet.markercluster.js")]
    cluster.default_css = [
        ("markercluster_css", "static/markercluster/MarkerCluster.css"),
        ("markercluster_default_css", "static/markercluster/MarkerCluster.Default.css"),
    ]
    colours = {"red": "#d93025", "yellow": "#e0a800", "green": "#2e9d4f", None: "#8a8f98"}
    for m in markers:
        folium.CircleMarker(
            [m.lat, m.lon],
            radius=6,
            color=colours.get(m.light, "#8a8f98"),
            fill=True,
            tooltip=f"{m.number} {m.category_name} {m.address}",
        ).add_to(cluster)
    cluster.add_to(fmap)
    folium.LayerControl().add_to(fmap)
    path = out_dir / "folium_full.html"
    fmap.save(str(path))
    return path


def _patrol_payloads(grids: dict[str, Any], quick: bool) -> tuple[Callable[[bool], str], int]:
    """The field's layers for 200 people × 8 h of tracks (quick: 20 × 1 h), a point every
    10 s (console.bench.patrol_bench's random walks, the worst case for simplification), as
    the Workbench would hand them over: ``build(simplify)`` gives the page's JSON, simplified
    (console.services.patrol_map) or with every point. The coverage is computed once, before
    (the patrol bench times it); both payloads carry it."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    from console.bench.patrol_bench import tracks
    from console.domain.patrol_coverage import CoverageIndex, LocalProjection
    from console.services.patrol_map import (
        GridVisit,
        PatrolLayers,
        PatrolPerson,
        PatrolTrack,
        simplify_tracks,
    )

    people, hours = (20, 1) if quick else (200, 8)
    each = hours * 360
    features = grids["features"]
    polygons = [shape(f["geometry"]) for f in features]
    pid, lons, lats = tracks(polygons, people, each)
    centre = shapely.union_all(np.asarray(polygons, dtype=object)).centroid
    proj = LocalProjection(centre.x, centre.y)
    index = CoverageIndex([int(f["properties"]["id"]) for f in features], polygons, proj)
    cov = index.coverage(pid, lons, lats)
    coverage = tuple(
        GridVisit(int(k), float(m), bool(v))
        for k, m, v in zip(cov.keys, cov.length_m, cov.visited, strict=True)
    )
    now = datetime.now(UTC)
    last = (np.arange(people) + 1) * each - 1
    persons = tuple(
        PatrolPerson(
            k, f"监督员{k:03d}", "inspector", k, now, float(lons[j]), float(lats[j]), 5.0, True
        )
        for k, j in enumerate(last)
    )

    def build(simplify: bool) -> str:
        if simplify:
            coords, tolerance = simplify_tracks(pid, lons, lats, proj)
        else:
            coords = np.split(np.column_stack((lons, lats)), np.arange(1, people) * each)
            tolerance = 0.0
        drawn = tuple(
            PatrolTrack(k, k, True, each, tuple((float(x), float(y)) for x, y in c.tolist()))
            for k, c in enumerate(coords)
        )
        return PatrolLayers(now.date(), now, persons, drawn, coverage, tolerance).to_json()

    return build, int(pid.size)


def run_map_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    """First render of N open cases (quick: 2,000; full: 20,000) and a 200-case update."""
    _ensure_headless_env()
    from PySide6.QtCore import QEventLoop, QTimer, QUrl
    from PySide6.QtWidgets import QApplication

    from console.views.map_page import build_map_page
    from console.views.map_view import MapView

    _app = QApplication.instance() or QApplication([])  # held for the whole bench
    n = 2_000 if quick else 20_000
    repeat = 5 if quick else 9
    baseline_repeat = 1 if not quick else 2
    grids, markers = map_bench_data(workdir, n, seed=11)
    rng = random.Random(5)

    def wait(start: Callable[[Callable[[Any], None]], None], what: str) -> Any:
        box: list[Any] = []
        loop = QEventLoop()

        def done(value: Any = None) -> None:
            box.append(value)
            loop.quit()

        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(int(_TIMEOUT_S * 1000))
        start(done)
        if not box:
            loop.exec()
        timer.stop()
        if not box:
            raise TimeoutError(f"map bench: no answer from the page ({what})")
        return box[0]

    view = MapView()
    view.resize(1200, 800)
    view.show()
    try:
        # Start Chromium once (not timed: once per console start).
        started = time.perf_counter()

        def blank(done: Callable[[Any], None]) -> None:
            view.loadFinished.connect(done)
            view.load(QUrl("about:blank"))

        wait(blank, "blank page")
        view.loadFinished.disconnect()
        warmup = time.perf_counter() - started
        platform = QApplication.platformName()
        log(f"map: web engine started in {warmup:.2f} s (not counted; {platform})")

        # --- first render: build the page, load it, push every open case --------------------
        page_dir = workdir / "map_page"
        started = time.perf_counter()
        page = build_map_page(grids, page_dir)
        view.load_page(page)
        count = wait(lambda done: view.upsert_cases(marker_json(markers), done), "first render")
        first_render = time.perf_counter() - started
        if int(count) != n:
            raise RuntimeError(f"map bench: the page holds {count} markers, expected {n}")
        log(f"map: first render of {n:,} cases {first_render:.2f} s")

        # --- incremental: 200 changed cases through upsertCases ------------------------------
        times = []
        for _ in range(repeat):
            changed = _changed(markers, UPDATE_SIZE, rng)
            started = time.perf_counter()

            def push(done: Callable[[Any], None], c: list[CaseMarker] = changed) -> None:
                view.upsert_cases(marker_json(c), done)

            wait(push, "update")
            times.append(time.perf_counter() - started)
            by_id = {m.id: m for m in changed}
            markers = [by_id.get(m.id, m) for m in markers]
        update = statistics.median(times)
        log(f"map: update of {UPDATE_SIZE} cases {update * 1000:.1f} ms (median of {repeat})")

        # --- the field's layers: 200 people × 8 h, simplified, beside every point ----------
        build, track_points = _patrol_payloads(grids, quick)
        field: dict[bool, tuple[float, int, int]] = {}
        for simplify in (True, False):  # (build + render seconds, payload bytes, vertices)
            started = time.perf_counter()
            payload = build(simplify)

            def show(done: Callable[[Any], None], p: str = payload) -> None:
                view.set_patrols(p, {}, done)

            drawn = wait(show, "patrol layers")
            field[simplify] = (
                time.perf_counter() - started,
                len(payload.encode("utf-8")),
                int(drawn["vertices"]),
            )
            what = "simplified" if simplify else "every point"
            log(
                f"map: field layers, {track_points:,} track points, {what}: "
                f"{field[simplify][0]:.2f} s, {field[simplify][1] / 1e6:.2f} MB, "
                f"{field[simplify][2]:,} vertices"
            )
        wait(lambda done: view.set_patrols('{"people":[],"tracks":[]}', {}, done), "clear")

        # --- baseline: folium re-renders the page with the same data and it is reloaded -----
        base_times = []
        for _ in range(baseline_repeat):
            changed = _changed(markers, UPDATE_SIZE, rng)
            by_id = {m.id: m for m in changed}
            markers = [by_id.get(m.id, m) for m in markers]
            started = time.perf_counter()
            path = _folium_page(grids, markers, page_dir)

            def reload(done: Callable[[Any], None], p: Path = path) -> None:
                view.loadFinished.connect(done)
                view.load(QUrl.fromLocalFile(str(p)))

            ok = wait(reload, "folium page")
            view.loadFinished.disconnect()
            # The page's own script has run by onload; one round trip confirms it is drawn.
            wait(lambda done: view.page().runJavaScript("document.readyState", 0, done), "ack")
            base_times.append(time.perf_counter() - started)
            if not ok:
                raise RuntimeError("map bench: the folium page failed to load")
        baseline = statistics.median(base_times)
        log(f"map: folium re-render + reload {baseline:.2f} s")
    finally:
        view.close()

        def delete(done: Callable[[Any], None]) -> None:
            view.destroyed.connect(done)
            view.deleteLater()

        wait(delete, "view deleted")

    return [
        Figure(
            f"map first render, {n:,} open cases",
            first_render,
            "s",
            baseline,
            higher_is_better=False,
            goal=2.0,
            note="build page + load + upsertCases until the JS acks; baseline: folium page "
            "with every marker in a folium MarkerCluster, saved and loaded",
        ),
        Figure(
            f"map update of {UPDATE_SIZE} changed cases",
            update * 1000,
            "ms",
            baseline * 1000,
            higher_is_better=False,
            goal=50.0,
            ratio_goal=20.0,
            note=f"upsertCases over QWebChannel-ready page, median of {repeat}; baseline: "
            f"re-render the folium page with the same {n:,} cases and reload it",
        ),
        Figure(
            "map field layers (people, tracks, coverage)",
            field[True][0],
            "s",
            field[False][0],
            higher_is_better=False,
            goal=1.0,
            note=f"{track_points:,} track points ({'20 people × 1 h' if quick else '200 people × 8 h'}"
            f", a point every 10 s, random walks): simplify + JSON + setPatrols until the page "
            f"acks, {field[True][2]:,} vertices; baseline: the same layers with every point "
            f"({field[False][2]:,} vertices); coverage computed before, in both; one run each",
        ),
        Figure(
            "map field layers payload",
            field[True][1] / 1e3,
            "KB",
            field[False][1] / 1e3,
            higher_is_better=False,
            goal=500.0,
            note="the JSON handed to the page, simplified (at most 4,000 track vertices) beside "
            "every point",
        ),
    ]
