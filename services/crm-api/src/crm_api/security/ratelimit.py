"""Per-principal and per-IP rate limits (the `limits` library, sliding windows, in memory).

Limits are per process: with several replicas behind a balancer, each enforces its own share.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from crm_common.errors import TooManyRequests


class RateLimited(TooManyRequests):
    def __init__(self, retry_after: int, detail: str) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class RateLimits:
    def __init__(self, *, login: str, write: str, read: str) -> None:
        # A sliding window counter keeps two counters per key, where a moving window keeps every
        # hit's timestamp.
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())
        self.items: dict[str, RateLimitItem] = {
            "login": parse(login),
            "write": parse(write),
            "read": parse(read),
        }

    def hit(self, category: str, *keys: str) -> None:
        """Count one request of `category` against each key.

        Raises:
            RateLimited: a key is over its limit; carries the seconds to wait.
        """
        item = self.items[category]
        for key in keys:
            if not self._limiter.hit(item, category, key):
                reset_at, _remaining = self._limiter.get_window_stats(item, category, key)
                retry = max(1, math.ceil(reset_at - time.time()))
                raise RateLimited(retry, f"too many {category} requests; retry in {retry}s")
