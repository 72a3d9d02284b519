"""The field staff app at ``/app/``: static files shipped in the package, served by the gateway.

* ``/app/`` and its files: ``console/gateway/static/app/`` (plain ES modules and CSS, no build
  step), with a Content-Security-Policy that allows no inline script or style;
* ``/app/sw.js``: the service worker, its cache named after a digest of the shell's files, so a
  new release replaces the cache (and the worker) as a whole, never serving a mix;
* ``/app/vendor/leaflet/``: Leaflet from the ``xstatic-leaflet`` wheel (the console's map
  uses the same package), mounted from the installed package, not copied;
* ``/app/data/grids.json``: the district's grids as compact GeoJSON for the report map (no tile
  server: the grid outlines are the map), for a signed-in device.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from functools import cache
from pathlib import Path
from typing import Any

import xstatic.pkg.leaflet as xs_leaflet
from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from console.gateway.context import Caller, Ctx
from console.services.map_data import grid_feature_collection

APP_DIR = Path(__file__).resolve().parent / "static" / "app"
LEAFLET_DIR = Path(xs_leaflet.BASE_DIR)

#: The Leaflet files the shell needs offline (paths under /app/vendor/leaflet/).
LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)

#: No inline script or style anywhere; photos are shown from blob: URLs.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "same-origin"}

# Module scripts must come as JavaScript: on Windows the registry may map .js to text/plain.
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("image/svg+xml", ".svg")


class _Files(StaticFiles):
    """StaticFiles with the app's security headers."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(_HEADERS)
        return response


def own_files(directory: Path) -> list[str]:
    """A page's own files as URLs relative to its folder (``./`` for index.html), sorted;
    the worker itself and dot files left out."""
    own = sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.name != "sw.js" and not p.name.startswith(".")
    )
    return ["./" if name == "index.html" else name for name in own]


def fill_worker(worker: Path, files: list[tuple[str, Path]]) -> tuple[str, str]:
    """(the worker's text with its version and shell filled in, the version).

    ``files`` are (URL as the worker fetches it, the file served there): the version is a
    digest of them all and of the worker, so the cache a worker names after it (and the worker)
    is replaced whole by a release. Shared by the staff app and the public page's workers."""
    digest = hashlib.sha256()
    for url, path in files:
        digest.update(url.encode() + b"\0" + path.read_bytes())
    text = worker.read_text(encoding="utf-8")
    digest.update(text.encode())
    version = digest.hexdigest()[:12]
    text = text.replace('"__VERSION__"', json.dumps(version)).replace(
        "[] /* __SHELL__ */", json.dumps([url for url, _ in files])
    )
    return text, version


def leaflet_files(prefix: str) -> list[tuple[str, Path]]:
    """Leaflet's files the shells need offline, as URLs under ``prefix``."""
    return [(f"{prefix}{name}", LEAFLET_DIR / name) for name in LEAFLET_FILES]


def shell_files() -> list[str]:
    """The URLs the service worker caches on install: every app file and Leaflet's."""
    return [url for url, _ in _shell()]


def _shell() -> list[tuple[str, Path]]:
    own = [(url, APP_DIR / ("index.html" if url == "./" else url)) for url in own_files(APP_DIR)]
    return own + leaflet_files("vendor/leaflet/")


@cache
def service_worker() -> tuple[str, str]:
    """(the worker's text with its version and file list filled in, the version)."""
    return fill_worker(APP_DIR / "sw.js", _shell())


def _rounded(coords: Any) -> Any:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        return [round(float(c), 5) for c in coords]
    return [_rounded(c) for c in coords]


def compact_grids(collection: dict[str, Any]) -> dict[str, Any]:
    """The grids with 5 decimals (about 1 m) and only the names the app shows."""
    features = []
    for f in collection["features"]:
        p = f["properties"]
        geometry = f["geometry"]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": p["code"], "name": p["name"], "street": p["street"]},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _rounded(geometry["coordinates"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def mount_field_app(app: FastAPI) -> None:
    """Serve the staff app under /app/ (call once, from create_app)."""

    @app.get("/app", include_in_schema=False)
    def app_root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=308)

    @app.get("/app/", include_in_schema=False)
    def app_index() -> FileResponse:
        return FileResponse(APP_DIR / "index.html", media_type="text/html", headers=_HEADERS)

    @app.get("/app/sw.js", include_in_schema=False)
    def app_worker() -> Response:
        text, _ = service_worker()
        # scope /app/ (the worker's own folder); always re-checked, so a release is picked up
        return Response(
            text,
            media_type="text/javascript",
            headers={**_HEADERS, "Service-Worker-Allowed": "/app/"},
        )

    @app.get("/app/data/grids.json", include_in_schema=False)
    def app_grids(ctx: Ctx, who: Caller) -> Response:
        with ctx.db.read() as s:
            body = json.dumps(
                compact_grids(grid_feature_collection(s)),
                ensure_ascii=False,
                separators=(",", ":"),
            )
        return Response(body, media_type="application/json")

    # compressed on the way (Leaflet's 147 KB are 42 KB gzipped): the shell stays small
    app.mount(
        "/app/vendor/leaflet",
        GZipMiddleware(_Files(directory=LEAFLET_DIR), minimum_size=1024),
        name="app-leaflet",
    )
    app.mount("/app", GZipMiddleware(_Files(directory=APP_DIR, html=True), minimum_size=1024))
