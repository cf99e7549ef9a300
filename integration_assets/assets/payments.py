"""Shopify Payments extraction: payouts and balance transactions, the money side of the books.

Payouts are filed under the shop day they were issued; balance transactions under the shop day they
were processed, so each is landed once and a re-run of that day refreshes its payout assignment
(PENDING -> SCHEDULED -> PAID). A payout settles transactions processed days before it is issued, so
a day's partition also holds every transaction of the payouts issued that day, whenever processed:
a payout's reconciliation never depends on the dates a run happened to cover (staging keeps one
row per transaction, the latest sync).
"""

import datetime as dt
import functools

import dagster as dg

from integration_assets.assets import payments_tables as tables
from integration_assets.assets.landing import Landing
from integration_assets.assets.landing import extraction_asset as make_extraction_asset
from integration_assets.partitions import daily_partitions, dates_of, day_bounds, shop_zone
from integration_assets.resources import LakeResource, ShopifyResource
from integration_assets.sources.shopify import ShopifyClient
from integration_assets.sources.shopify_models import Payout
from integration_assets.sources.validation import Parsed, Rejected

GROUP = "payments"
extraction_asset = functools.partial(
    make_extraction_asset, group=GROUP, owners=["team:finance"], kinds={"python", "parquet", "shopify"}
)


def payouts_issued_on(client: ShopifyClient, dates: list[str]) -> tuple[dict[str, list[Payout]], list[Rejected]]:
    """The payouts issued on each shop day of `dates` (the API filters by UTC date: a day's margin
    each side), and the records that failed validation."""
    margin = dt.timedelta(days=1)
    parsed = client.payouts(dt.date.fromisoformat(dates[0]) - margin, dt.date.fromisoformat(dates[-1]) + margin)
    zone = shop_zone()
    by_day: dict[str, list[Payout]] = {date: [] for date in dates}
    for payout in parsed.records:
        day = payout.issued_at.astimezone(zone).date().isoformat()
        if day in by_day:
            by_day[day].append(payout)
    return by_day, list(parsed.rejected)


def settled_by_payouts(client: ShopifyClient, payouts: dict[str, list[Payout]]) -> Parsed:
    """Every balance transaction of these payouts, whenever it was processed."""
    ids = [payout.id for day in payouts.values() for payout in day]
    return client.balance_transactions_for_payouts(ids) if ids else Parsed()


@extraction_asset(["shopify_payments", "payouts"], daily_partitions)
def shopify_payments_payouts(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Shopify Payments payouts with status, net and the summary by category (charges, refunds,
    adjustments, reserves, retried payouts): one journal each, later."""
    dates = dates_of(context)
    landing = Landing(lake, tables.SOURCE)
    with shopify.client() as client:
        payouts, rejected = payouts_issued_on(client, dates)
        for date in dates:
            landing.land(tables.PAYOUTS, date, None, payouts[date], rejected if date == dates[-1] else [])
        return landing.result(client.stats)


@extraction_asset(["shopify_payments", "balance_transactions"], daily_partitions)
def shopify_payments_balance_transactions(
    context: dg.AssetExecutionContext, shopify: ShopifyResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Every movement on the Shopify Payments balance (charges, refunds, disputes, reserves,
    adjustments, the payout transfers themselves) with amount, fee, net, order and payout: those
    processed each day, plus every transaction of the payouts issued that day, whenever processed."""
    dates = dates_of(context)
    landing = Landing(lake, tables.SOURCE)
    spec = tables.BALANCE_TRANSACTIONS
    with shopify.client() as client:
        parsed = client.balance_transactions(day_bounds(dates[0])[0], day_bounds(dates[-1])[1])
        payouts, _ = payouts_issued_on(client, dates)  # bad payout records are the payouts asset's to land
        settled = settled_by_payouts(client, payouts)
        settled_outside = 0
        for date in dates:
            start, end = day_bounds(date)
            rows = [b for b in parsed.records if start <= b.transaction_date < end]
            landed = {b.id for b in rows}
            issued = {payout.id for payout in payouts[date]}
            extra = [b for b in settled.records if b.associated_payout_id in issued and b.id not in landed]
            settled_outside += len(extra)
            rejected = [*parsed.rejected, *settled.rejected] if date == dates[-1] else []
            landing.land(spec, date, None, rows + extra, rejected)
        return landing.result(client.stats, {"settled_outside_range": settled_outside})


assets = [shopify_payments_payouts, shopify_payments_balance_transactions]
