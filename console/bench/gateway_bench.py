"""Field gateway: POST requests.json throughput over HTTP against a running `serve` process.

The measured path: N clients at once, each on its own kept-alive connection (what a hotline
system or a fleet of handhelds does). The naive baseline: one client, one request at a time,
each on a new connection (connect, POST, close). Both post the same kind of reports to the
same server; every POST creates a case through CaseService. Figures: requests per second,
with p50/p95 latency of each in the note.
"""

from __future__ import annotations

import math
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn  # noqa: F401  (the server process needs the gateway extra)

from console.bench.feed_bench import percentile
from console.bench.foundation import prepare
from console.bench.harness import Figure
from console.services.api_tokens import ApiTokenService
from console.services.demo import ensure_people, random_points_in_grids

Log = Callable[[str], None]
FIGURE = "gateway POST requests.json (req/s)"
PATH = "/open311/v2/requests.json"
CODES = ("garbage", "0101", "manhole_cover", "illegal_building")
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class GatewaySizes:
    clients: int
    requests: int
    baseline_requests: int

    @classmethod
    def for_run(cls, quick: bool) -> GatewaySizes:
        if quick:
            return cls(clients=4, requests=200, baseline_requests=60)
        return cls(clients=8, requests=2_000, baseline_requests=300)


@dataclass
class Run:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    def ms(self, p: int) -> float:
        return percentile(self.latencies, p) * 1000


def report_bodies(db: Any, n: int, seed: int) -> list[dict[str, Any]]:
    with db.read() as s:
        lons, lats = random_points_in_grids(s, n, seed=seed)
    rng = random.Random(seed)
    return [
        {
            "service_code": rng.choice(CODES),
            "lat": float(lats[i]),
            "long": float(lons[i]),
            "address_string": f"莲湖路{i % 500}号",
            "description": "基准测试：热线来电反映路边垃圾",
        }
        for i in range(n)
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db_url: str, workdir: Path, secret: str) -> tuple[subprocess.Popen[bytes], str]:
    """`grid-console serve` in its own process; returns once it answers."""
    port = _free_port()
    log_file = (workdir / "gateway-server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console",
            "--db",
            db_url,
            "serve",
            "--port",
            str(port),
            "--attachments-dir",
            str(workdir / "attachments"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    log_file.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"gateway exited: see {workdir / 'gateway-server.log'}")
        try:
            r = httpx.get(
                f"{url}/open311/v2/services.json",
                headers={"Authorization": f"Bearer {secret}"},
                timeout=5,
            )
            if r.status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            raise RuntimeError("gateway did not start within 60 s")
        time.sleep(0.2)


def _post(client: Any, url: str, body: dict[str, Any], run: Run, lock: threading.Lock) -> None:
    started = time.perf_counter()
    try:
        r = client.post(url, json=body)
        ok = r.status_code == 201
        problem = f"{r.status_code} {r.text[:120]}"
    except httpx.HTTPError as exc:
        ok, problem = False, repr(exc)
    took = time.perf_counter() - started
    with lock:
        if ok:
            run.latencies.append(took)
        else:
            run.errors.append(problem)


def concurrent_posts(url: str, secret: str, bodies: list[dict[str, Any]], clients: int) -> Run:
    """``clients`` threads, each with one kept-alive connection, sharing the bodies."""
    run, lock = Run(), threading.Lock()
    headers = {"Authorization": f"Bearer {secret}"}
    shares = [bodies[i::clients] for i in range(clients)]

    def client_loop(share: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            for body in share:
                _post(client, PATH, body, run, lock)

    threads = [threading.Thread(target=client_loop, args=(s,)) for s in shares]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - started
    return run


def naive_posts(url: str, secret: str, bodies: list[dict[str, Any]]) -> Run:
    """One request at a time, each on a new connection that is closed afterwards."""
    run, lock = Run(), threading.Lock()
    headers = {"Authorization": f"Bearer {secret}", "Connection": "close"}
    # One client (its set-up is not what is measured), but no connection is ever reused.
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=url, headers=headers, timeout=60, limits=no_reuse) as client:
        started = time.perf_counter()
        for body in bodies:
            _post(client, PATH, body, run, lock)
        run.seconds = time.perf_counter() - started
    return run


def _summary(label: str, run: Run) -> str:
    return (
        f"{label}: {run.count} ok, {len(run.errors)} errors, {run.rate:,.1f} req/s, "
        f"p50 {run.ms(50):.1f} ms, p95 {run.ms(95):.1f} ms"
    )


def run_gateway_bench(
    workdir: Path, quick: bool, log: Log, *, sizes: GatewaySizes | None = None
) -> list[Figure]:
    sizes = sizes or GatewaySizes.for_run(quick)
    db = prepare(workdir / "gateway.sqlite3")
    try:
        with db.session() as s:
            ensure_people(s, random.Random(1))
        # A rate no run reaches: the bench measures the server, not its limiter.
        secret = ApiTokenService(db).create("intake", "bench", rate_per_minute=1e9).secret
        bodies = report_bodies(db, sizes.requests + sizes.baseline_requests, seed=11)
        url_db = db.url
    finally:
        db.dispose()
    log(f"  starting the gateway ({sizes.clients} clients × keep-alive vs one at a time)")
    proc, url = start_server(url_db, workdir, secret)
    try:
        log(f"  {sizes.requests:,} POSTs from {sizes.clients} concurrent clients")
        fast = concurrent_posts(url, secret, bodies[: sizes.requests], sizes.clients)
        log(f"  naive baseline: {sizes.baseline_requests:,} POSTs, new connection each")
        slow = naive_posts(url, secret, bodies[sizes.requests :])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for run in (fast, slow):
        if run.errors:
            raise RuntimeError(f"gateway bench: {len(run.errors)} failed POSTs: {run.errors[:3]}")
    return [
        Figure(
            name=FIGURE,
            value=fast.rate,
            unit="/s",
            baseline=slow.rate if not math.isclose(slow.rate, 0.0) else None,
            higher_is_better=True,
            note=f"N={sizes.clients} clients; {_summary('concurrent keep-alive', fast)}; "
            f"{_summary('baseline sequential new-connection', slow)}; "
            "each POST creates a case (SQLite file, grid-console serve in its own process)",
        )
    ]
