"""Extraction end to end: the main job through Dagster against the simulator over real HTTP, into a
real lake; what lands is compared with what the simulator serves, record for record."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import pytest

from integration_assets.jobs import MAIN_RUN_TRIGGER, TRIGGER_TAG
from integration_assets.main_run import RunSummary, run_main
from integration_assets.partitions import day_bounds
from integration_assets.simulator.context import SimContext
from integration_assets.simulator.corruption import Corruption
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World

FAULTS = {"429": 0.1, "500": 0.05, "timeout": 0.02, "truncate": 0.02}


@dataclass
class Landed:
    world: World
    root: Path
    summary: RunSummary
    sim: RunningSimulator
    instance: dg.DagsterInstance

    def rows(self, source: str, entity: str, where: str = "true") -> list[dict]:
        return _lake_rows(self.root, source, entity, where)


def _lake_rows(root: Path, source: str, entity: str, where: str = "true") -> list[dict]:
    depth = "*/*/*.parquet" if entity in ("inventory", "inventory_levels") else "*/*.parquet"
    pattern = root / "lake" / source / entity / depth
    relation = duckdb.sql(f"select * from read_parquet('{pattern}', hive_partitioning = true) where {where}")
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def _serve(
    world: World,
    tmp: Path,
    faults: dict[str, float] | None = None,
    corrupt: list[Corruption] | None = None,
    lost_bulk_starts: int = 0,
) -> RunningSimulator:
    ctx = SimContext.build(world, plan="plus")
    ctx.seeds_dir = write_seeds(world.seeds, tmp / "seeds")
    if faults or lost_bulk_starts:
        ctx.faults = FaultPlan(world.seed, faults or {}, timeout_seconds=0.3, lost_bulk_starts=lost_bulk_starts)
    ctx.corruptions = corrupt or []
    # Lift the warehouse APIs' assumed limits: pacing is tested in the client tests.
    ctx.mintsoft_bucket.size = ctx.inventory_planner_bucket.size = 10_000
    return serve_in_thread(ctx)


def _point_at(sim: RunningSimulator, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment a run reads: the simulator's variables and the data folder."""
    for name, value in simulator_env(sim.ctx).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INTEGRATION_DATA_DIR", str(root))


def _run(
    sim: RunningSimulator,
    root: Path,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> RunSummary:
    _point_at(sim, root, monkeypatch)
    monkeypatch.setenv("MINTSOFT_REQUESTS_PER_SECOND", "200")
    monkeypatch.setenv("INVENTORY_PLANNER_REQUESTS_PER_SECOND", "200")
    dates = sim.ctx.world.size.dates
    return run_main(start or dates[0], end or dates[-1], instance=instance)


@pytest.fixture(scope="module", params=[7, 11], ids=["seed7", "seed11"])
def landed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Landed]:
    seed = request.param
    world = build_world(seed, small_size() if seed == 7 else small_size(days=3, orders_per_day=30))
    tmp = tmp_path_factory.mktemp(f"extract{seed}")
    sim = _serve(world, tmp)
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as monkeypatch:
        summary = _run(sim, tmp / "data", instance, monkeypatch)
    yield Landed(world, tmp / "data", summary, sim, instance)
    sim.stop()


def _window(world: World) -> tuple[dt.datetime, dt.datetime]:
    return day_bounds(world.size.dates[0])[0], day_bounds(world.size.dates[-1])[1]


def _named_by_payouts(world: World) -> dict[int, set[str]]:
    """The orders the window's payouts settle money for that the window did not update (placed and
    last changed before it), with the payout dates they land under."""
    start, end = _window(world)
    payout_day = {p.id: p.date.isoformat() for p in world.payouts if p.date in world.size.dates}
    named: dict[int, set[str]] = {}
    for b in world.balance_transactions:
        order = world.orders_by_id.get(b.source_order_id)
        if b.payout_id in payout_day and order is not None and not start <= order.updated_at < end:
            named.setdefault(order.id, set()).add(payout_day[b.payout_id])
    return named


