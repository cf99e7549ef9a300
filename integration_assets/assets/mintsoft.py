"""Mintsoft extraction: the warehouse's own records, landed raw.

Mintsoft is the system of record for physical stock and despatch (DESIGN.md). Snapshots (warehouses,
products, inventory) are current state, filed under the run's last date (the as-of rule); orders and
returns are filed under the shop day of their LastUpdated, so each date holds the versions that
changed that day. They are read incrementally: from the first date of the range not yet landed
complete (assets/incremental.py), so a daily run over a range does not re-read it from its start.
"""

import functools
from typing import Any

import dagster as dg

from integration_assets.assets import mintsoft_tables as tables
from integration_assets.assets.incremental import complete_prefix
from integration_assets.assets.landing import Landing, one_per_id
from integration_assets.assets.landing import extraction_asset as make_extraction_asset
from integration_assets.partitions import (
    daily_location_partitions,
    daily_partitions,
    dates_of,
    day_bounds,
    locations_of,
)
from integration_assets.resources import LakeResource, MintsoftResource
from integration_assets.sources.validation import Parsed

GROUP = "mintsoft"
OWNERS = ["team:data-engineering"]
KINDS = {"python", "parquet", "mintsoft"}
extraction_asset = functools.partial(make_extraction_asset, group=GROUP, owners=OWNERS, kinds=KINDS)


@extraction_asset(["mintsoft", "catalog"], daily_partitions)
def mintsoft_catalog(
    context: dg.AssetExecutionContext, mintsoft: MintsoftResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Mintsoft warehouses, products and bundle components: the warehouse's SKU master.

    Current state, filed under the run's last date. Bundles are products with components; the
    reconciliation checks bundle stock through them.
    """
    as_of = dates_of(context)[-1]
    landing = Landing(lake, tables.SOURCE)
    with mintsoft.client() as client:
        warehouses = client.warehouses()
        products = client.products()
        bundles = client.bundles(p for p in products.records if p.bundle)
        landing.land(tables.WAREHOUSES, as_of, None, warehouses.records, warehouses.rejected)
        landing.land(tables.PRODUCTS, as_of, None, products.records, products.rejected)
        components = [(b, c) for b in bundles.records for c in b.components]
        landing.land(tables.BUNDLE_COMPONENTS, as_of, None, components, bundles.rejected)
        return landing.result(client.stats)


@extraction_asset(["mintsoft", "inventory"], daily_location_partitions)
def mintsoft_inventory(
    context: dg.AssetExecutionContext, mintsoft: MintsoftResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Mintsoft's bulk inventory feed per warehouse: OnHand, Allocated, InQuarantine per SKU.

    The stock side of parity: Mintsoft available = OnHand - Allocated - InQuarantine. Filed under the
    run's last date at each location; a location without a Mintsoft warehouse (a store) lands empty.
    """
    as_of = dates_of(context)[-1]
    landing = Landing(lake, tables.SOURCE)
    location_map = lake.location_map()
    with mintsoft.client() as client:
        for key in locations_of(context):
            warehouse_id = location_map.by_key(key).mintsoft_warehouse_id
            parsed = client.inventory(warehouse_id) if warehouse_id is not None else Parsed()
            landing.land(tables.INVENTORY, as_of, key, parsed.records, parsed.rejected)
        return landing.result(client.stats)


@extraction_asset(["mintsoft", "orders"], daily_partitions)
def mintsoft_orders(
    context: dg.AssetExecutionContext, mintsoft: MintsoftResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Mintsoft's picking copies of Shopify orders, with their items, status, despatch and tracking.

    Filed under the shop day of LastUpdated; ExternalOrderReference holds the Shopify order id.
    """
    landing = Landing(lake, tables.SOURCE)
    dates, extra = _dates_to_read(context, mintsoft)
    if not dates:
        return landing.result(extra=extra)
    with mintsoft.client() as client:
        parsed = client.orders(since_last_updated=day_bounds(dates[0])[0], include_items=True)
        for date in dates:
            start, end = day_bounds(date)
            orders = one_per_id(
                o for o in parsed.records if o.last_updated is not None and start <= o.last_updated < end
            )
            rejected = parsed.rejected if date == dates[-1] else []  # a bad record has no trusted date
            landing.land(tables.ORDERS, date, None, orders, rejected)
            landing.land(tables.ORDER_ITEMS, date, None, [(o, i) for o in orders for i in o.order_items or []])
        return landing.result(client.stats, extra)


@extraction_asset(["mintsoft", "returns"], daily_partitions)
def mintsoft_returns(
    context: dg.AssetExecutionContext, mintsoft: MintsoftResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Returns the warehouse has received, with their items: the evidence a refund's restock is real.

    Filed under the shop day of LastUpdated.
    """
    landing = Landing(lake, tables.SOURCE)
    dates, extra = _dates_to_read(context, mintsoft)
    if not dates:
        return landing.result(extra=extra)
    with mintsoft.client() as client:
        parsed = client.returns(since_last_updated=day_bounds(dates[0])[0])
        for date in dates:
            start, end = day_bounds(date)
            returns = one_per_id(
                r for r in parsed.records if r.last_updated is not None and start <= r.last_updated < end
            )
            rejected = parsed.rejected if date == dates[-1] else []
            landing.land(tables.RETURNS, date, None, returns, rejected)
            landing.land(tables.RETURN_ITEMS, date, None, [(r, i) for r in returns for i in r.return_items])
        return landing.result(client.stats, extra)


def _dates_to_read(context: dg.AssetExecutionContext, mintsoft: MintsoftResource) -> tuple[list[str], dict[str, Any]]:
    """The range's dates from its first incomplete one (all of them when incremental reads are off),
    and metadata saying where the read began and how many complete dates it left as they were."""
    dates = dates_of(context)
    skipped = complete_prefix(context, dates) if mintsoft.incremental else 0
    if skipped:
        context.log.info(f"{skipped} of {len(dates)} dates were landed complete already; reading from the next")
    todo = dates[skipped:]
    read_since = day_bounds(todo[0])[0].isoformat() if todo else "nothing to read"
    return todo, {"dates_already_complete": skipped, "read_since": read_since}


assets = [mintsoft_catalog, mintsoft_inventory, mintsoft_orders, mintsoft_returns]
