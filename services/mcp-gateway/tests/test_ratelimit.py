"""Per-key token buckets: a minute's allowance as a burst, refilled continuously."""

from __future__ import annotations

import pytest

from mcp_gateway.errors import RateLimited
from mcp_gateway.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_allowance_then_is_refused_with_a_retry_time() -> None:
    limiter = RateLimiter(clock=Clock())
    for _ in range(3):
        limiter.take("k", per_minute=3)
    with pytest.raises(RateLimited) as refused:
        limiter.take("k", per_minute=3)
    assert refused.value.retry_after == pytest.approx(20.0)
    assert refused.value.outcome == "denied"


def test_the_bucket_refills_with_time() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for _ in range(60):
        limiter.take("k", per_minute=60)
    clock.now += 1.0
    limiter.take("k", per_minute=60)
    with pytest.raises(RateLimited):
        limiter.take("k", per_minute=60)


def test_keys_have_separate_buckets() -> None:
    limiter = RateLimiter(clock=Clock())
    limiter.take("a", per_minute=1)
    limiter.take("b", per_minute=1)
    with pytest.raises(RateLimited):
        limiter.take("a", per_minute=1)
