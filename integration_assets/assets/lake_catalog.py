"""Which extraction asset writes which raw lake table: how a SQL model reading a lake folder finds
the asset it depends on, and the schema of a table that has never been synced."""

from __future__ import annotations

import dagster as dg
import pyarrow as pa

from integration_assets.assets import inventory_planner_tables as ip
from integration_assets.assets import mintsoft_tables as ms
from integration_assets.assets import payments_tables as pay
from integration_assets.assets import shopify_tables as sh
from integration_assets.assets import webhooks_tables as wh
from integration_assets.raw_tables import RawTable

PRODUCERS: dict[tuple[str, ...], tuple[RawTable, ...]] = {
    ("shopify", "orders"): tuple(sh.order_parts([]).keys()),
    ("shopify", "catalog"): (sh.LOCATIONS, sh.INVENTORY_ITEMS, sh.UNMAPPED_INVENTORY_LEVELS),
    ("shopify", "inventory_levels"): (sh.INVENTORY_LEVELS,),
    ("shopify_payments", "payouts"): (pay.PAYOUTS,),
    ("shopify_payments", "balance_transactions"): (pay.BALANCE_TRANSACTIONS,),
    ("mintsoft", "catalog"): (ms.WAREHOUSES, ms.PRODUCTS, ms.BUNDLE_COMPONENTS),
    ("mintsoft", "inventory"): (ms.INVENTORY,),
    ("mintsoft", "orders"): (ms.ORDERS, ms.ORDER_ITEMS),
    ("mintsoft", "returns"): (ms.RETURNS, ms.RETURN_ITEMS),
    ("inventory_planner", "variants"): (ip.WAREHOUSES, ip.VARIANTS, ip.VARIANT_WAREHOUSES),
    ("shopify_webhooks", "events"): (wh.EVENTS,),
}


def producer_of(source: str, entity: str) -> dg.AssetKey:
    for key, tables in PRODUCERS.items():
        if any(t.source == source and t.entity == entity for t in tables):
            return dg.AssetKey(list(key))
    raise KeyError(f"no extraction asset writes lake table {source}/{entity}")


def lake_schemas() -> dict[tuple[str, str], pa.Schema]:
    return {(t.source, t.entity): t.schema for tables in PRODUCERS.values() for t in tables}
