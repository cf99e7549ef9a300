"""Issue 12's recovery acceptance at test size: the backfill killed (SIGKILL) at three random points
and resumed leaves the same lake and warehouse, row for row, as an uninterrupted run.

The issue's figure is 30 days; the suite runs 3 days of the generator's smallest world (10 orders
a day, 40 SKUs) to stay within its time budget: the backfill runs about three and a half times here
(whole once, three killed attempts, the resumed end), and each pass pays Dagster's start-up and
per-step costs whatever the size (a 30-day pass of this world takes two minutes on 2 cores, a 7-day
one 1.5). Three days still make every partitioned model replace several dates. The 30-day figures
come from the benchmark run (`measure_recovery()` and `measure_recovery(orders_per_day=200,
skus=300)`), recorded in the issue note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from integration_assets.assets.lake_catalog import lake_schemas
from integration_assets.bench.recovery import measure_recovery
from integration_assets.bench.row_sets import LISTED_FOLDERS
from integration_assets.seed_files import SEEDS
from integration_assets.simulator.merchant import build_world
from integration_assets.simulator.world import WorldSize
from integration_assets.warehouse import discover_models

SIZE = {"seed": 7, "days": 3, "orders_per_day": 10, "skus": 40, "locations": 4}
KILLS = 3
# Kill points are random and drawn over the step durations the uninterrupted run measured, so the
# steps hit vary from run to run; with this draw they have landed in the payouts extraction (a lake
# write), a staging view and the date-partitioned payout_reconciliation table. The kills record it.
RNG_SEED = 6
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def recovery(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return measure_recovery(**SIZE, kills=KILLS, rng_seed=RNG_SEED, workdir=tmp_path_factory.mktemp("recovery"))


def test_the_resumed_backfill_equals_the_uninterrupted_one(recovery: dict[str, Any]) -> None:
    print(f"\nrecovery at {SIZE}: {recovery}")
    assert recovery["differing_tables"] == []
    assert recovery["identical"] is True


def test_every_kill_interrupted_a_running_backfill(recovery: dict[str, Any]) -> None:
    """Alive when killed, killed by the signal, and the Dagster run it was executing unfinished."""
    kills = recovery["kills"]
    assert len(kills) == KILLS
    for kill in kills:
        assert kill["process_alive"], kill
        assert kill["exit_code"] == -9, kill
        assert kill["run_status"] == "STARTED", kill
        assert kill["run_id"] and kill["step_key"] != "(none started)", kill
    assert recovery["seconds_resumed_total"] > recovery["seconds_uninterrupted"]


def test_every_table_the_product_writes_was_compared(recovery: dict[str, Any]) -> None:
    """The file listings, each raw table, each seed and each model: none was skipped as absent."""
    expected = len(LISTED_FOLDERS) + len(lake_schemas()) + len(SEEDS) + len(discover_models())
    assert recovery["tables_compared"] == expected


def test_the_rows_compared_are_what_the_world_implies(recovery: dict[str, Any]) -> None:
    """Every order updated in the window is compared in the raw lake, in staging and as its
    lifecycle row, and the warehouse holds every seed row the world's operator keeps."""
    world = build_world(SIZE["seed"], _size(recovery))
    zone = ZoneInfo(world.shop.timezone)
    window = set(world.size.dates)
    orders = [o for o in world.orders if o.updated_at.astimezone(zone).date() in window]
    rows = recovery["rows_by_table"]
    assert orders
    for table in ("lake/shopify/orders", "staging.shopify_orders", "reconciliation.order_lifecycle"):
        assert rows[table] >= len(orders), table
    assert rows["seeds.locations"] == len(world.seeds["locations"])
    assert recovery["rows_compared"] > 3 * len(orders) + sum(len(o.line_items) for o in orders)


def _size(recovery: dict[str, Any]) -> WorldSize:
    first = dt.date.fromisoformat(recovery["dates"][0])
    return WorldSize(first, SIZE["days"], SIZE["orders_per_day"], SIZE["skus"], SIZE["locations"])
