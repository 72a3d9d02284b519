"""Patrol tracks under load: 200 devices each sending a position every 10 s while a seat's
queue stays live.

Processes, all on this machine (so they share its cores with whatever else runs on it):

* the SERVER: a real ``grid-console serve`` (one uvicorn worker) on a real SQLite file, seeded
  as the feed scenario's (the demo district, people and open cases) plus 200 field accounts
  (inspectors and grid managers) with a device token each (ApiTokenService, the default rate
  limit), and one more account for the idle baseline;
* the FLEET (this module run as ``python -m console.bench.patrol_load_bench fleet PLAN``): one
  asyncio loop, an httpx client per device. Each device has an open patrol (``POST
  /api/v1/patrols``, made before anything is timed) and POSTs one point to
  ``/api/v1/patrols/{id}/points`` every 10 s with a fresh ``Idempotency-Key``; device i starts
  i × 50 ms into the run, so the 200 devices make a steady 20 requests a second. The tracks are
  walks at 0.8–1.5 m/s inside each device's grid (seeded; a step that would leave the grid
  turns), the device time 10 s apart (a device's clock: server time stamps the rows). Latency
  per batch: send → answer, in the fleet; every answer must be 201 with the point accepted;
* the WRITER (``… writer DB_URL SEED``): a seat's colleague committing a case change about every
  second through CaseService (a new report, or a note on one of the newest open cases, in turn),
  printing each commit's time;
* the SEAT, here: what a console seat does every 500 ms (console.bench.feed_bench.feed_seat:
  poll the change feed, re-read the changed rows). Feed latency = the writer's commit → the row
  at that version in the seat's hands.

The run, in order: the idle baseline (one device alone, the same requests one at a time, after
a few untimed warm-up batches: the server's grid index is built on the first), then the writer
starts and the seat follows it with no device load (the feed baseline), then the fleet's load
while the writer and the seat go on; a change committed inside the load's window counts as
under load. Full mode: the load for 300 s (6,000 batches); quick mode: the same 200 devices at
the same rate for 12 s (240 batches), a 4 s feed baseline and 20 idle batches.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import ssl
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import shapely
from sqlalchemy import select

from console.bench.feed_bench import (
    FEED_INTERVAL_S,
    GOAL_P95_S,
    NOTE_POOL,
    Sightings,
    feed_seat,
    percentile,
    prepare_feed_db,
)
from console.bench.foundation import _reports
from console.bench.gateway_bench import cpu_seconds, start_server
from console.bench.harness import Figure
from console.bench.serve_process import stop as stop_server
from console.db import Database
from console.models import Region, User
from console.services.actors import actor_of
from console.services.api_tokens import ApiTokenService
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, QueueRow, page_ids_select

Log = Callable[[str], None]

BATCH_FIGURE = "patrol point batch p95, 200 devices (ms)"
FEED_FIGURE = "feed latency p95 beside 200 patrolling devices (s)"
#: The issue's goal: p95 per batch while 200 devices send a point every 10 s.
GOAL_MS = 100.0
#: Each device's interval between two points, s.
PERIOD_S = 10.0
#: Walking speeds, m/s (a device keeps one).
WALK_MPS = (0.8, 1.5)
#: Untimed batches the idle device sends first (the server builds its grid index on the first).
WARM_UP = 5
#: The writer's pause between two changes, s (jittered).
WRITER_PAUSE_S = (0.8, 1.2)
#: How long the seat keeps looking for the writer's last changes after it stopped, s.
GRACE_S = 15.0
M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class LoadSizes:
    devices: int
    load_s: float
    feed_baseline_s: float
    idle_batches: int
    idle_pause_s: float
    cases: int

    @classmethod
    def for_run(cls, quick: bool) -> LoadSizes:
        if quick:
            return cls(200, 12.0, 4.0, 20, 0.1, 300)
        return cls(200, 300.0, 30.0, 100, 0.2, 2_000)

    @property
    def rate(self) -> float:
        return self.devices / PERIOD_S

    def sends(self, device: int) -> int:
        """How many batches device ``device`` sends in the load's window."""
        offset = device * PERIOD_S / self.devices
        return max(1, math.ceil((self.load_s - offset) / PERIOD_S))

    @property
    def batches(self) -> int:
        return sum(self.sends(i) for i in range(self.devices))


