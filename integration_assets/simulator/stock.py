"""Physical stock per warehouse per day (Mintsoft's truth) and Shopify's view of it at "now".

Physical stock moves by despatches, returns received, goods-in receipts and stock-count
adjustments; allocation follows the Mintsoft orders waiting to ship. Shopify's available quantity at
a warehouse is what the stock sync pushes: Mintsoft available minus the operator's safety buffer,
except where a drift anomaly bends it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from integration_assets.simulator.catalog import Catalog
from integration_assets.simulator.orders import MS_CANCELLED, MS_ONBACKORDER, OrderBook
from integration_assets.simulator.world import (
    Anomaly,
    InventoryLevel,
    StockMovement,
    StockPosition,
)

Key = tuple[int, str]  # (mintsoft warehouse id, Mintsoft sku spelling)


@dataclass
class StockResult:
    positions: list[StockPosition]
    movements: list[StockMovement]
    levels: list[InventoryLevel]
    buffers: list[dict[str, str]]  # safety_stock.csv rows
    anomalies: list[Anomaly]


def _end_of(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz).astimezone(dt.UTC)


def build_stock(
    rng: random.Random,
    catalog: Catalog,
    book: OrderBook,
    tz: ZoneInfo,
    history_start: dt.date,
    dates: list[dt.date],
    now: dt.datetime,
) -> StockResult:
    warehouses = {w.mintsoft_warehouse_id: w for w in catalog.warehouses}
    stocked = [p for p in catalog.mintsoft_products if not p.is_bundle]
    preorder_skus = {ci.sku for ci in catalog.by_role("preorder")}
    tracking_off = {ci.sku for ci in catalog.by_role("tracking_disabled")}
    orphans = set(catalog.orphan_mintsoft_skus)
    first_wh = min(warehouses)

    on_hand: dict[Key, int] = {}
    quarantine: dict[Key, int] = {}
    for product in stocked:
        for wh_id in warehouses:
            if product.sku in preorder_skus:
                units = 0
            elif product.sku in tracking_off or product.sku in orphans:
                units = rng.randint(10, 40) if wh_id == first_wh else 0
            else:
                units = rng.randint(80, 260)
            on_hand[(wh_id, product.sku)] = units
            quarantine[(wh_id, product.sku)] = rng.choice([0] * 12 + [1, 2]) if units else 0

    events: list[StockMovement] = []
    for ms in book.mintsoft_orders:
        if ms.despatch_date is not None:
            for line in ms.lines:
                events.append(
                    _movement(
                        ms.despatch_date,
                        tz,
                        ms.warehouse_id,
                        line.sku,
                        -line.quantity,
                        "despatch",
                        f"order:{ms.id}",
                    )
                )
    for ret in book.mintsoft_returns:
        for line in ret.lines:
            events.append(
                _movement(
                    ret.received_at,
                    tz,
                    ret.warehouse_id,
                    line.sku,
                    line.quantity,
                    "return",
                    f"return:{ret.id}",
                )
            )
    events.sort(key=lambda m: (m.at, m.mintsoft_warehouse_id, m.sku))

    allocations = _allocation_intervals(book)
    positions: list[StockPosition] = []
    movements: list[StockMovement] = []
    day = history_start
    cursor = 0
    while day <= dates[-1]:
        end = _end_of(day, tz)
        todays: list[StockMovement] = []
        while cursor < len(events) and events[cursor].at < end:
            todays.append(events[cursor])
            cursor += 1
        todays.extend(_receipts_and_counts(rng, on_hand, todays, day, tz, preorder_skus | orphans))
        todays.sort(key=lambda m: (m.at, m.mintsoft_warehouse_id, m.sku))
        for m in todays:
            on_hand[(m.mintsoft_warehouse_id, m.sku)] = on_hand.get((m.mintsoft_warehouse_id, m.sku), 0) + m.quantity
        if day >= dates[0] - dt.timedelta(days=1):
            as_of = min(end, now)
            allocated = _allocated_at(allocations, as_of)
            for (wh_id, sku), units in sorted(on_hand.items()):
                positions.append(
                    StockPosition(
                        day,
                        wh_id,
                        sku,
                        units,
                        allocated.get((wh_id, sku), 0),
                        quarantine.get((wh_id, sku), 0),
                    )
                )
            if day >= dates[0]:
                movements.extend(todays)
        day += dt.timedelta(days=1)

    levels, buffers, anomalies = _shopify_levels(rng, catalog, book, positions, dates, tz, now)
    return StockResult(positions, movements, levels, buffers, anomalies)


def _movement(at: dt.datetime, tz: ZoneInfo, wh: int, sku: str, qty: int, reason: str, ref: str) -> StockMovement:
    return StockMovement(at.astimezone(tz).date(), at, wh, sku, qty, reason, ref)


def _receipts_and_counts(
    rng: random.Random,
    on_hand: dict[Key, int],
    todays: list[StockMovement],
    day: dt.date,
    tz: ZoneInfo,
    never_receive: set[str],
) -> list[StockMovement]:
    """Goods-in for lines running low, and the odd stock-count correction."""
    out_today: dict[Key, int] = defaultdict(int)
    for m in todays:
        out_today[(m.mintsoft_warehouse_id, m.sku)] += m.quantity
    extra: list[StockMovement] = []
    receipt_at = dt.datetime.combine(day, dt.time(7, 30), tz).astimezone(dt.UTC)
    count_at = dt.datetime.combine(day, dt.time(18, 0), tz).astimezone(dt.UTC)
    for key, units in sorted(on_hand.items()):
        if key[1] in never_receive:
            continue
        projected = units + out_today.get(key, 0)
        if projected < 25 or rng.random() < 0.02:
            extra.append(StockMovement(day, receipt_at, key[0], key[1], 120, "receipt", f"asn:{day:%Y%m%d}-{key[0]}"))
        elif projected > 5 and rng.random() < 0.004:
            extra.append(
                StockMovement(
                    day,
                    count_at,
                    key[0],
                    key[1],
                    rng.choice([-2, -1, 1]),
                    "adjustment",
                    "stock count",
                )
            )
    return extra


def _allocation_intervals(
    book: OrderBook,
) -> list[tuple[dt.datetime, dt.datetime | None, int, str, int]]:
    intervals = []
    for ms in book.mintsoft_orders:
        if ms.status_id == MS_ONBACKORDER:
            continue  # back-ordered lines hold no stock
        timeline = book.timelines[ms.id]
        end = ms.despatch_date
        if ms.status_id == MS_CANCELLED:
            end = timeline.cancelled_at
        for line in ms.lines:
            intervals.append((timeline.downloaded_at, end, ms.warehouse_id, line.sku, line.quantity))
    return intervals


def _allocated_at(
    intervals: list[tuple[dt.datetime, dt.datetime | None, int, str, int]], at: dt.datetime
) -> dict[Key, int]:
    allocated: dict[Key, int] = defaultdict(int)
    for start, end, wh, sku, qty in intervals:
        if start <= at and (end is None or end > at):
            allocated[(wh, sku)] += qty
    return allocated


def _shopify_levels(
    rng: random.Random,
    catalog: Catalog,
    book: OrderBook,
    positions: list[StockPosition],
    dates: list[dt.date],
    tz: ZoneInfo,
    now: dt.datetime,
) -> tuple[list[InventoryLevel], list[dict[str, str]], list[Anomaly]]:
    last = dates[-1]
    final = {(p.mintsoft_warehouse_id, p.sku): p for p in positions if p.date == last}
    synced_at = min(now, dt.datetime.combine(last, dt.time(23, 0), tz).astimezone(dt.UTC))
    anomalies: list[Anomaly] = []
    levels: list[InventoryLevel] = []
    buffers: list[dict[str, str]] = []

    parity_candidates = []
    for ci in catalog.items:
        if ci.role in ("regular", "missing_in_ip"):
            for wh in catalog.warehouses:
                parity_candidates.append((wh, ci))
    drift_count = 3 + len(catalog.items) // 150
    drifted = {
        (wh.id, ci.sku): rng.choice([-6, -3, -2, -1, 1, 2, 4]) for wh, ci in rng.sample(parity_candidates, drift_count)
    }

    for ci in catalog.items:
        if ci.role in ("bundle", "service", "gift_card"):
            continue
        for wh in catalog.warehouses:
            pos = final.get((wh.mintsoft_warehouse_id, ci.mintsoft_sku or ci.sku))
            if ci.role == "missing_in_mintsoft":
                available, committed, damaged, buffer = (
                    (12 if wh == catalog.warehouses[0] else 0),
                    0,
                    0,
                    0,
                )
            elif ci.role == "duplicate_copy":
                available, committed, damaged, buffer = 0, 0, 0, 0
            else:
                assert pos is not None, f"no Mintsoft position for {ci.sku} at {wh.name}"
                buffer = 0
                if ci.role in ("regular", "missing_in_ip") and pos.available > 10 and rng.random() < 0.1:
                    buffer = rng.randint(1, 5)
                    buffers.append(
                        {
                            "location_key": wh.location_key or "",
                            "sku": ci.sku,
                            "buffer_units": str(buffer),
                        }
                    )
                available = pos.available - buffer
                committed, damaged = pos.allocated, pos.quarantine
                if ci.role == "preorder":
                    # Preorders oversell ("continue selling") at the first warehouse only.
                    available = -_preorder_units(book, ci.variant.id) if wh == catalog.warehouses[0] else 0
            delta = drifted.get((wh.id, ci.sku), 0)
            if delta:
                available += delta
                anomalies.append(
                    Anomaly(
                        "stock_parity_drift",
                        last.isoformat(),
                        wh.location_key,
                        ci.sku,
                        None,
                        None,
                        f"Shopify available off by {delta:+d} units from Mintsoft available minus buffer",
                    )
                )
            if ci.role == "tracking_disabled" and pos is not None and pos.on_hand > 0:
                anomalies.append(
                    Anomaly(
                        "tracking_disabled",
                        last.isoformat(),
                        wh.location_key,
                        ci.sku,
                        None,
                        None,
                        f"Shopify does not track {ci.sku}; Mintsoft holds {pos.on_hand} units",
                    )
                )
            levels.append(_level(ci.item.id, wh.id, available, committed, damaged, buffer, synced_at))

    store_sales = _store_sales(book, catalog.store.id)
    unmapped_skus = {ci.sku for ci in rng.sample(catalog.sellable_regular, 5)}
    for ci in catalog.items:
        if ci.role not in ("regular", "missing_in_ip", "duplicate"):
            continue
        opening = 40 + (ci.variant.id % 23)
        levels.append(
            _level(
                ci.item.id,
                catalog.store.id,
                opening - store_sales.get(ci.variant.id, 0),
                0,
                0,
                0,
                synced_at,
            )
        )
        if ci.sku in unmapped_skus:
            levels.append(_level(ci.item.id, catalog.unmapped.id, 3 + ci.variant.id % 7, 0, 0, 0, synced_at))
    anomalies.append(
        Anomaly(
            "unmapped_location",
            last.isoformat(),
            None,
            None,
            None,
            None,
            f"shopify_location_id={catalog.unmapped.id} ({catalog.unmapped.name}) holds stock "
            "and is not in locations.csv",
        )
    )
    return levels, buffers, anomalies


def _level(
    item_id: int,
    location_id: int,
    available: int,
    committed: int,
    damaged: int,
    buffer: int,
    at: dt.datetime,
) -> InventoryLevel:
    # on_hand = available + committed + every unavailable state, as Shopify defines it; the
    # operator's buffer is held back as Shopify's safety_stock.
    return InventoryLevel(
        inventory_item_id=item_id,
        location_id=location_id,
        quantities={
            "available": available,
            "committed": committed,
            "damaged": damaged,
            "incoming": 0,
            "on_hand": available + committed + damaged + buffer,
            "quality_control": 0,
            "reserved": 0,
            "safety_stock": buffer,
        },
        updated_at=at,
    )


def _preorder_units(book: OrderBook, variant_id: int) -> int:
    return sum(
        li.quantity for o in book.orders if o.cancelled_at is None for li in o.line_items if li.variant_id == variant_id
    )


def _store_sales(book: OrderBook, store_id: int) -> dict[int, int]:
    sold: dict[int, int] = defaultdict(int)
    for order in book.orders:
        if order.retail_location_id == store_id:
            for li in order.line_items:
                if li.variant_id is not None:
                    sold[li.variant_id] += li.quantity
    return sold
