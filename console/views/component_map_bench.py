"""The component layer in the real map page (Qt WebEngine): the first draw of the register
(quick: 10,000 objects; full: 100,000), a pan and a class filter, each beside Leaflet's own way
measured in the same run on the same objects — one L.circleMarker per object on Leaflet's
canvas renderer (``preferCanvas``), the usual answer for "many points"; its SVG default would
not finish at this size.

The data (the register in SQLite, its read) is console.bench.component_map_bench's.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.bench.component_map_bench import CLASSES, component_bench_data
from console.bench.harness import Figure
from console.services.components.map_layer import ComponentClass
from console.views.map_bench import _ensure_headless_env

Log = Callable[[str], None]

_TIMEOUT_S = 120.0

#: Leaflet's per-object way, for the baselines (run in the page, timed inside it).
_BASELINE_JS = """
(function () {
  var map = consoleMapParts.map();
  var renderer = L.canvas({ padding: 0.5 });
  var group = L.layerGroup();
  var markers = [];
  var COLORS = ["#1e88e5", "#d93025", "#8e24aa", "#f57c00", "#78909c"];
  function flush() {
    if (renderer._redrawRequest) {
      L.Util.cancelAnimFrame(renderer._redrawRequest);
      renderer._redraw();
    }
  }
  window.__baseline = {
    draw: function (p) {
      p.rows.forEach(function (r) {
        var m = L.circleMarker([r[2], r[1]], {
          renderer: renderer, radius: 3, weight: 1, color: "#ffffff",
          fillColor: COLORS[r[4] % COLORS.length], fillOpacity: 1,
        });
        m.cat = p.categories[r[3]];
        markers.push(m);
        group.addLayer(m);
      });
      group.addTo(map);
      flush();
      return markers.length;
    },
    pan: function (dx, dy) {
      var t = performance.now();
      map.panBy([dx, dy], { animate: false });
      flush();
      return performance.now() - t;
    },
    filter: function (code) {
      var t = performance.now();
      markers.forEach(function (m) {
        var want = !code || m.cat === code;
        var has = group.hasLayer(m);
        if (want && !has) group.addLayer(m);
        else if (!want && has) group.removeLayer(m);
      });
      flush();
      return performance.now() - t;
    },
  };
  return true;
})()
"""


def _timed(script: str) -> str:
    """``script``'s in-page duration in ms (synchronous: Leaflet redraws on moveend)."""
    return (
        f"(function () {{ var t = performance.now(); {script}; return performance.now() - t; }})()"
    )


