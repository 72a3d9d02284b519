"""Field gateway: POST requests.json throughput over HTTP against a running server process.

The measured path: `grid-console serve` (one uvicorn worker, pooled database connections) and
N clients at once, each on its own kept-alive connection (what a hotline system or a fleet of
handhelds does).

The naive baseline is a naive gateway used naively: the same routes and services, but every
database session opens the SQLite file with a fresh engine (new connection, its pragmas, the
dialect's first-connect checks) and closes it afterwards, and one client sends one request at
a time, each on a new TCP connection (connect, POST, close). It is not a strawman: reference
data, the grid index and the settings are still loaded once, as any gateway would.

Both servers get a few warm-up POSTs first (the grid index is built on the first report), then
post the same kind of reports; every POST creates a case through CaseService. The note also
gives the fast server with the naive client, which separates what the client's concurrency and
keep-alive bring from what the server's pooled connections bring.

What to expect: one uvicorn worker runs Python on one core (the GIL) and SQLite takes one
writer at a time, so the server's CPU time per POST (≈ 2.5–3 ms, most of it CaseService.report,
the token check and the HTTP stack) caps throughput at a few hundred POSTs a second whatever
the number of clients; concurrency only overlaps the network and the clients' own time with
it. On a small machine the clients share the cores with the server.

Figures: requests per second, with p50/p95 latency of each in the note.
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy.orm import Session

from console.bench.feed_bench import percentile
from console.bench.foundation import prepare
from console.bench.harness import Figure
from console.bench.serve_process import free_port, stop, wait_until_answers
from console.db import Database, make_engine, make_session_factory
from console.services.api_tokens import ApiTokenService
from console.services.demo import ensure_people, random_points_in_grids

Log = Callable[[str], None]
FIGURE = "gateway POST requests.json (req/s)"
#: A district's intake peaks at a few reports a second (12345, inspectors, public app):
#: 100/s is ample headroom. The pooled gateway should beat the naive one at least twice over.
GOAL = 100.0
RATIO_GOAL = 2.0
PATH = "/open311/v2/requests.json"
CODES = ("garbage", "0101", "manhole_cover", "illegal_building")
ROOT = Path(__file__).resolve().parents[2]
#: POSTs each server gets before it is timed (not counted).
WARM_UP = 10


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


class NaiveDatabase(Database):
    """The naive gateway's database: a fresh engine for every session, disposed afterwards."""

    def __init__(self, url: str) -> None:
        super().__init__(url, migrate=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = make_engine(self.url)
        try:
            with make_session_factory(engine).begin() as session:
                yield session
        finally:
            engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        engine = make_engine(self.url, read_only=True)
        try:
            with make_session_factory(engine)() as session:
                try:
                    yield session
                finally:
                    session.rollback()
        finally:
            engine.dispose()


def serve_naive(db_url: str, port: int, attachments_dir: Path) -> None:
    """The naive gateway in this process (``python -m console.bench.gateway_bench``)."""
    from console.gateway.app import create_app
    from console.gateway.settings import GatewaySettings

    db = NaiveDatabase(db_url)
    app = create_app(db, GatewaySettings.load(attachments_dir=attachments_dir))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(
    db_url: str, workdir: Path, secret: str, *, naive: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    """`grid-console serve` (or the naive gateway) in its own process; returns once it answers."""
    port = free_port()
    attachments = str(workdir / "attachments")
    if naive:
        argv = ["-m", "console.bench.gateway_bench", db_url, str(port), attachments]
    else:
        argv = ["-m", "console", "--db", db_url, "serve", "--port", str(port)]
        argv += ["--attachments-dir", attachments, "--log-level", "warning"]
    log_name = f"gateway-{'naive' if naive else 'server'}.log"
    log_file = (workdir / log_name).open("wb")
    proc = subprocess.Popen(
        [sys.executable, *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log_file
    )
    log_file.close()
    url = f"http://127.0.0.1:{port}"
    wait_until_answers(
        proc,
        f"{url}/open311/v2/services.json",
        workdir / log_name,
        headers={"Authorization": f"Bearer {secret}"},
        interval=0.2,
    )
    return proc, url


@contextmanager
def running(
    db_url: str, workdir: Path, secret: str, warm_up: list[dict[str, Any]], *, naive: bool = False
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A started, warmed-up server (URL, process); the process is stopped afterwards."""
    proc, url = start_server(db_url, workdir, secret, naive=naive)
    try:
        warm = naive_posts(url, secret, warm_up)
        if warm.errors:
            raise RuntimeError(f"gateway bench: warm-up failed: {warm.errors[:3]}")
        yield url, proc
    finally:
        stop(proc)


def cpu_seconds(proc: subprocess.Popen[bytes]) -> float | None:
    """CPU time (user + system) a process has used so far; None where /proc is missing."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _cpu_note(before: float | None, after: float | None, count: int) -> str:
    if before is None or after is None or count == 0 or after <= before:
        return ""
    per_post = (after - before) / count
    return (
        f"; server CPU {per_post * 1000:.2f} ms/POST, so one worker tops out near "
        f"{1 / per_post:,.0f} req/s"
    )


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
        bodies = report_bodies(db, sizes.requests + 2 * sizes.baseline_requests + 3 * WARM_UP, 11)
        url_db = db.url
    finally:
        db.dispose()
    fast_bodies, bodies = bodies[: sizes.requests], bodies[sizes.requests :]
    client_bodies, bodies = bodies[: sizes.baseline_requests], bodies[sizes.baseline_requests :]
    naive_bodies, warm = bodies[: sizes.baseline_requests], bodies[sizes.baseline_requests :]
    log(f"  the gateway: {sizes.requests:,} POSTs from {sizes.clients} kept-alive clients")
    with running(url_db, workdir, secret, warm[:WARM_UP]) as (url, proc):
        cpu_before = cpu_seconds(proc)
        fast = concurrent_posts(url, secret, fast_bodies, sizes.clients)
        cpu_note = _cpu_note(cpu_before, cpu_seconds(proc), fast.count)
        log(f"  the gateway, naive client: {sizes.baseline_requests:,} POSTs, one at a time")
        naive_client = naive_posts(url, secret, client_bodies)
    log("  naive baseline: fresh engine per session, one POST per new connection")
    with running(url_db, workdir, secret, warm[WARM_UP : 2 * WARM_UP], naive=True) as (url, _):
        slow = naive_posts(url, secret, naive_bodies)
    for run in (fast, naive_client, slow):
        if run.errors:
            raise RuntimeError(f"gateway bench: {len(run.errors)} failed POSTs: {run.errors[:3]}")
    return [
        Figure(
            name=FIGURE,
            value=fast.rate,
            unit="/s",
            baseline=slow.rate if not math.isclose(slow.rate, 0.0) else None,
            higher_is_better=True,
            goal=GOAL,
            ratio_goal=RATIO_GOAL,
            note=f"N={sizes.clients} clients; {_summary('gateway, concurrent keep-alive', fast)}"
            f"{cpu_note}; "
            f"{_summary('baseline: naive gateway, sequential new-connection', slow)}; "
            f"(gateway with the naive client: {naive_client.rate:,.1f} req/s); "
            "each POST creates a case (SQLite file, server in its own process, one worker)",
        )
    ]


if __name__ == "__main__":  # the naive gateway's process: DB_URL PORT ATTACHMENTS_DIR
    serve_naive(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
