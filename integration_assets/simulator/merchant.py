"""The demo merchant generator: one seed and size give one world, byte for byte.

Stages run in a fixed order, each drawing from its own seeded random stream, so a change in one
stage's draws does not reshuffle the others:
catalogue -> trading days (history, then the window) -> stock -> payments -> seeds.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from integration_assets.simulator.catalog import Catalog, build_catalog
from integration_assets.simulator.ids import IdSequence
from integration_assets.simulator.order_flow import lifecycle_anomalies, trading_day
from integration_assets.simulator.orders import OrderFactory
from integration_assets.simulator.payments import add_business_days, build_payments
from integration_assets.simulator.seeds import operator_seeds
from integration_assets.simulator.stock import build_stock
from integration_assets.simulator.world import (
    Anomaly,
    Order,
    Shop,
    World,
    WorldSize,
    inventory_planner_connection,
    line_current_quantity,
)

DEFAULT_START_DATE = dt.date(2026, 11, 20)
SHOP_TIMEZONE = "Europe/London"
MIN_HISTORY_DAYS = 8  # payouts need the UK pay period plus a failed-and-retried cycle behind the window


def default_size() -> WorldSize:
    return WorldSize(start_date=DEFAULT_START_DATE, days=3, orders_per_day=200, skus=300, locations=4)


def small_size(days: int = 2, orders_per_day: int = 25) -> WorldSize:
    """The size tests use: every anomaly and edge case, few records."""
    return WorldSize(
        start_date=DEFAULT_START_DATE,
        days=days,
        orders_per_day=orders_per_day,
        skus=60,
        locations=4,
        history_days=8,
    )


def _stream(seed: int, stage: str) -> random.Random:
    return random.Random(f"{seed}:{stage}")


def build_world(seed: int, size: WorldSize | None = None, plan: str = "standard") -> World:
    size = size or default_size()
    if size.days < 1 or size.orders_per_day < 10:
        raise ValueError("a world needs at least 1 day and 10 orders per day")
    if size.history_days < MIN_HISTORY_DAYS:
        raise ValueError(f"history_days must be at least {MIN_HISTORY_DAYS}")
    tz = ZoneInfo(SHOP_TIMEZONE)
    dates = size.dates
    now = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time(0), tz).astimezone(dt.UTC)
    history_start = dates[0] - dt.timedelta(days=size.history_days)
    ids = IdSequence()

    catalog = build_catalog(
        _stream(seed, "catalog"), ids, size.skus, size.locations, now, inventory_planner_connection(seed)
    )
    for ci in catalog.by_role("tracking_disabled"):
        # Someone switched "track quantity" off during the window (an inventory_items/update webhook).
        ci.item.updated_at = ci.variant.updated_at = dt.datetime.combine(dates[0], dt.time(10, 12), tz).astimezone(
            dt.UTC
        )
    factory = OrderFactory(_stream(seed, "orders"), ids, catalog, tz, now)
    quiet = _quiet_day(history_start, dates)
    scheduled = lifecycle_anomalies(factory, dates)
    day = history_start
    while day <= dates[-1]:
        trading_day(factory, day, 0 if day == quiet else size.orders_per_day, scheduled)
        if day == quiet:
            _refund_big_orders(factory, day)
        day += dt.timedelta(days=1)
    _mark_test_order(factory.book.orders)

    stock = build_stock(_stream(seed, "stock"), catalog, factory.book, tz, history_start, dates, now)
    payments = build_payments(ids, factory.book.orders, history_start, dates, now)
    anomalies = [
        *_catalog_anomalies(catalog),
        *factory.book.anomalies,
        *stock.anomalies,
        *payments.anomalies,
    ]
    anomalies.sort(
        key=lambda a: (
            a.type,
            a.date or "",
            a.location_key or "",
            a.sku or "",
            a.order_id or "",
            a.payout_id or "",
        )
    )

    return World(
        seed=seed,
        size=size,
        shop=Shop("Northwind Apparel", "northwind-apparel.myshopify.com", "GBP", SHOP_TIMEZONE, plan),
        now=now,
        locations=catalog.locations,
        products=_unique([ci.product for ci in catalog.items]),
        variants=[ci.variant for ci in catalog.items],
        inventory_items=[ci.item for ci in catalog.items],
        inventory_levels=stock.levels,
        orders=sorted(factory.book.orders, key=lambda o: o.id),
        stock_positions=stock.positions,
        stock_movements=stock.movements,
        mintsoft_products=catalog.mintsoft_products,
        mintsoft_orders=factory.book.mintsoft_orders,
        mintsoft_returns=factory.book.mintsoft_returns,
        balance_transactions=payments.balance_transactions,
        payouts=payments.payouts,
        anomalies=anomalies,
        seeds=operator_seeds(catalog, stock.buffers),
        inventory_planner_skus=[ci.variant.sku for ci in catalog.items if ci.in_inventory_planner],
    )


def _unique(products: list) -> list:
    seen: dict[int, object] = {}
    for p in products:
        seen.setdefault(p.id, p)
    return list(seen.values())


def _quiet_day(history_start: dt.date, dates: list[dt.date]) -> dt.date:
    """A weekday with no sales (site outage) whose payout holds only refunds: a negative payout."""
    day = history_start + dt.timedelta(days=1)
    while day.weekday() > 3 or add_business_days(day, 3) > dates[-1]:
        day += dt.timedelta(days=1)
        if day >= dates[0]:
            raise ValueError("history too short for the negative-payout scenario")
    return day


def _refund_big_orders(factory: OrderFactory, day: dt.date) -> None:
    """Returns of the largest earlier web orders all land on the quiet day."""
    candidates = [
        o
        for o in factory.book.orders
        if o.source_name == "web"
        and o.fulfillments
        and not o.refunds
        and o.cancelled_at is None
        and o.presentment_currency == "GBP"
        and all(t.gateway == "shopify_payments" for t in o.transactions)
        and all(factory.by_sku[li.sku].role in ("regular", "missing_in_ip") for li in o.line_items)
    ]
    candidates.sort(key=lambda o: -sum(li.quantity * li.unit_price.shop for li in o.line_items))
    mintsoft = {ms.external_order_reference: ms for ms in factory.book.mintsoft_orders}
    for n, order in enumerate(candidates[:3]):
        at = factory.local(day, 10 + n, 15)
        lines = [
            (li, line_current_quantity(order, li)) for li in order.line_items if line_current_quantity(order, li) > 0
        ]
        ms = mintsoft[str(order.id)]
        factory.receive_return(ms, order, lines, at - dt.timedelta(hours=2))
        factory.refund(
            order,
            at,
            lines,
            "RETURN",
            factory.warehouse_for(order),
            refund_shipping=True,
            note="Full return",
        )


def _mark_test_order(orders: list[Order]) -> None:
    """The merchant once placed a test order (Bogus gateway era); it must be excluded downstream."""
    candidates = [
        o for o in orders if o.source_name == "web" and not o.refunds and not o.edits and o.cancelled_at is None
    ]
    test_order = candidates[0]
    test_order.test = True
    for txn in test_order.transactions:
        txn.test = True


def _catalog_anomalies(catalog: Catalog) -> list[Anomaly]:
    out = []
    for ci in catalog.items:
        if ci.role == "missing_in_mintsoft":
            out.append(
                Anomaly(
                    "sku_missing_in_mintsoft",
                    None,
                    None,
                    ci.sku,
                    None,
                    None,
                    "tracked and sellable in Shopify; no Mintsoft product",
                )
            )
        if ci.role == "missing_in_ip":
            out.append(
                Anomaly(
                    "sku_missing_in_inventory_planner",
                    None,
                    None,
                    ci.sku,
                    None,
                    None,
                    "Inventory Planner has no variant with this SKU",
                )
            )
    for sku in catalog.orphan_mintsoft_skus:
        out.append(
            Anomaly(
                "sku_missing_in_shopify",
                None,
                None,
                sku,
                None,
                None,
                "Mintsoft product with stock and no Shopify variant",
            )
        )
    for canonical, spelling in catalog.duplicates:
        out.append(
            Anomaly(
                "sku_duplicate",
                None,
                None,
                canonical,
                None,
                None,
                f"a second variant spells it {spelling!r}",
            )
        )
    return out
