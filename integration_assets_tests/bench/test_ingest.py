"""The ingest benchmark at a small size: what it reports is complete and consistent.

The size is big enough that the client drains the Plus plan's 20 000-point bucket and has to pace
itself, small enough to run in seconds. Speed targets (90 % of the restore rate) belong to the
benchmark itself, not to a timed test on a shared machine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integration_assets.bench.ingest import Window, measure_ingest, world_size
from integration_assets.simulator.merchant import build_world
from integration_assets.simulator.world import World

SIZE = {"orders_per_day": 100, "days": 2, "skus": 60, "locations": 4}
KEYS = {
    "points_per_second",
    "points_per_second_raw",
    "restore_rate",
    "restore_share",
    "throttled_share",
    "records",
    "seconds",
    "requests",
    "throttled",
    "points",
    "bucket_size",
    "bucket_start",
    "bucket_end",
    "wait_seconds",
    "client_cpu_seconds",
    "process_cpu_seconds",
    "params",
}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return measure_ingest(seed=7, **SIZE)


@pytest.fixture(scope="module")
def world() -> World:
    """The same world the benchmark built: the generator is deterministic by seed and size."""
    return build_world(7, world_size(**SIZE), plan="plus")


def expected_records(world: World) -> dict[str, int]:
    """What the world holds in the benchmark's window, counted from the generator's own records."""
    window = Window.of(world)

    def within(moment: dt.datetime) -> bool:
        return window.start <= moment < window.end

    counts = {
        "orders": sum(within(order.updated_at) for order in world.orders),
        "locations": len(world.locations),
        "inventory_items": len(world.inventory_items),
        "inventory_levels": len(world.inventory_levels),
        "payouts": sum(window.first_day <= payout.date <= window.last_day for payout in world.payouts),
        "balance_transactions": sum(within(bt.processed_at) for bt in world.balance_transactions),
    }
    return {**counts, "total": sum(counts.values())}


def test_reports_every_key(report: dict[str, Any]) -> None:
    assert set(report) >= KEYS
    assert report["params"] == {"seed": 7, **SIZE}


def test_records_equal_the_worlds_counts(report: dict[str, Any], world: World) -> None:
    expected = expected_records(world)
    assert all(count > 0 for count in expected.values())  # every entity is exercised
    assert report["records"] == expected


def test_plus_plan_limits(report: dict[str, Any]) -> None:
    assert report["restore_rate"] == 1000
    assert report["bucket_size"] == 20000
    assert report["bucket_start"] == report["bucket_size"]  # a fresh shop starts with a full bucket


def test_throttled_share_matches_the_counts(report: dict[str, Any]) -> None:
    assert report["requests"] > 0
    assert 0 <= report["throttled"] <= report["requests"]
    assert report["throttled_share"] == pytest.approx(report["throttled"] / report["requests"])


def test_the_run_drained_the_starting_bucket(report: dict[str, Any]) -> None:
    """More points than the bucket held: the client had to pace itself, so the rate means something."""
    assert report["points"] > report["bucket_size"]


def test_point_rates_respect_the_bucket(report: dict[str, Any]) -> None:
    """Raw: at most the restore rate plus the starting bucket spread over the run. Net of the
    bucket's drawdown: at most the restore rate (a little slack for the bucket's whole points)."""
    seconds, restore = report["seconds"], report["restore_rate"]
    assert 0 < report["points_per_second"] <= restore * 1.001 + 2 / seconds
    assert report["points_per_second_raw"] <= restore + report["bucket_size"] / seconds
    assert report["points_per_second"] == pytest.approx(
        (report["points"] - (report["bucket_start"] - report["bucket_end"])) / seconds
    )
    assert report["restore_share"] == pytest.approx(report["points_per_second"] / restore)


def test_time_is_accounted(report: dict[str, Any]) -> None:
    """The client's own CPU is part of the process's, and neither its sleeps nor its CPU exceed the run."""
    assert 0 < report["client_cpu_seconds"] <= report["process_cpu_seconds"]
    assert report["client_cpu_seconds"] + report["wait_seconds"] <= report["seconds"] * 1.01
