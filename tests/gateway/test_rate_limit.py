"""The per-token bucket, on a controlled clock."""

from __future__ import annotations

import pytest

from console.gateway.rate_limit import RateLimiter


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_the_rate() -> None:
    ticks = Ticks()
    limiter = RateLimiter(burst=3, clock=ticks)
    assert [limiter.take(1, 60) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take(1, 60)  # 1 a second: the next one in a second
    assert wait == pytest.approx(1.0)
    assert limiter.take(2, 60) == 0.0  # another token has its own bucket
    ticks.now += 0.5
    assert limiter.take(1, 60) == pytest.approx(0.5)
    ticks.now += 0.5
    assert limiter.take(1, 60) == 0.0
    ticks.now += 3600
    assert [limiter.take(1, 60) for _ in range(4)][-1] > 0  # refilled to the burst, not beyond


def test_the_capacity_is_never_more_than_a_minutes_worth() -> None:
    ticks = Ticks()
    limiter = RateLimiter(burst=30, clock=ticks)
    assert limiter.capacity(2) == 2 and limiter.capacity(0.5) == 1 and limiter.capacity(600) == 30
    assert [limiter.take(7, 2) for _ in range(2)] == [0.0, 0.0]
    assert limiter.take(7, 2) == pytest.approx(30.0)


def test_wait_tells_without_taking() -> None:
    """The failed-authentication check asks before it counts: wait() takes nothing."""
    ticks = Ticks()
    limiter = RateLimiter(burst=2, clock=ticks)
    assert [limiter.wait(7, 60) for _ in range(5)] == [0.0] * 5  # asking takes nothing
    assert [limiter.take(7, 60) for _ in range(2)] == [0.0, 0.0]
    assert limiter.wait(7, 60) == pytest.approx(1.0)
    ticks.now += 0.25
    assert limiter.wait(7, 60) == pytest.approx(0.75)
    ticks.now += 0.75
    assert limiter.wait(7, 60) == 0.0 and limiter.take(7, 60) == 0.0
    assert limiter.wait(7, 60) > 0
