"""A local MBTiles file as the map's basemap, served through the ``mbtiles://`` URL scheme.

No HTTP server, no open port: Qt WebEngine asks :class:`MbtilesSchemeHandler` for
``mbtiles://tiles/{z}/{x}/{y}`` and it answers from the SQLite file (MBTiles 1.3: the
``tiles`` table with TMS rows, ``tile_row = 2^z - 1 - y``; the ``metadata`` table's
``format`` gives the MIME type).

Order matters (Qt's rule): :func:`register_scheme` must run **before** the QApplication is
created (the console's start-up and tests/views/conftest.py call it); then
:func:`install_mbtiles` puts a handler on a profile (``MapView.use_mbtiles`` does).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

log = logging.getLogger(__name__)

SCHEME = b"mbtiles"
_TILE_PATH = re.compile(r"^/(\d{1,2})/(\d{1,9})/(\d{1,9})(?:\.\w{2,5})?$")
_MIME = {
    "png": b"image/png",
    "jpg": b"image/jpeg",
    "jpeg": b"image/jpeg",
    "webp": b"image/webp",
    "pbf": b"application/x-protobuf",
    "mvt": b"application/vnd.mapbox-vector-tile",
}


def register_scheme() -> None:
    """Declare ``mbtiles://`` to Qt WebEngine. Call once, before QApplication exists."""
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.LocalScheme
        | QWebEngineUrlScheme.Flag.CorsEnabled
    )
    QWebEngineUrlScheme.registerScheme(scheme)


class MbtilesReader:
    """Read tiles out of an MBTiles file by XYZ address (Qt-free)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"MBTiles 文件不存在：{self.path}")
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        meta = dict(self._conn.execute("SELECT name, value FROM metadata").fetchall())
        self.format = str(meta.get("format", "png")).lower()
        self.mime = _MIME.get(self.format, b"application/octet-stream")
        self.metadata = meta

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``z/x/y`` (flipped to the file's TMS row), or None."""
        if z < 0 or z > 30 or not (0 <= x < (1 << z)) or not (0 <= y < (1 << z)):
            return None
        row = (1 << z) - 1 - y
        with self._lock:
            found = self._conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, row),
            ).fetchone()
        return bytes(found[0]) if found else None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class MbtilesSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``mbtiles://tiles/{z}/{x}/{y}[.ext]`` from one MBTiles file."""

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader = MbtilesReader(path)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        match = _TILE_PATH.match(url.path())
        data = None
        if url.host() == "tiles" and match:
            z, x, y = (int(v) for v in match.groups())
            try:
                data = self.reader.tile(z, x, y)
            except sqlite3.Error as exc:
                log.warning("MBTiles read failed for %s: %s", url.toString(), exc)
                job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
                return
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buffer = QBuffer(parent=job)  # must outlive this call: the job owns it
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(self.reader.mime, buffer)


def install_mbtiles(profile: QWebEngineProfile, path: Path) -> MbtilesSchemeHandler:
    """Serve ``path`` on ``profile`` (replacing an earlier file); keep the returned handler."""
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() != SCHEME:
        log.warning("mbtiles:// was not registered before QApplication; tiles may not load")
    handler = MbtilesSchemeHandler(path, profile)
    profile.removeUrlScheme(SCHEME)
    profile.installUrlSchemeHandler(SCHEME, handler)
    return handler
