"""A day of trading: normal web and POS orders through their lifecycles, and the bent timelines
that make the lifecycle anomalies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from integration_assets.simulator.orders import (
    MS_ONBACKORDER,
    MS_PICKINGSTARTED,
    WEB_MARKETS,
    OrderFactory,
)
from integration_assets.simulator.pricing import MARKETS
from integration_assets.simulator.world import Anomaly, LineItem, Order, line_current_quantity


def _weighted_market(f: OrderFactory) -> str:
    codes = [c for c, _ in WEB_MARKETS]
    weights = [w for _, w in WEB_MARKETS]
    return f.rng.choices(codes, weights)[0]


Scheduled = list[tuple[dt.datetime, Callable[[], None]]]


def trading_day(f: OrderFactory, day: dt.date, count: int, scheduled: Scheduled) -> None:
    """`count` orders spread over the shop's day, each run through its lifecycle up to `now`.

    `scheduled` holds the anomaly orders; they are created in time order with the others so that
    order numbers and ids rise with creation time, as Shopify's do.
    """
    minutes = sorted(f.rng.randint(0, 24 * 60 - 1) for _ in range(count))
    todays = sorted(
        ((at, make) for at, make in scheduled if at.astimezone(f.tz).date() == day),
        key=lambda s: s[0],
    )
    for minute in minutes:
        created = f.local(day, minute // 60, minute % 60)
        while todays and todays[0][0] <= created:
            todays.pop(0)[1]()
        if created > f.now:
            continue
        if 9 <= minute // 60 < 18 and f.rng.random() < 0.15:
            _pos_order(f, created)
        else:
            _web_order(f, created)
    for _, make in todays:
        make()


def _pos_order(f: OrderFactory, created: dt.datetime) -> None:
    lines = f._pick_lines(f.rng.choice([1, 1, 2]))
    f.pos_orders += 1
    order = f.new_order(created, lines, MARKETS["GB"], source="pos", cash=f.pos_orders % 4 == 2)
    f.fulfil(order, f.catalog.store, created + dt.timedelta(seconds=30), None)


def _web_order(f: OrderFactory, created: dt.datetime) -> None:
    """A web order. The rarer shapes come on a fixed rhythm rather than by chance, so that even a
    small world has each of them (a gift-card split tender, a manual capture, a bank transfer paid
    a day or so later, a preorder...)."""
    rng = f.rng
    f.web_orders += 1
    n = f.web_orders
    market = MARKETS[_weighted_market(f)]
    if n % 60 == 17:
        preorder = rng.choice(f.catalog.by_role("preorder"))
        order = f.new_order(created, [(preorder, 1)], market)
        _to_warehouse(f, order, preorder_only=True)
        return
    if n % 40 == 5:
        market = MARKETS["JP"]
    lines = f._pick_lines(rng.choice([1, 1, 2, 2, 3, 4]))
    if n % 20 == 3:
        lines.append((rng.choice(f.catalog.by_role("bundle")), 1))
    if n % 25 == 9:
        lines.append((rng.choice(f.catalog.by_role("service")), 1))
    if n % 30 == 11:
        lines.append((rng.choice(f.catalog.by_role("gift_card")), 1))
    gbp = market.currency == "GBP"
    order = f.new_order(
        created,
        lines,
        market,
        discount_code="WELCOME10" if rng.random() < 0.12 else None,
        free_shipping=rng.random() < 0.08,
        gift_card_tender=Decimal("20.00") if gbp and n % 30 == 21 else None,
        manual_capture=gbp and n % 25 == 13,
        bank_transfer=gbp and n % 20 == 2,
    )
    _to_warehouse(f, order)


def _to_warehouse(f: OrderFactory, order: Order, preorder_only: bool = False) -> None:
    """Mintsoft downloads paid orders with physical lines; picks, despatches, pushes tracking back."""
    rng = f.rng
    paid = f.paid_at(order)
    if paid is None or not any(li.requires_shipping for li in order.line_items):
        return
    downloaded = paid + dt.timedelta(minutes=rng.randint(2, 15))
    if downloaded > f.now:
        return
    warehouse = f.warehouse_for(order)
    if preorder_only:
        f.send_to_mintsoft(order, warehouse, downloaded, None, None, status=MS_ONBACKORDER)
        return
    pick, despatch = f.pick_window(downloaded)
    roll = rng.random()
    if roll < 0.04:
        edit_at = downloaded + (pick - downloaded) / 2
        if edit_at <= f.now:
            f.add_line_edit(order, edit_at)
    elif roll < 0.07:
        cancel_at = downloaded + (pick - downloaded) / 3
        if cancel_at <= f.now:
            lines = f.mintsoft_lines(order)
            # Every third cancellation does not restock (fraud), so even small worlds have one.
            f.cancellations += 1
            no_restock = f.cancellations % 3 == 2
            f.cancel(order, cancel_at, "FRAUD" if no_restock else "CUSTOMER", restock=not no_restock)
            f.send_to_mintsoft(order, warehouse, downloaded, pick, despatch, lines=lines, cancelled_at=cancel_at)
            return
    ms = f.send_to_mintsoft(order, warehouse, downloaded, pick, despatch)
    if ms.despatch_date is None:
        return
    fulfilled_at = despatch + dt.timedelta(minutes=rng.randint(5, 40))
    if fulfilled_at > f.now:
        return
    f.fulfil(order, warehouse, fulfilled_at, ms)
    _maybe_refund(f, order, ms, fulfilled_at)


def _refundable_lines(order: Order, f: OrderFactory) -> list[LineItem]:
    return [
        li
        for li in order.line_items
        if li.requires_shipping
        and f.by_sku[li.sku].role in ("regular", "missing_in_ip")
        and line_current_quantity(order, li) > 0
    ]


def _maybe_refund(f: OrderFactory, order: Order, ms, fulfilled_at: dt.datetime) -> None:
    rng = f.rng
    roll = rng.random()
    if roll >= 0.10 or not _refundable_lines(order, f):
        return
    refund_at = fulfilled_at + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8))
    if refund_at > f.now:
        return
    lines = _refundable_lines(order, f)
    warehouse = f.warehouse_for(order)
    if roll < 0.02:
        # A goodwill partial refund: nothing comes back to the warehouse.
        f.refund(order, refund_at, [(lines[0], 1)], "NO_RESTOCK", None, note="Goodwill: late delivery")
        return
    full = roll < 0.04
    chosen = [(li, line_current_quantity(order, li)) for li in lines] if full else [(lines[0], 1)]
    received = max(ms.despatch_date, refund_at - dt.timedelta(hours=rng.randint(2, 20)))
    f.receive_return(ms, order, chosen, received)
    discrepancy = None
    if not f.discrepancy_done and not full:
        discrepancy = Decimal("2.50")
        f.discrepancy_done = True
    f.refund(order, refund_at, chosen, "RETURN", warehouse, refund_shipping=full, discrepancy=discrepancy)


# --- lifecycle anomalies ---------------------------------------------------------------------


def _anomaly_order(f: OrderFactory, day: dt.date, hour: int, minute: int, two_units: bool = False) -> Order:
    lines = f._pick_lines(2)
    if two_units:
        lines[0] = (lines[0][0], 2)
    return f.new_order(f.local(day, hour, minute), lines, MARKETS["GB"])


def _record(f: OrderFactory, kind: str, order: Order, detail: str, sku: str | None = None) -> None:
    day = order.created_at.astimezone(f.tz).date().isoformat()
    f.book.anomalies.append(Anomaly(kind, day, None, sku, str(order.id), None, detail))


def lifecycle_anomalies(f: OrderFactory, dates: list[dt.date]) -> Scheduled:
    """The lifecycle anomaly orders, each as (creation time, builder)."""
    first, middle, last = dates[0], dates[len(dates) // 2], dates[-1]
    return [
        (f.local(last, 8, 5), lambda: _edit_after_pick(f, last)),
        (f.local(first, 8, 20), lambda: _duplicate_despatch(f, first)),
        (f.local(middle, 7, 40), lambda: _despatched_not_fulfilled(f, middle)),
        (f.local(first, 9, 10), lambda: _cancelled_but_despatched(f, first)),
        (f.local(last, 15, 0), lambda: _fulfilled_before_despatch(f, last)),
        (f.local(first, 7, 0), lambda: _restock_mismatch(f, first, last)),
    ]


WAREHOUSE_DELAY = dt.timedelta(minutes=10)


def _edit_after_pick(f: OrderFactory, day: dt.date) -> None:
    """Edited in Shopify after Mintsoft began picking; Mintsoft keeps the old lines."""
    order = _anomaly_order(f, day, 8, 5, two_units=True)
    wh = f.warehouse_for(order)
    lines_before = f.mintsoft_lines(order)
    pick = f.local(day, 10, 0)
    f.send_to_mintsoft(
        order,
        wh,
        order.created_at + WAREHOUSE_DELAY,
        pick,
        None,
        lines=lines_before,
        status=MS_PICKINGSTARTED,
    )
    f.remove_unit_edit(order, order.line_items[0], f.local(day, 11, 30))
    _record(
        f,
        "order_edit_after_pick",
        order,
        "edit committed 11:30 after picking started 10:00; Mintsoft lines unchanged",
    )


def _duplicate_despatch(f: OrderFactory, day: dt.date) -> None:
    """An edit consumed by the warehouse connector as a second order: two despatches."""
    order = _anomaly_order(f, day, 8, 20)
    wh = f.warehouse_for(order)
    original_lines = f.mintsoft_lines(order)
    f.add_line_edit(order, f.local(day, 9, 30))
    ms1 = f.send_to_mintsoft(
        order,
        wh,
        order.created_at + WAREHOUSE_DELAY,
        f.local(day, 14, 0),
        f.local(day, 15, 0),
        lines=original_lines,
    )
    f.send_to_mintsoft(order, wh, f.local(day, 9, 35), f.local(day, 14, 10), f.local(day, 15, 10))
    f.fulfil(order, wh, f.local(day, 15, 20), ms1)
    _record(
        f,
        "duplicate_despatch",
        order,
        "the 09:30 edit was imported as a second Mintsoft order; both despatched",
    )


def _despatched_not_fulfilled(f: OrderFactory, day: dt.date) -> None:
    """Despatched, but the tracking never reached Shopify."""
    order = _anomaly_order(f, day, 7, 40)
    wh = f.warehouse_for(order)
    f.send_to_mintsoft(order, wh, order.created_at + WAREHOUSE_DELAY, f.local(day, 14, 0), f.local(day, 15, 0))
    _record(f, "despatched_not_fulfilled", order, "despatched 15:00, no fulfillment in Shopify")


def _cancelled_but_despatched(f: OrderFactory, day: dt.date) -> None:
    """Cancelled in Shopify after the warehouse had despatched it."""
    order = _anomaly_order(f, day, 9, 10)
    wh = f.warehouse_for(order)
    lines = f.mintsoft_lines(order)
    f.send_to_mintsoft(
        order,
        wh,
        order.created_at + WAREHOUSE_DELAY,
        f.local(day, 14, 0),
        f.local(day, 15, 0),
        lines=lines,
    )
    f.cancel(order, f.local(day, 16, 30), "CUSTOMER", restock=True)
    _record(f, "cancelled_but_despatched", order, "despatched 15:00, cancelled in Shopify 16:30")


def _fulfilled_before_despatch(f: OrderFactory, day: dt.date) -> None:
    """Marked fulfilled in Shopify (customer notified) before the warehouse picked it."""
    order = _anomaly_order(f, day, 15, 0)
    wh = f.warehouse_for(order)
    next_day = day + dt.timedelta(days=1)
    f.send_to_mintsoft(
        order,
        wh,
        order.created_at + WAREHOUSE_DELAY,
        f.local(next_day, 9, 30),
        f.local(next_day, 10, 30),
    )
    f.fulfil(order, wh, f.local(day, 16, 0), None)
    _record(
        f,
        "fulfilled_before_despatch",
        order,
        "fulfilled in Shopify 16:00; Mintsoft awaiting picking",
    )


def _restock_mismatch(f: OrderFactory, first: dt.date, last: dt.date) -> None:
    """A refund restocked in Shopify that the warehouse never received back (ghost stock)."""
    order = _anomaly_order(f, first, 7, 0)
    wh = f.warehouse_for(order)
    ms = f.send_to_mintsoft(order, wh, order.created_at + WAREHOUSE_DELAY, f.local(first, 14, 0), f.local(first, 15, 0))
    f.fulfil(order, wh, f.local(first, 15, 30), ms)
    refund_at = f.local(last, 12, 0) if last > first else f.local(first, 21, 0)
    line = _refundable_lines(order, f)[0]
    f.refund(order, refund_at, [(line, 1)], "RETURN", wh)
    _record(
        f,
        "restock_mismatch",
        order,
        "refund restocked 1 unit (RETURN); no Mintsoft return received",
        sku=line.sku.strip().upper(),
    )
