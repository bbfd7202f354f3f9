"""Per-key token buckets: a burst of up to a minute's allowance, refilled continuously."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from mcp_gateway.errors import RateLimited


@dataclass
class _Bucket:
    capacity: float
    tokens: float
    updated_at: float


class RateLimiter:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key_digest: str, *, per_minute: int) -> None:
        """Spend one call of the key's allowance.

        Raises:
            RateLimited: the bucket is empty; `retry_after` says when one call is back.
        """
        now = self._clock()
        bucket = self._buckets.get(key_digest)
        if bucket is None or bucket.capacity != per_minute:
            bucket = _Bucket(capacity=per_minute, tokens=float(per_minute), updated_at=now)
            self._buckets[key_digest] = bucket
        rate = per_minute / 60.0
        bucket.tokens = min(bucket.capacity, bucket.tokens + (now - bucket.updated_at) * rate)
        bucket.updated_at = now
        if bucket.tokens < 1.0:
            raise RateLimited(retry_after=(1.0 - bucket.tokens) / rate)
        bucket.tokens -= 1.0
