/*
 * The console map's JS API, driven from Python (console/views/map_view.py).
 *
 * folium builds the page once (map, grid layer, layer control) and hands the objects' names over
 * in window.consoleMapParts; everything after that goes through window.consoleMap:
 *
 *   upsertCases(rows)       add or update case markers; rows are arrays in the field order of
 *                           console.services.map_data.MARKER_FIELDS; returns the marker count
 *   removeCases(ids)        remove markers; returns the marker count
 *   setCases(rows)          the case layer is exactly ``rows`` (the others removed, these
 *                           upserted), e.g. when the 职能 filter changes; returns the count
 *   focusCase(id)           zoom to the case, highlight it, open its popup; false if unknown
 *   focusGrid(id)           fit the map to one grid (the grid staff dock's choice); false if
 *                           the grid is not drawn (another street's, for a street seat)
 *                           (then it is focused when its marker arrives, unless another is asked)
 *   setGridStyle(counts)    choropleth of open cases per grid: {gridId: count}
 *   setPickMode(on)         the report form: a map click picks its point (pointPicked below)
 *   showPick(lon, lat)      mark the report form's point
 *   setPatrols(data, labels) the field (console.services.patrol_map.PatrolLayers.to_json):
 *                           巡查人员 (last known positions), 今日轨迹 (simplified tracks) and
 *                           巡查覆盖 (metres per grid today) as three overlays of the layer
 *                           control, made at the first call with ``labels``; returns the counts
 *                           as JSON text
 *
 * Back to Python over QWebChannel (object "bridge"): pageReady() once the page and the channel
 * are up, caseClicked(id) on a marker click, pointPicked(lon, lat) (WGS-84) on a map click
 * while picking.
 *
 * Case text (number, category, address) and people's names are user input: they only ever
 * reach the DOM through textContent, never innerHTML.
 */
