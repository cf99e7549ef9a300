"""Inventory Planner extraction: what the planner knows (warehouses, variants and their metrics).

Sales history goes the other way, as files (`inventory_planner_export`); here we read IP's view back so
the SKU check can see which Shopify SKUs the planner does not know.
"""

import dagster as dg

from integration_assets.assets import inventory_planner_tables as tables
from integration_assets.assets.inventory_planner_export import sales_history_export
from integration_assets.assets.landing import Landing, extraction_asset
from integration_assets.partitions import daily_partitions, dates_of
from integration_assets.resources import InventoryPlannerResource, LakeResource

GROUP = "inventory_planner"


@extraction_asset(
    ["inventory_planner", "variants"],
    daily_partitions,
    group=GROUP,
    owners=["team:planning"],
    kinds={"python", "parquet", "inventory_planner"},
)
def inventory_planner_variants(
    context: dg.AssetExecutionContext, inventory_planner: InventoryPlannerResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Inventory Planner's warehouses, variants, and each variant's per-warehouse stock and sales.

    Current state, filed under the run's last date.
    """
    as_of = dates_of(context)[-1]
    landing = Landing(lake, tables.SOURCE)
    with inventory_planner.client() as client:
        warehouses = client.warehouses()
        variants = client.variants()
        landing.land(tables.WAREHOUSES, as_of, None, warehouses.records, warehouses.rejected)
        landing.land(tables.VARIANTS, as_of, None, variants.records, variants.rejected)
        pairs = [(v, w) for v in variants.records for w in v.warehouse or []]
        landing.land(tables.VARIANT_WAREHOUSES, as_of, None, pairs)
        return landing.result(client.stats)


assets = [inventory_planner_variants, sales_history_export]
