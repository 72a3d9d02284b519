"""Watching the processes a command test starts (Linux /proc)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def cpu_ticks(pid: int) -> int:
    """User + system CPU time of ``pid`` in clock ticks (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_until_blocked(procs: list[subprocess.Popen[str]], *, quiet: float = 1.0) -> None:
    """Until every process has used no CPU for ``quiet`` seconds: started, done with its own
    work, and asleep waiting for a lock."""
    deadline = time.monotonic() + 90
    last = [cpu_ticks(p.pid) for p in procs]
    since = time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.1)
        for proc in procs:
            assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the processes never settled on the lock"
        now = [cpu_ticks(p.pid) for p in procs]
        if any(b - a > 1 for a, b in zip(last, now, strict=True)):  # one tick: the busy handler
            last, since = now, time.monotonic()
