"""Ground truth: `reconciliation.exceptions` holds every anomaly the simulator injected and nothing
else, compared on type and keys both ways, for two seeds and two sizes.

Each world is served over real HTTP, the main job (`integration-assets run`) lands it into a
temporary lake, and the warehouse is built from it. The run starts a week before the world's first
date: a payout settles charges processed up to three business days before it is issued, so a lake
that begins on the payout's own day cannot match them, while a deployment that has been syncing daily
holds that week. The run happens in its own process, as a user runs it: the location partitions are
read from INTEGRATION_SEEDS_DIR when the code location loads, and a world with a fifth location
needs its own seeds in place by then.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from integration_assets.assets.sql_models import build_warehouse
from integration_assets.resources import WarehouseResource
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.merchant import DEFAULT_START_DATE, SHOP_TIMEZONE, build_world, small_size
from integration_assets.simulator.world import World, WorldSize
from integration_assets_tests.assets.test_extraction import _serve

REPO = Path(__file__).resolve().parents[2]
KEYS = ("type", "date", "location_key", "sku", "order_id", "payout_id")
SETTLEMENT_LOOKBACK = dt.timedelta(days=7)  # the UK pay period (3 business days) plus a weekend, rounded up
BIGGER = WorldSize(start_date=DEFAULT_START_DATE, days=3, orders_per_day=80, skus=150, locations=5)
WORLDS = [
    pytest.param((7, small_size()), id="seed7-small"),
    pytest.param((11, small_size(days=3, orders_per_day=30)), id="seed11-small-3days"),
    pytest.param((7, BIGGER), id="seed7-bigger-5locations"),
]


@dataclass
class Reconciled:
    world: World
    warehouse: WarehouseResource
    dates: list[str]

    def exceptions(self, where: str = "resolved_at is null") -> list[dict]:
        with duckdb.connect(str(self.warehouse.path), read_only=True) as con:
            relation = con.sql(f"select * from reconciliation.exceptions where {where}")
            return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _run_main_job(world: World, tmp: Path, lookback: dt.timedelta = SETTLEMENT_LOOKBACK) -> Path:
    """`integration-assets run` from `lookback` before the world's first date to its last, against the
    world served on a free port; returns the data folder."""
    sim = _serve(world, tmp)
    data = tmp / "data"
    env = {
        **os.environ,
        **simulator_env(sim.ctx),
        "INTEGRATION_DATA_DIR": str(data),
        "MINTSOFT_REQUESTS_PER_SECOND": "200",
        "INVENTORY_PLANNER_REQUESTS_PER_SECOND": "200",
    }
    env.pop("DAGSTER_HOME", None)  # the run keeps its instance under the data folder
    start = world.size.dates[0] - lookback
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "integration_assets.cli",
                "run",
                "--start-date",
                start.isoformat(),
                "--end-date",
                world.size.dates[-1].isoformat(),
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        sim.stop()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return data


@pytest.fixture(scope="module", params=WORLDS)
def reconciled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reconciled]:
    seed, size = request.param
    world = build_world(seed, size)
    tmp = tmp_path_factory.mktemp(f"reconcile{seed}")
    data = _run_main_job(world, tmp)
    warehouse = WarehouseResource(data_dir=str(data), seeds_dir=str(tmp / "seeds"), shop_timezone=SHOP_TIMEZONE)
    first = world.size.dates[0] - SETTLEMENT_LOOKBACK
    dates = [(first + dt.timedelta(days=n)).isoformat() for n in range((world.size.dates[-1] - first).days + 1)]
    build_warehouse(warehouse, dates)
    yield Reconciled(world, warehouse, dates)


def _keyed(rows: list[dict]) -> Counter:
    return Counter(tuple(None if row[k] is None else str(row[k]) for k in KEYS) for row in rows)


def test_exceptions_are_exactly_the_injected_anomalies(reconciled: Reconciled) -> None:
    expected = _keyed([a.as_dict() for a in reconciled.world.anomalies])
    found = _keyed(reconciled.exceptions())
    matched = sum((expected & found).values())
    precision = matched / sum(found.values()) if found else 0.0
    recall = matched / sum(expected.values())
    print(
        f"\nseed {reconciled.world.seed} size {reconciled.world.size}: "
        f"precision {precision:.3f} recall {recall:.3f} ({matched} of {sum(expected.values())} anomalies, "
        f"{sum(found.values())} exceptions)"
    )
    assert not found - expected, f"exceptions the simulator did not inject: {sorted(found - expected, key=str)}"
    assert not expected - found, f"anomalies not found: {sorted(expected - found, key=str)}"
    assert precision == recall == 1.0
    assert {a.type for a in reconciled.world.anomalies} >= {
        "stock_parity_drift",
        "unmapped_location",
        "sku_missing_in_mintsoft",
        "sku_missing_in_shopify",
        "sku_missing_in_inventory_planner",
        "sku_duplicate",
        "tracking_disabled",
        "order_edit_after_pick",
        "duplicate_despatch",
        "despatched_not_fulfilled",
        "cancelled_but_despatched",
        "fulfilled_before_despatch",
        "restock_mismatch",
        "payout_unmatched_charge",
    }


def test_every_exception_has_an_owner_a_due_time_and_evidence(reconciled: Reconciled) -> None:
    for row in reconciled.exceptions():
        assert row["owner"].startswith("team:") and row["sla_hours"] > 0 and row["runbook"], row
        assert row["due_at"] == row["first_seen_at"] + dt.timedelta(hours=row["sla_hours"])
        assert row["severity"] in ("high", "medium", "low")
        assert row["evidence"].startswith("{") and len(row["evidence"]) > 20
    unmapped = next(r for r in reconciled.exceptions() if r["type"] == "unmapped_location")
    unmapped_id = next(loc.id for loc in reconciled.world.locations if loc.location_key is None)
    assert f'"shopify_location_id":{unmapped_id}' in unmapped["evidence"]
    payout = next(r for r in reconciled.exceptions() if r["type"] == "payout_unmatched_charge")
    ghost = next(
        b
        for b in reconciled.world.balance_transactions
        if b.type == "CHARGE" and b.source_order_id not in reconciled.world.orders_by_id
    )
    assert f'"balance_transaction_id":{ghost.id}' in payout["evidence"]


def test_a_rebuild_keeps_first_seen_and_resolves_nothing(reconciled: Reconciled) -> None:
    before = {r["exception_id"]: r for r in reconciled.exceptions("true")}
    build_warehouse(reconciled.warehouse, reconciled.dates)
    after = {r["exception_id"]: r for r in reconciled.exceptions("true")}
    assert after.keys() == before.keys()
    for exception_id, row in after.items():
        assert row["first_seen_at"] == before[exception_id]["first_seen_at"]
        assert row["resolved_at"] is None and row["last_seen_at"] > before[exception_id]["last_seen_at"]
