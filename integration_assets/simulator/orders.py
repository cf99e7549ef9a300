"""Orders and their lifecycles, in Shopify and in Mintsoft's picking copy.

An order is built whole at creation; its later events (capture, edits, pick, despatch, the
fulfillment pushed back to Shopify, cancellation, refunds, returns) are placed on a timeline and
kept only if they happen before the simulator's "now". The lifecycle anomalies are orders whose
timeline is bent on purpose (an edit after the pick began, a despatch never pushed, ...).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from integration_assets.simulator.catalog import Catalog, CatalogItem
from integration_assets.simulator.ids import IdSequence
from integration_assets.simulator.pricing import (
    MARKETS,
    Market,
    bag,
    shop_unit_price,
    tax_lines_for,
)
from integration_assets.simulator.world import (
    MONEY_ZERO,
    Anomaly,
    Customer,
    DiscountAllocation,
    DiscountApplication,
    EditChange,
    Fulfillment,
    FulfillmentLine,
    LineItem,
    Location,
    MintsoftOrder,
    MintsoftOrderLine,
    MintsoftReturn,
    MintsoftReturnLine,
    MoneyBag,
    Order,
    OrderAdjustment,
    OrderEdit,
    OrderTransaction,
    Refund,
    RefundLineItem,
    ShippingLine,
    line_current_quantity,
    money_sum,
    original_totals,
    quantize,
)

# Mintsoft order status ids (api-notes/mintsoft-ip-api.md 1.7, from a real /api/Order/Statuses).
MS_NEW, MS_CANCELLED, MS_DESPATCHED, MS_ONBACKORDER = 1, 3, 4, 9
MS_AWAITINGPICKING, MS_PICKINGSTARTED = 15, 16

COURIERS = [
    ("Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{}"),
    ("DPD", "https://track.dpd.co.uk/parcels/{}"),
    ("DHL Express", "https://www.dhl.com/gb-en/home/tracking.html?tracking-id={}"),
]
FIRST_NAMES = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Freya", "Arthur", "Mia", "Leo"]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Walsh",
    "Murphy",
    "Sato",
    "Miller",
]
WEB_MARKETS = [("GB", 78), ("IE", 8), ("DE", 4), ("US", 7), ("JP", 3)]


@dataclass
class MintsoftTimeline:
    """Generator-side facts about a Mintsoft order that its API does not show directly."""

    downloaded_at: dt.datetime
    cancelled_at: dt.datetime | None = None


@dataclass
class OrderBook:
    orders: list[Order] = field(default_factory=list)
    mintsoft_orders: list[MintsoftOrder] = field(default_factory=list)
    mintsoft_returns: list[MintsoftReturn] = field(default_factory=list)
    timelines: dict[int, MintsoftTimeline] = field(default_factory=dict)  # by Mintsoft order id
    anomalies: list[Anomaly] = field(default_factory=list)


class OrderFactory:
    """Builds orders for one world; every random draw comes from one seeded generator."""

    def __init__(self, rng: random.Random, ids: IdSequence, catalog: Catalog, tz: ZoneInfo, now: dt.datetime) -> None:
        self.rng = rng
        self.ids = ids
        self.catalog = catalog
        self.tz = tz
        self.now = now
        self.book = OrderBook()
        self.next_number = 1001
        self.discrepancy_done = False
        self.cancellations = 0
        self.web_orders = 0
        self.pos_orders = 0
        self.orderable = [ci for ci in catalog.items if ci.role in ("regular", "missing_in_ip")]
        self.by_sku = {ci.sku: ci for ci in catalog.items if ci.role != "duplicate_copy"}
        self.warehouse_for_market = self._warehouse_routing()

    # --- building blocks -----------------------------------------------------------------------

    def _warehouse_routing(self) -> dict[str, list[Location]]:
        warehouses = self.catalog.warehouses
        uk = [w for w in warehouses if w.country_code == "GB"] or warehouses
        eu = [w for w in warehouses if w.country_code in ("IE", "NL")] or uk
        return {"GB": uk, "IE": eu, "DE": eu, "US": uk[:1], "JP": uk[:1]}

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """A wall-clock time in the shop's timezone, as UTC (minutes past 59 roll into hours)."""
        start = dt.datetime.combine(day, dt.time(0), self.tz)
        return (start + dt.timedelta(hours=hour, minutes=minute)).astimezone(dt.UTC)

    def _customer(self) -> Customer:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        return Customer(
            id=self.ids.next("customer"),
            email=f"{first.lower()}.{last.lower()}{self.rng.randint(1, 999)}@example.com",
            first_name=first,
            last_name=last,
        )

    def _line(
        self,
        ci: CatalogItem,
        qty: int,
        market: Market,
        discount_rate: Decimal,
        added_at: dt.datetime | None = None,
    ) -> LineItem:
        unit = bag(shop_unit_price(ci.price, market), market)
        gross = MoneyBag(unit.shop * qty, unit.presentment * qty)
        allocations: list[DiscountAllocation] = []
        discounted = gross
        if discount_rate and ci.role != "gift_card":
            amount = MoneyBag(
                bag(gross.shop * discount_rate, market).shop,
                bag(gross.presentment * discount_rate / market.fx_rate, market).presentment,
            )
            allocations.append(DiscountAllocation(amount, 0))
            discounted = gross - amount
        taxable = ci.role != "gift_card"
        return LineItem(
            id=self.ids.next("line_item"),
            variant_id=ci.variant.id,
            product_id=ci.product.id,
            sku=ci.variant.sku,
            title=ci.product.title,
            variant_title=None if ci.variant.title == "Default Title" else ci.variant.title,
            vendor=ci.product.vendor,
            quantity=qty,
            unit_price=unit,
            discount_allocations=allocations,
            tax_lines=tax_lines_for(discounted, market) if taxable else [],
            is_gift_card=ci.role == "gift_card",
            requires_shipping=ci.item.requires_shipping,
            taxable=taxable,
            added_at=added_at,
        )

    def _txn(
        self,
        kind: str,
        gateway: str,
        amount: MoneyBag,
        at: dt.datetime,
        parent: int | None = None,
        card_source: str | None = "online",
        location_id: int | None = None,
        test: bool = False,
    ) -> OrderTransaction:
        is_card = gateway == "shopify_payments"
        return OrderTransaction(
            id=self.ids.next("transaction"),
            kind=kind,
            status="SUCCESS",
            gateway=gateway,
            amount=amount,
            created_at=at,
            processed_at=at,
            parent_id=parent,
            test=test,
            card_brand=self.rng.choice(["visa", "mastercard", "american_express"]) if is_card else None,
            card_source=card_source if is_card else None,
            location_id=location_id,
        )

    def _pick_lines(self, count: int) -> list[tuple[CatalogItem, int]]:
        chosen = self.rng.sample(self.orderable, count)
        return [(ci, self.rng.choice([1, 1, 1, 2, 2, 3])) for ci in chosen]

    # --- order creation --------------------------------------------------------------------------

    def new_order(
        self,
        created: dt.datetime,
        lines: list[tuple[CatalogItem, int]],
        market: Market,
        source: str = "web",
        discount_code: str | None = None,
        free_shipping: bool = False,
        gift_card_tender: Decimal | None = None,
        manual_capture: bool = False,
        bank_transfer: bool = False,
        cash: bool = False,
        test: bool = False,
    ) -> Order:
        rate = Decimal("0.10") if discount_code else Decimal(0)
        line_items = [self._line(ci, qty, market, rate) for ci, qty in lines]
        shipping_lines: list[ShippingLine] = []
        discount_apps: list[DiscountApplication] = []
        if discount_code:
            discount_apps.append(
                DiscountApplication(
                    "DISCOUNT_CODE",
                    discount_code,
                    discount_code,
                    "percentage",
                    Decimal("10.0"),
                    "LINE_ITEM",
                    "ACROSS",
                )
            )
        if source == "web" and any(li.requires_shipping for li in line_items):
            price = bag(shop_unit_price(market.shipping, market), market)
            discount = price if free_shipping else MONEY_ZERO
            if free_shipping:
                discount_apps.append(
                    DiscountApplication(
                        "AUTOMATIC",
                        None,
                        "Free shipping over £75",
                        "percentage",
                        Decimal("100.0"),
                        "SHIPPING_LINE",
                        "EACH",
                    )
                )
            shipping_lines.append(
                ShippingLine(
                    id=self.ids.next("shipping_line"),
                    title="Standard" if market.country_code == "GB" else "International",
                    code="STANDARD" if market.country_code == "GB" else "INTL",
                    price=price,
                    discount=discount,
                    tax_lines=tax_lines_for(price - discount, market),
                )
            )
        order = Order(
            id=self.ids.next("order", step=self.rng.randint(3, 40)),
            number=self.next_number,
            created_at=created,
            processed_at=created,
            updated_at=created,
            currency="GBP",
            presentment_currency=market.currency,
            taxes_included=market.taxes_included,
            source_name=source,
            customer=None if cash else self._customer(),
            country_code=market.country_code,
            line_items=line_items,
            shipping_lines=shipping_lines,
            discount_applications=discount_apps,
            transactions=[],
            retail_location_id=self.catalog.store.id if source == "pos" else None,
            test=test,
            tags=["pos"] if source == "pos" else [],
        )
        self.next_number += 1
        total = original_totals(order).total
        store_id = self.catalog.store.id if source == "pos" else None
        if cash:
            order.transactions.append(self._txn("SALE", "cash", total, created, location_id=store_id))
        elif manual_capture:
            auth = self._txn("AUTHORIZATION", "shopify_payments", total, created)
            order.transactions.append(auth)
            capture_at = created + dt.timedelta(hours=self.rng.randint(26, 60))
            if capture_at <= self.now:
                order.transactions.append(self._txn("CAPTURE", "shopify_payments", total, capture_at, parent=auth.id))
                self.touch(order, capture_at)  # a capture updates the order (and fires orders/updated)
        elif bank_transfer:
            # a manual payment method (bank transfer, B2B terms): PENDING until the money arrives
            paid_at = created + dt.timedelta(hours=self.rng.randint(20, 40))
            if paid_at <= self.now:
                order.transactions.append(self._txn("SALE", "manual", total, paid_at))
                self.touch(order, paid_at)
        else:
            card_part = total
            if gift_card_tender:
                gc = min(gift_card_tender, total.shop - Decimal("1.00"))
                gc_bag = MoneyBag(gc, gc)  # split tender only for GBP orders
                order.transactions.append(self._txn("SALE", "gift_card", gc_bag, created))
                card_part = total - gc_bag
            source_kind = self.rng.choice(["chip", "contactless"]) if source == "pos" else "online"
            order.transactions.append(
                self._txn(
                    "SALE",
                    "shopify_payments",
                    card_part,
                    created,
                    card_source=source_kind,
                    location_id=store_id,
                    test=test,
                )
            )
        self.book.orders.append(order)
        return order

    def paid_at(self, order: Order) -> dt.datetime | None:
        paid = [t.processed_at for t in order.transactions if t.kind in ("SALE", "CAPTURE")]
        return max(paid) if paid else None

    # --- lifecycle -------------------------------------------------------------------------------

    def warehouse_for(self, order: Order) -> Location:
        options = self.warehouse_for_market[order.country_code]
        return options[order.number % len(options)]

    def mintsoft_lines(self, order: Order, skip_added: bool = False) -> list[MintsoftOrderLine]:
        """The physical lines Mintsoft picks: bundles exploded into components (ASSUMED, notes 1.7)."""
        quantities: dict[str, int] = {}
        prices: dict[str, Decimal] = {}
        for li in order.line_items:
            if not li.requires_shipping or (skip_added and li.added_at is not None):
                continue
            qty = line_current_quantity(order, li) if not skip_added else li.quantity
            ci = self.by_sku[li.sku]
            parts = ci.components if ci.role == "bundle" else [(ci.sku, 1)]
            for component_sku, per in parts:
                component = self.by_sku[component_sku]
                ms_sku = component.mintsoft_sku or component.sku
                quantities[ms_sku] = quantities.get(ms_sku, 0) + qty * per
                prices[ms_sku] = component.price
        return [
            MintsoftOrderLine(self.ids.next("mintsoft_order_line"), sku, qty, prices[sku])
            for sku, qty in quantities.items()
            if qty > 0
        ]

    def pick_window(self, downloaded: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """Orders in before 13:00 local are picked that afternoon, later ones the next morning."""
        local = downloaded.astimezone(self.tz)
        if local.hour < 13:
            pick = self.local(local.date(), 14, self.rng.randint(0, 119))
        else:
            pick = self.local(local.date() + dt.timedelta(days=1), 9, self.rng.randint(0, 179))
        despatch = pick + dt.timedelta(minutes=self.rng.randint(30, 90))
        return pick, despatch

    def send_to_mintsoft(
        self,
        order: Order,
        warehouse: Location,
        downloaded: dt.datetime,
        pick: dt.datetime | None,
        despatch: dt.datetime | None,
        lines: list[MintsoftOrderLine] | None = None,
        cancelled_at: dt.datetime | None = None,
        status: int | None = None,
    ) -> MintsoftOrder:
        lines = lines if lines is not None else self.mintsoft_lines(order)
        if status is None:
            if cancelled_at is not None and cancelled_at <= self.now:
                status = MS_CANCELLED
            elif despatch is not None and despatch <= self.now:
                status = MS_DESPATCHED
            elif pick is not None and pick <= self.now:
                status = MS_PICKINGSTARTED
            else:
                status = MS_AWAITINGPICKING
        despatched = status == MS_DESPATCHED
        courier, url = self.rng.choice(COURIERS)
        tracking = f"{courier[:2].upper()}{self.rng.randint(10**9, 10**10 - 1)}GB" if despatched else None
        events = [downloaded, pick if pick and pick <= self.now else downloaded]
        if despatched and despatch:
            events.append(despatch)
        if cancelled_at and cancelled_at <= self.now:
            events.append(cancelled_at)
        ms = MintsoftOrder(
            id=self.ids.next("mintsoft_order"),
            order_number=order.name.lstrip("#"),
            external_order_reference=str(order.id),
            warehouse_id=warehouse.mintsoft_warehouse_id or 0,
            status_id=status,
            order_date=downloaded,
            lines=lines,
            last_updated=max(events),
            picking_started_at=pick if pick and pick <= self.now and status != MS_CANCELLED else None,
            despatch_date=despatch if despatched else None,
            courier=courier if despatched else None,
            tracking_number=tracking,
            tracking_url=url.format(tracking) if tracking else None,
        )
        self.book.mintsoft_orders.append(ms)
        self.book.timelines[ms.id] = MintsoftTimeline(downloaded, cancelled_at)
        return ms

    def fulfil(self, order: Order, location: Location, at: dt.datetime, ms: MintsoftOrder | None) -> Fulfillment:
        lines = [
            FulfillmentLine(self.ids.next("fulfillment_line"), li.id, line_current_quantity(order, li))
            for li in order.line_items
            if li.requires_shipping and line_current_quantity(order, li) > 0
        ]
        fulfillment = Fulfillment(
            id=self.ids.next("fulfillment"),
            name=f"{order.name}.{len(order.fulfillments) + 1}",
            status="SUCCESS",
            created_at=at,
            updated_at=at,
            location_id=location.id,
            tracking_company=ms.courier if ms else None,
            tracking_number=ms.tracking_number if ms else None,
            tracking_url=ms.tracking_url if ms else None,
            lines=lines,
        )
        order.fulfillments.append(fulfillment)
        order.closed_at = at
        self.touch(order, at)
        return fulfillment

    def touch(self, order: Order, at: dt.datetime) -> None:
        order.updated_at = max(order.updated_at, at)

    def add_line_edit(self, order: Order, at: dt.datetime) -> LineItem:
        """An order edit that adds one unit of a new SKU; the customer pays the difference."""
        market = MARKETS[order.country_code]
        taken = {li.sku for li in order.line_items}
        ci = self.rng.choice([c for c in self.orderable if c.sku not in taken])
        line = self._line(ci, 1, market, Decimal(0), added_at=at)
        order.line_items.append(line)
        order.edits.append(
            OrderEdit(
                self.ids.next("edit"),
                at,
                [EditChange(line.id, 1)],
                "Customer added an item by phone",
            )
        )
        extra = line.original_total + (
            MONEY_ZERO if market.taxes_included else money_sum([t.price for t in line.tax_lines])
        )
        order.transactions.append(self._txn("SALE", "shopify_payments", extra, at))
        self.touch(order, at)
        return line

    def remove_unit_edit(self, order: Order, line: LineItem, at: dt.datetime) -> None:
        order.edits.append(
            OrderEdit(
                self.ids.next("edit"),
                at,
                [EditChange(line.id, -1)],
                "Customer asked to remove one unit",
            )
        )
        self.touch(order, at)

    def refund(
        self,
        order: Order,
        at: dt.datetime,
        lines: list[tuple[LineItem, int]],
        restock_type: str,
        location: Location | None,
        refund_shipping: bool = False,
        discrepancy: Decimal | None = None,
        note: str = "Return",
    ) -> Refund:
        market = MARKETS[order.country_code]
        refund_lines = []
        amount = MONEY_ZERO
        for li, qty in lines:
            subtotal = MoneyBag(
                (li.original_total.shop - li.total_discount.shop) * qty / li.quantity,
                (li.original_total.presentment - li.total_discount.presentment) * qty / li.quantity,
            )
            subtotal = MoneyBag(bag(subtotal.shop, market).shop, _q(subtotal.presentment, market))
            tax = money_sum([t.price for t in li.tax_lines])
            tax = MoneyBag(
                bag(tax.shop * qty / li.quantity, market).shop,
                _q(tax.presentment * qty / li.quantity, market),
            )
            refund_lines.append(
                RefundLineItem(
                    self.ids.next("refund_line_item"),
                    li.id,
                    qty,
                    restock_type,
                    location.id if location and restock_type != "NO_RESTOCK" else None,
                    subtotal,
                    tax,
                )
            )
            amount = amount + subtotal + (MONEY_ZERO if market.taxes_included else tax)
        shipping = MONEY_ZERO
        shipping_tax = MONEY_ZERO
        if refund_shipping:
            for sl in order.shipping_lines:
                shipping = shipping + sl.price - sl.discount
                shipping_tax = shipping_tax + money_sum([t.price for t in sl.tax_lines])
            amount = amount + shipping + (MONEY_ZERO if market.taxes_included else shipping_tax)
        adjustments = []
        if discrepancy:
            adj = MoneyBag(-discrepancy, _q(-discrepancy * market.fx_rate, market))
            adjustments.append(
                OrderAdjustment(self.ids.next("order_adjustment"), "REFUND_DISCREPANCY", adj, MONEY_ZERO)
            )
            amount = amount + adj
        refund = Refund(
            id=self.ids.next("refund"),
            created_at=at,
            note=note,
            refund_line_items=refund_lines,
            shipping=shipping,
            shipping_tax=shipping_tax,
            order_adjustments=adjustments,
            transactions=self._refund_transactions(order, amount, at),
        )
        order.refunds.append(refund)
        self.touch(order, at)
        return refund

    def _refund_transactions(self, order: Order, amount: MoneyBag, at: dt.datetime) -> list[OrderTransaction]:
        """The money goes back the way it came, as Shopify refunds: to the card (or cash, or bank
        transfer) payment first, then a split tender's gift card for what the card did not take, never more to a
        tender than it took (what finance's refunds_within_capture check holds Shopify to). What
        no tender can take back stays on the payment, so an over-refund still shows."""
        payment = next(
            t
            for t in order.transactions
            if t.gateway in ("shopify_payments", "cash", "manual") and t.kind in ("SALE", "CAPTURE")
        )
        gift_card = next((t for t in order.transactions if t.gateway == "gift_card" and t.kind == "SALE"), None)
        to_gift_card = Decimal("0.00")
        if gift_card is not None:
            beyond_payment = amount.shop - _refundable(order, payment)
            to_gift_card = min(max(beyond_payment, Decimal("0.00")), _refundable(order, gift_card))
        back_to_gift_card = MoneyBag(to_gift_card, to_gift_card)  # gift cards split GBP tenders only
        transactions = []
        if to_gift_card < amount.shop:
            rest = amount - back_to_gift_card
            transactions.append(self._txn("REFUND", payment.gateway, rest, at, payment.id, test=order.test))
        if to_gift_card > 0:
            transactions.append(self._txn("REFUND", "gift_card", back_to_gift_card, at, gift_card.id, test=order.test))
        return transactions

    def cancel(self, order: Order, at: dt.datetime, reason: str, restock: bool) -> Refund:
        lines = [
            (li, line_current_quantity(order, li)) for li in order.line_items if line_current_quantity(order, li) > 0
        ]
        refund = self.refund(
            order,
            at,
            lines,
            "CANCEL" if restock else "NO_RESTOCK",
            self.warehouse_for(order) if restock else None,
            refund_shipping=True,
            note="Order cancelled",
        )
        order.cancelled_at = at
        order.cancel_reason = reason
        order.closed_at = at
        self.touch(order, at)
        return refund

    def receive_return(
        self, ms: MintsoftOrder, order: Order, lines: list[tuple[LineItem, int]], at: dt.datetime
    ) -> MintsoftReturn:
        ret_lines = []
        for li, qty in lines:
            ci = self.by_sku[li.sku]
            ret_lines.append(MintsoftReturnLine(ci.mintsoft_sku or ci.sku, qty))
        ret = MintsoftReturn(self.ids.next("mintsoft_return"), ms.id, ms.warehouse_id, at, ret_lines)
        self.book.mintsoft_returns.append(ret)
        return ret


def _q(amount: Decimal, market: Market) -> Decimal:
    return quantize(amount, market.currency)


def _refundable(order: Order, tender: OrderTransaction) -> Decimal:
    """What a tender can still take back: its amount less the refunds already made to it."""
    refunded = sum(
        (
            t.amount.shop
            for r in order.refunds
            for t in r.transactions
            if t.parent_id == tender.id and t.status == "SUCCESS"
        ),
        Decimal("0.00"),
    )
    return tender.amount.shop - refunded
