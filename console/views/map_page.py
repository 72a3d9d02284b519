"""Build the map page once with folium, for Qt WebEngine, with no internet at all.

:func:`build_map_page` writes ``console_map.html`` and a ``static/`` folder next to it into
``out_dir``; the view loads it by URL (``QUrl.fromLocalFile``), never with ``setHtml`` (2 MB cap).
Everything the page loads is local:

* Leaflet 1.9.3 from the ``xstatic-leaflet`` wheel (folium 0.20's own Leaflet version) and
  Leaflet.markercluster from ``xstatic-leaflet-markercluster``, copied into ``static/``;
* ``qrc:///qtwebchannel/qwebchannel.js`` (built into Qt WebEngine);
* ``resources/map/console_map.js`` and ``.css``: the small JS API the view drives;
* ``resources/map/component_layer.js`` and ``.css``: the component register's canvas layer.

folium's CDN links (jQuery, Bootstrap, awesome-markers, Font Awesome) are dropped: the page uses
no folium ``Icon``. After this, everything changes through the JS API (``upsertCases`` ...).

Basemap (``basemap`` argument):

* ``None``: no tiles, the grid polygons on a plain background (the default);
* an XYZ URL template with ``{z}``, ``{x}``, ``{y}``, e.g. an intranet 天地图 mirror;
* a path to an ``.mbtiles`` file (or ``mbtiles:<path>``): served by
  :class:`console.views.tile_scheme.MbtilesSchemeHandler` under ``mbtiles://tiles/{z}/{x}/{y}``
  (the view installs the handler: :meth:`MapView.use_mbtiles`);
* prefix either with ``gcj02:`` when the tiles are GCJ-02 (AMap-style): the grid polygons are
  shifted WGS-84 → GCJ-02 here and the markers in console_map.js, at display time only.

No Qt import here: this module only writes files.
"""

from __future__ import annotations

import copy
import html
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster
from folium.elements import MacroElement
from folium.template import Template

from console.config import resources_dir

PAGE_NAME = "console_map.html"
#: The tile URL the MBTiles scheme handler answers (see tile_scheme.py).
MBTILES_URL = "mbtiles://tiles/{z}/{x}/{y}"
#: Where the district is when there are no grids yet (莲湖区).
DEFAULT_CENTER = (34.267, 108.90)

LOCAL_JS = [
    ("leaflet", "static/leaflet/leaflet.js"),
    ("markercluster", "static/markercluster/leaflet.markercluster.js"),
    ("qwebchannel", "qrc:///qtwebchannel/qwebchannel.js"),
    ("console_map", "static/console_map.js"),
    ("component_layer", "static/component_layer.js"),
]
LOCAL_CSS = [
    ("leaflet_css", "static/leaflet/leaflet.css"),
    ("markercluster_css", "static/markercluster/MarkerCluster.css"),
    ("markercluster_default_css", "static/markercluster/MarkerCluster.Default.css"),
    ("console_map_css", "static/console_map.css"),
    ("component_layer_css", "static/component_layer.css"),
]


@dataclass(frozen=True)
class Basemap:
    """A parsed ``basemap`` argument."""

    kind: str  # "none" | "xyz" | "mbtiles"
    url: str | None = None
    mbtiles: Path | None = None
    gcj02: bool = False


def parse_basemap(basemap: str | None) -> Basemap:
    """``None`` / XYZ template / MBTiles path, optionally prefixed ``gcj02:``."""
    if not basemap:
        return Basemap("none")
    spec = basemap.strip()
    gcj = spec.lower().startswith("gcj02:")
    if gcj:
        spec = spec[len("gcj02:") :]
    if spec.lower().startswith("mbtiles:"):
        spec = spec[len("mbtiles:") :]
        if spec.startswith("//"):
            spec = spec[2:]
        return Basemap("mbtiles", MBTILES_URL, Path(spec), gcj)
    if spec.lower().endswith(".mbtiles"):
        return Basemap("mbtiles", MBTILES_URL, Path(spec), gcj)
    if all(part in spec for part in ("{z}", "{x}", "{y}")):
        return Basemap("xyz", spec, None, gcj)
    raise ValueError(f"底图应为 XYZ 瓦片地址（含 {{z}}/{{x}}/{{y}}）或 .mbtiles 文件：{basemap}")


# --- GCJ-02 (display only; storage stays WGS-84) ------------------------------------------

