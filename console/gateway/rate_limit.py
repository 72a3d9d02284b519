"""A token bucket per API token, in memory (per server process).

Each token refills at its rate per minute up to a capacity (the burst, but never more than one
minute's worth), and every request takes one. An empty bucket tells how long until the next
request would pass: the Retry-After of the 429.

Failed authentication is limited too, per client address (:func:`address_key`): a guessed,
revoked or junk token counts one failure, and an address out of failures is answered 429
before its token is even looked at (so a right guess among wrong ones is not told either).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable

from console.gateway.errors import GatewayError

#: Failed token checks one client address may make per minute (and in a burst) before every
#: request from it is answered 429 until the bucket refills.
AUTH_FAILURES_PER_MINUTE = 10.0


def address_key(address: str | None) -> int:
    """A client address as a limiter key."""
    return int.from_bytes(hashlib.sha256((address or "-").encode()).digest()[:8], "big")


class RateLimiter:
    def __init__(self, *, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # key → (tokens, at)
        self._lock = threading.Lock()

    def capacity(self, rate_per_minute: float) -> float:
        return max(1.0, min(self.burst, rate_per_minute))

    def take(self, key: int, rate_per_minute: float) -> float:
        """0 when the request may pass (and is counted); else the seconds to wait."""
        per_second = rate_per_minute / 60.0
        capacity = self.capacity(rate_per_minute)
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - at) * per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / per_second

    def wait(self, key: int, rate_per_minute: float) -> float:
        """The seconds until ``key`` could take one (0: now), taking nothing."""
        per_second = rate_per_minute / 60.0
        capacity = self.capacity(rate_per_minute)
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - at) * per_second)
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / per_second


def refuse_if_waiting(wait: float, what: str) -> None:
    """429 with Retry-After when a limiter says to ``wait`` (seconds); ``what`` says what was
    too frequent, e.g. "请求过于频繁：每分钟最多 120 次". One answer for every limit."""
    if wait <= 0:
        return
    seconds = max(1, math.ceil(wait))
    raise GatewayError(
        429,
        f"{what}，请 {seconds} 秒后重试",
        code="rate_limited",
        headers={"Retry-After": str(seconds)},
    )
