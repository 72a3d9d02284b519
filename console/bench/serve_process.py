"""`grid-console serve` in a process of its own, for the bench scenarios and the browser
tests: a free loopback port, waiting until it answers, stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_answers(
    proc: subprocess.Popen[bytes],
    url: str,
    log: Path,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60,
    interval: float = 0.1,
) -> None:
    """Return once ``url`` answers 200; the server stopped if it exits or times out first
    (the error names its log)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"grid-console serve exited: see {log}")
        try:
            if httpx.get(url, headers=headers, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"grid-console serve did not answer within {timeout:g} s: see {log}")
        time.sleep(interval)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the server, killing it if it does not stop within 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