def test_every_order_lands_once_with_all_its_parts(landed: Landed) -> None:
    assert landed.summary.success, landed.summary.failures
    start, end = _window(landed.world)
    named = _named_by_payouts(landed.world)
    assert named, "the window's payouts settle orders from before it"
    # Orders updated in the window, once each, and those the window's payouts name, under each such payout's date.
    expected = [o for o in landed.world.orders if start <= o.updated_at < end] + [
        landed.world.orders_by_id[i] for i, days in named.items() for _ in days
    ]
    orders = landed.rows("shopify", "orders")
    assert sorted(r["id"] for r in orders) == sorted(o.id for o in expected)
    by_id = {o.id: o for o in expected}
    for row in orders:  # each order sits in the partition of its updated_at shop day, or of its payout
        if row["id"] in named:
            assert str(row["date"]) in named[row["id"]]
            continue
        local_day = by_id[row["id"]].updated_at.astimezone(dt.UTC)
        assert day_bounds(row["date"])[0] <= local_day < day_bounds(row["date"])[1]
    lines = landed.rows("shopify", "order_line_items")
    assert sorted(r["id"] for r in lines) == sorted(li.id for o in expected for li in o.line_items)
    refunds = landed.rows("shopify", "order_refunds")
    assert sorted(r["id"] for r in refunds) == sorted(r.id for o in expected for r in o.refunds)
    refund_lines = landed.rows("shopify", "order_refund_line_items")
    assert len(refund_lines) == sum(len(r.refund_line_items) for o in expected for r in o.refunds)
    fulfillments = landed.rows("shopify", "order_fulfillments")
    assert sorted(r["id"] for r in fulfillments) == sorted(f.id for o in expected for f in o.fulfillments)
    transactions = landed.rows("shopify", "order_transactions")
    expected_txns = {t.id for o in expected for t in o.transactions} | {
        t.id for o in expected for r in o.refunds for t in r.transactions
    }
    assert sorted(r["id"] for r in transactions) == sorted(expected_txns)
    # Money stays exact: the landed totals equal the world's to the penny.
    landed_total = sum(r["total_price"] for r in orders)
    from integration_assets.simulator.world import original_totals

    assert landed_total == sum(original_totals(o).total.shop for o in expected)


def test_stock_and_catalog_snapshots_land_under_the_last_date(landed: Landed) -> None:
    world = landed.world
    last = world.size.dates[-1].isoformat()
    levels = landed.rows("shopify", "inventory_levels")
    assert {str(r["date"]) for r in levels} == {last}
    mapped = {loc.id: loc.location_key for loc in world.locations if loc.location_key}
    expected_levels = sorted(
        (mapped[lv.location_id], lv.inventory_item_id, lv.quantities["available"])
        for lv in world.inventory_levels
        if lv.location_id in mapped
    )
    assert sorted((r["location"], r["inventory_item_id"], r["available"]) for r in levels) == expected_levels
    unmapped = landed.rows("shopify", "unmapped_inventory_levels")
    assert {r["location_id"] for r in unmapped} == {loc.id for loc in world.locations if loc.location_key is None}
    items = landed.rows("shopify", "inventory_items")
    assert sorted(r["id"] for r in items) == sorted(i.id for i in world.inventory_items)
    assert {r["sku"] for r in items if r["preorder"]} == {
        v.sku for v in world.variants if world.products_by_id[v.product_id].preorder
    }
    inventory = landed.rows("mintsoft", "inventory")
    warehouse_key = {
        loc.mintsoft_warehouse_id: loc.location_key for loc in world.locations if loc.mintsoft_warehouse_id
    }
    positions = sorted(
        (warehouse_key[p.mintsoft_warehouse_id], p.sku, p.on_hand, p.allocated, p.quarantine, p.available)
        for p in world.stock_positions
        if p.date == world.size.dates[-1]
    )
    assert (
        sorted(
            (r["location"], r["sku"], r["on_hand"], r["allocated"], r["in_quarantine"], r["available"])
            for r in inventory
        )
        == positions
    )
    variants = landed.rows("inventory_planner", "variants")
    assert sorted(r["sku"] for r in variants) == sorted(world.inventory_planner_skus)


