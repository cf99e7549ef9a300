"""Shopify extraction: orders (with edits, cancellations, refunds, fulfilments), the catalogue's
inventory items, locations and stock levels, landed raw.

Orders are filed under the shop day of their updated_at, so each date holds the versions that
changed that day, and a range is read in one pass (a bulk operation for long backfills). Locations,
inventory items and levels are current state, filed under the run's last date (the as-of rule).
"""

import functools

import dagster as dg

from integration_assets.assets import shopify_tables as tables
from integration_assets.assets.landing import Landing
from integration_assets.assets.landing import extraction_asset as make_extraction_asset
from integration_assets.partitions import (
    daily_location_partitions,
    daily_partitions,
    dates_of,
    day_bounds,
    locations_of,
)
from integration_assets.resources import LakeResource, ShopifyResource

GROUP = "shopify"
OWNERS = ["team:data-engineering"]
KINDS = {"python", "parquet", "shopify"}
extraction_asset = functools.partial(make_extraction_asset, group=GROUP, owners=OWNERS, kinds=KINDS)


@extraction_asset(["shopify", "orders"], daily_partitions)
def shopify_orders(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Shopify orders changed each shop day, split into orders, line items, shipping and tax lines,
    transactions, refunds and refund lines (restock type and location), fulfillments and their lines.

    Current quantities and totals are after edits and refunds; test orders are kept (flagged) so
    nothing is silently dropped.
    """
    dates = dates_of(context)
    landing = Landing(lake, tables.SOURCE)
    with shopify.client() as client:
        parsed = client.orders_updated(day_bounds(dates[0])[0], day_bounds(dates[-1])[1])
        for date in dates:
            start, end = day_bounds(date)
            orders = [o for o in parsed.records if start <= o.updated_at < end]
            rejected = parsed.rejected if date == dates[-1] else []  # a bad record has no trusted date
            landing.quarantine("orders", date, None, rejected, len(orders))
            for spec, records in tables.order_parts(orders).items():
                landing.write(spec.entity, date, None, spec.rows(records), spec.schema)
        return landing.result(client.stats)


@extraction_asset(["shopify", "catalog"], daily_partitions)
def shopify_catalog(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Shopify locations and inventory items (SKU, tracked, variant, product, preorder flag).

    Locations the operator's locations.csv does not map have their stock levels landed too, in
    unmapped_inventory_levels: an unmapped location holding stock is an exception to report, never
    a silent default to the primary location.
    """
    as_of = dates_of(context)[-1]
    landing = Landing(lake, tables.SOURCE)
    location_map = lake.location_map()
    with shopify.client() as client:
        locations = client.locations()
        landing.land(tables.LOCATIONS, as_of, None, locations.records, locations.rejected)
        unmapped = [loc for loc in locations.records if location_map.key_for_shopify(loc.id) is None]
        levels, rejected = [], []
        for loc in unmapped:
            parsed = client.inventory_levels(loc.id)
            levels += [(loc.id, level) for level in parsed.records]
            rejected += parsed.rejected
        landing.land(tables.UNMAPPED_INVENTORY_LEVELS, as_of, None, levels, rejected)
        items = client.inventory_items()
        pairs = [(item, variant) for item in items.records for variant in item.variants or [None]]
        landing.land(tables.INVENTORY_ITEMS, as_of, None, pairs, items.rejected)
        return landing.result(client.stats, {"unmapped_locations": len(unmapped)})


@extraction_asset(["shopify", "inventory_levels"], daily_location_partitions)
def shopify_inventory_levels(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Shopify's named inventory quantities (available, on_hand, committed, safety_stock, ...) per
    item at each mapped location: the Shopify side of stock parity, filed under the run's last date."""
    as_of = dates_of(context)[-1]
    landing = Landing(lake, tables.SOURCE)
    location_map = lake.location_map()
    spec = tables.INVENTORY_LEVELS
    with shopify.client() as client:
        for key in locations_of(context):
            location_id = location_map.by_key(key).shopify_location_id
            parsed = client.inventory_levels(location_id)
            landing.land(spec, as_of, key, [(location_id, level) for level in parsed.records], parsed.rejected)
        return landing.result(client.stats)


assets = [shopify_orders, shopify_catalog, shopify_inventory_levels]
