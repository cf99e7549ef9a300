"""Shopify extraction: orders (with edits, cancellations, refunds, fulfilments), the catalogue's
inventory items, locations and stock levels, landed raw.

Orders are filed under the shop day of their updated_at, so each date holds the versions that
changed that day, and a range is read in one pass (a bulk operation for long backfills). A day also
holds the current version of every order its payouts' transactions name that the range did not
bring (an order placed and last changed before the range): finance reconciles a payout whatever
dates the run covered. Locations,
inventory items and levels are current state, filed under the run's last date (the as-of rule).
"""

import functools

import dagster as dg

from integration_assets.assets import shopify_tables as tables
from integration_assets.assets.landing import Landing, one_per_id
from integration_assets.assets.landing import extraction_asset as make_extraction_asset
from integration_assets.assets.payments import payouts_issued_on, settled_by_payouts
from integration_assets.partitions import (
    daily_location_partitions,
    daily_partitions,
    dates_of,
    day_bounds,
    locations_of,
)
from integration_assets.resources import LakeResource, ShopifyResource
from integration_assets.sources.shopify import ShopifyClient

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
        named = orders_named_by_payouts(client, dates, {o.id for o in parsed.records})
        settled = client.orders_by_id(sorted({i for ids in named.values() for i in ids}))
        settled_by_id = {o.id: o for o in settled.records}
        for date in dates:
            start, end = day_bounds(date)
            orders = [o for o in parsed.records if start <= o.updated_at < end]
            orders = one_per_id([*orders, *(settled_by_id[i] for i in sorted(named[date]) if i in settled_by_id)])
            rejected = [*parsed.rejected, *settled.rejected] if date == dates[-1] else []  # no trusted date
            landing.quarantine("orders", date, None, rejected, len(orders))
            for spec, records in tables.order_parts(orders).items():
                landing.write(spec.entity, date, None, spec.rows(records), spec.schema)
        return landing.result(client.stats, {"orders_named_by_payouts": len(settled_by_id)})


def orders_named_by_payouts(client: ShopifyClient, dates: list[str], landed: set[int]) -> dict[str, set[int]]:
    """Per shop day, the orders the balance transactions of that day's payouts name that are not
    among `landed` (the orders this run brings anyway)."""
    payouts, _ = payouts_issued_on(client, dates)
    settled = settled_by_payouts(client, payouts)
    payout_day = {payout.id: day for day, issued in payouts.items() for payout in issued}
    named: dict[str, set[int]] = {date: set() for date in dates}
    for transaction in settled.records:
        day = payout_day.get(transaction.associated_payout_id)
        if day and transaction.associated_order_id and transaction.associated_order_id not in landed:
            named[day].add(transaction.associated_order_id)
    return named


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
