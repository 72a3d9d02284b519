"""The field app's shell (issue 15, Speed): bytes, first load and the offline reload in Chromium.

A real `grid-console serve` (its own process, a free 127.0.0.1 port, a fresh migrated SQLite
database: the shell's first load asks the database nothing) and Debian's Chromium
(/usr/bin/chromium) driven by Playwright, each load in a fresh phone-sized context (an empty
HTTP cache, no service worker yet). Without /usr/bin/chromium or Playwright the scenario says so
and gives no figures.

* **Bytes**: the sum of the encoded body sizes (what came over the wire, gzip where the gateway
  compresses) of every response a first load of /app/ gets, as Chromium's Resource Timing
  reports them: the page's (the navigation and its resources) and the service worker's (its
  install fetches the whole shell again, with ``cache: "reload"``, to keep it offline), until
  the worker controls the page, and the worker's own script (/app/sw.js, in neither timeline:
  its bytes as a client asking for gzip gets them). Baseline: the decoded sizes of the same
  responses, what the same load would cost without gzip.
* **First load**: navigation start → the sign-in screen visible (``performance.now()`` in the
  page, polled each frame), median over fresh contexts, taken in turn with the baseline: the
  same first load with ``Accept-Encoding: identity`` (the gateway then sends every file
  uncompressed: the note gives that load's encoded and decoded sizes), i.e. what gzip costs or
  saves on loopback.
* **Offline reload**: after a first load whose service worker took control, the context goes
  offline and the page is reloaded: navigation start → the sign-in screen visible, the page
  answered by the worker and Leaflet loaded (from the cache). Baseline: the same reload online
  in a context with service workers blocked (the HTTP cache's own reload; offline it would be
  the browser's error page). A reload that does not show the shell counts the time waited
  (TIMEOUT_S) and the note says NO.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from console.bench.harness import Figure, alternating_runs
from console.db import Database

Log = Callable[[str], None]
CHROMIUM = Path("/usr/bin/chromium")
BYTES_FIGURE = "app shell first load, transferred (KB)"
LOAD_FIGURE = "app shell first load on loopback (s)"
OFFLINE_FIGURE = "app shell reload offline from the cache (s)"
BYTES_GOAL_KB = 300.0
LOAD_GOAL_S = 1.0
OFFLINE_GOAL_S = 1.0
#: How long a load may take before it counts as failed.
TIMEOUT_S = 15.0
#: The phone the field tests use (tests/field/conftest.py).
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
#: navigation start → the sign-in screen shown (polled each frame), in ms.
SIGN_IN_SHOWN = """() => {
  const el = document.getElementById("screen-signin");
  return el && !el.hidden && el.offsetParent !== null ? performance.now() : false;
}"""
#: (encoded, decoded, count) of the navigation's and resources' bodies in this global scope.
SIZES = """() => {
  const entries = [...performance.getEntriesByType("navigation"),
                   ...performance.getEntriesByType("resource")];
  return [entries.reduce((n, e) => n + e.encodedBodySize, 0),
          entries.reduce((n, e) => n + e.decodedBodySize, 0), entries.length];
}"""
CONTROLLED = "() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"


def missing() -> str | None:
    """Why the scenario cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed ({CHROMIUM}): apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def serving(workdir: Path) -> Iterator[str]:
    """`grid-console serve` on a fresh database in its own process; yields its URL."""
    from console.bench.serve_process import free_port, stop, wait_until_answers

    db_file = workdir / "app-shell.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db_file}"
    Database(url).dispose()  # created and migrated
    port = free_port()
    argv = [sys.executable, "-m", "console", "--db", url, "serve", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--attachments-dir", str(workdir / "app-shell-attachments")]
    log_path = workdir / "app-shell-serve.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(proc, f"{base}/app/", log_path)
        yield base
    finally:
        stop(proc)


def _worker_script(base: str) -> tuple[int, int]:
    """(encoded, decoded) bytes of /app/sw.js (the browser fetches it outside both timelines)."""
    import httpx

    with httpx.stream("GET", f"{base}/app/sw.js", headers={"Accept-Encoding": "gzip"}) as r:
        decoded = len(r.read())
        return r.num_bytes_downloaded, decoded


class Loads:
    """Fresh phone contexts in one Chromium against one server."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base

    def _context(self, **options: Any) -> Any:
        return self.browser.new_context(**{**PHONE, "base_url": self.base, **options})

    def _shown(self, page: Any) -> float:
        """Seconds from the navigation's start to the sign-in screen shown."""
        handle = page.wait_for_function(SIGN_IN_SHOWN, polling="raf", timeout=TIMEOUT_S * 1000)
        return float(handle.json_value()) / 1000

    def first(self, *, gzip: bool = True) -> tuple[float, tuple[int, int, int]]:
        """A first load: (seconds to the sign-in screen, the page's (encoded, decoded, n))."""
        headers = {} if gzip else {"Accept-Encoding": "identity"}
        context = self._context(extra_http_headers=headers, service_workers="block")
        try:
            page = context.new_page()
            page.goto("/app/", wait_until="commit")
            seconds = self._shown(page)
            page.wait_for_load_state("load")
            encoded, decoded, n = page.evaluate(SIZES)
            return seconds, (int(encoded), int(decoded), int(n))
        finally:
            context.close()

    def installed(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """A first load with its service worker, until the worker controls the page:
        (the page's (encoded, decoded, n), the worker's)."""
        context = self._context()
        try:
            page = context.new_page()
            page.goto("/app/")
            page.wait_for_function(CONTROLLED, timeout=TIMEOUT_S * 1000)
            page.wait_for_load_state("load")
            own = page.evaluate(SIZES)
            worker = context.service_workers[0].evaluate(SIZES)
            return tuple(map(int, own)), tuple(map(int, worker))  # type: ignore[return-value]
        finally:
            context.close()

    def offline_reload(self) -> tuple[float, bool]:
        """(seconds, whether the shell came from the worker's cache) for one offline reload."""
        context = self._context()
        try:
            page = context.new_page()
            page.goto("/app/")
            page.wait_for_function(CONTROLLED, timeout=TIMEOUT_S * 1000)
            self._shown(page)
            context.set_offline(True)
            started = time.perf_counter()
            try:
                response = page.reload(wait_until="commit", timeout=TIMEOUT_S * 1000)
                seconds = self._shown(page)
                page.wait_for_load_state("load")
                ok = (
                    response is not None
                    and response.from_service_worker
                    and page.evaluate("typeof L") == "object"  # Leaflet from the cache too
                )
            except Exception:  # the browser's offline page: the shell did not come back
                return max(TIMEOUT_S, time.perf_counter() - started), False
            return seconds, bool(ok)
        finally:
            context.close()

    def reload_without_worker(self) -> tuple[float, bool]:
        """The baseline: the same reload online, service workers blocked (the HTTP cache)."""
        context = self._context(service_workers="block")
        try:
            page = context.new_page()
            page.goto("/app/")
            self._shown(page)
            page.wait_for_load_state("load")
            page.reload(wait_until="commit")
            seconds = self._shown(page)
            page.wait_for_load_state("load")
            return seconds, True
        finally:
            context.close()


def run_app_shell_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    reason = missing()
    if reason is not None:
        log(f"  skipped: {reason}")
        return []
    # Playwright's sync API refuses a thread where an asyncio loop runs (another sync
    # Playwright of the same process leaves one, as a test session's does): a thread of its own.
    with ThreadPoolExecutor(1, thread_name_prefix="app-shell-bench") as pool:
        return pool.submit(_measure, workdir, quick, log).result()


def _measure(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    repeat = 2 if quick else 9
    with serving(workdir) as base, sync_playwright() as playwright:
        worker_script = _worker_script(base)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            loads = Loads(browser, base)
            loads.first()  # Chromium's own first-page costs (its processes, caches), not timed
            page_sizes, worker_sizes = loads.installed()
            plain: list[tuple[int, int, int]] = []

            def run() -> tuple[float, bool]:
                seconds, _ = loads.first()
                return seconds, True

            def baseline() -> tuple[float, bool]:
                seconds, sizes = loads.first(gzip=False)
                plain.append(sizes)
                return seconds, True

            load_s, load_base_s, _ = alternating_runs("app shell", repeat, run, baseline, log)
            offline: list[tuple[float, bool]] = []
            online: list[float] = []
            for i in range(repeat):
                offline.append(loads.offline_reload())
                online.append(loads.reload_without_worker()[0])
                log(
                    f"app shell offline reload: run {i + 1}/{repeat}: {offline[-1][0]:.2f} s "
                    f"({'from the cache' if offline[-1][1] else 'FAILED'}) vs {online[-1]:.2f} s"
                )
        finally:
            browser.close()

    encoded = page_sizes[0] + worker_sizes[0] + worker_script[0]
    decoded = page_sizes[1] + worker_sizes[1] + worker_script[1]
    identity = plain[-1]
    works = sum(ok for _, ok in offline)
    offline_s = statistics.median(s if ok else max(s, TIMEOUT_S) for s, ok in offline)
    return [
        Figure(
            BYTES_FIGURE,
            encoded / 1024,
            "KB",
            decoded / 1024,
            higher_is_better=False,
            goal=BYTES_GOAL_KB,
            note=f"a first load of /app/ until the service worker controls it, encoded body "
            f"sizes as Chromium's Resource Timing reports them: the page {page_sizes[0] / 1024:.1f}"
            f" KB ({page_sizes[2]} responses) + the worker's install {worker_sizes[0] / 1024:.1f}"
            f" KB ({worker_sizes[2]}: the whole shell again, kept for offline) + sw.js "
            f"{worker_script[0] / 1024:.1f} KB; baseline: the "
            f"same responses decoded (without gzip); a load asking for identity got "
            f"{identity[0] / 1024:.1f} KB encoded = {identity[1] / 1024:.1f} KB decoded",
        ),
        Figure(
            LOAD_FIGURE,
            load_s,
            "s",
            load_base_s,
            higher_is_better=False,
            goal=LOAD_GOAL_S,
            note=f"navigation start → the sign-in screen visible, Chromium, a fresh phone-sized "
            f"context each time, on 127.0.0.1; baseline: the same first load with "
            f"Accept-Encoding: identity (no gzip); taken in turn, median of {repeat}",
        ),
        Figure(
            OFFLINE_FIGURE,
            offline_s,
            "s",
            statistics.median(online),
            higher_is_better=False,
            goal=OFFLINE_GOAL_S,
            note=f"works offline: {'yes' if works == repeat else 'NO'} ({works} of {repeat} "
            f"reloads answered by the service worker, the sign-in screen shown, Leaflet loaded); "
            f"navigation start → the sign-in screen visible, after a first load the worker took; "
            f"baseline: the same reload online with service workers blocked (the HTTP cache); "
            f"median of {repeat}",
        ),
    ]