def test_warehouse_orders_returns_and_money_land_once(landed: Landed) -> None:
    world = landed.world
    start, end = _window(world)
    mintsoft = landed.rows("mintsoft", "orders")
    assert sorted(r["id"] for r in mintsoft) == sorted(
        o.id for o in world.mintsoft_orders if start <= o.last_updated < end
    )
    items = landed.rows("mintsoft", "order_items")
    assert len(items) == sum(len(o.lines) for o in world.mintsoft_orders if start <= o.last_updated < end)
    payouts = landed.rows("shopify_payments", "payouts")
    window = {d.isoformat() for d in world.size.dates}
    assert sorted(r["id"] for r in payouts) == sorted(p.id for p in world.payouts if p.date.isoformat() in window)
    transactions = landed.rows("shopify_payments", "balance_transactions")
    # Those processed in the window, and every transaction of the window's payouts, whenever processed.
    window_payouts = {p.id for p in world.payouts if p.date.isoformat() in window}
    assert sorted(r["id"] for r in transactions) == sorted(
        b.id for b in world.balance_transactions if start <= b.processed_at < end or b.payout_id in window_payouts
    )
    for row in transactions:
        assert row["net"] == row["amount"] - row["fee"]


def test_rows_per_asset_are_reported(landed: Landed) -> None:
    rows = landed.summary.rows
    assert rows["shopify/orders"] == sum(
        len(landed.rows("shopify", entity))
        for entity in (
            "orders",
            "order_line_items",
            "order_shipping_lines",
            "order_tax_lines",
            "order_transactions",
            "order_refunds",
            "order_refund_line_items",
            "order_fulfillments",
            "order_fulfillment_line_items",
        )
    )
    extraction = {key for key in rows if key.split("/")[0] not in ("seeds", "staging", "reconciliation", "finance")}
    assert extraction == {
        "shopify/orders",
        "shopify/catalog",
        "shopify/inventory_levels",
        "shopify_payments/payouts",
        "shopify_payments/balance_transactions",
        "mintsoft/catalog",
        "mintsoft/inventory",
        "mintsoft/orders",
        "mintsoft/returns",
        "inventory_planner/variants",
        "inventory_planner/sales_history_export",
        "shopify_webhooks/events",
    }
    assert all(v == 0 for v in landed.summary.quarantined.values())


def test_main_job_runs_under_the_named_jobs(landed: Landed) -> None:
    """In the UI the main job shows as stock_sync per location, daily_sync, then sales_history_export per
    location: never an ephemeral job."""
    locations = landed.summary.locations
    jobs = [run["job"] for run in landed.summary.runs]
    assert jobs == ["stock_sync"] * len(locations) + ["daily_sync"] + ["sales_history_export"] * len(locations)
    stored = landed.instance.get_runs(dg.RunsFilter(run_ids=[run["run_id"] for run in landed.summary.runs]))
    assert sorted(run.job_name for run in stored) == sorted(run["job"] for run in landed.summary.runs)
    # so the export sensor leaves this sync's days to the exports that follow it here
    assert {run.tags[TRIGGER_TAG] for run in stored} == {MAIN_RUN_TRIGGER}
    last = landed.world.size.dates[-1].isoformat()
    assert landed.summary.runs[0]["range"].endswith(f"..{last}|{locations[0]}")


def _lake_contents(root: Path) -> dict[str, list[tuple]]:
    """Every lake table as a sorted list of rows, without the sync time."""
    contents = {}
    for folder in sorted((root / "lake").glob("*/*")):
        if folder.parent.name.startswith("_"):
            continue
        relation = duckdb.sql(
            f"select * exclude (_synced_at) from read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
        )
        contents[f"{folder.parent.name}/{folder.name}"] = sorted(map(repr, relation.fetchall()))
    return contents