@dataclass
class Batches:
    """One fleet run: each batch's latency (s), the failures, the window (time.time_ns)."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    start_ns: int = 0
    end_ns: int = 0
    #: The latest a send went out after its due time, s (the fleet keeping up).
    worst_late_s: float = 0.0
    #: The batches over the goal: (when sent, s into the run; latency, s).
    slow: list[tuple[float, float]] = field(default_factory=list)
    #: When each batch of ``latencies`` was answered, s into the run.
    at: list[float] = field(default_factory=list)

    def ms(self, p: int) -> float:
        return percentile(self.latencies, p) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.latencies) * 1000 if self.latencies else math.nan

    def summary(self) -> str:
        return (
            f"{len(self.latencies):,} batches, {len(self.errors)} errors, p50 {self.ms(50):.1f} "
            f"ms, p95 {self.ms(95):.1f} ms, max {self.max_ms:.1f} ms"
        )

    def by_minute(self) -> str:
        """p50/p95 per minute of the run (does a batch get slower as the tables grow?)."""
        minutes: dict[int, list[float]] = {}
        for at, took in zip(self.at, self.latencies, strict=True):
            minutes.setdefault(int(at // 60), []).append(took)
        return ", ".join(
            f"min {m + 1}: p50 {percentile(v, 50) * 1000:.0f} p95 {percentile(v, 95) * 1000:.0f}"
            for m, v in sorted(minutes.items())
        )

    def slow_summary(self) -> str:
        """How many batches took over the goal and in how many of the run's seconds (a few
        seconds: stalls; spread out: a busy machine)."""
        seconds = {int(at) for at, _ in self.slow}
        return f"{len(self.slow)} over {GOAL_MS:g} ms, in {len(seconds)} distinct seconds"


# --------------------------------------------------------------------------- set-up


def walk(
    polygon: Any, steps: int, rng: np.random.Generator, step_m: float
) -> list[tuple[float, float]]:
    """A walk of ``steps`` points inside ``polygon``, ``step_m`` metres a step (a step that
    would leave it turns; after 16 tries the walker waits where it is)."""
    minx, miny, maxx, maxy = polygon.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(polygon, x, y):
            break
    heading = rng.uniform(0, 2 * math.pi)
    points = [(float(x), float(y))]
    for _ in range(steps - 1):
        for _try in range(16):
            dx = step_m * math.cos(heading) / (M_PER_DEG * math.cos(math.radians(y)))
            dy = step_m * math.sin(heading) / M_PER_DEG
            if shapely.contains_xy(polygon, x + dx, y + dy):
                x, y = x + dx, y + dy
                break
            heading = rng.uniform(0, 2 * math.pi)
        points.append((float(x), float(y)))
        heading += rng.normal(0.0, 0.4)
    return points


def grid_polygons(db: Database) -> list[Any]:
    with db.read() as s:
        rows = s.scalars(
            select(Region.geometry)
            .where(Region.level == "grid", Region.geometry.is_not(None))
            .order_by(Region.id)
        ).all()
    return list(shapely.from_geojson(list(rows)))


def field_accounts(db: Database, n: int) -> list[str]:
    """``n`` active inspectors and grid managers (no password: the bench gives them tokens),
    each with a device token (the default rate limit; the last one, the idle baseline's, one
    its back-to-back requests never reach); their secrets."""
    names = [f"patrol-bench-{i:03d}" for i in range(n)]
    with db.session() as s:
        for i, name in enumerate(names):
            role = "inspector" if i % 2 == 0 else "grid_manager"
            s.add(User(username=name, display_name=f"巡查{i:03d}", role=role, active=True))
    tokens = ApiTokenService(db)
    return [
        tokens.create(
            name, f"巡查终端 {name[-3:]}", rate_per_minute=1e9 if i == n - 1 else None
        ).secret
        for i, name in enumerate(names)
    ]


def open_patrols(url: str, secrets: Sequence[str]) -> list[int]:
    """``POST /api/v1/patrols`` for each token (before anything is timed)."""
    ids = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for secret in secrets:
            r = client.post("/api/v1/patrols", headers={"Authorization": f"Bearer {secret}"})
            if r.status_code != 201:
                raise RuntimeError(f"patrol load bench: start refused: {r.status_code} {r.text}")
            ids.append(int(r.json()["id"]))
    return ids


# --------------------------------------------------------------------------- the fleet


def _body(track: Sequence[Sequence[float]], k: int, device_t0: datetime) -> dict[str, Any]:
    lon, lat = track[k]
    when = device_t0 + timedelta(seconds=k * PERIOD_S)
    return {"points": [{"lon": lon, "lat": lat, "device_time": when.isoformat(), "accuracy": 5.0}]}


async def _send(
    client: httpx.AsyncClient, device: dict[str, Any], k: int, device_t0: datetime, out: Batches
) -> None:
    headers = {"Idempotency-Key": f"{device['tag']}-{device['patrol']}-{k}"}
    body = _body(device["track"], k, device_t0)
    started = time.perf_counter()
    try:
        r = await client.post(
            f"/api/v1/patrols/{device['patrol']}/points", json=body, headers=headers
        )
        ok = r.status_code == 201 and r.json().get("accepted") == 1
        problem = f"{r.status_code} {r.text[:160]}"
    except httpx.HTTPError as exc:
        ok, problem = False, repr(exc)
    took = time.perf_counter() - started
    if ok:
        out.latencies.append(took)
        out.at.append((time.time_ns() - out.start_ns) / 1e9)
        if took * 1000 > GOAL_MS:
            out.slow.append((out.at[-1], took))
    else:
        out.errors.append(problem)


def _client(url: str, secret: str, tls: ssl.SSLContext) -> httpx.AsyncClient:
    # One TLS context for all (plain HTTP here, but httpx builds one per client otherwise:
    # ~25 ms each, seconds for 200 devices).
    return httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=60, verify=tls
    )


async def run_idle(plan: dict[str, Any], client: httpx.AsyncClient) -> Batches:
    """The idle baseline: one device, the same requests one at a time (its first WARM_UP
    untimed)."""
    device = plan["idle"]
    out, warm = Batches(), Batches()
    device_t0 = datetime.now(UTC)
    for k in range(WARM_UP):
        await _send(client, device, k, device_t0, warm)
    out.errors += [f"warm-up: {e}" for e in warm.errors]
    out.start_ns = time.time_ns()
    for k in range(WARM_UP, len(device["track"])):
        await _send(client, device, k, device_t0, out)
        await asyncio.sleep(plan["idle_pause_s"])
    out.end_ns = time.time_ns()
    return out


async def run_load(plan: dict[str, Any], clients: Sequence[httpx.AsyncClient]) -> Batches:
    """The load: every device sends its track's points every PERIOD_S, device i starting
    i × PERIOD_S / devices in (a send that falls due while the previous answer is awaited goes
    out as soon as it comes, as on a phone)."""
    devices: list[dict[str, Any]] = plan["devices"]
    out = Batches()
    loop = asyncio.get_running_loop()
    spread = PERIOD_S / len(devices)
    t0 = loop.time() + 0.2
    wall_t0 = datetime.now(UTC) + timedelta(seconds=0.2)
    out.start_ns = time.time_ns() + 200_000_000

    async def one(i: int, device: dict[str, Any], client: httpx.AsyncClient) -> None:
        device_t0 = wall_t0 + timedelta(seconds=i * spread)
        for k in range(len(device["track"])):
            pause = t0 + i * spread + k * PERIOD_S - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            else:
                out.worst_late_s = max(out.worst_late_s, -pause)
            await _send(client, device, k, device_t0, out)

    await asyncio.gather(
        *(one(i, d, c) for i, (d, c) in enumerate(zip(devices, clients, strict=True)))
    )
    out.end_ns = time.time_ns()
    return out


async def fleet(plan: dict[str, Any]) -> None:
    """The clients made first, then ``idle`` and ``load`` from standard input, a JSON line
    back for each, until EOF."""
    tls = ssl.create_default_context()
    idle = _client(plan["url"], plan["idle"]["secret"], tls)
    clients = [_client(plan["url"], d["secret"], tls) for d in plan["devices"]]
    loop = asyncio.get_running_loop()
    try:
        print("ready", flush=True)
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command = line.strip()
            if command == "idle":
                out = await run_idle(plan, idle)
            elif command == "load":
                out = await run_load(plan, clients)
            else:
                continue
            print("result " + json.dumps(asdict(out)), flush=True)
    finally:
        for c in [idle, *clients]:
            await c.aclose()


def fleet_main(plan_path: str) -> int:
    """The fleet's process (``python -m console.bench.patrol_load_bench fleet PLAN``)."""
    asyncio.run(fleet(json.loads(Path(plan_path).read_text(encoding="utf-8"))))
    return 0


