"""The field app in a real browser against a real gateway.

* ``field_server``: a copy of the demo database (tests/conftest.py: demo_template) served by a
  real ``grid-console serve`` subprocess on a free 127.0.0.1 port, once per session;
* ``browser``: Debian's Chromium (/usr/bin/chromium) driven by Playwright, once per session
  (never a downloaded browser);
* ``phone``: a fresh phone-sized browser context (390×844, touch, zh-CN, Asia/Shanghai, the
  position emulated inside the demo district), optionally already signed in.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from console.bench.serve_process import free_port, stop, wait_until_answers
from console.db import Database

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = (
    "Debian's Chromium is not installed (/usr/bin/chromium): `apt-get install chromium` "
    "(.ci/run does); the field app's browser tests never download a browser"
)
#: Inside 香米园社区第2网格 (北院门街道) of the demo district.
HERE = {"longitude": 108.93, "latitude": 34.27, "accuracy": 12}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "geolocation": HERE,
    "permissions": ["geolocation"],
}
PASSWORDS = {
    "inspector": "jiandu-2026",
    "grid_manager": "wangge-2026",
    "sanitation_worker": "wangge-2026",
}
HANDLER_PASSWORD = "chuzhi-2026"


def password_of(username: str) -> str:
    return HANDLER_PASSWORD if username.startswith("dept-") else PASSWORDS[username]


def _grid_console() -> list[str]:
    """The installed ``grid-console`` script beside this Python, else the same via -c."""
    bindir = Path(sys.executable).parent
    for name in ("grid-console", "grid-console.exe"):
        if (bindir / name).is_file():
            return [str(bindir / name)]
    return [sys.executable, "-c", "import sys; from console.cli import main; sys.exit(main())"]


@dataclass
class FieldServer:
    url: str
    db_url: str
    attachments: Path
    log: Path
    _db: Database | None = field(default=None, repr=False)

    @property
    def db(self) -> Database:
        """The server's database, opened by the test process too (SQLite WAL: both may)."""
        if self._db is None:
            self._db = Database(self.db_url)
        return self._db


@contextmanager
def serving(db_file: Path, root: Path) -> Iterator[FieldServer]:
    """``grid-console serve`` on ``db_file`` (a subprocess on a free port) until the block ends."""
    port = free_port()
    server = FieldServer(
        url=f"http://127.0.0.1:{port}",
        db_url=f"sqlite:///{db_file}",
        attachments=root / "attachments",
        log=root / "serve.log",
    )
    command = [
        *_grid_console(),
        *("--db", server.db_url, "serve", "--host", "127.0.0.1", "--port", str(port)),
        *("--attachments-dir", str(server.attachments), "--log-level", "warning"),
    ]
    with server.log.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answers(process, f"{server.url}/app/", server.log)
        yield server
    finally:
        stop(process)
        if server._db is not None:
            server._db.dispose()


@pytest.fixture(scope="session")
def field_server(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FieldServer]:
    """The demo template (district, reference data, people; no cases) served for the session."""
    root = tmp_path_factory.mktemp("field")
    db_file = root / "field.sqlite3"
    shutil.copy(demo_template, db_file)
    with serving(db_file, root) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


PHOTO_JS = """() => {
  const c = document.createElement("canvas");
  c.width = 3000; c.height = 2000;
  const x = c.getContext("2d");
  const g = x.createLinearGradient(0, 0, 3000, 2000);
  g.addColorStop(0, "#5a8f4e"); g.addColorStop(1, "#9c6b3c");
  x.fillStyle = g; x.fillRect(0, 0, 3000, 2000);
  for (let i = 0; i < 400; i++) {
    x.fillStyle = `hsl(${(i * 37) % 360} 40% ${30 + (i % 40)}%)`;
    x.fillRect((i * 211) % 3000, (i * 97) % 2000, 60 + (i % 90), 40 + (i % 70));
  }
  return c.toDataURL("image/jpeg", 0.9);
}"""


def make_photo(browser: Any, path: Path) -> Path:
    """A camera-sized JPEG (3000×2000, as a phone's camera makes it), encoded by the browser."""
    page = browser.new_page()
    try:
        data_url = page.evaluate(PHOTO_JS)
    finally:
        page.close()
    path.write_bytes(base64.b64decode(data_url.split(",", 1)[1]))
    return path


@pytest.fixture(scope="session")
def photo_file(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_photo(browser, tmp_path_factory.mktemp("photos") / "IMG_20261123_091500.jpg")


@dataclass
class Phones:
    """Opens phone contexts; remembers each person's signed-in storage (their token)."""

    browser: Any
    server: FieldServer
    states: dict[str, Any] = field(default_factory=dict)
    opened: list[Any] = field(default_factory=list)
    #: Script errors and Content-Security-Policy refusals seen on any page.
    problems: list[str] = field(default_factory=list)

    def open(self, user: str | None = None, **options: Any) -> Any:
        """A new context (and its page at /app/), signed in as ``user`` when one is named."""
        settings = {**PHONE, "base_url": self.server.url, **options}
        if user is not None and user in self.states:
            settings["storage_state"] = self.states[user]
        context = self.browser.new_context(**settings)
        self.opened.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("console", self._console)
        page.goto("/app/")
        if user is not None and user not in self.states:
            sign_in(page, user)
            self.states[user] = context.storage_state()
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(message.text)

    def close(self) -> None:
        for context in self.opened:
            context.close()


def sign_in(page: Any, user: str) -> None:
    page.fill("#signin-username", user)
    page.fill("#signin-password", password_of(user))
    page.click("#signin-submit")
    page.wait_for_selector("#tabs", state="visible")


@pytest.fixture
def phones(
    browser: Any, field_server: FieldServer, _phone_states: dict[str, Any]
) -> Iterator[Phones]:
    opener = Phones(browser, field_server, _phone_states)
    yield opener
    opener.close()
    assert not opener.problems, opener.problems


@pytest.fixture(scope="session")
def _phone_states() -> dict[str, Any]:
    return {}