(function () {
  "use strict";

  var LIGHTS = ["red", "yellow", "green", "none"]; // most to least severe
  var CHOROPLETH_BREAKS = [1, 3, 6, 11, 21];
  var CHOROPLETH_COLORS = ["#fff3c4", "#fdd49e", "#fc8d59", "#e34a33", "#b30000"];
  // Grid level (a ~350 m grid about 150 px wide, its neighbours around it): a selected case is
  // shown there, not at street level; clustering stops there too (disableClusteringAtZoom).
  var FOCUS_ZOOM = 16;
  // Below this map height the layer list folds into its button (opened by hover or a click):
  // expanded, it met the legends and covered the popups of a map dock of ordinary height.
  var COMPACT_LAYERS_HEIGHT = 640;
  var PICK_ZOOM = 16; // a typed point off screen: near enough to see its streets and grid
  var PLAIN_FILL = { fillColor: "#dfe8f2", fillOpacity: 0.25 };
  var DARK_FILL = { fillColor: "#1f2933", fillOpacity: 0.9 };

  var st = {
    map: null,
    grids: null,
    control: null,
    layersCompact: null, // the layer list folded into its button (a short map)
    layersWired: false,
    openPopup: null, // the popup open on the map, if any (the legends step aside from it)
    cluster: null,
    choropleth: null,
    highlight: null,
    markers: new Map(),
    counts: {},
    choroplethOn: true,
    focused: null,
    wanted: null, // the current case asked for before its marker arrived
    bridge: null,
    ready: false,
    gcj02: false,
    // The video wall: clusters drawn this many times larger, the district fitted to the panel.
    wallScale: 0,
  };
  var icons = {};

  // --- GCJ-02 (display only; the same formula as console/views/map_page.py) ---------------
  var A = 6378245.0;
  var EE = 0.00669342162296594323;
  function tLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
    r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
    return r;
  }
  function tLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
    r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
    return r;
  }
  function gcj02(lon, lat) {
    if (!(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271)) return [lon, lat];
    var dLat = tLat(lon - 105.0, lat - 35.0);
    var dLon = tLon(lon - 105.0, lat - 35.0);
    var radLat = (lat / 180.0) * Math.PI;
    var magic = 1 - EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
    dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
    return [lon + dLon, lat + dLat];
  }
  function latLng(d) {
    if (st.gcj02) {
      var p = gcj02(d.lon, d.lat);
      return L.latLng(p[1], p[0]);
    }
    return L.latLng(d.lat, d.lon);
  }

  // --- case markers ------------------------------------------------------------------------
  function decode(row) {
    return {
      id: Number(row[0]),
      number: String(row[1] == null ? "" : row[1]),
      lon: Number(row[2]),
      lat: Number(row[3]),
      light: row[4] || null,
      state: String(row[5] == null ? "" : row[5]),
      stateLabel: String(row[6] == null ? "" : row[6]),
      category: String(row[7] == null ? "" : row[7]),
      address: String(row[8] == null ? "" : row[8]),
      urgent: !!row[9],
    };
  }

  function lightOf(d) {
    return LIGHTS.indexOf(d.light) >= 0 ? d.light : "none";
  }

  function iconFor(d) {
    var k = st.wallScale || 1;
    var key = lightOf(d) + (d.urgent ? "-urgent" : "") + "@" + k;
    if (!icons[key]) {
      var px = Math.round(14 * k);
      icons[key] = L.divIcon({
        className: "cm-case cm-" + lightOf(d) + (d.urgent ? " cm-urgent" : ""),
        iconSize: [px, px],
        iconAnchor: [px / 2, px / 2],
        popupAnchor: [0, -px / 2 - 1],
        tooltipAnchor: [0, -px / 2 - 1],
        html: "",
      });
    }
    return icons[key];
  }

  function textEl(tag, cls, text) {
    var el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    return el;
  }

  /** The popup/tooltip body: every case field through textContent. */
  function caseContent(d) {
    var box = document.createElement("div");
    box.className = "cm-info cm-info-" + lightOf(d);
    box.appendChild(textEl("div", "cm-number", d.number));
    box.appendChild(textEl("div", "cm-category", d.category));
    box.appendChild(textEl("div", "cm-address", d.address));
    var labels = st.labels || {};
    var state = (labels.states && labels.states[d.state]) || d.stateLabel;
    box.appendChild(textEl("div", "cm-state", state + (d.urgent ? " · " + (labels.urgent || "紧急") : "")));
    return box;
  }

  function tooltipFor(layer) {
    return caseContent(layer.caseData);
  }

  function makeMarker(d) {
    var m = L.marker(latLng(d), { icon: iconFor(d), keyboard: false, riseOnHover: true });
    m.caseData = d;
    return m;
  }

  function clusterIcon(cluster) {
    var children = cluster.getAllChildMarkers();
    var worst = 3;
    for (var i = 0; i < children.length && worst > 0; i++) {
      var k = LIGHTS.indexOf(lightOf(children[i].caseData));
      if (k < worst) worst = k;
    }
    var n = cluster.getChildCount();
    var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
    var inner = document.createElement("div");
    inner.appendChild(textEl("span", "", String(n)));
    var k = st.wallScale || 1;
    if (st.wallScale) {
      // Readable across the hall: the bubble and its number grow with the wall's screen.
      var px = Math.round(30 * k);
      inner.style.width = inner.style.height = inner.style.lineHeight = px + "px";
      inner.style.borderRadius = px / 2 + "px";
      inner.style.fontSize = Math.round(14 * k) + "px";
      inner.style.marginLeft = inner.style.marginTop = Math.round(5 * k) + "px";
    }
    return L.divIcon({
      html: inner,
      className: "marker-cluster marker-cluster-" + size + " cm-cluster cm-cluster-" + LIGHTS[worst],
      iconSize: L.point(Math.round(40 * k), Math.round(40 * k)),
    });
  }

  function setFocusClass(marker, on) {
    if (marker && marker._icon) {
      if (on) L.DomUtil.addClass(marker._icon, "cm-focus");
      else L.DomUtil.removeClass(marker._icon, "cm-focus");
    }
  }

  function onCaseClick(marker) {
    var d = marker.caseData;
    if (!d) return;
    if (st.bridge) st.bridge.caseClicked(d.id);
    st.lastClicked = d.id;
  }

  function upsertCases(rows) {
    var added = [];
    var moved = [];
    var restyled = [];
    for (var i = 0; i < rows.length; i++) {
      var d;
      try {
        d = decode(rows[i]);
      } catch (e) {
        continue;
      }
      if (!isFinite(d.id) || !isFinite(d.lon) || !isFinite(d.lat)) continue;
      var m = st.markers.get(d.id);
      if (!m) {
        m = makeMarker(d);
        st.markers.set(d.id, m);
        added.push(m);
        continue;
      }
      var old = m.caseData;
      m.caseData = d;
      if (old.lon !== d.lon || old.lat !== d.lat) moved.push(m);
      if (lightOf(old) !== lightOf(d) || old.urgent !== d.urgent) {
        m.setIcon(iconFor(d));
        if (st.focused === d.id) setFocusClass(m, true);
        restyled.push(m);
      }
      if (m.getTooltip()) m.setTooltipContent(caseContent(d));
      if (m.getPopup()) m.setPopupContent(caseContent(d));
    }
    if (moved.length) {
      st.cluster.removeLayers(moved);
      moved.forEach(function (mk) {
        mk.setLatLng(latLng(mk.caseData));
      });
      st.cluster.addLayers(moved);
    }
    if (added.length) st.cluster.addLayers(added);
    if (restyled.length) st.cluster.refreshClusters(restyled);
    if (st.focused !== null && st.markers.has(st.focused)) {
      st.highlight.setLatLng(st.markers.get(st.focused).getLatLng());
    }
    if (st.wanted !== null && st.markers.has(st.wanted)) focusCase(st.wanted);
    return st.markers.size;
  }

  function removeCases(ids) {
    var gone = [];
    for (var i = 0; i < ids.length; i++) {
      var id = Number(ids[i]);
      var m = st.markers.get(id);
      if (!m) continue;
      gone.push(m);
      st.markers.delete(id);
      if (st.focused === id) {
        st.focused = null;
        st.map.removeLayer(st.highlight);
      }
    }
    if (gone.length) st.cluster.removeLayers(gone);
    return st.markers.size;
  }

  function setCases(rows) {
    var keep = new Set();
    for (var i = 0; i < rows.length; i++) {
      if (Array.isArray(rows[i])) keep.add(Number(rows[i][0]));
    }
    var gone = [];
    st.markers.forEach(function (_m, id) {
      if (!keep.has(id)) gone.push(id);
    });
    removeCases(gone);
    return upsertCases(rows);
  }

  function focusCase(id) {
    id = Number(id);
    var m = st.markers.get(id);
    // Not on the map yet (a call just filed, its marker on the way): focus it on arrival.
    st.wanted = m ? null : id;
    if (!m) return false;
    if (st.focused !== null && st.markers.has(st.focused)) {
      setFocusClass(st.markers.get(st.focused), false);
    }
    st.focused = id;
    st.highlight.setLatLng(m.getLatLng());
    if (!st.map.hasLayer(st.highlight)) st.highlight.addTo(st.map);
    if (st.map._animatingZoom) {
      // A zoom animation (the user's wheel) would swallow setView: focus once it ends.
      st.map.once("zoomend", function () {
        if (st.focused === id) focusCase(id);
      });
      return true;
    }
    if (!m.getPopup()) {
      m.bindPopup(tooltipFor, { className: "cm-popup", autoPan: false });
    }
    var show = function () {
      setFocusClass(m, true);
      m.openPopup();
    };
    // Grid level, where clustering is off (disableClusteringAtZoom), without animation:
    // the marker is drawn synchronously and the popup opens at once.
    st.map.setView(m.getLatLng(), Math.max(st.map.getZoom(), FOCUS_ZOOM), { animate: false });
    if (m._icon || !st.map.hasLayer(st.cluster)) show();
    else st.cluster.zoomToShowLayer(m, show);
    return true;
  }

  // --- picking a point (the report form) --------------------------------------------------
  /** WGS-84 of a point on the map: gcj02() inverted by a few fixed-point steps (< 1 mm). */
  function toWgs(latlng) {
    var lon = latlng.lng;
    var lat = latlng.lat;
    if (!st.gcj02) return [lon, lat];
    var x = lon;
    var y = lat;
    for (var i = 0; i < 6; i++) {
      var g = gcj02(x, y);
      x += lon - g[0];
      y += lat - g[1];
    }
    return [x, y];
  }

  /** While on, a click on the map (not on a case) picks the report's point. */
  function setPickMode(on) {
    st.picking = !!on;
    var c = st.map.getContainer();
    if (st.picking) {
      L.DomUtil.addClass(c, "cm-picking");
    } else {
      L.DomUtil.removeClass(c, "cm-picking");
      if (st.pick) st.map.removeLayer(st.pick);
      st.pick = null;
    }
    return st.picking;
  }

  /** Mark the report form's point (WGS-84); off screen, the map goes to it at street level. */
  function showPick(lon, lat) {
    var ll = latLng({ lon: Number(lon), lat: Number(lat) });
    if (!st.pick) {
      st.pick = L.circleMarker(ll, {
        radius: 9,
        color: "#c62828",
        weight: 3,
        fillColor: "#ef5350",
        fillOpacity: 0.6,
        interactive: false,
        className: "cm-pick",
      }).addTo(st.map);
    } else {
      st.pick.setLatLng(ll);
    }
    if (!st.map.getBounds().contains(ll)) {
      st.map.setView(ll, Math.max(st.map.getZoom(), PICK_ZOOM), { animate: false });
    }
    return true;
  }

  function onMapClick(e) {
    if (!st.picking) return;
    var p = toWgs(e.latlng);
    showPick(p[0], p[1]);
    if (st.bridge && st.bridge.pointPicked) st.bridge.pointPicked(p[0], p[1]);
  }

  function fillFor(n) {
    var k = -1;
    for (var i = 0; i < CHOROPLETH_BREAKS.length; i++) if (n >= CHOROPLETH_BREAKS[i]) k = i;
    if (k < 0) return st.dark ? DARK_FILL : PLAIN_FILL;
    return { fillColor: CHOROPLETH_COLORS[k], fillOpacity: st.dark ? 0.7 : 0.55 };
  }

  function applyGridStyle() {
    if (!st.grids) return;
    st.grids.eachLayer(function (layer) {
      var props = (layer.feature && layer.feature.properties) || {};
      var n = st.choroplethOn ? Number(st.counts[props.id] || 0) : 0;
      layer.setStyle(fillFor(n));
    });
  }

  function setGridStyle(counts) {
    st.counts = counts || {};
    applyGridStyle();
    return Object.keys(st.counts).length;
  }

  function gridLayer(gridId) {
    var found = null;
    st.grids.eachLayer(function (layer) {
      if (layer.feature && layer.feature.properties && layer.feature.properties.id === gridId) {
        found = layer;
      }
    });
    return found;
  }

  function focusGrid(id) {
    var layer = st.map && st.grids ? gridLayer(Number(id)) : null;
    if (!layer) return false;
    st.map.fitBounds(layer.getBounds(), { padding: [24, 24], animate: false });
    return true;
  }

  // --- patrols: 巡查人员 / 今日轨迹 / 巡查覆盖 ------------------------------------------------
  // Track colours by person: readable on the light and the dark ground alike.
  var TRACK_COLORS = ["#1e88e5", "#00acc1", "#fb8c00", "#8e24aa", "#d81b60", "#5e35b1", "#00897b", "#f06292"];
  var COVERAGE_BREAKS = [1, 200, 500, 1000, 2000]; // metres of track inside the grid today
  var COVERAGE_COLORS = ["#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"];
  var UNVISITED = "#e8590c";
  var STALE_S = 300; // an open patrol silent this long: its marker greys (the phone went quiet)

  function patrolLabel(key, fallback) {
    var labels = (st.patrols && st.patrols.labels) || {};
    return labels[key] || fallback;
  }

  function decodePerson(row) {
    return {
      userId: Number(row[0]),
      name: String(row[1] == null ? "" : row[1]),
      role: String(row[2] == null ? "" : row[2]),
      at: String(row[3] == null ? "" : row[3]),
      lon: Number(row[4]),
      lat: Number(row[5]),
      accuracy: row[6] == null ? null : Number(row[6]),
      open: !!row[7],
      age: Number(row[8]) || 0,
    };
  }

  function personClass(d) {
    var state = !d.open ? " cm-ended" : d.age > STALE_S ? " cm-stale" : "";
    // the inspectors' colour, or the grid staff's (一格七员, all of whom may patrol)
    return "cm-person cm-role-" + (d.role === "inspector" ? "inspector" : "grid_manager") + state;
  }

  function personIcon(d) {
    var key = personClass(d);
    if (!icons[key]) {
      icons[key] = L.divIcon({
        className: key,
        iconSize: [18, 18],
        iconAnchor: [9, 9],
        popupAnchor: [0, -10],
        tooltipAnchor: [0, -10],
        html: "",
      });
    }
    return icons[key];
  }

  function ago(seconds) {
    var minutes = Math.floor(seconds / 60);
    if (minutes < 1) return patrolLabel("justNow", "刚刚");
    return patrolLabel("minutesAgo", "%1 分钟前").replace("%1", String(minutes));
  }

  /** A person's tooltip and popup: every field through textContent. */
  function personContent(d) {
    var roles = patrolLabel("roles", {});
    var box = document.createElement("div");
    box.className = "cm-info cm-person-info";
    box.appendChild(textEl("div", "cm-person-name", d.name));
    box.appendChild(textEl("div", "cm-person-role", roles[d.role] || d.role));
    var time = d.at.length >= 16 ? d.at.slice(11, 16) : d.at;
    box.appendChild(
      textEl("div", "cm-person-seen", patrolLabel("lastSeen", "最后位置") + " " + time + "（" + ago(d.age) + "）")
    );
    if (d.accuracy !== null && isFinite(d.accuracy)) {
      box.appendChild(
        textEl("div", "cm-person-accuracy", patrolLabel("accuracy", "精度 ±%1 米").replace("%1", String(Math.round(d.accuracy))))
      );
    }
    box.appendChild(
      textEl("div", "cm-state", !d.open
        ? patrolLabel("ended", "巡查已结束")
        : patrolLabel("open", "巡查中") + (d.age > STALE_S ? " · " + patrolLabel("stale", "5 分钟以上无新位置") : ""))
    );
    return box;
  }

  function trackContent(t) {
    var person = st.patrols.byUser.get(t.userId);
    var box = document.createElement("div");
    box.className = "cm-info cm-track-info";
    box.appendChild(textEl("div", "cm-person-name", person ? person.personData.name : ""));
    box.appendChild(
      textEl("div", "cm-state", patrolLabel("tracks", "今日轨迹") + " · " + (t.open ? patrolLabel("open", "巡查中") : patrolLabel("ended", "巡查已结束")))
    );
    return box;
  }

  function coverageFill(metres) {
    if (!(metres > 0)) return { fillColor: UNVISITED, fillOpacity: st.dark ? 0.28 : 0.2 };
    var k = 0;
    for (var i = 0; i < COVERAGE_BREAKS.length; i++) if (metres >= COVERAGE_BREAKS[i]) k = i;
    return { fillColor: COVERAGE_COLORS[k], fillOpacity: st.dark ? 0.6 : 0.55 };
  }

  function applyCoverageStyle() {
    if (!st.patrols) return;
    var visits = st.patrols.visits;
    st.patrols.coverage.eachLayer(function (poly) {
      poly.setStyle(coverageFill(Number(visits[poly.gridId] || 0)));
    });
  }

  function patrolLegend() {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "cm-legend cm-patrol-legend");
      var row = function (parent, swatchClass, color, text) {
        var line = L.DomUtil.create("div", "cm-legend-row", parent);
        var swatch = L.DomUtil.create("span", "cm-swatch " + swatchClass, line);
        if (color) swatch.style.background = color;
        line.appendChild(textEl("span", "", text));
      };
      var cover = L.DomUtil.create("div", "cm-legend-coverage", box);
      cover.appendChild(textEl("div", "cm-legend-title", patrolLabel("coverageLegend", "今日巡查（每格米数）")));
      row(cover, "cm-grid-swatch", UNVISITED, patrolLabel("unvisited", "未巡查"));
      for (var i = 0; i < COVERAGE_BREAKS.length; i++) {
        var lo = COVERAGE_BREAKS[i];
        var hi = i + 1 < COVERAGE_BREAKS.length ? COVERAGE_BREAKS[i + 1] - 1 : null;
        row(cover, "cm-grid-swatch", COVERAGE_COLORS[i], hi === null ? lo + "+" : lo + "–" + hi);
      }
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return legend;
  }

  /** The coverage's legend while its overlay is on (the people's markers explain themselves
   *  in their tooltips: no legend rows for them on a small map). */
  function syncPatrolLegend() {
    var p = st.patrols;
    if (!p) return;
    var on = st.map.hasLayer(p.coverage) && !st.wallScale;
    if (on && !p.legendShown) p.legend.addTo(st.map);
    if (!on && p.legendShown) p.legend.remove();
    p.legendShown = on;
  }

  function ensurePatrols(labels) {
    if (st.patrols) {
      if (labels) st.patrols.labels = labels;
      return st.patrols;
    }
    if (!st.map.getPane("cmCoverage")) {
      st.map.createPane("cmCoverage").style.zIndex = 405; // over the grids, under the tracks
      st.map.createPane("cmTracks").style.zIndex = 420;
    }
    var p = {
      labels: labels || {},
      people: L.layerGroup(),
      tracks: L.layerGroup(),
      coverage: L.layerGroup(),
      byUser: new Map(), // user id → person marker
      lines: new Map(), // patrol id → polyline
      visits: {}, // grid id → metres today
      legendShown: false,
    };
    st.patrols = p;
    st.grids.eachLayer(function (layer) {
      var props = (layer.feature && layer.feature.properties) || {};
      var poly = L.polygon(layer.getLatLngs(), {
        pane: "cmCoverage",
        interactive: false,
        stroke: false,
        className: "cm-coverage",
      });
      poly.gridId = props.id;
      p.coverage.addLayer(poly);
    });
    applyCoverageStyle();
    p.legend = patrolLegend();
    st.control.addOverlay(p.people, p.labels.people || "巡查人员");
    st.control.addOverlay(p.tracks, p.labels.tracks || "今日轨迹");
    st.control.addOverlay(p.coverage, p.labels.coverage || "巡查覆盖");
    p.tracks.addTo(st.map);
    p.people.addTo(st.map);
    st.map.on("overlayadd overlayremove", syncPatrolLegend);
    syncPatrolLegend();
    return p;
  }

  function trackLatLngs(flat) {
    var out = [];
    for (var i = 0; i + 1 < flat.length; i += 2) {
      var lon = Number(flat[i]);
      var lat = Number(flat[i + 1]);
      if (isFinite(lon) && isFinite(lat)) out.push(latLng({ lon: lon, lat: lat }));
    }
    return out;
  }

  function setPatrols(data, labels) {
    var p = ensurePatrols(labels);
    data = data || {};
    // People: updated in place (an open popup stays open), the absent removed.
    var seen = new Set();
    (data.people || []).forEach(function (row) {
      var d = decodePerson(row);
      if (!isFinite(d.userId) || !isFinite(d.lon) || !isFinite(d.lat)) return;
      seen.add(d.userId);
      var m = p.byUser.get(d.userId);
      if (!m) {
        m = L.marker(latLng(d), { icon: personIcon(d), keyboard: false, zIndexOffset: 1000 });
        m.personData = d;
        m.bindTooltip(function (layer) {
          return personContent(layer.personData);
        }, { direction: "top", className: "cm-tooltip" });
        m.bindPopup(function (layer) {
          return personContent(layer.personData);
        }, { className: "cm-popup", autoPan: false });
        p.byUser.set(d.userId, m);
        p.people.addLayer(m);
      } else {
        m.personData = d;
        m.setLatLng(latLng(d));
        m.setIcon(personIcon(d));
        if (m.isTooltipOpen()) m.setTooltipContent(personContent(d));
        if (m.isPopupOpen()) m.setPopupContent(personContent(d));
      }
      if (d.accuracy !== null && d.accuracy > 0) {
        if (!m.accuracyCircle) {
          m.accuracyCircle = L.circle(latLng(d), {
            radius: d.accuracy,
            interactive: false,
            weight: 1,
            opacity: 0.5,
            fillOpacity: 0.08,
            className: "cm-accuracy",
          });
          p.people.addLayer(m.accuracyCircle);
        }
        m.accuracyCircle.setLatLng(latLng(d));
        m.accuracyCircle.setRadius(d.accuracy);
      } else if (m.accuracyCircle) {
        p.people.removeLayer(m.accuracyCircle);
        m.accuracyCircle = null;
      }
    });
    p.byUser.forEach(function (m, userId) {
      if (seen.has(userId)) return;
      if (m.accuracyCircle) p.people.removeLayer(m.accuracyCircle);
      p.people.removeLayer(m);
      p.byUser.delete(userId);
    });
    // Tracks: one polyline a patrol, its points replaced.
    var kept = new Set();
    var vertices = 0;
    (data.tracks || []).forEach(function (row) {
      var t = { patrolId: Number(row[0]), userId: Number(row[1]), open: !!row[2] };
      var lls = trackLatLngs(row[3] || []);
      if (!isFinite(t.patrolId) || lls.length < 2) return;
      kept.add(t.patrolId);
      vertices += lls.length;
      var line = p.lines.get(t.patrolId);
      var style = {
        color: TRACK_COLORS[Math.abs(t.userId) % TRACK_COLORS.length],
        weight: t.open ? 4 : 3,
        opacity: t.open ? 0.9 : 0.6,
        dashArray: t.open ? null : "6 5",
      };
      if (!line) {
        style.pane = "cmTracks";
        style.className = "cm-track";
        line = L.polyline(lls, style);
        line.bindTooltip(function (layer) {
          return trackContent(layer.trackData);
        }, { sticky: true, className: "cm-tooltip" });
        p.lines.set(t.patrolId, line);
        p.tracks.addLayer(line);
      } else {
        line.setLatLngs(lls);
        line.setStyle(style);
      }
      line.trackData = t;
    });
    p.lines.forEach(function (line, id) {
      if (kept.has(id)) return;
      p.tracks.removeLayer(line);
      p.lines.delete(id);
    });
    // Coverage: metres per grid today (absent: not visited).
    p.visits = {};
    (data.coverage || []).forEach(function (row) {
      p.visits[Number(row[0])] = Number(row[1]) || 0.001; // visited by a point: still visited
    });
    applyCoverageStyle();
    p.summary = {
      people: p.byUser.size,
      tracks: p.lines.size,
      vertices: vertices,
      visited: Object.keys(p.visits).length,
      day: data.day || null,
    };
    // As JSON text: Qt WebEngine hands a script's objects to Python as "".
    return JSON.stringify(p.summary);
  }

  // --- start-up ----------------------------------------------------------------------------
  /** Fold the layer list on a short map and open it on a tall one. The control is made
   *  expanded (folium, collapsed=False); Leaflet only wires hover and click for a collapsed
   *  one, so the same wiring is added here, active while folded. */
  function fitLayerControl() {
    var ctl = st.control;
    // Not once removed (the wall has no controls).
    if (!ctl || !st.map || !ctl.getContainer() || !ctl.getContainer().parentNode) return;
    if (!st.layersWired) {
      st.layersWired = true;
      var el = ctl.getContainer();
      L.DomEvent.on(el, "mouseenter", function () {
        if (st.layersCompact) ctl.expand();
      });
      L.DomEvent.on(el, "mouseleave", function () {
        if (st.layersCompact) ctl.collapse();
      });
      if (ctl._layersLink) {
        L.DomEvent.on(ctl._layersLink, "click", function (e) {
          L.DomEvent.preventDefault(e);
          if (st.layersCompact) ctl.expand();
        });
      }
      st.map.on("click", function () {
        if (st.layersCompact) ctl.collapse();
      });
      st.map.on("resize", fitLayerControl);
    }
    var compact = st.map.getSize().y < COMPACT_LAYERS_HEIGHT;
    if (compact === st.layersCompact) return;
    st.layersCompact = compact;
    // Leaflet expands an uncollapsed list again whenever an overlay is added to it.
    ctl.options.collapsed = compact;
    if (compact) ctl.collapse();
    else ctl.expand();
  }

  /** A legend or the class filter under an open popup steps aside (console_map.css): on a
   *  map dock of ordinary height they covered half of a case's or an object's popup. */
  function watchPopups() {
    st.map.on("popupopen", function (e) {
      st.openPopup = e.popup;
      clearOfPopup();
    });
    st.map.on("popupclose", function (e) {
      if (st.openPopup === e.popup) st.openPopup = null;
      clearOfPopup();
    });
    st.map.on("moveend zoomend resize", clearOfPopup);
  }

  /** Hide the legends and the class filter where the open popup overlaps them, show them
   *  again elsewhere (hidden, not removed: they keep their place to be measured next time). */
  function clearOfPopup() {
    var el = st.openPopup && st.openPopup.isOpen() ? st.openPopup.getElement() : null;
    var r = el ? el.getBoundingClientRect() : null;
    document.querySelectorAll(".cm-legend, .cm-component-filter").forEach(function (box) {
      var q = box.getBoundingClientRect();
      var under = !!r && q.left < r.right && r.left < q.right && q.top < r.bottom && r.top < q.bottom;
      box.classList.toggle("cm-under-popup", under);
    });
  }

  function fitDistrict() {
    if (!st.map || !st.grids) return;
    st.map.invalidateSize({ animate: false });
    var bounds = st.grids.getBounds();
    if (bounds.isValid()) st.map.fitBounds(bounds, { padding: [8, 8], animate: false });
  }

  /** The video wall: read-only (no controls, no pointer), the district filling its panel,
   *  clusters scaled by ``scale`` (1 at 1080p, 2 at 4K). */
  function wallMode(scale) {
    st.wallScale = Math.max(Number(scale) || 1, 1);
    if (st.map.zoomControl) st.map.zoomControl.remove();
    if (st.control) st.control.remove();
    ["dragging", "touchZoom", "doubleClickZoom", "scrollWheelZoom", "boxZoom", "keyboard"].forEach(
      function (h) {
        if (st.map[h]) st.map[h].disable();
      }
    );
    st.map.options.zoomSnap = 0; // fractional zoom: the district fills the panel exactly
    L.DomUtil.addClass(st.map.getContainer(), "cm-wall");
    if (!st.wallResize) {
      st.wallResize = true;
      window.addEventListener("resize", fitDistrict);
    }
    fitDistrict();
    st.markers.forEach(function (m) {
      m.setIcon(iconFor(m.caseData));
    });
    st.cluster.refreshClusters();
    return st.map.getZoom();
  }

  /** Dark map for the night shift and the wall: dark ground, light grid lines, dark popups. */
  function setDark(on) {
    var c = st.map.getContainer();
    st.dark = !!on;
    if (on) L.DomUtil.addClass(c, "cm-dark");
    else L.DomUtil.removeClass(c, "cm-dark");
    applyGridStyle();
    applyCoverageStyle();
    return st.dark;
  }

  /** What the colours mean: the traffic lights of the cases, the choropleth of the grids. */
  function addLegend(labels) {
    var lg = labels.legend || {};
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "cm-legend");
      var row = function (swatchClass, color, text) {
        var line = L.DomUtil.create("div", "cm-legend-row", box);
        var swatch = L.DomUtil.create("span", "cm-swatch " + swatchClass, line);
        if (color) swatch.style.background = color;
        line.appendChild(textEl("span", "", text));
      };
      box.appendChild(textEl("div", "cm-legend-title", lg.lights || "灯色"));
      row("cm-case cm-green", null, lg.green || "绿灯");
      row("cm-case cm-yellow", null, lg.yellow || "黄灯");
      row("cm-case cm-red cm-still", null, lg.red || "红灯（超期）");
      row("cm-case cm-none", null, lg.none || "未计时");
      box.appendChild(textEl("div", "cm-legend-title", lg.density || "每格在办案件"));
      for (var i = 0; i < CHOROPLETH_BREAKS.length; i++) {
        var lo = CHOROPLETH_BREAKS[i];
        var hi = i + 1 < CHOROPLETH_BREAKS.length ? CHOROPLETH_BREAKS[i + 1] - 1 : null;
        var text = hi === null ? lo + "+" : lo === hi ? String(lo) : lo + "–" + hi;
        row("cm-grid-swatch", CHOROPLETH_COLORS[i], text);
      }
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(st.map);
    st.legend = legend;
  }

  function initChannel() {
    if (typeof QWebChannel === "undefined" || typeof qt === "undefined" || !qt.webChannelTransport) {
      st.ready = true; // opened in a plain browser: no Python behind it
      return;
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      st.bridge = channel.objects.bridge;
      st.ready = true;
      if (st.bridge) st.bridge.pageReady();
    });
  }

  function init() {
    var parts = window.consoleMapParts;
    if (!parts) return;
    st.map = parts.map();
    st.grids = parts.grids();
    st.control = parts.control();
    st.gcj02 = !!(parts.options && parts.options.gcj02);
    if (parts.options && parts.options.bounds) {
      // Not animated: an animation running when Python's first calls arrive swallows them.
      st.map.fitBounds(parts.options.bounds, { animate: false });
    }
    if (st.map.attributionControl) st.map.attributionControl.setPrefix(false);
    L.control.scale({ imperial: false }).addTo(st.map);
    fitLayerControl();
    watchPopups();
    // No tile layer by default, so the map itself must know its zoom range (markercluster).
    if (st.map.options.maxZoom === undefined) st.map.setMaxZoom(parts.options.maxZoom || 19);
    if (st.map.options.minZoom === undefined) st.map.setMinZoom(parts.options.minZoom || 10);
    st.cluster = L.markerClusterGroup({
      chunkedLoading: false,
      animate: false, // no split/merge animation: cheaper, and the DOM is current after a call
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      disableClusteringAtZoom: FOCUS_ZOOM,
      maxClusterRadius: 50,
      iconCreateFunction: clusterIcon,
    });
    st.cluster.on("click", function (e) {
      onCaseClick(e.layer);
    });
    st.cluster.on("mouseover", function (e) {
      var m = e.layer;
      if (!m.caseData) return;
      if (!m.getTooltip()) m.bindTooltip(tooltipFor, { direction: "top", className: "cm-tooltip" });
      m.openTooltip();
    });
    st.cluster.addTo(st.map);
    st.highlight = L.circleMarker([0, 0], {
      radius: 16,
      color: "#1565c0",
      weight: 3,
      fill: false,
      interactive: false,
      className: "cm-highlight",
    });
    st.choropleth = L.layerGroup();
    st.choropleth.addTo(st.map);
    st.map.on("overlayadd overlayremove", function (e) {
      if (e.layer === st.choropleth) {
        st.choroplethOn = e.type === "overlayadd";
        applyGridStyle();
      }
    });
    var labels = (parts.options && parts.options.labels) || {};
    st.labels = labels;
    addLegend(labels);
    st.control.addOverlay(st.cluster, labels.cases || "案件");
    st.control.addOverlay(st.choropleth, labels.density || "案件密度");
    st.map.on("click", onMapClick);
    initChannel();
  }

  window.consoleMap = {
    upsertCases: upsertCases,
    removeCases: removeCases,
    setCases: setCases,
    focusCase: focusCase,
    focusGrid: focusGrid,
    setGridStyle: setGridStyle,
    wallMode: wallMode,
    setDark: setDark,
    fitDistrict: fitDistrict,
    /** A control appeared or changed size (component_layer.js's filter box): step aside
     *  from an open popup again. */
    controlsChanged: clearOfPopup,
    /** The page's channel object (component_layer.js sends its clicks through it). */
    bridge: function () {
      return st.bridge;
    },
    // Read-outs for tests and the benchmark.
    isReady: function () {
      return st.ready;
    },
    caseCount: function () {
      return st.markers.size;
    },
    hasCase: function (id) {
      return st.markers.has(Number(id));
    },
    caseLight: function (id) {
      var m = st.markers.get(Number(id));
      return m ? lightOf(m.caseData) : null;
    },
    caseLatLng: function (id) {
      var m = st.markers.get(Number(id));
      return m ? [m.getLatLng().lat, m.getLatLng().lng] : null;
    },
    focusedCase: function () {
      return st.focused;
    },
    legendText: function () {
      var el = document.querySelector(".cm-legend");
      return el ? el.textContent : null;
    },
    hasControls: function () {
      return document.querySelectorAll(".leaflet-control-zoom, .leaflet-control-layers").length > 0;
    },
    clusterSizes: function () {
      return Array.prototype.map.call(document.querySelectorAll(".cm-cluster"), function (el) {
        return el.offsetWidth;
      });
    },
    gridBoundsOnScreen: function () {
      var b = st.grids.getBounds();
      var nw = st.map.latLngToContainerPoint(b.getNorthWest());
      var se = st.map.latLngToContainerPoint(b.getSouthEast());
      var size = st.map.getSize();
      return [nw.x, nw.y, se.x, se.y, size.x, size.y];
    },
    gridOnScreen: function (gridId) {
      var layer = gridLayer(Number(gridId));
      if (!layer) return null;
      var b = layer.getBounds();
      var nw = st.map.latLngToContainerPoint(b.getNorthWest());
      var se = st.map.latLngToContainerPoint(b.getSouthEast());
      var size = st.map.getSize();
      return [nw.x, nw.y, se.x, se.y, size.x, size.y];
    },
    gridFill: function (gridId) {
      var layer = gridLayer(Number(gridId));
      return layer ? layer.options.fillColor : null;
    },
    gcj02: gcj02,
    /** A click on the case's marker: a real DOM click when it is drawn, else the handler. */
    _clickForTest: function (id) {
      var m = st.markers.get(Number(id));
      if (!m) return false;
      if (m._icon) {
        m._icon.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, view: window }));
        return "dom";
      }
      onCaseClick(m);
      return "handler";
    },
    setPickMode: setPickMode,
    showPick: showPick,
    setPatrols: setPatrols,
    /** What the patrol overlays hold: markers and polylines in the page's DOM and on the map. */
    patrolCounts: function () {
      var p = st.patrols;
      if (!p) return null;
      return {
        people: p.byUser.size,
        tracks: p.lines.size,
        vertices: p.summary ? p.summary.vertices : 0,
        visited: Object.keys(p.visits).length,
        peopleDrawn: document.querySelectorAll(".leaflet-marker-icon.cm-person").length,
        tracksDrawn: document.querySelectorAll("path.cm-track").length,
        coverageDrawn: document.querySelectorAll("path.cm-coverage").length,
        overlays: Array.prototype.map.call(
          document.querySelectorAll(".leaflet-control-layers-overlays label"),
          function (el) {
            return el.textContent.trim();
          }
        ),
      };
    },
    /** Open a person's tooltip (as a hover would) and give its element, or null. */
    _personTooltipForTest: function (userId) {
      var m = st.patrols && st.patrols.byUser.get(Number(userId));
      if (!m) return null;
      m.openTooltip();
      return m.getTooltip().getElement();
    },
    _personPopupForTest: function (userId) {
      var m = st.patrols && st.patrols.byUser.get(Number(userId));
      if (!m) return null;
      m.openPopup();
      return m.getPopup().getElement();
    },
    /** A person's marker and the first vertex of a patrol's track as [lat, lng] (display). */
    personLatLng: function (userId) {
      var m = st.patrols && st.patrols.byUser.get(Number(userId));
      return m ? [m.getLatLng().lat, m.getLatLng().lng] : null;
    },
    trackStart: function (patrolId) {
      var line = st.patrols && st.patrols.lines.get(Number(patrolId));
      if (!line) return null;
      var first = line.getLatLngs()[0];
      return [first.lat, first.lng];
    },
    /** Pixels between where a person's diamond is drawn and where their position is. */
    personDrawnOffset: function (userId) {
      var m = st.patrols && st.patrols.byUser.get(Number(userId));
      if (!m || !m._icon) return null;
      var want = st.map.latLngToContainerPoint(m.getLatLng());
      var box = m._icon.getBoundingClientRect();
      var map = st.map.getContainer().getBoundingClientRect();
      var x = box.left + box.width / 2 - map.left;
      var y = box.top + box.height / 2 - map.top;
      return Math.hypot(x - want.x, y - want.y);
    },
    _trackTooltipForTest: function (patrolId) {
      var line = st.patrols && st.patrols.lines.get(Number(patrolId));
      if (!line) return null;
      line.openTooltip(line.getCenter());
      return line.getTooltip().getElement();
    },
    coverageFill: function (gridId) {
      var found = null;
      if (st.patrols) {
        st.patrols.coverage.eachLayer(function (poly) {
          if (poly.gridId === Number(gridId)) found = [poly.options.fillColor, poly.options.fillOpacity];
        });
      }
      return found;
    },
    /** The marked point as [lon, lat] (WGS-84), or null. */
    pickedPoint: function () {
      if (!st.pick) return null;
      var p = toWgs(st.pick.getLatLng());
      return [p[0], p[1]];
    },
    /** A real click on the map at (lon, lat): the element drawn there gets the DOM event. */
    _clickMapForTest: function (lon, lat) {
      var pt = st.map.latLngToContainerPoint(latLng({ lon: Number(lon), lat: Number(lat) }));
      var rect = st.map.getContainer().getBoundingClientRect();
      var x = rect.left + pt.x;
      var y = rect.top + pt.y;
      var target = document.elementFromPoint(x, y);
      if (!target) return false;
      var init = { bubbles: true, cancelable: true, view: window, clientX: x, clientY: y };
      target.dispatchEvent(new MouseEvent("click", init));
      return target.tagName;
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