def test_a_faulty_api_lands_exactly_what_a_clean_one_does(
    tmp_path: Path, small_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = _serve(small_world, tmp_path / "clean")
    faulty = _serve(small_world, tmp_path / "faulty", faults=FAULTS)
    try:
        first = _run(clean, tmp_path / "clean" / "data", dg.DagsterInstance.ephemeral(), monkeypatch)
        second = _run(faulty, tmp_path / "faulty" / "data", dg.DagsterInstance.ephemeral(), monkeypatch)
    finally:
        clean.stop()
        faulty.stop()
    assert first.success and second.success, second.failures
    assert sum(faulty.ctx.faults_injected.values()) >= 5, faulty.ctx.faults_injected
    expected = _lake_contents(tmp_path / "clean" / "data")
    assert len(expected) >= 20
    assert _lake_contents(tmp_path / "faulty" / "data") == expected


def _bulk_operations(sim: RunningSimulator) -> list[dict]:
    """The bulk operations the simulated shop ran, as Shopify lists them."""
    response = httpx.post(
        f"{sim.url}/admin/api/2026-01/graphql.json",
        json={"query": "{ bulkOperations(first: 50) { nodes { id status } } }"},
        headers={"X-Shopify-Access-Token": sim.ctx.credentials.access_token},
        timeout=30,
    )
    return response.json()["data"]["bulkOperations"]["nodes"]


def test_a_faulty_api_with_a_lost_bulk_start_lands_what_a_clean_one_does(
    tmp_path: Path, small_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The acceptance run of issue 11: 429s, 500s and timeouts, orders read by bulk operation, and
    the reply to the first bulk start lost after Shopify started it: the same lake, and no
    operation run twice."""
    monkeypatch.setenv("SHOPIFY_BULK_AFTER_DAYS", "0")  # every orders read goes through bulk
    clean = _serve(small_world, tmp_path / "clean")
    faulty = _serve(small_world, tmp_path / "faulty", faults=FAULTS, lost_bulk_starts=1)
    try:
        first = _run(clean, tmp_path / "clean" / "data", dg.DagsterInstance.ephemeral(), monkeypatch)
        second = _run(faulty, tmp_path / "faulty" / "data", dg.DagsterInstance.ephemeral(), monkeypatch)
        clean_operations, faulty_operations = _bulk_operations(clean), _bulk_operations(faulty)
    finally:
        clean.stop()
        faulty.stop()
    assert first.success and second.success, second.failures
    injected = faulty.ctx.faults_injected
    assert injected["bulk_start_lost"] == 1, injected
    assert sum(injected[kind] for kind in ("429", "500", "timeout")) >= 3, injected
    assert len(clean_operations) >= 1
    assert [op["status"] for op in faulty_operations] == [op["status"] for op in clean_operations]
    assert {op["status"] for op in faulty_operations} == {"COMPLETED"}
    expected = _lake_contents(tmp_path / "clean" / "data")
    assert len(expected) >= 20
    assert _lake_contents(tmp_path / "faulty" / "data") == expected


def test_a_bad_record_is_quarantined_and_the_rest_land(
    tmp_path: Path, small_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = _window(small_world)
    victim = next(o for o in small_world.orders if start <= o.updated_at < end)
    sim = _serve(small_world, tmp_path, corrupt=[Corruption(str(victim.id), "number", "lots")])
    try:
        summary = _run(sim, tmp_path / "data", dg.DagsterInstance.ephemeral(), monkeypatch)
    finally:
        sim.stop()
    assert summary.success and summary.quarantined["shopify/orders"] == 1
    quarantine = list((tmp_path / "data" / "lake" / "_quarantine" / "shopify" / "orders").rglob("rejected.jsonl"))
    (line,) = quarantine[0].read_text().splitlines()
    assert str(victim.id) in line and "field number" in line
    landed = duckdb.sql(f"select id from read_parquet('{tmp_path}/data/lake/shopify/orders/*/*.parquet')").fetchall()
    expected = {o.id for o in small_world.orders if start <= o.updated_at < end} - {victim.id}
    expected |= set(_named_by_payouts(small_world))
    assert {row[0] for row in landed} == expected


def test_rematerializing_replaces_the_partition(
    tmp_path: Path, small_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = _serve(small_world, tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    try:
        _run(sim, tmp_path / "data", instance, monkeypatch)
        partition = tmp_path / "data" / "lake" / "shopify" / "orders" / f"date={small_world.size.dates[0]}"
        (partition / "part-99999.parquet").write_bytes((partition / "part-00000.parquet").read_bytes())  # a stray copy
        _run(sim, tmp_path / "data", instance, monkeypatch)
    finally:
        sim.stop()
    assert sorted(p.name for p in partition.iterdir()) == ["part-00000.parquet"]
    ids = [
        row[0]
        for row in duckdb.sql(
            f"select id from read_parquet('{tmp_path}/data/lake/shopify/orders/*/*.parquet')"
        ).fetchall()
    ]
    assert len(ids) == len(set(ids))


def _latest_metadata(instance: dg.DagsterInstance, key: list[str], date: dt.date) -> dict:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[date.isoformat()]), limit=1
    ).records
    return {name: value.value for name, value in records[0].asset_materialization.metadata.items()}


def _sync_mintsoft(
    sim: RunningSimulator,
    root: Path,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    first: dt.date,
    last: dt.date,
) -> None:
    """Materialize only Mintsoft orders and returns for [first, last], as one run."""
    from integration_assets.assets.mintsoft import mintsoft_orders, mintsoft_returns
    from integration_assets.resources import build_resources

    _point_at(sim, root, monkeypatch)
    resources = build_resources()
    result = dg.materialize(
        [mintsoft_orders, mintsoft_returns],
        instance=instance,
        resources={"mintsoft": resources["mintsoft"], "lake": resources["lake"]},
        tags={
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        },
    )
    assert result.success


def test_mintsoft_orders_and_returns_read_from_the_first_incomplete_date(
    tmp_path: Path, small_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_day, last_day = small_world.size.dates[0], small_world.size.dates[-1]
    sim = _serve(small_world, tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    root = tmp_path / "data"
    try:
        _sync_mintsoft(sim, root, instance, monkeypatch, first_day, first_day)  # yesterday's daily run
        _sync_mintsoft(sim, root, instance, monkeypatch, first_day, last_day)  # then the whole range
        after_range = {name: _latest_metadata(instance, ["mintsoft", name], last_day) for name in ("orders", "returns")}
        # Read in two pieces, the lake holds what one full read lands: every order and return once.
        orders = _lake_rows(root, "mintsoft", "orders")
        returns = _lake_rows(root, "mintsoft", "returns")
        _sync_mintsoft(sim, root, instance, monkeypatch, first_day, last_day)  # again: nothing left to read
        again = _latest_metadata(instance, ["mintsoft", "orders"], last_day)
        monkeypatch.setenv("MINTSOFT_INCREMENTAL", "false")
        _sync_mintsoft(sim, root, instance, monkeypatch, first_day, last_day)  # a repair re-reads the range
        repair = _latest_metadata(instance, ["mintsoft", "orders"], last_day)
    finally:
        sim.stop()
    for metadata in after_range.values():
        assert metadata["dates_already_complete"] == 1
        assert metadata["read_since"] == day_bounds(last_day)[0].isoformat()
    assert again["dates_already_complete"] == len(small_world.size.dates)
    assert again["read_since"] == "nothing to read" and again["rows"] == 0 and "requests" not in again
    assert repair["dates_already_complete"] == 0 and repair["read_since"] == day_bounds(first_day)[0].isoformat()
    start, end = _window(small_world)
    assert sorted(r["id"] for r in orders) == sorted(
        o.id for o in small_world.mintsoft_orders if start <= o.last_updated < end
    )
    assert sorted(r["id"] for r in returns) == sorted(
        r.id for r in small_world.mintsoft_returns if start <= r.received_at < end
    )
    assert len(returns) >= 1


def test_dagster_cli_materializes_one_location_partition(tmp_path: Path, small_world: World) -> None:
    sim = _serve(small_world, tmp_path)
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {
        **os.environ,
        **simulator_env(sim.ctx),
        "INTEGRATION_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(home),
        "MINTSOFT_REQUESTS_PER_SECOND": "200",
    }
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "dagster",
                "asset",
                "materialize",
                "-m",
                "integration_assets.definitions",
                "--select",
                "mintsoft/inventory",
                "--partition",
                f"{small_world.size.dates[-1]}|leeds",
            ],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        sim.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    landed = (
        tmp_path / "data" / "lake" / "mintsoft" / "inventory" / f"date={small_world.size.dates[-1]}" / "location=leeds"
    )
    rows = duckdb.sql(f"select count(*) from read_parquet('{landed}/*.parquet')").fetchall()[0][0]
    leeds = next(loc.mintsoft_warehouse_id for loc in small_world.locations if loc.location_key == "leeds")
    assert rows == sum(
        1
        for p in small_world.stock_positions
        if p.date == small_world.size.dates[-1] and p.mintsoft_warehouse_id == leeds
    )
