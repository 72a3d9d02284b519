/*
 * The component register on the console map (issue 17), driven from Python
 * (console/views/map_components.py) beside console_map.js:
 *
 *   consoleComponents.setup(options)   once: labels, status colours, classes, min zoom; makes
 *                                      the 部件 and 重复问题部件 overlays, the class filter and
 *                                      the zoom hint
 *   consoleComponents.load(payload)    rows from console.services.components.map_layer
 *                                      .layer_json: {full, categories, statuses, rows:[[id, lon,
 *                                      lat, class index, status index]], shapes:[[id, 1 line |
 *                                      2 polygon, [lon, lat, …]]]}; returns the count held
 *   consoleComponents.setFilter(major, item)  "" = all; returns how many match
 *   consoleComponents.setRepeats(rows) [[id, lon, lat, cases, identifier, name]]
 *   consoleComponents.showCard(card)   a component's popup (ComponentCard.to_json)
 *   consoleComponents.focus(id, lon, lat)  centre on it at the layer's zoom, mark it
 *
 * Back to Python: bridge.componentClicked(id) on a click on a component or a repeat marker;
 * bridge.caseClicked(id) on a case number in a popup.
 *
 * 100,000+ objects: one canvas of its own, not a Leaflet layer per object. The points are
 * projected once (Web Mercator at zoom 0) and bucketed into a uniform grid (cells of a zoom-16
 * tile, counting sort), so a redraw visits only the cells in view and paints one path per
 * status. A pan moves the canvas with the map pane (drawn half a screen beyond each edge) and
 * redraws once it ends; a class filter is a flag per class.
 *
 * Register text (names, addresses, departments) is imported data: it only ever reaches the
 * DOM through textContent, never innerHTML.
 */
