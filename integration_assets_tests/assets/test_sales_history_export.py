"""Sales history and its export to Inventory Planner, end to end: the main job lands and models a served
world; the export asset runs through Dagster into the simulator's IP file intake (a drop folder, or a
real SFTP server on loopback), and what IP then holds is compared with reconciliation.sales_history."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from integration_assets.assets.inventory_planner_export import sales_history_export
from integration_assets.assets.inventory_planner_sales_csv import SalesLineError, csv_row
from integration_assets.checks.sales_history import sales_history_units_outcome
from integration_assets.main_run import RunSummary, run_main
from integration_assets.partitions import day_bounds
from integration_assets.resources import build_resources
from integration_assets.simulator.context import SimContext
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World
from integration_assets.warehouse import Warehouse
from integration_assets_tests.sftp_server import SftpServer

SALES_HISTORY_PATH = "/_sim/inventory-planner/sales-history"
Totals = dict[tuple[str, str, str], tuple[int, int]]  # (date, location, IP variant) -> (sold, returned)


@dataclass
class Modelled:
    world: World
    root: Path
    summary: RunSummary
    sim: RunningSimulator
    instance: dg.DagsterInstance
    env: dict[str, str]

    @property
    def warehouse_path(self) -> Path:
        return self.root / "data" / "warehouse.duckdb"

    def query(self, sql: str) -> list[dict[str, Any]]:
        with Warehouse(self.warehouse_path, read_only=True) as wh:
            return wh.query(sql)


def _serve(world: World, tmp: Path, drop: Path) -> RunningSimulator:
    ctx = SimContext.build(world, plan="plus")
    ctx.seeds_dir = write_seeds(world.seeds, tmp / "seeds")
    drop.mkdir(parents=True, exist_ok=True)
    ctx.ip_drop_dir = drop.resolve()
    ctx.mintsoft_bucket.size = ctx.inventory_planner_bucket.size = 10_000
    return serve_in_thread(ctx)


@pytest.fixture(scope="module")
def modelled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Modelled]:
    world = build_world(7, small_size())
    tmp = tmp_path_factory.mktemp("sales_history")
    sim = _serve(world, tmp, tmp / "ip-drop")
    env = {
        **simulator_env(sim.ctx),
        "INTEGRATION_DATA_DIR": str(tmp / "data"),
        "MINTSOFT_REQUESTS_PER_SECOND": "200",
        "INVENTORY_PLANNER_REQUESTS_PER_SECOND": "200",
    }
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        summary = run_main(world.size.dates[0], world.size.dates[-1], instance=instance)
    yield Modelled(world, tmp, summary, sim, instance, env)
    sim.stop()


def _export(modelled: Modelled, env: dict[str, str], locations: list[str] | None = None) -> dg.ExecuteInProcessResult:
    """The export asset through Dagster, one single run per location from the first batch date the
    history holds (orders of the days before the world's, changed within them) to the world's last date:
    the first delivery of a new account."""
    first_batch = modelled.query("select min(batch_date) as d from reconciliation.sales_history_lines")[0]["d"]
    dates = [first_batch.isoformat(), modelled.world.size.dates[-1].isoformat()]
    results = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        for location in locations or ["northampton", "leeds", "dublin", "london"]:
            first = dg.MultiPartitionKey({"date": dates[0], "location": location})
            last = dg.MultiPartitionKey({"date": dates[-1], "location": location})
            result = dg.materialize(
                [sales_history_export],
                instance=modelled.instance,
                resources=build_resources(),
                tags={
                    "dagster/asset_partition_range_start": str(first),
                    "dagster/asset_partition_range_end": str(last),
                },
            )
            assert result.success
            results.append(result)
    return results[-1]


def _ip_holds(sim: RunningSimulator) -> dict[str, Any]:
    url = f"{sim.url}{SALES_HISTORY_PATH}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _ip_totals(rows: list[dict[str, Any]]) -> Totals:
    """IP's lines as sales history: (date, location, IP variant) -> (units sold, units returned)."""
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row["removed"] or row["cancelled"]:
            continue
        key = (row["date"], row["location_key"], row["variant_id"])
        quantity = int(row["quantity"])
        assert quantity == row["quantity"], row
        totals[key][0 if quantity > 0 else 1] += abs(quantity)
    return {key: (sold, returned) for key, (sold, returned) in totals.items()}


def _history_totals(
    modelled: Modelled, locations: list[str] | None = None
) -> dict[tuple[str, str, str], tuple[int, int]]:
    rows = modelled.query(
        "select date, location_key, inventory_planner_variant_id, units_sold, units_returned "
        "from reconciliation.sales_history where is_exportable and (units_sold <> 0 or units_returned <> 0)"
    )
    return {
        (r["date"].isoformat(), r["location_key"], r["inventory_planner_variant_id"]): (
            r["units_sold"],
            r["units_returned"],
        )
        for r in rows
        if locations is None or r["location_key"] in locations
    }


def _world_units(world: World, landed: set[int]) -> dict[str, tuple[int, int]]:
    """Units fulfilled (orders not cancelled, by created shop day) and returned (RETURN refunds, by refund
    shop day) per date, bundles as their components: worked out from the simulator's world objects, for
    the orders the run landed (changed in the synced days, or named by the payouts of those days)."""
    zone = ZoneInfo(world.shop.timezone)
    per_unit = Counter()
    for row in world.seeds["bundles"]:
        per_unit[row["bundle_sku"].strip().upper()] += int(row["quantity"])
    sku_of_line = {li.id: li.sku.strip().upper() for o in world.orders for li in o.line_items}
    sold: Counter[str] = Counter()
    returned: Counter[str] = Counter()
    for order in world.orders:
        if order.test or order.id not in landed:
            continue  # test orders are not sales; orders the run did not land are not in its history
        if order.cancelled_at is None:
            day = order.created_at.astimezone(zone).date().isoformat()
            for fulfillment in order.fulfillments:
                if fulfillment.status == "SUCCESS":
                    for line in fulfillment.lines:
                        sold[day] += line.quantity * (per_unit.get(sku_of_line[line.line_item_id]) or 1)
        for refund in order.refunds:
            day = refund.created_at.astimezone(zone).date().isoformat()
            for line in refund.refund_line_items:
                if line.restock_type == "RETURN":
                    returned[day] += line.quantity * (per_unit.get(sku_of_line[line.line_item_id]) or 1)
    return {day: (sold[day], returned[day]) for day in sorted(set(sold) | set(returned))}


# --- the model and its check ---------------------------------------------------------------------


def test_sales_history_units_equal_the_worlds_fulfilments_and_returns(modelled: Modelled) -> None:
    assert modelled.summary.success, modelled.summary.failures
    rows = modelled.query(
        "select cast(date as varchar) as date, sum(units_sold) as sold, sum(units_returned) as returned "
        "from reconciliation.sales_history group by date order by date"
    )
    found = {r["date"]: (int(r["sold"]), int(r["returned"])) for r in rows if r["sold"] or r["returned"]}
    landed = {int(r["order_id"]) for r in modelled.query("select order_id from staging.shopify_orders")}
    window_start, window_end = day_bounds(modelled.world.size.dates[0])[0], day_bounds(modelled.world.size.dates[-1])[1]
    changed_in_window = {o.id for o in modelled.world.orders if window_start <= o.updated_at < window_end}
    assert changed_in_window < landed  # plus the older orders the window's payouts name
    assert found == _world_units(modelled.world, landed)
    # Every line sits at a mapped location with an IP warehouse and variant, each ORDER_ID once.
    lines = modelled.query(
        "select count(*) as n, count(distinct line_key) as keys, count(*) filter (where not is_exportable) as bad, "
        "count(*) filter (where bundle_sku is not null) as bundle_lines, count(*) filter (where is_cancelled) as "
        "cancelled, count(*) filter (where kind = 'return') as returns from reconciliation.sales_history_lines"
    )[0]
    assert lines["n"] == lines["keys"] > 100
    # Lines IP cannot take: the SKU it does not know (the injected sku_missing_in_inventory_planner), or
    # a sale of an older order (named by a payout) with no fulfilment location to book it at.
    unknown = {a.sku for a in modelled.world.anomalies if a.type == "sku_missing_in_inventory_planner"}
    bad = modelled.query("select sku, location_key from reconciliation.sales_history_lines where not is_exportable")
    assert all(r["sku"] in unknown or r["location_key"] is None for r in bad)
    assert lines["bundle_lines"] > 0 and lines["cancelled"] > 0 and lines["returns"] > 0


def test_pos_orders_are_booked_at_their_store(modelled: Modelled) -> None:
    store = next(loc for loc in modelled.world.locations if loc.kind == "store" and loc.location_key)
    pos_orders = {str(o.id) for o in modelled.world.orders if o.source_name == "pos"}
    rows = modelled.query(
        "select cast(order_id as varchar) as order_id, location_key from reconciliation.sales_history_lines"
    )
    booked = {r["order_id"]: r["location_key"] for r in rows if r["order_id"] in pos_orders}
    assert booked and set(booked.values()) == {store.location_key}


def test_the_units_check_passes_on_the_demo_and_fails_with_the_numbers_when_tampered(
    modelled: Modelled, tmp_path: Path
) -> None:
    check = modelled.summary.checks["reconciliation/sales_history:sales_history_units"]
    assert check["failed"] == 0 and check["passed"] == len(modelled.world.size.dates)
    tampered = tmp_path / "warehouse.duckdb"
    shutil.copy(modelled.warehouse_path, tampered)
    day = modelled.world.size.dates[-1].isoformat()
    with Warehouse(tampered) as wh:
        before = sales_history_units_outcome(wh, day, "Europe/London")
        assert before.passed, before.description
        # One SKU's sales counted twice, as a bundle that was not decomposed would be.
        (row,) = wh.query(
            "select location_key, sku from reconciliation.sales_history "
            "where date = cast(? as date) and units_sold > 0 order by location_key, sku limit 1",
            [day],
        )
        wh.connection.execute(
            "update reconciliation.sales_history set units_sold = units_sold + 3 "
            "where date = cast(? as date) and location_key = ? and sku = ?",
            [day, row["location_key"], row["sku"]],
        )
        after = sales_history_units_outcome(wh, day, "Europe/London")
    sold = before.metadata["fulfilled_units"]
    returned = before.metadata["returned_units"]
    assert not after.passed and after.severity == dg.AssetCheckSeverity.ERROR
    assert after.metadata["history_units_sold"] == sold + 3 and after.metadata["units_sold_difference"] == 3
    assert f"{sold + 3} sold - {returned} returned" in after.description
    assert f"{sold} fulfilled - {returned} returned as RETURN" in after.description
    assert "sold off by +3" in after.description


# --- the export ----------------------------------------------------------------------------------


def test_export_round_trips_through_the_simulator_and_a_second_export_replaces(modelled: Modelled) -> None:
    from_main_run = len(_ip_holds(modelled.sim)["files"])  # the main job exported its own dates already
    result = _export(modelled, modelled.env)
    held = _ip_holds(modelled.sim)
    assert all(f["status"] == "processed" and not f["rows_rejected"] for f in held["files"]), held["files"]
    history = _history_totals(modelled)
    assert _ip_totals(held["rows"]) == history
    lines = modelled.query(
        "select line_key, is_cancelled, quantity from reconciliation.sales_history_lines where is_exportable"
    )
    assert sorted(r["order_id"] for r in held["rows"]) == sorted(r["line_key"] for r in lines)
    assert sum(r["cancelled"] for r in held["rows"]) == sum(r["is_cancelled"] for r in lines) > 0
    assert sum(r["is_return"] for r in held["rows"]) > 0
    # The last run's metadata (london, every date) says what it wrote and where.
    (materialization,) = result.asset_materializations_for_node("inventory_planner__sales_history_export")[:1]
    metadata = materialization.metadata
    london = [r for r in held["rows"] if r["location_key"] == "london"]
    assert metadata["rows"].value == len(london)
    assert metadata["units"].value == sum(int(r["quantity"]) for r in london if not r["cancelled"])
    first_batch = modelled.query("select min(batch_date) as d from reconciliation.sales_history_lines")[0]["d"]
    batch_days = (modelled.world.size.dates[-1] - first_batch).days + 1
    assert metadata["files"].value == batch_days
    assert metadata["destination"].value == modelled.env["INVENTORY_PLANNER_DROP_DIR"]
    exported = sorted((modelled.root / "data" / "exports" / "inventory_planner").glob("*.csv"))
    assert len(exported) == 4 * batch_days

    files_before = len(held["files"])
    _export(modelled, modelled.env)
    again = _ip_holds(modelled.sim)
    new_files = again["files"][files_before:]
    assert len(new_files) == files_before - from_main_run  # every batch delivered again, as a new file ...
    assert sum(f["rows"] for f in new_files) == len(held["rows"])  # ... whose lines were all applied ...
    assert len(again["rows"]) == len(held["rows"])  # ... replacing, not doubling
    assert _ip_totals(again["rows"]) == history


def test_export_over_sftp_to_a_real_server_on_loopback(modelled: Modelled, tmp_path: Path) -> None:
    """The same batches over SFTP (password login, host key verified) into a second simulator whose IP
    intake reads the server's upload folder."""
    root = tmp_path / "sftp-root"
    (root / "upload").mkdir(parents=True)
    receiving = _serve(modelled.world, tmp_path / "second", root / "upload")
    password = "s3cret-Sftp-pass"
    try:
        with SftpServer(root, "ip-user", password) as server:
            env = {
                **modelled.env,
                "INVENTORY_PLANNER_DROP_DIR": "",
                "INVENTORY_PLANNER_SFTP_HOST": "127.0.0.1",
                "INVENTORY_PLANNER_SFTP_PORT": str(server.port),
                "INVENTORY_PLANNER_SFTP_USER": "ip-user",
                "INVENTORY_PLANNER_SFTP_PASSWORD": password,
                "INVENTORY_PLANNER_SFTP_PATH": "/upload",
                "INVENTORY_PLANNER_SFTP_KNOWN_HOSTS": str(server.known_hosts),
            }
            result = _export(modelled, env, locations=["leeds", "london"])
        held = _ip_holds(receiving)
    finally:
        receiving.stop()
    uploaded = sorted(p.name for p in (root / "upload").iterdir())
    first_batch = modelled.query("select min(batch_date) as d from reconciliation.sales_history_lines")[0]["d"]
    batch_days = (modelled.world.size.dates[-1] - first_batch).days + 1
    assert len(uploaded) == 2 * batch_days and not [n for n in uploaded if n.startswith(".")]
    assert all(f["status"] == "processed" and not f["rows_rejected"] for f in held["files"])
    assert _ip_totals(held["rows"]) == _history_totals(modelled, ["leeds", "london"])
    (materialization,) = result.asset_materializations_for_node("inventory_planner__sales_history_export")[:1]
    assert materialization.metadata["destination"].value == f"sftp://ip-user@127.0.0.1:{server.port}/upload"
    # The password reaches neither the metadata nor the run's event log.
    for record in modelled.instance.get_records_for_run(result.run_id).records:
        assert password not in str(record.event_log_entry)


def test_a_line_ip_cannot_take_is_named_with_its_field() -> None:
    row = {
        "line_key": "S1-L2-TEE-001-M",
        "order_id": 42,
        "order_name": "#1001",
        "inventory_planner_variant_id": None,
        "inventory_planner_warehouse_id": "c2007_1",
        "currency": "GBP",
        "quantity": 1,
        "unit_price": Decimal("24.00"),
        "created_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        "changed_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        "is_cancelled": False,
    }
    with pytest.raises(SalesLineError, match=r"line_key='S1-L2-TEE-001-M': inventory_planner_variant_id is missing"):
        csv_row(row, ZoneInfo("Europe/London"))
    with pytest.raises(SalesLineError, match=r"line_key='S1-L2-TEE-001-M': quantity must be whole units"):
        csv_row({**row, "inventory_planner_variant_id": "v1", "quantity": 1.5}, ZoneInfo("Europe/London"))
    written = csv_row({**row, "inventory_planner_variant_id": "v1", "quantity": -2}, ZoneInfo("Europe/London"))
    assert written["QUANTITY"] == "-2" and written["PRICE"] == "24.00" and written["CANCELLED"] == "false"
    assert written["CREATED_AT"] == "2026-11-20 09:00:00" and written["ID"] == "42"
