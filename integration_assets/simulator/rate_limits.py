"""Shopify's two rate limiters, as the simulator enforces them.

GraphQL Admin uses a bucket of cost points that refills at the plan's restore rate; REST uses a
leaky bucket of request counts. Both take an injectable clock so tests can drive time directly.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Plan:
    """Limits per Shopify plan (api-notes/shopify-api.md section 3 and 5)."""

    name: str
    restore_rate: float  # GraphQL points per second
    maximum_available: float  # GraphQL bucket size (20 x restore rate)
    rest_leak_rate: float  # REST requests per second
    rest_bucket_size: int


PLANS: dict[str, Plan] = {
    "standard": Plan("standard", 100.0, 2000.0, 2.0, 40),
    "advanced": Plan("advanced", 200.0, 4000.0, 4.0, 40),
    "plus": Plan("plus", 1000.0, 20000.0, 20.0, 80),
    "enterprise": Plan("enterprise", 2000.0, 40000.0, 40.0, 80),
}


class PointBucket:
    """GraphQL cost bucket: a query must find its requested cost available before it runs."""

    def __init__(self, maximum: float, restore_rate: float, clock: Clock = time.monotonic) -> None:
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._clock = clock
        self._available = maximum
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._available = min(self.maximum, self._available + (now - self._stamp) * self.restore_rate)
        self._stamp = now

    def currently_available(self) -> int:
        with self._lock:
            self._refill()
            return int(self._available)

    def try_take(self, cost: float) -> bool:
        """Take `cost` points if the bucket holds them; False means THROTTLED."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: float) -> None:
        """Return the difference between requested and actual cost after execution."""
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + points)


class LeakyBucket:
    """REST leaky bucket: each request adds one; the bucket leaks at the plan's rate."""

    def __init__(self, size: int, leak_rate: float, clock: Clock = time.monotonic) -> None:
        self.size = size
        self.leak_rate = leak_rate
        self._clock = clock
        self._level = 0.0
        self._stamp = clock()
        self._lock = threading.Lock()

    def _leak(self) -> None:
        now = self._clock()
        self._level = max(0.0, self._level - (now - self._stamp) * self.leak_rate)
        self._stamp = now

    def try_add(self) -> tuple[bool, int, float]:
        """Add one request. Returns (accepted, used after the call, seconds to wait if refused)."""
        with self._lock:
            self._leak()
            if self._level + 1 > self.size:
                wait = (self._level + 1 - self.size) / self.leak_rate
                return False, math.ceil(self._level), wait
            self._level += 1
            return True, math.ceil(self._level), 0.0