def run_component_map_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    _ensure_headless_env()
    from PySide6.QtCore import QEventLoop, QTimer, QUrl
    from PySide6.QtWidgets import QApplication

    from console.views.map_components import component_options
    from console.views.map_page import build_map_page
    from console.views.map_view import MapView

    _app = QApplication.instance() or QApplication([])  # held for the whole bench
    n = 10_000 if quick else 100_000
    repeat = 5 if quick else 9
    data = component_bench_data(workdir, n)
    log(
        f"components: the whole register ({n:,}) read and made JSON in "
        f"{data.read_s * 1000:.0f} ms, {len(data.payload) / 1e6:.2f} MB; a zoom-16 viewport's "
        f"bbox read {data.bbox_read_ms:.1f} ms ({data.bbox_rows:,} objects)"
    )

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
            raise TimeoutError(f"component map bench: no answer from the page ({what})")
        return box[0]

    view = MapView()
    view.resize(1200, 800)
    view.show()

    def js(script: str, what: str) -> Any:
        return wait(lambda done: view.page().runJavaScript(script, 0, done), what)

    try:

        def blank(done: Callable[[Any], None]) -> None:
            view.loadFinished.connect(done)
            view.load(QUrl("about:blank"))

        wait(blank, "blank page")  # Chromium started once, not timed
        view.loadFinished.disconnect()
        page = build_map_page(data.grids, workdir / "component_map_page")

        def load(done: Callable[[Any], None]) -> None:
            view.ready.connect(lambda: done(True))
            view.load_page(page)

        wait(load, "page")
        classes = [ComponentClass(code, code, code[:2], code[:2], 0) for code in CLASSES]
        options = json.dumps(component_options(classes), ensure_ascii=False)
        literal = json.dumps(options, ensure_ascii=False)
        js(f"consoleComponents.setup(JSON.parse({literal}))", "setup")
        lon, lat = data.centre
        js(f"consoleComponents.setView({lon!r}, {lat!r}, 16)", "view")

        # --- first draw: the register's JSON into the page, drawn at zoom 16 --------------
        payload = json.dumps(data.payload)
        started = time.perf_counter()
        held = js(f"consoleComponents.load(JSON.parse({payload}))", "first draw")
        first_draw = time.perf_counter() - started
        drawn = json.loads(js("consoleComponents.counts()", "counts"))["drawn"]
        if int(held) != n or drawn <= 0:
            raise RuntimeError(f"component map bench: {held} held, {drawn} drawn of {n}")
        log(f"components: first draw of {n:,} {first_draw:.2f} s ({drawn:,} in view)")

        pans = []
        for i in range(repeat):
            dx, dy = (300, 200) if i % 2 == 0 else (-300, -200)
            pans.append(float(js(_timed(f"consoleComponents.panBy({dx}, {dy})"), "pan")))
        filters = []
        for i in range(repeat):
            code = CLASSES[0] if i % 2 == 0 else ""
            filters.append(float(js(_timed(f"consoleComponents.setFilter('', '{code}')"), "f")))
        pan, filt = statistics.median(pans), statistics.median(filters)
        log(f"components: pan {pan:.1f} ms, class filter {filt:.1f} ms (medians of {repeat})")
        js("consoleComponents.load({full: true, rows: []})", "clear")

        # --- baseline: one Leaflet circleMarker per object on Leaflet's canvas ------------
        js(_BASELINE_JS, "baseline set-up")
        started = time.perf_counter()
        js(f"__baseline.draw(JSON.parse({payload}))", "baseline draw")
        base_draw = time.perf_counter() - started
        base_repeat = max(3, repeat // 3)
        base_pans = [
            float(js(f"__baseline.pan({300 if i % 2 == 0 else -300}, 0)", "baseline pan"))
            for i in range(base_repeat)
        ]
        base_filters = [
            float(js(f"__baseline.filter('{CLASSES[0] if i % 2 == 0 else ''}')", "bf"))
            for i in range(base_repeat)
        ]
        base_pan, base_filter = statistics.median(base_pans), statistics.median(base_filters)
        log(
            f"components: Leaflet circleMarkers on canvas: draw {base_draw:.2f} s, pan "
            f"{base_pan:.1f} ms, filter {base_filter:.1f} ms"
        )
    finally:
        view.close()

        def delete(done: Callable[[Any], None]) -> None:
            view.destroyed.connect(done)
            view.deleteLater()

        wait(delete, "view deleted")

    read = (
        f"the register's read + JSON: {data.read_s * 1000:.0f} ms for {n:,} "
        f"({len(data.payload) / 1e6:.1f} MB), a zoom-16 viewport's bbox read "
        f"{data.bbox_read_ms:.1f} ms"
    )
    return [
        Figure(
            f"component layer first draw, {n:,} objects (s)",
            first_draw,
            "s",
            base_draw,
            higher_is_better=False,
            goal=1.0,
            note="layer JSON handed to the page (1 object in 60 a line, drawn as its shape), "
            "indexed and drawn at zoom 16 on one canvas "
            "until the JS acks; baseline: one Leaflet circleMarker per object on Leaflet's "
            f"canvas renderer; not counted: {read}",
        ),
        Figure(
            "component layer pan (ms)",
            pan,
            "ms",
            base_pan,
            higher_is_better=False,
            goal=100.0,
            note=f"a 360 px pan at zoom 16, redrawn, in-page time, median of {repeat}; "
            f"baseline: the same pan over Leaflet circleMarkers, median of {base_repeat}",
        ),
        Figure(
            "component layer class filter (ms)",
            filt,
            "ms",
            base_filter,
            higher_is_better=False,
            goal=100.0,
            note=f"one 小类 on, then all, redrawn, in-page time, median of {repeat}; baseline: "
            f"the circleMarkers not of the class removed and added back, median of {base_repeat}",
        ),
    ]


__all__ = ["run_component_map_bench"]