_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The public approximate GCJ-02 formula (see shared/reference/geo/coordinates.md)."""
    if _out_of_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def _shift_coords(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return list(wgs84_to_gcj02(coords[0], coords[1]))
    return [_shift_coords(c) for c in coords]


# --- the page -----------------------------------------------------------------------------


class _ConsoleMapParts(MacroElement):
    """Hands the folium objects' JS names to console_map.js (read at DOMContentLoaded)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.consoleMapParts = {
            map: () => {{ this.map_name }},
            grids: () => {{ this.grids_name }},
            control: () => {{ this.control_name }},
            options: {{ this.options | tojson }},
        };
        {% endmacro %}
        """
    )

    def __init__(
        self, map_name: str, grids_name: str, control_name: str, options: dict[str, Any]
    ) -> None:
        super().__init__()
        self._name = "ConsoleMapParts"
        self.map_name = map_name
        self.grids_name = grids_name
        self.control_name = control_name
        self.options = options


def _copy_if_changed(src: Path, dst: Path) -> None:
    same_size = dst.exists() and dst.stat().st_size == src.stat().st_size
    if same_size and dst.read_bytes() == src.read_bytes():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def _copy_assets(static: Path) -> None:
    leaflet = Path(xs_leaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        _copy_if_changed(leaflet / name, static / "leaflet" / name)
    for image in sorted((leaflet / "images").glob("*.png")):
        _copy_if_changed(image, static / "leaflet" / "images" / image.name)
    cluster = Path(xs_cluster.BASE_DIR)
    for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"):
        _copy_if_changed(cluster / name, static / "markercluster" / name)
    own = resources_dir() / "map"
    for name in ("console_map.js", "console_map.css", "component_layer.js", "component_layer.css"):
        _copy_if_changed(own / name, static / name)


def _bounds(geojson: dict[str, Any]) -> list[list[float]] | None:
    lons: list[float] = []
    lats: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in geojson.get("features", []):
        geometry = feature.get("geometry") or {}
        walk(geometry.get("coordinates") or [])
    if not lons:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _display_grids(grids: dict[str, Any], gcj02: bool) -> dict[str, Any]:
    """A copy with HTML-escaped tooltip fields (folium's GeoJsonTooltip uses innerHTML)."""
    out = copy.deepcopy(grids)
    for feature in out.get("features", []):
        props = feature.setdefault("properties", {})
        for key in ("street", "unit", "name", "code"):
            props[f"tip_{key}"] = html.escape(str(props.get(key) or ""))
        if gcj02 and feature.get("geometry"):
            geometry = feature["geometry"]
            geometry["coordinates"] = _shift_coords(geometry["coordinates"])
    return out


def _grid_style(_feature: dict[str, Any]) -> dict[str, Any]:
    return {"color": "#3b6ea8", "weight": 1, "fillColor": "#dfe8f2", "fillOpacity": 0.25}


#: Layer and tooltip names (zh_CN); callers pass translated ones for other languages.
DEFAULT_LABELS = {
    "basemap": "底图",
    "grids": "网格",
    "cases": "案件",
    "density": "案件密度",
    "street": "街道",
    "unit": "社区",
    "grid": "网格",
    "code": "编码",
}


def build_map_page(
    grids_geojson: dict[str, Any],
    out_dir: Path,
    *,
    basemap: str | None = None,
    labels: dict[str, Any] | None = None,
) -> Path:
    """Write the map page (and its local assets) into ``out_dir``; returns the HTML file."""
    names = {**DEFAULT_LABELS, **(labels or {})}
    choice = parse_basemap(basemap)
    out_dir.mkdir(parents=True, exist_ok=True)
    _copy_assets(out_dir / "static")

    grids = _display_grids(grids_geojson, choice.gcj02)
    bounds = _bounds(grids)
    center = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        if bounds
        else list(DEFAULT_CENTER)
    )
    fmap = folium.Map(
        location=center,
        zoom_start=14,
        tiles=None,
        control_scale=False,  # console_map.js adds a metric-only scale
        min_zoom=10,
        max_zoom=19,
    )
    # Instance attributes: other folium users in the process keep folium's defaults.
    fmap.default_js = list(LOCAL_JS)
    fmap.default_css = list(LOCAL_CSS)
    if choice.kind != "none":
        folium.TileLayer(
            tiles=choice.url,
            attr=names["basemap"] + ("（GCJ-02）" if choice.gcj02 else ""),
            name=names["basemap"],
            min_zoom=10,
            max_zoom=19,
            max_native_zoom=18,
            overlay=False,
            control=True,
        ).add_to(fmap)
    layer = folium.GeoJson(
        grids,
        name=names["grids"],
        style_function=_grid_style,
        highlight_function=lambda _f: {"weight": 3},
        tooltip=folium.GeoJsonTooltip(
            fields=["tip_street", "tip_unit", "tip_name", "tip_code"],
            aliases=[names["street"], names["unit"], names["grid"], names["code"]],
            sticky=True,
        ),
        zoom_on_click=False,
        embed=True,
    )
    layer.add_to(fmap)
    control = folium.LayerControl(collapsed=False)
    control.add_to(fmap)
    options = {
        "gcj02": choice.gcj02,
        "minZoom": 10,
        "maxZoom": 19,
        "bounds": bounds,  # fitted by console_map.js, without animation
        "labels": {
            "cases": names["cases"],
            "density": names["density"],
            "urgent": names.get("urgent", "紧急"),
            # state code → name in the interface language, for popups and tooltips
            "states": names.get("states", {}),
            "legend": names.get("legend", {}),
        },
        "demo": any(f.get("properties", {}).get("demo") for f in grids.get("features", [])),
    }
    fmap.add_child(_ConsoleMapParts(fmap.get_name(), layer.get_name(), control.get_name(), options))
    path = out_dir / PAGE_NAME
    fmap.save(str(path))
    return path


def page_resources(page: Path) -> list[str]:
    """Every src=/href= the saved page references (for the offline check)."""
    text = page.read_text(encoding="utf-8")
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", text)


__all__ = [
    "MBTILES_URL",
    "PAGE_NAME",
    "Basemap",
    "build_map_page",
    "page_resources",
    "parse_basemap",
    "wgs84_to_gcj02",
]
