"""Shared fixtures: small seeded worlds and simulators serving them on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World


@pytest.fixture(scope="session")
def small_world() -> World:
    """Seed 7 at the test size; treat as read-only."""
    return build_world(7, small_size())


@pytest.fixture(scope="session")
def other_world() -> World:
    """A second seed, for tests that must not depend on one seed's luck."""
    return build_world(11, small_size(days=3, orders_per_day=30))


@pytest.fixture(scope="session")
def simulator(small_world: World) -> Iterator[RunningSimulator]:
    """The small world served over real HTTP (plus plan: bursts in tests stay unthrottled)."""
    running = serve_in_thread(SimContext.build(small_world, plan="plus"))
    yield running
    running.stop()
