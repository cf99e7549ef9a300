"""Lookups the GraphQL resolvers need over the (immutable) world, built once per server.

The world is read-only while it is served, so lookups by id, derived order figures and the
sorted orders per sort key are computed once and reused by every request; a 100-order page
with nested lines then costs dictionary lookups, not scans.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from integration_assets.simulator.disputes import Dispute, disputes_of
from integration_assets.simulator.shop_profile import shop_profile
from integration_assets.simulator.world import (
    ZERO,
    BalanceTransaction,
    Customer,
    Fulfillment,
    InventoryLevel,
    LineItem,
    Order,
    OrderTotals,
    OrderTransaction,
    Refund,
    Variant,
    World,
    current_totals,
    financial_status,
    fulfillment_status,
    order_transactions,
    original_totals,
)

if TYPE_CHECKING:
    from integration_assets.simulator.shopify_bulk import BulkOperationStore
    from integration_assets.simulator.shopify_search import Search

SortKey = tuple[Any, int]
MATCHED_CACHE_SIZE = 256  # distinct searches kept (a batch of ids is one search)


def sortable_time(moment: dt.datetime | None) -> str:
    """A timestamp as a sort value: fixed-width UTC text, so string order is time order."""
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class OrderFigures:
    """Derived figures of one order that several fields read."""

    original: OrderTotals
    current: OrderTotals
    financial_status: str
    fulfillment_status: str
    transactions: list[OrderTransaction]


class WorldIndex:
    """Id lookups and cached derived figures over one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.zone = ZoneInfo(world.shop.timezone)
        self._lock = threading.Lock()
        self._figures: dict[int, OrderFigures] = {}
        self._sorted: dict[tuple[str, str], tuple[list[Any], list[SortKey]]] = {}
        self._matched: dict[tuple[str, str, str], tuple[list[Any], list[SortKey]]] = {}

        self.lines: dict[int, tuple[Order, LineItem]] = {}
        self.refunds: dict[int, tuple[Order, Refund]] = {}
        self.transactions: dict[int, tuple[Order, OrderTransaction]] = {}
        self.fulfillments: dict[int, tuple[Order, Fulfillment]] = {}
        self.customers: dict[int, Customer] = {}
        for order in world.orders:
            for line in order.line_items:
                self.lines[line.id] = (order, line)
            for refund in order.refunds:
                self.refunds[refund.id] = (order, refund)
                for txn in refund.transactions:
                    self.transactions[txn.id] = (order, txn)
            for txn in order.transactions:
                self.transactions[txn.id] = (order, txn)
            for fulfillment in order.fulfillments:
                self.fulfillments[fulfillment.id] = (order, fulfillment)
            if order.customer is not None:
                self.customers[order.customer.id] = order.customer

        self.variants_by_product: dict[int, list[Variant]] = defaultdict(list)
        for variant in sorted(world.variants, key=lambda v: (v.position, v.id)):
            self.variants_by_product[variant.product_id].append(variant)
        self.variant_by_item: dict[int, Variant] = {v.inventory_item_id: v for v in world.variants}

        self.levels_by_item: dict[int, list[InventoryLevel]] = defaultdict(list)
        self.levels_by_location: dict[int, list[InventoryLevel]] = defaultdict(list)
        self.level_by_key: dict[tuple[int, int], InventoryLevel] = {}
        for level in sorted(world.inventory_levels, key=lambda lv: (lv.location_id, lv.inventory_item_id)):
            self.levels_by_item[level.inventory_item_id].append(level)
            self.levels_by_location[level.location_id].append(level)
            self.level_by_key[(level.location_id, level.inventory_item_id)] = level

        self.sku_counts: dict[str, int] = defaultdict(int)
        for item in world.inventory_items:
            self.sku_counts[item.sku] += 1

        self.balance_by_order_transaction: dict[int, BalanceTransaction] = {}
        for bt in world.balance_transactions:
            if bt.source_order_transaction_id is not None:
                self.balance_by_order_transaction.setdefault(bt.source_order_transaction_id, bt)
        self.shop = shop_profile(world)
        self.disputes = disputes_of(world)
        self.disputes_by_id = {d.id: d for d in self.disputes}
        self.disputes_by_order: dict[int, list[Dispute]] = defaultdict(list)
        for dispute in self.disputes:
            if dispute.order_id is not None:
                self.disputes_by_order[dispute.order_id].append(dispute)

        self.balance_transactions_by_id = {bt.id: bt for bt in world.balance_transactions}
        self.unfulfilled_locations: set[int] = set()
        for order in world.orders:
            if (
                order.fulfillment_location_id is not None
                and order.cancelled_at is None
                and self.figures(order).fulfillment_status in ("UNFULFILLED", "PARTIALLY_FULFILLED")
            ):
                self.unfulfilled_locations.add(order.fulfillment_location_id)

    @cached_property
    def primary_location_id(self) -> int | None:
        """The first active warehouse (Shopify's deprecated 'primary location')."""
        for location in self.world.locations:
            if location.kind == "warehouse" and location.is_active:
                return location.id
        return self.world.locations[0].id if self.world.locations else None

    @cached_property
    def balance(self) -> dict[str, Decimal]:
        """Shopify Payments balance per currency: the net of every live balance transaction.

        Each payout's TRANSFER row takes its amount back out, so what remains is money not yet
        paid out (the same rule as the REST /shopify_payments/balance view).
        """
        totals: dict[str, Decimal] = {}
        for bt in self.world.balance_transactions:
            if not bt.test:
                totals[bt.currency] = totals.get(bt.currency, ZERO) + bt.net
        return totals or {self.world.shop.currency: ZERO}

    def figures(self, order: Order) -> OrderFigures:
        cached = self._figures.get(order.id)
        if cached is None:
            cached = OrderFigures(
                original=original_totals(order),
                current=current_totals(order),
                financial_status=financial_status(order),
                fulfillment_status=fulfillment_status(order),
                transactions=order_transactions(order),
            )
            self._figures[order.id] = cached
        return cached

    def line_of(self, order: Order, line_item_id: int) -> LineItem | None:
        found = self.lines.get(line_item_id)
        return found[1] if found is not None and found[0] is order else None

    def sorted_by(
        self, collection: str, sort_key: str, items: list[Any], key: Callable[[Any], SortKey]
    ) -> tuple[list[Any], list[SortKey]]:
        """`items` sorted ascending by `key`, cached per (collection, sort key)."""
        cache_key = (collection, sort_key)
        cached = self._sorted.get(cache_key)
        if cached is None:
            pairs = sorted(((key(item), item) for item in items), key=lambda p: p[0])
            cached = ([p[1] for p in pairs], [p[0] for p in pairs])
            with self._lock:
                self._sorted[cache_key] = cached
        return cached

    def matching(
        self, collection: str, sort_key: str, search: Search, ordered: tuple[list[Any], list[SortKey]]
    ) -> tuple[list[Any], list[SortKey]]:
        """The items of `ordered` (sorted by `sort_key`) that `search` keeps, cached per search text.

        A client pages through one search page after page; filtering every record again for each
        page made reading a window quadratic in the world's size. A search has no relative terms
        ("now"), so its text and the shop's zone decide what it keeps.
        """
        cache_key = (collection, sort_key, search.text or "")
        cached = self._matched.get(cache_key)
        if cached is None:
            items, keys = ordered
            kept = [i for i, item in enumerate(items) if search.matches(item)]
            cached = ([items[i] for i in kept], [keys[i] for i in kept])
            with self._lock:
                if len(self._matched) >= MATCHED_CACHE_SIZE:
                    self._matched.clear()
                self._matched[cache_key] = cached
        return cached


@dataclass
class RequestState:
    """What one GraphQL execution's resolvers see as `info.context`."""

    index: WorldIndex
    bulk_store: BulkOperationStore
    bulk: bool = False  # inside a bulk operation: connections are unbounded
    search_notes: list[dict[str, Any]] = field(default_factory=list)  # extensions.search
    observed_bulk: set[int] = field(default_factory=set)  # bulk operations read in this request

    @property
    def world(self) -> World:
        return self.index.world

    def note_search(self, path: list[str | int], search: Search) -> None:
        """Report ignored search terms the way Shopify does, in `extensions.search`."""
        if search.warnings:
            self.search_notes.append({"path": path, "query": search.text, "warnings": search.warnings})
