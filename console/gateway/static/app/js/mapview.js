// The report's map: no tile server, so the district's grid outlines are the map. The marker is
// the problem's position: GPS first, then dragged or tapped by the person to correct it.
// Leaflet (window.L) comes from the gateway's /app/vendor/leaflet/, i.e. the xstatic wheel.

import { api } from "./api.js";
import { kv } from "./store.js";

/** The demo district's middle (莲湖区), shown until a position is known. */
const HOME = [34.266, 108.93];

let gridsLoading = null;

/** The grids (compact GeoJSON) from the device, else the gateway; null when neither has them. */
export function loadGrids() {
  if (!gridsLoading) {
    gridsLoading = (async () => {
      const kept = await kv.get("grids").catch(() => null);
      if (kept) return kept;
      try {
        const grids = await api("/app/data/grids.json");
        await kv.set("grids", grids);
        return grids;
      } catch {
        gridsLoading = null; // try again next time (offline, or not signed in yet)
        return null;
      }
    })();
  }
  return gridsLoading;
}

function inRing(lon, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(lon, lat, rings) {
  return inRing(lon, lat, rings[0]) && !rings.slice(1).some((hole) => inRing(lon, lat, hole));
}

/** The grid feature containing the point, or null. */
export function gridAt(grids, lon, lat) {
  if (!grids) return null;
  for (const feature of grids.features) {
    const g = feature.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    if (polygons.some((rings) => inPolygon(lon, lat, rings))) return feature;
  }
  return null;
}

/** Metres between two [lat, lon] points (haversine). */
export function distance(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(h));
}

export class ReportMap {
  /** `onMove(lat, lon, byHand)` is called whenever the marker moves. */
  constructor(element, onMove) {
    const L = window.L;
    this.onMove = onMove;
    this.map = L.map(element, {
      center: HOME,
      zoom: 13,
      zoomControl: true,
      attributionControl: false,
      minZoom: 11,
      maxZoom: 19,
      zoomSnap: 0.5,
    });
    this.marker = null;
    this.circle = null;
    this.selected = null;
    this.gridLayer = null;
    this.map.on("click", (e) => this.place(e.latlng.lat, e.latlng.lng, true));
  }

  showGrids(grids) {
    if (!grids || this.gridLayer) return;
    const L = window.L;
    this.gridLayer = L.geoJSON(grids, {
      interactive: false,
      style: { className: "grid-line", weight: 1, fill: true, fillOpacity: 0 },
    }).addTo(this.map);
    if (!this.marker) this.map.fitBounds(this.gridLayer.getBounds(), { padding: [8, 8] });
  }

  highlight(feature) {
    const L = window.L;
    if (this.selected) this.selected.remove();
    this.selected = feature
      ? L.geoJSON(feature, {
          interactive: false,
          style: { className: "grid-here", weight: 2, fillOpacity: 0.12 },
        }).addTo(this.map)
      : null;
    if (this.marker) this.marker.setZIndexOffset(1000);
  }

  /** Put the marker at a point; `byHand`: the person chose it (tap or drag). */
  place(lat, lon, byHand, accuracy = null) {
    const L = window.L;
    if (!this.marker) {
      this.marker = L.marker([lat, lon], { draggable: true, autoPan: true, keyboard: true }).addTo(
        this.map,
      );
      this.marker.on("dragend", () => {
        const p = this.marker.getLatLng();
        this.onMove(p.lat, p.lng, true);
      });
      this.map.setView([lat, lon], 16);
    } else {
      this.marker.setLatLng([lat, lon]);
      if (!byHand) this.map.panTo([lat, lon]);
    }
    if (accuracy !== null) {
      if (!this.circle) {
        this.circle = L.circle([lat, lon], {
          radius: accuracy,
          className: "accuracy",
          interactive: false,
          weight: 1,
        }).addTo(this.map);
      } else {
        this.circle.setLatLng([lat, lon]).setRadius(accuracy);
      }
    }
    if (byHand) this.onMove(lat, lon, true);
  }

  clear() {
    if (this.marker) this.marker.remove();
    if (this.circle) this.circle.remove();
    this.highlight(null);
    this.marker = null;
    this.circle = null;
  }

  /** After the map's container was hidden or resized. */
  refresh() {
    this.map.invalidateSize();
  }
}
