"""Shopify Payments extraction: payouts and balance transactions, the money side of the books.

Payouts are filed under the shop day they were issued; balance transactions under the shop day they
were processed, so each is landed once and a re-run of that day refreshes its payout assignment
(PENDING -> SCHEDULED -> PAID).
"""

import datetime as dt
import functools

import dagster as dg

from integration_assets.assets import payments_tables as tables
from integration_assets.assets.landing import Landing
from integration_assets.assets.landing import extraction_asset as make_extraction_asset
from integration_assets.partitions import daily_partitions, dates_of, day_bounds, shop_zone
from integration_assets.resources import LakeResource, ShopifyResource

GROUP = "payments"
extraction_asset = functools.partial(
    make_extraction_asset, group=GROUP, owners=["team:finance"], kinds={"python", "parquet", "shopify"}
)


@extraction_asset(["shopify_payments", "payouts"], daily_partitions)
def shopify_payments_payouts(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Shopify Payments payouts with status, net and the summary by category (charges, refunds,
    adjustments, reserves, retried payouts): one journal each, later."""
    dates = dates_of(context)
    landing = Landing(lake, tables.SOURCE)
    zone = shop_zone()
    with shopify.client() as client:
        # A day's margin each side: the API filters by UTC date, partitions are shop days.
        margin = dt.timedelta(days=1)
        parsed = client.payouts(dt.date.fromisoformat(dates[0]) - margin, dt.date.fromisoformat(dates[-1]) + margin)
        for date in dates:
            payouts = [p for p in parsed.records if p.issued_at.astimezone(zone).date().isoformat() == date]
            landing.land(tables.PAYOUTS, date, None, payouts, parsed.rejected if date == dates[-1] else [])
        return landing.result(client.stats)


@extraction_asset(["shopify_payments", "balance_transactions"], daily_partitions)
def shopify_payments_balance_transactions(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Every movement on the Shopify Payments balance (charges, refunds, disputes, reserves,
    adjustments, the payout transfers themselves) with amount, fee, net, order and payout."""
    dates = dates_of(context)
    landing = Landing(lake, tables.SOURCE)
    spec = tables.BALANCE_TRANSACTIONS
    with shopify.client() as client:
        parsed = client.balance_transactions(day_bounds(dates[0])[0], day_bounds(dates[-1])[1])
        for date in dates:
            start, end = day_bounds(date)
            rows = [b for b in parsed.records if start <= b.transaction_date < end]
            landing.land(spec, date, None, rows, parsed.rejected if date == dates[-1] else [])
        return landing.result(client.stats)


assets = [shopify_payments_payouts, shopify_payments_balance_transactions]