class Fleet:
    """The fleet's process, driven from here."""

    def __init__(self, plan: Path, log: Path) -> None:
        with log.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "console.bench.patrol_load_bench", "fleet", str(plan)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )
        self.log = log

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"patrol load bench: the fleet process stopped: see {self.log}")
        return line.strip()

    def wait_ready(self) -> None:
        if self._line() != "ready":
            raise RuntimeError(f"patrol load bench: the fleet did not start: see {self.log}")

    def run(self, command: str) -> Batches:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self._line()
        if not line.startswith("result "):
            raise RuntimeError(f"patrol load bench: the fleet said {line!r}: see {self.log}")
        answer = json.loads(line.removeprefix("result "))
        answer["slow"] = [tuple(pair) for pair in answer["slow"]]
        return Batches(**answer)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- the writer


def write_every_second(url: str, seed: int, out: Callable[[str], None]) -> None:
    """After ``go`` on standard input, a change through CaseService about every second (a
    report, then a note on one of the newest open cases, in turn) until ``stop`` or EOF."""
    db = Database(url, migrate=False)
    try:
        service = CaseService(db)
        rng = random.Random(seed)
        with db.read() as s:
            users = {
                u.role: actor_of(u)
                for u in s.scalars(select(User).where(User.active).order_by(User.id.desc()))
            }
        inspector, chief = users["inspector"], users["duty_chief"]
        reports = _reports(db, 1_000, seed=seed)
        out("ready")
        if sys.stdin.readline().strip() != "go":
            return
        stopped = threading.Event()

        def watch() -> None:
            for line in sys.stdin:
                if line.strip() == "stop":
                    break
            stopped.set()

        threading.Thread(target=watch, daemon=True).start()
        i = 0
        while not stopped.wait(rng.uniform(*WRITER_PAUSE_S)):
            if i % 2 == 0:
                snap = service.report(inspector, reports[(i // 2) % len(reports)])
            else:
                with db.read() as s:
                    pool = list(
                        s.scalars(
                            page_ids_select(
                                QueueFilter(), datetime.now(UTC), offset=0, limit=NOTE_POOL
                            )
                        )
                    )
                snap = service.add_note(chief, rng.choice(pool), None, note=f"基准测试备注 {i}")
            out(f"change {snap.id} {snap.version} {time.time_ns()}")
            i += 1
        out("done")
    finally:
        db.dispose()


class Writer:
    """The writer's process; its commits collected on a reader thread."""

    def __init__(self, url: str, seed: int, log: Path) -> None:
        with log.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "console.bench.patrol_load_bench", "writer", url, str(seed)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )
        self.log = log
        self.changes: list[tuple[int, int, int]] = []  # (case id, version, commit time_ns)
        self.ready = threading.Event()
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, name="patrol-load-writer", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            parts = line.split()
            if parts == ["ready"]:
                self.ready.set()
            elif parts[:1] == ["change"] and len(parts) == 4:
                with self._lock:
                    self.changes.append((int(parts[1]), int(parts[2]), int(parts[3])))
            elif parts == ["done"]:
                self.done.set()
        self.ready.set()  # a writer that died says so in wait_ready
        self.done.set()

    def _say(self, word: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()

    def wait_ready(self) -> None:
        self.ready.wait(120)
        if self.proc.poll() is not None or not self.ready.is_set():
            raise RuntimeError(f"patrol load bench: the writer did not start: see {self.log}")

    def go(self) -> None:
        self._say("go")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self._say("stop")
        self.done.wait(60)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._thread.join(timeout=5)

    def snapshot(self) -> list[tuple[int, int, int]]:
        with self._lock:
            return list(self.changes)


# --------------------------------------------------------------------------- the seat


def machine_sample() -> tuple[float, float]:
    """The load average (1 min) and the CPU pressure (PSI "some" avg10: the share of time some
    task waited for a core, %), nan where the system has none."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        pressure = float(first.split("avg10=")[1].split()[0])
    except (OSError, IndexError, ValueError):
        pressure = math.nan
    return load, pressure


class Machine(threading.Thread):
    """Samples machine_sample() every second: the machine is shared, and a run says how busy."""

    def __init__(self) -> None:
        super().__init__(name="patrol-load-machine", daemon=True)
        self.samples: list[tuple[int, float, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            self.samples.append((time.time_ns(), *machine_sample()))

    def during(self, start_ns: int, end_ns: int) -> str:
        inside = [(load, cpu) for at, load, cpu in self.samples if start_ns <= at <= end_ns]
        if not inside:
            return "machine not sampled"
        loads = [load for load, _ in inside]
        text = (
            f"load average {statistics.median(loads):.1f} (max {max(loads):.1f}) on "
            f"{os.cpu_count()} cores"
        )
        pressures = [cpu for _, cpu in inside if not math.isnan(cpu)]
        if pressures:
            text += f", CPU pressure {statistics.median(pressures):.0f} % (PSI some avg10)"
        return text


class Seat(threading.Thread):
    """A console seat following the feed every FEED_INTERVAL_S (a fixed-rate timer that skips
    the ticks it overran, as a QTimer does)."""

    def __init__(self, look: Callable[[], Sequence[QueueRow]]) -> None:
        super().__init__(name="patrol-load-seat", daemon=True)
        self.look = look
        self.sightings = Sightings()
        self.looks = 0
        self.stopping = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        next_tick = time.monotonic()
        try:
            while not self.stopping.is_set():
                rows = self.look()
                self.sightings.record(rows, time.time_ns())
                self.looks += 1
                next_tick += FEED_INTERVAL_S
                pause = next_tick - time.monotonic()
                if pause > 0:
                    self.stopping.wait(pause)
                else:
                    next_tick = time.monotonic()
        except BaseException as exc:  # reported by the main thread
            self.failure = exc

    def seen_all(self, changes: Sequence[tuple[int, int, int]]) -> bool:
        return all(self.sightings.first_seen(c, v) is not None for c, v, _ in changes)


@dataclass
class FeedWindow:
    written: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return len(self.latencies)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)

    def summary(self) -> str:
        return f"p50 {self.p50:.2f} s, p95 {self.p95:.2f} s, {self.seen}/{self.written} seen"


def feed_windows(
    changes: Sequence[tuple[int, int, int]], sightings: Sightings, load: Batches
) -> tuple[FeedWindow, FeedWindow]:
    """The writer's changes before the load (the baseline) and inside its window."""
    before, during = FeedWindow(), FeedWindow()
    for case_id, version, committed_ns in changes:
        if committed_ns < load.start_ns:
            window = before
        elif committed_ns <= load.end_ns:
            window = during
        else:
            continue  # after the load: neither
        window.written += 1
        seen_ns = sightings.first_seen(case_id, version)
        if seen_ns is not None:
            window.latencies.append(max(0, seen_ns - committed_ns) / 1e9)
    return before, during


# --------------------------------------------------------------------------- the scenario


def run_patrol_load_bench(
    workdir: Path, quick: bool, log: Log, *, sizes: LoadSizes | None = None
) -> list[Figure]:
    sizes = sizes or LoadSizes.for_run(quick)
    db = prepare_feed_db(workdir / "patrol-load.sqlite3", sizes.cases)
    try:
        secrets = field_accounts(db, sizes.devices + 1)
        polygons = grid_polygons(db)
        url_db = db.url
    finally:
        db.dispose()
    rng = np.random.default_rng(17)
    picks = rng.integers(0, len(polygons), sizes.devices + 1)
    speeds = rng.uniform(*WALK_MPS, sizes.devices + 1)
    proc, url = start_server(url_db, workdir, secrets[0])
    seat_db = Database(url_db, migrate=False)
    fleet: Fleet | None = None
    writer: Writer | None = None
    seat: Seat | None = None
    machine = Machine()
    machine.start()
    try:
        patrols = open_patrols(url, secrets)
        steps = [sizes.sends(i) for i in range(sizes.devices)] + [WARM_UP + sizes.idle_batches]
        tracks = [
            walk(polygons[picks[i]], n, rng, speeds[i] * PERIOD_S) for i, n in enumerate(steps)
        ]
        devices = [
            {"secret": secrets[i], "patrol": patrols[i], "track": tracks[i], "tag": "load"}
            for i in range(sizes.devices + 1)
        ]
        plan = {
            "url": url,
            "devices": devices[:-1],
            "idle": {**devices[-1], "tag": "idle"},
            "idle_pause_s": sizes.idle_pause_s,
        }
        plan_path = workdir / "patrol-load-plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        fleet = Fleet(plan_path, workdir / "patrol-load-fleet.log")
        writer = Writer(url_db, 23, workdir / "patrol-load-writer.log")
        fleet.wait_ready()
        writer.wait_ready()
        log(
            f"patrol load: idle baseline, 1 device, {sizes.idle_batches} batches one at a "
            f"time (after {WARM_UP} untimed)…"
        )
        idle = fleet.run("idle")
        log(f"patrol load: idle: {idle.summary()}")
        seat = Seat(feed_seat(seat_db))  # the feed starts at the newest event, before the writer
        seat.start()
        writer.go()
        log(
            f"patrol load: a seat follows a change a second, no devices, {sizes.feed_baseline_s:g} s…"
        )
        time.sleep(sizes.feed_baseline_s)
        log(
            f"patrol load: {sizes.devices} devices, a point each every {PERIOD_S:g} s "
            f"({sizes.rate:g} req/s) for {sizes.load_s:g} s, the seat meanwhile…"
        )
        cpu_before = cpu_seconds(proc)
        load = fleet.run("load")
        cpu_after = cpu_seconds(proc)
        log(f"patrol load: {load.summary()}; {load.slow_summary()}")
        log(f"patrol load: ms by minute: {load.by_minute()}")
        writer.stop()
        changes = writer.snapshot()
        give_up = time.monotonic() + GRACE_S
        while not seat.seen_all(changes) and time.monotonic() < give_up and seat.is_alive():
            time.sleep(0.1)
        seat.stopping.set()
        seat.join(timeout=30)
        if seat.failure is not None:
            raise RuntimeError("patrol load bench: the seat failed") from seat.failure
        before, during = feed_windows(changes, seat.sightings, load)
    finally:
        machine.stopping.set()
        if seat is not None:
            seat.stopping.set()
        if writer is not None:
            writer.stop()
        if fleet is not None:
            fleet.close()
        stop_server(proc)
        seat_db.dispose()
    for what, run in (("idle", idle), ("load", load)):
        for problem in run.errors[:5]:
            log(f"patrol load: {what} error: {problem}")
    cpu_note = ""
    if cpu_before is not None and cpu_after is not None and load.latencies:
        per_batch = (cpu_after - cpu_before) / (len(load.latencies) + len(load.errors))
        cpu_note = f"; server CPU {per_batch * 1000:.1f} ms/batch"
    shared = (
        f"; the machine (shared) during the load: {machine.during(load.start_ns, load.end_ns)}, "
        f"during the idle baseline: {machine.during(idle.start_ns, idle.end_ns)}"
    )
    batch_note = (
        f"{sizes.devices} devices × one point every {PERIOD_S:g} s ({sizes.rate:g} req/s) for "
        f"{sizes.load_s:g} s: {load.summary()} ({load.slow_summary()}), sends at most {load.worst_late_s * 1000:.0f} "
        f"ms late{cpu_note}; baseline: 1 device alone, the same requests one at a time: "
        f"{idle.summary()}; feed meanwhile {during.summary()}{shared}; SQLite file, "
        "server in its own process (one worker), fleet in another"
    )
    feed_note = (
        f"commit in another process → fresh row in a seat's hands (feed polled every "
        f"{FEED_INTERVAL_S:g} s), a change every {WRITER_PAUSE_S[0]:g}–{WRITER_PAUSE_S[1]:g} s, "
        f"while {sizes.devices} devices send {sizes.rate:g} batches/s: {during.summary()}; "
        f"baseline: the same seat and writer with no devices ({sizes.feed_baseline_s:g} s): "
        f"{before.summary()}; {sizes.cases:,} open cases"
    )
    return [
        Figure(
            BATCH_FIGURE,
            load.ms(95),
            "ms",
            idle.ms(95),
            higher_is_better=False,
            goal=GOAL_MS,
            note=batch_note,
        ),
        Figure(
            FEED_FIGURE,
            during.p95,
            "s",
            before.p95,
            higher_is_better=False,
            goal=GOAL_P95_S,
            note=feed_note,
        ),
    ]


def main(argv: Sequence[str]) -> int:
    if len(argv) == 2 and argv[0] == "fleet":
        return fleet_main(argv[1])
    if len(argv) == 3 and argv[0] == "writer":
        write_every_second(argv[1], int(argv[2]), lambda line: print(line, flush=True))
        return 0
    print(
        "usage: python -m console.bench.patrol_load_bench fleet PLAN | writer DB_URL SEED",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
