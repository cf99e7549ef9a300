"""Clocks tests hand to the simulator's rate limiters and token store, so time moves only when told."""

from __future__ import annotations

import threading


class FakeClock:
    """A clock the test moves by hand; thread-safe because the server reads it on its own thread."""

    def __init__(self, start: float = 1_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class TickingClock(FakeClock):
    """Moves one second forward on every read, so the buckets never fill (paging tests)."""

    def __call__(self) -> float:
        with self._lock:
            self._now += 1.0
            return self._now
