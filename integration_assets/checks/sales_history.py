"""The check on reconciliation/sales_history: a day's units are the units fulfilled net of returns.

Inventory Planner forecasts from these numbers, so a unit the model loses or counts twice (a bundle
not decomposed, a cancelled order counted, a return on the wrong day) becomes a wrong purchase order.
The expected side is worked out from the staged Shopify orders by its own SQL file
(`dbt_like_sql/checks/sales_history_units.sql`), not from the model's lines.
"""

from collections.abc import Iterator

import dagster as dg

from integration_assets.checks.check_sql import check_rows
from integration_assets.checks.evaluation import ERROR, Outcome, evaluations, partitioned_check
from integration_assets.checks.reconciliation import POOL, open_read_only
from integration_assets.partitions import daily_partitions
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import Warehouse


def sales_history_units_outcome(wh: Warehouse, date: str, shop_timezone: str) -> Outcome:
    """Pass when the day's units sold and returned in sales_history equal the units fulfilled (orders
    created that day, not cancelled) and refunded as RETURN that day; the numbers go side by side."""
    (row,) = check_rows(wh, "sales_history_units", date=date, shop_timezone=shop_timezone)
    sold_gap = row["history_units_sold"] - row["fulfilled_units"]
    returned_gap = row["history_units_returned"] - row["returned_units"]
    metadata = {
        "date": date,
        **{name: int(value) for name, value in row.items()},
        "units_sold_difference": int(sold_gap),
        "units_returned_difference": int(returned_gap),
    }
    history = f"{row['history_units_sold']} sold - {row['history_units_returned']} returned"
    expected = f"{row['fulfilled_units']} fulfilled - {row['returned_units']} returned as RETURN"
    if sold_gap == 0 and returned_gap == 0:
        return Outcome(True, f"{date}: sales history {history} = {expected}", metadata=metadata)
    return Outcome(
        False,
        f"{date}: sales history {history} = {row['history_net_units']} net, but the orders give {expected} = "
        f"{row['expected_net_units']} net (sold off by {sold_gap:+d}, returned off by {returned_gap:+d})",
        ERROR,
        metadata,
    )


@partitioned_check(
    asset=dg.AssetKey(["reconciliation", "sales_history"]),
    name="sales_history_units",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Each date's units in the sales history equal the Shopify units fulfilled that day (orders created that "
        "day, not cancelled, bundles as components) and the units refunded as RETURN that day, computed "
        "independently from the staged orders. ERROR with both sides and the differences: Inventory Planner "
        "would forecast from wrong demand."
    ),
)
def sales_history_units(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcomes = {
            date: sales_history_units_outcome(wh, date, warehouse.shop_timezone) for date in context.partition_keys
        }
    yield from evaluations(context, outcomes, sql_seconds=wh.sql_seconds)


checks = [sales_history_units]