(function () {
  "use strict";

  var CELL = 256 / 65536; // a zoom-16 tile, in zoom-0 pixels
  // The kinds of a shape (map_layer.SHAPE_LINE, SHAPE_POLYGON).
  var SHAPE_LINE = 1;
  var SHAPE_POLYGON = 2;
  var PAD = 0.5; // the canvas reaches this fraction of the view beyond each edge

  var c = {
    map: null,
    opts: null,
    minZoom: 16,
    // columns
    n: 0,
    ids: new Float64Array(0),
    px: new Float64Array(0),
    py: new Float64Array(0),
    cat: new Uint16Array(0),
    status: new Uint8Array(0),
    byId: new Map(),
    // lines and polygons: id → [{kind, xy: zoom-0 pixels [x, y, x, y…]}]; drawn with their
    // object (its point is in the index, and its dot stays the thing to click)
    shapes: new Map(),
    // classes and statuses (indices global to the page)
    codes: [],
    codeIndex: new Map(),
    catCount: [],
    enabled: new Uint8Array(0),
    statusCodes: [],
    statusIndex: new Map(),
    filter: { major: "", item: "" },
    // spatial index
    grid: null,
    // drawing
    layer: null,
    canvas: null,
    drawn: 0,
    marked: null,
    repeats: null,
    repeatCount: 0,
    hint: null,
    filterBox: null,
    draws: 0,
  };

  function label(key, fallback) {
    var labels = (c.opts && c.opts.labels) || {};
    return labels[key] || fallback;
  }

  function textEl(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = text;
    return el;
  }

  // --- projection: Web Mercator at zoom 0 (256 px world), GCJ-02 shifted if the map is ------
  function gcj() {
    var parts = window.consoleMapParts;
    return !!(parts && parts.options && parts.options.gcj02);
  }

  /** [x, y] in zoom-0 pixels, written into ``out`` at ``at``. */
  function projectInto(lon, lat, out, at) {
    if (c.shift) {
      var g = window.consoleMap.gcj02(lon, lat);
      lon = g[0];
      lat = g[1];
    }
    var s = Math.sin((Math.max(Math.min(lat, 85.0511), -85.0511) * Math.PI) / 180);
    out[at] = ((lon + 180) / 360) * 256;
    out[at + 1] = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
  }

  var scratch = new Float64Array(2);

  function project(lon, lat, i) {
    projectInto(lon, lat, scratch, 0);
    c.px[i] = scratch[0];
    c.py[i] = scratch[1];
  }

  function loadShapes(entries) {
    for (var e = 0; e < entries.length; e++) {
      var id = Number(entries[e][0]);
      var kind = Number(entries[e][1]);
      var flat = entries[e][2] || [];
      if (!c.byId.has(id) || (kind !== SHAPE_LINE && kind !== SHAPE_POLYGON) || flat.length < 4) continue;
      var xy = new Float64Array(flat.length - (flat.length % 2));
      for (var k = 0; k + 1 < flat.length; k += 2) projectInto(Number(flat[k]), Number(flat[k + 1]), xy, k);
      if (!c.shapes.has(id)) c.shapes.set(id, []);
      c.shapes.get(id).push({ kind: kind, xy: xy });
    }
  }

  // --- the index ---------------------------------------------------------------------------
  function buildIndex() {
    var n = c.n;
    if (!n) {
      c.grid = null;
      return;
    }
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (var i = 0; i < n; i++) {
      if (c.px[i] < x0) x0 = c.px[i];
      if (c.px[i] > x1) x1 = c.px[i];
      if (c.py[i] < y0) y0 = c.py[i];
      if (c.py[i] > y1) y1 = c.py[i];
    }
    var cols = Math.floor((x1 - x0) / CELL) + 1;
    var rows = Math.floor((y1 - y0) / CELL) + 1;
    var cellOf = new Int32Array(n);
    var start = new Int32Array(cols * rows + 1);
    for (i = 0; i < n; i++) {
      var k = Math.floor((c.py[i] - y0) / CELL) * cols + Math.floor((c.px[i] - x0) / CELL);
      cellOf[i] = k;
      start[k + 1]++;
    }
    for (k = 0; k < cols * rows; k++) start[k + 1] += start[k];
    var fill = start.slice(0, cols * rows);
    var order = new Int32Array(n);
    for (i = 0; i < n; i++) order[fill[cellOf[i]]++] = i;
    c.grid = { x0: x0, y0: y0, cols: cols, rows: rows, start: start, order: order };
  }

  /** Calls fn(i) for every object in the zoom-0 box [ax, bx] × [ay, by] (cells overlapping). */
  function visit(ax, ay, bx, by, fn) {
    var g = c.grid;
    if (!g) return;
    var c0 = Math.max(0, Math.floor((ax - g.x0) / CELL));
    var c1 = Math.min(g.cols - 1, Math.floor((bx - g.x0) / CELL));
    var r0 = Math.max(0, Math.floor((ay - g.y0) / CELL));
    var r1 = Math.min(g.rows - 1, Math.floor((by - g.y0) / CELL));
    for (var r = r0; r <= r1; r++) {
      for (var col = c0; col <= c1; col++) {
        var k = r * g.cols + col;
        for (var j = g.start[k]; j < g.start[k + 1]; j++) fn(g.order[j]);
      }
    }
  }

  // --- data --------------------------------------------------------------------------------
  function classIndex(code) {
    var k = c.codeIndex.get(code);
    if (k === undefined) {
      k = c.codes.length;
      c.codes.push(code);
      c.codeIndex.set(code, k);
      c.catCount.push(0);
    }
    return k;
  }

  function statusIndexOf(code) {
    var k = c.statusIndex.get(code);
    if (k === undefined) {
      k = c.statusCodes.length;
      c.statusCodes.push(code);
      c.statusIndex.set(code, k);
    }
    return k;
  }

  function grow(size) {
    function copy(Type, old) {
      var a = new Type(size);
      a.set(old.subarray(0, Math.min(old.length, size)));
      return a;
    }
    c.ids = copy(Float64Array, c.ids);
    c.px = copy(Float64Array, c.px);
    c.py = copy(Float64Array, c.py);
    c.cat = copy(Uint16Array, c.cat);
    c.status = copy(Uint8Array, c.status);
  }

  function load(payload) {
    payload = payload || {};
    var rows = payload.rows || [];
    var cats = (payload.categories || []).map(classIndex);
    var stats = (payload.statuses || []).map(statusIndexOf);
    if (payload.full !== false) {
      c.n = 0;
      c.byId = new Map();
      c.shapes = new Map();
      for (var z = 0; z < c.catCount.length; z++) c.catCount[z] = 0;
      grow(rows.length);
    } else if (c.n + rows.length > c.ids.length) {
      grow(c.n + rows.length);
    }
    c.shift = gcj();
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r];
      var id = Number(row[0]);
      var lon = Number(row[1]);
      var lat = Number(row[2]);
      if (!isFinite(id) || !isFinite(lon) || !isFinite(lat)) continue;
      var i = c.byId.get(id);
      if (i === undefined) {
        i = c.n++;
        c.byId.set(id, i);
      } else {
        c.catCount[c.cat[i]]--;
      }
      c.ids[i] = id;
      c.shapes.delete(id); // an update brings the object's shape again, if it has one
      project(lon, lat, i);
      c.cat[i] = cats[row[3]] || 0;
      c.status[i] = stats[row[4]] || 0;
      c.catCount[c.cat[i]]++;
    }
    loadShapes(payload.shapes || []);
    buildIndex();
    applyFilter();
    return c.n;
  }

  // --- the filter --------------------------------------------------------------------------
  function applyFilter() {
    var f = c.filter;
    c.enabled = new Uint8Array(c.codes.length);
    var shown = 0;
    for (var k = 0; k < c.codes.length; k++) {
      var code = c.codes[k];
      var on = f.item ? code === f.item : f.major ? code.slice(0, 2) === f.major : true;
      c.enabled[k] = on ? 1 : 0;
      if (on) shown += c.catCount[k];
    }
    c.shown = shown;
    redraw();
    return shown;
  }

  function setFilter(major, item) {
    c.filter = { major: String(major || ""), item: String(item || "") };
    syncFilterBox();
    return applyFilter();
  }

  // --- the canvas layer --------------------------------------------------------------------
  function visible() {
    return !!(c.layer && c.map.hasLayer(c.layer) && c.map.getZoom() >= c.minZoom);
  }

  function statusColor(k) {
    var s = (c.opts.statuses || {})[c.statusCodes[k]];
    return (s && s.color) || "#607d8b";
  }

  function redraw() {
    if (!c.canvas) return;
    syncHint();
    var canvas = c.canvas;
    var size = c.map.getSize();
    var padX = Math.round(size.x * PAD);
    var padY = Math.round(size.y * PAD);
    var w = size.x + 2 * padX;
    var h = size.y + 2 * padY;
    var dpr = window.devicePixelRatio || 1;
    var topLeft = c.map.containerPointToLayerPoint([-padX, -padY]).round();
    L.DomUtil.setPosition(canvas, topLeft);
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = w + "px";
      canvas.style.height = h + "px";
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    c.drawn = 0;
    c.shaped = 0;
    c.draws++;
    if (!visible() || !c.n) return;
    var zoom = c.map.getZoom();
    var scale = Math.pow(2, zoom);
    var origin = c.map.getPixelOrigin();
    var ox = origin.x + topLeft.x; // canvas (0, 0) in pixels at this zoom
    var oy = origin.y + topLeft.y;
    var radius = zoom >= 18 ? 5 : zoom >= 17 ? 4 : 3;
    var paths = [];
    var lines = [];
    var areas = [];
    for (var s = 0; s < c.statusCodes.length; s++) {
      paths.push(new Path2D());
      lines.push(new Path2D());
      areas.push(new Path2D());
    }
    var drawn = 0;
    var shaped = 0;
    var enabled = c.enabled;
    // A shape's point is in the index; its parts reach at most ~100 m beyond it (the canvas
    // reaches half a screen beyond the view), so the shapes of the cells in view are enough.
    visit(ox / scale, oy / scale, (ox + w) / scale, (oy + h) / scale, function (i) {
      if (!enabled[c.cat[i]]) return;
      var x = c.px[i] * scale - ox;
      var y = c.py[i] * scale - oy;
      if (x < -radius || y < -radius || x > w + radius || y > h + radius) return;
      var parts = c.shapes.size ? c.shapes.get(c.ids[i]) : undefined;
      if (parts) {
        for (var q = 0; q < parts.length; q++) {
          var xy = parts[q].xy;
          var area = parts[q].kind === SHAPE_POLYGON;
          var target = area ? areas[c.status[i]] : lines[c.status[i]];
          target.moveTo(xy[0] * scale - ox, xy[1] * scale - oy);
          for (var v = 2; v + 1 < xy.length; v += 2) target.lineTo(xy[v] * scale - ox, xy[v + 1] * scale - oy);
          if (area) target.closePath();
        }
        shaped++;
      }
      var p = paths[c.status[i]];
      p.moveTo(x + radius, y);
      p.arc(x, y, radius, 0, 2 * Math.PI);
      drawn++;
    });
    var dark = L.DomUtil.hasClass(c.map.getContainer(), "cm-dark");
    // Areas and lines under the dots: an area tinted in its status colour, a line drawn in it.
    ctx.lineJoin = "round";
    for (s = 0; s < areas.length; s++) {
      ctx.fillStyle = statusColor(s);
      ctx.strokeStyle = statusColor(s);
      ctx.globalAlpha = 0.22;
      ctx.fill(areas[s]);
      ctx.globalAlpha = 0.9;
      ctx.lineWidth = 2;
      ctx.stroke(areas[s]);
      ctx.lineWidth = radius;
      ctx.stroke(lines[s]);
    }
    ctx.globalAlpha = 1;
    c.shaped = shaped;
    ctx.lineWidth = 1;
    ctx.strokeStyle = dark ? "rgba(10, 12, 16, 0.9)" : "rgba(255, 255, 255, 0.95)";
    for (s = 0; s < paths.length; s++) {
      ctx.fillStyle = statusColor(s);
      ctx.fill(paths[s]);
      ctx.stroke(paths[s]);
    }
    if (c.marked !== null && c.byId.has(c.marked)) {
      var m = c.byId.get(c.marked);
      ctx.beginPath();
      ctx.arc(c.px[m] * scale - ox, c.py[m] * scale - oy, radius + 5, 0, 2 * Math.PI);
      ctx.lineWidth = 3;
      ctx.strokeStyle = dark ? "#90caf9" : "#1565c0";
      ctx.stroke();
    }
    c.drawn = drawn;
  }

  var CanvasLayer = L.Layer.extend({
    onAdd: function (map) {
      if (!map.getPane("cmComponents")) {
        map.createPane("cmComponents").style.zIndex = 410; // over grids and coverage
      }
      var canvas = L.DomUtil.create("canvas", "cm-components leaflet-zoom-hide");
      canvas.style.pointerEvents = "none"; // clicks reach the map: hit-tested below
      map.getPane("cmComponents").appendChild(canvas);
      c.canvas = canvas;
      redraw();
    },
    onRemove: function () {
      L.DomUtil.remove(c.canvas);
      c.canvas = null;
      syncHint();
    },
    getEvents: function () {
      return { moveend: redraw, zoomend: redraw, resize: redraw, viewreset: redraw };
    },
  });

  /** The object drawn nearest a container point (within its dot and a few pixels), or null. */
  function hit(point) {
    if (!visible()) return null;
    var zoom = c.map.getZoom();
    var scale = Math.pow(2, zoom);
    var origin = c.map.getPixelOrigin();
    var lp = c.map.containerPointToLayerPoint(point);
    var x = (lp.x + origin.x) / scale;
    var y = (lp.y + origin.y) / scale;
    var reach = 8 / scale;
    var best = null;
    var bestD = Infinity;
    visit(x - reach, y - reach, x + reach, y + reach, function (i) {
      if (!c.enabled[c.cat[i]]) return;
      var d = Math.hypot((c.px[i] - x) * scale, (c.py[i] - y) * scale);
      if (d <= 8 && d < bestD) {
        bestD = d;
        best = c.ids[i];
      }
    });
    return best;
  }

  function onMapClick(e) {
    if (L.DomUtil.hasClass(c.map.getContainer(), "cm-picking")) return; // the report form's
    var id = hit(e.containerPoint);
    if (id !== null) clicked(id);
  }

  /** console_map.js's end of the page's channel (one client per page: a second would take
   *  the transport's messages from the first). */
  function bridge() {
    return window.consoleMap && window.consoleMap.bridge ? window.consoleMap.bridge() : null;
  }

  function clicked(id) {
    c.lastClicked = id;
    var b = bridge();
    if (b && b.componentClicked) b.componentClicked(id);
  }

  // --- hint and filter controls ------------------------------------------------------------
  function syncHint() {
    if (!c.hint) return;
    var el = c.hint.getContainer();
    if (!el) return;
    // Nothing to say while the register is empty (a district that has not imported one).
    var shown = !!(c.layer && c.map.hasLayer(c.layer)) && c.n > 0;
    el.style.display = shown && c.map.getZoom() < c.minZoom ? "" : "none";
    if (c.filterBox) {
      var box = c.filterBox.getContainer();
      var display = shown ? "" : "none";
      if (box.style.display !== display) {
        box.style.display = display;
        controlsChanged();
      }
    }
  }

  /** Tell the map a control appeared or went (an open popup may now cover it). */
  function controlsChanged() {
    if (window.consoleMap && window.consoleMap.controlsChanged) window.consoleMap.controlsChanged();
  }

  function hintControl() {
    var ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      var box = L.DomUtil.create("div", "cm-component-hint");
      box.textContent = label("hint", "放大到第 %1 级显示部件").replace("%1", String(c.minZoom));
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return ctl;
  }

  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  function fillItems() {
    var box = c.filterBox && c.filterBox.selects;
    if (!box) return;
    var item = box.item;
    while (item.firstChild) item.removeChild(item.firstChild);
    option(item, "", label("allItems", "全部小类"));
    (c.opts.classes || []).forEach(function (k) {
      if (!c.filter.major || k[2] === c.filter.major) option(item, k[0], k[1] + "（" + k[4] + "）");
    });
    item.value = c.filter.item;
  }

  function refillMajors() {
    var box = c.filterBox && c.filterBox.selects;
    if (!box) return;
    var major = box.major;
    while (major.firstChild) major.removeChild(major.firstChild);
    option(major, "", label("allMajors", "全部大类"));
    var seen = {};
    (c.opts.classes || []).forEach(function (k) {
      if (seen[k[2]]) return;
      seen[k[2]] = true;
      option(major, k[2], k[3]);
    });
    major.value = c.filter.major;
  }

  function syncFilterBox() {
    var box = c.filterBox && c.filterBox.selects;
    if (!box) return;
    box.major.value = c.filter.major;
    fillItems();
  }

  function filterControl() {
    var ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      var box = L.DomUtil.create("div", "cm-component-filter leaflet-bar");
      box.appendChild(textEl("div", "cm-legend-title", label("filter", "部件类别")));
      var major = L.DomUtil.create("select", "cm-filter-major", box);
      var item = L.DomUtil.create("select", "cm-filter-item", box);
      major.addEventListener("change", function () {
        setFilter(major.value, "");
      });
      item.addEventListener("change", function () {
        setFilter(major.value, item.value);
      });
      // What the dot colours mean (the case legend's 灯色 is another thing).
      var key = L.DomUtil.create("div", "cm-component-key", box);
      Object.keys(c.opts.statuses || {}).forEach(function (code) {
        var st = c.opts.statuses[code];
        var entry = L.DomUtil.create("span", "cm-component-key-entry", key);
        var swatch = L.DomUtil.create("span", "cm-swatch cm-dot", entry);
        swatch.style.background = st.color || "#607d8b";
        entry.appendChild(document.createTextNode(String(st.label || code)));
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      ctl.selects = { major: major, item: item };
      return box;
    };
    return ctl;
  }

  // --- repeat offenders --------------------------------------------------------------------
  function setRepeats(rows) {
    if (!c.repeats) {
      c.pendingRepeats = rows; // before setup: drawn by it
      return 0;
    }
    c.repeats.clearLayers();
    c.repeatById = new Map();
    var dark = L.DomUtil.hasClass(c.map.getContainer(), "cm-dark");
    (rows || []).forEach(function (row) {
      var id = Number(row[0]);
      var lon = Number(row[1]);
      var lat = Number(row[2]);
      var n = Number(row[3]) || 0;
      if (!isFinite(id) || !isFinite(lon) || !isFinite(lat)) return;
      var ll = latLng(lon, lat);
      var m = L.circleMarker(ll, {
        radius: Math.min(7 + 2.5 * Math.sqrt(Math.max(n - 2, 0)), 22),
        color: dark ? "#f48fb1" : "#ad1457",
        weight: 3,
        fillColor: "#ec407a",
        fillOpacity: 0.3,
        className: "cm-repeat",
        bubblingMouseEvents: false, // not also a click on the component under it
        pane: "cmRepeats",
      });
      m.repeatData = { id: id, cases: n, identifier: String(row[4] || ""), name: String(row[5] || "") };
      m.bindTooltip(function (layer) {
        var d = layer.repeatData;
        var box = document.createElement("div");
        box.className = "cm-info";
        box.appendChild(textEl("div", "cm-component-name", d.name));
        box.appendChild(textEl("div", "cm-state", label("repeatCases", "%1 件案件").replace("%1", String(d.cases))));
        return box;
      }, { direction: "top", className: "cm-tooltip" });
      m.on("click", function () {
        clicked(id);
      });
      c.repeats.addLayer(m);
      c.repeatById.set(id, m);
    });
    c.repeatCount = c.repeatById.size;
    return c.repeatCount;
  }

  function latLng(lon, lat) {
    if (gcj()) {
      var g = window.consoleMap.gcj02(lon, lat);
      return L.latLng(g[1], g[0]);
    }
    return L.latLng(lat, lon);
  }

  // --- the popup ---------------------------------------------------------------------------
  function cardContent(d) {
    var box = document.createElement("div");
    box.className = "cm-info cm-component-info";
    box.appendChild(textEl("div", "cm-number", String(d.identifier || "")));
    box.appendChild(textEl("div", "cm-component-name", String(d.name || "")));
    box.appendChild(
      textEl("div", "cm-category", String(d.majorName || "") + " · " + String(d.categoryName || "") + "（" + String(d.category || "") + "）")
    );
    var statuses = c.opts.statuses || {};
    var st = statuses[d.status] || {};
    var line = textEl("div", "cm-component-status", "");
    var swatch = document.createElement("span");
    swatch.className = "cm-swatch";
    swatch.style.background = st.color || "#607d8b";
    line.appendChild(swatch);
    line.appendChild(document.createTextNode(" " + (st.label || String(d.statusLabel || ""))));
    box.appendChild(line);
    box.appendChild(textEl("div", "cm-component-owner", label("owner", "主管部门") + "：" + String(d.owner || "")));
    if (d.address) box.appendChild(textEl("div", "cm-address", String(d.address)));
    var cases = d.cases || [];
    var total = Number(d.casesTotal) || 0;
    box.appendChild(
      textEl("div", "cm-legend-title", total ? label("cases", "案件（%1）").replace("%1", String(total)) : label("noCases", "无关联案件"))
    );
    var states = label("states", {});
    var list = document.createElement("ol");
    list.className = "cm-component-cases";
    cases.forEach(function (row) {
      var li = document.createElement("li");
      var number = textEl("span", "cm-link", String(row[1] || ""));
      number.addEventListener("click", function (e) {
        e.preventDefault();
        var b = bridge();
        if (b && b.caseClicked) b.caseClicked(Number(row[0]));
      });
      li.appendChild(number);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(textEl("span", "cm-nowrap", (states[row[2]] || String(row[3] || "")) + " · " + String(row[4] || "")));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (total > cases.length) {
      box.appendChild(textEl("div", "cm-state", label("more", "另有 %1 件").replace("%1", String(total - cases.length))));
    }
    return box;
  }

  function showCard(d) {
    if (!d) return false;
    c.card = d;
    c.popup = L.popup({ className: "cm-popup cm-component-popup", autoPan: true, maxWidth: 320 })
      .setLatLng(latLng(Number(d.lon), Number(d.lat)))
      .setContent(cardContent(d))
      .openOn(c.map);
    c.marked = Number(d.id);
    redraw();
    return true;
  }

  function focus(id, lon, lat) {
    c.marked = Number(id);
    var z = Math.max(c.map.getZoom(), c.minZoom);
    c.map.setView(latLng(Number(lon), Number(lat)), z, { animate: false });
    if (c.layer && !c.map.hasLayer(c.layer)) c.layer.addTo(c.map);
    redraw();
    return c.map.getZoom();
  }

  // --- set-up ------------------------------------------------------------------------------
  function setup(opts) {
    if (c.layer) {
      // Another seat on the same page: its classes in the filter, the filter reset.
      c.opts = opts || c.opts;
      c.filter = { major: "", item: "" };
      refillMajors();
      syncFilterBox();
      applyFilter();
      return false;
    }
    var parts = window.consoleMapParts;
    c.map = parts.map();
    c.opts = opts || {};
    c.minZoom = Number(c.opts.minZoom) || 16;
    c.layer = new CanvasLayer();
    if (!c.map.getPane("cmRepeats")) c.map.createPane("cmRepeats").style.zIndex = 450;
    c.repeats = L.layerGroup();
    var control = parts.control();
    control.addOverlay(c.layer, label("layer", "部件"));
    control.addOverlay(c.repeats, label("repeats", "重复问题部件"));
    c.layer.addTo(c.map);
    c.repeats.addTo(c.map);
    c.hint = hintControl();
    c.hint.addTo(c.map);
    c.filterBox = filterControl();
    c.filterBox.addTo(c.map);
    refillMajors();
    fillItems();
    controlsChanged();
    c.map.on("click", onMapClick);
    c.map.on("overlayadd overlayremove zoomend", syncHint);
    // The dark map (console_map.js setDark) takes dark dot edges: redraw when it changes.
    new MutationObserver(function () {
      var dark = L.DomUtil.hasClass(c.map.getContainer(), "cm-dark");
      if (dark !== c.dark) {
        c.dark = dark;
        redraw();
      }
    }).observe(c.map.getContainer(), { attributes: true, attributeFilter: ["class"] });
    syncHint();
    if (c.pendingRepeats) setRepeats(c.pendingRepeats);
    c.pendingRepeats = null;
    return true;
  }

  window.consoleComponents = {
    setup: setup,
    load: load,
    setFilter: setFilter,
    setRepeats: setRepeats,
    showCard: showCard,
    focus: focus,
    redraw: redraw,
    /** What the layer holds and draws, as JSON text (Qt hands a script's objects as ""). */
    counts: function () {
      return JSON.stringify({
        loaded: c.n,
        shown: c.shown || 0,
        drawn: c.drawn,
        shapes: c.shapes.size,
        shaped: c.shaped || 0,
        visible: visible(),
        hint: !!(c.hint && c.hint.getContainer() && c.hint.getContainer().style.display !== "none"),
        repeats: c.repeatCount,
        zoom: c.map ? c.map.getZoom() : null,
        minZoom: c.minZoom,
        marked: c.marked,
        draws: c.draws,
      });
    },
    /** The open popup's element, or null. */
    popupElement: function () {
      return c.popup && c.map.hasLayer(c.popup) ? c.popup.getElement() : null;
    },
    /** A real click on the map where the component is drawn (the map's own click handling). */
    _clickForTest: function (id) {
      var i = c.byId.get(Number(id));
      if (i === undefined) return false;
      var scale = Math.pow(2, c.map.getZoom());
      var origin = c.map.getPixelOrigin();
      var lp = L.point(c.px[i] * scale - origin.x, c.py[i] * scale - origin.y);
      var cp = c.map.layerPointToContainerPoint(lp);
      var rect = c.map.getContainer().getBoundingClientRect();
      var x = rect.left + cp.x;
      var y = rect.top + cp.y;
      var target = document.elementFromPoint(x, y);
      if (!target) return false;
      var init = { bubbles: true, cancelable: true, view: window, clientX: x, clientY: y };
      target.dispatchEvent(new MouseEvent("mousedown", init));
      target.dispatchEvent(new MouseEvent("mouseup", init));
      target.dispatchEvent(new MouseEvent("click", init));
      return c.lastClicked === Number(id) ? "clicked" : target.tagName;
    },
    setView: function (lon, lat, zoom) {
      c.map.setView(latLng(Number(lon), Number(lat)), Number(zoom), { animate: false });
      return c.map.getZoom();
    },
    panBy: function (dx, dy) {
      c.map.panBy([Number(dx), Number(dy)], { animate: false });
      return c.drawn;
    },
    center: function () {
      var ll = c.map.getCenter();
      return [ll.lat, ll.lng];
    },
  };

})();
