"""The sales-history export: one Advanced-CSV batch per shop day and location, delivered to Inventory
Planner.

IP has no API that takes sales history; its Advanced CSV connector reads files carrying new and
updated sales-order lines. A batch (date, location) holds the lines of reconciliation.sales_history_lines
whose latest change (ordered, fulfilled, cancelled, returned) fell on that shop day at that location,
so yesterday's batch brings IP everything that changed yesterday, including a cancellation or a return
of an older order. Every line keeps one ORDER_ID, so exporting a batch again replaces what IP holds.

The file is written atomically as exports/inventory_planner/sales-orders_<date>_<location>.csv (a re-run
replaces it), then delivered over SFTP when INVENTORY_PLANNER_SFTP_* is set, else into
INVENTORY_PLANNER_DROP_DIR, else kept locally only. Delivered files are named for the export time first
(sales-orders_<UTC time>_<date>_<location>.csv): IP's connector takes each new file once, in upload
order, so a re-export is a new file whose lines replace the ones IP holds (same ORDER_ID). Lines IP
cannot take (a SKU it does not know, a location with no IP warehouse) stay out of the file and are
counted in the metadata; the sku_* and unmapped_location exceptions own them.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg

from integration_assets.assets.inventory_planner_sales_csv import COLUMNS, render
from integration_assets.assets.landing import markdown_preview
from integration_assets.atomic_files import write_bytes
from integration_assets.partitions import daily_location_partitions
from integration_assets.resources import InventoryPlannerFilesResource, WarehouseResource
from integration_assets.sources.sftp import upload

LINES = "reconciliation.sales_history_lines"


def batch_file_name(date: str, location: str) -> str:
    """The local file of a batch: one per date and location, replaced by a re-export."""
    return f"sales-orders_{date}_{location}.csv"


def delivery_file_name(exported_at: dt.datetime, date: str, location: str) -> str:
    """The delivered file: new on every export, and in export order when sorted by name."""
    return f"sales-orders_{exported_at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}_{date}_{location}.csv"


def batch_lines(wh: Any, date: str, location: str) -> list[dict[str, Any]]:
    """The lines of one batch, in a stable order (the file's bytes depend only on the data)."""
    return wh.query_named("exports/sales_history_batch", date=date, location=location)


def _history_built(warehouse: WarehouseResource) -> bool:
    if not warehouse.path.exists():
        return False
    with warehouse.open(read_only=True) as wh:
        built = wh.query(
            "select count(*) as n from information_schema.tables where table_schema = ? and table_name = ?",
            LINES.split("."),
        )
    return bool(built[0]["n"])


@dg.asset(
    key=["inventory_planner", "sales_history_export"],
    deps=[dg.AssetKey(["reconciliation", "sales_history_lines"]), dg.AssetKey(["reconciliation", "sales_history"])],
    partitions_def=daily_location_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="inventory_planner",
    owners=["team:planning"],
    kinds={"duckdb", "csv", "inventory_planner"},
    pool="duckdb",
    output_required=False,
)
def sales_history_export(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    inventory_planner_files: InventoryPlannerFilesResource,
) -> Iterator[dg.MaterializeResult]:
    """Inventory Planner's sales history for one shop day at one location, as an Advanced-CSV sales-order
    file (cancelled lines flagged, returns as negative quantities, one stable ORDER_ID per line), written
    under exports/inventory_planner/ and delivered over SFTP (INVENTORY_PLANNER_SFTP_*) or into
    INVENTORY_PLANNER_DROP_DIR. Re-exporting a batch replaces it in IP; it never doubles."""
    definition = daily_location_partitions
    batches = sorted(
        (key.keys_by_dimension["date"], key.keys_by_dimension["location"])
        for key in (definition.get_partition_key_from_str(k) for k in context.partition_keys)
    )
    target = inventory_planner_files.sftp_target()
    drop_dir = Path(inventory_planner_files.drop_dir).resolve() if inventory_planner_files.drop_dir else None
    destination = target.address if target else (str(drop_dir) if drop_dir else "local only (no delivery configured)")
    if not _history_built(warehouse):
        context.log.warning(
            f"{LINES} has not been built yet: nothing exported. Materialize the reconciliation models "
            "(the daily sync) for these dates, then this export."
        )
        return
    with warehouse.open(read_only=True) as wh:  # the pool keeps writers away
        lines = {batch: batch_lines(wh, *batch) for batch in batches}
    exported_at = dt.datetime.now(dt.UTC)
    files: list[str] = []
    delivered: list[str] = []
    exported: list[dict[str, Any]] = []
    left_out: Counter[str] = Counter()
    for (date, location), rows in lines.items():
        exportable = [r for r in rows if r["is_exportable"]]
        left_out.update(r["sku"] for r in rows if not r["is_exportable"])
        name = batch_file_name(date, location)
        data = render(exportable, inventory_planner_files.shop_timezone)
        files.append(str(write_bytes(inventory_planner_files.exports_dir, name, data)))
        sent_as = delivery_file_name(exported_at, date, location)
        if target is not None:
            delivered.append(upload(target, sent_as, data))
        elif drop_dir is not None:
            delivered.append(str(write_bytes(drop_dir, sent_as, data)))
        exported += exportable
        context.log.info(f"{name}: {len(exportable)} lines to {destination}")
    sold = [r for r in exported if r["kind"] == "sale" and not r["is_cancelled"]]
    returns = [r for r in exported if r["kind"] == "return"]
    yield dg.MaterializeResult(
        metadata={
            "rows": len(exported),
            "files": len(files),
            "units": sum(r["quantity"] for r in sold) + sum(r["quantity"] for r in returns),
            "units_sold": sum(r["quantity"] for r in sold),
            "units_returned": -sum(r["quantity"] for r in returns),
            "return_rows": len(returns),
            "cancelled_rows": sum(1 for r in exported if r["is_cancelled"]),
            "rows_not_exported": sum(left_out.values()),
            "skus_not_exported": dg.MetadataValue.json(dict(sorted(left_out.items()))),
            "file_path": files[0] if len(files) == 1 else str(inventory_planner_files.exports_dir),
            "file_paths": dg.MetadataValue.json(files),
            "destination": destination,
            "delivered": dg.MetadataValue.json(delivered),
            "columns": ", ".join(COLUMNS),
            **(
                {"preview": dg.MetadataValue.md(markdown_preview(exported[:5], max_columns=len(exported[0])))}
                if exported
                else {}
            ),
        }
    )
