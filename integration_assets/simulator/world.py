"""The demo merchant's world: one consistent state that every simulated API is a view of.

The generator (`merchant.py`) builds a `World`; the Shopify GraphQL and REST views, and later the
Mintsoft and Inventory Planner views, only read it. Money is `Decimal` in the currency's own
exponent; ids are Python ints (some exceed 2**53 on purpose, as real Shopify ids do); timestamps are
timezone-aware UTC datetimes. Derived figures (order totals, statuses) are functions here so that
every view computes them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")

# ISO 4217 exponents for the currencies the world uses (JPY is the zero-decimal one).
CURRENCY_EXPONENT: dict[str, int] = {"GBP": 2, "EUR": 2, "USD": 2, "JPY": 0}


def inventory_planner_connection(seed: int) -> str:
    """IP's id for its connection to the shop; ASSUMED shape "c<number>" (api-notes 2.3), and IP
    prefixes platform ids with it: warehouse "c2007_71234560001", variant "c2007_45123456700001"."""
    return f"c{2000 + seed % 8000}"


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's exponent, as Shopify presents amounts."""
    exponent = CURRENCY_EXPONENT.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MoneyBag:
    """An amount in shop money and in the customer's presentment money."""

    shop: Decimal
    presentment: Decimal

    def __add__(self, other: MoneyBag) -> MoneyBag:
        return MoneyBag(self.shop + other.shop, self.presentment + other.presentment)

    def __neg__(self) -> MoneyBag:
        return MoneyBag(-self.shop, -self.presentment)

    def __sub__(self, other: MoneyBag) -> MoneyBag:
        return self + (-other)


MONEY_ZERO = MoneyBag(ZERO, ZERO)


def money_sum(bags: list[MoneyBag] | tuple[MoneyBag, ...]) -> MoneyBag:
    total = MONEY_ZERO
    for bag in bags:
        total = total + bag
    return total


@dataclass(frozen=True)
class WorldSize:
    start_date: dt.date
    days: int
    orders_per_day: int
    skus: int
    locations: int
    history_days: int = 10

    @property
    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True)
class Shop:
    name: str
    domain: str
    currency: str
    timezone: str
    plan: str


@dataclass
class Location:
    id: int
    name: str
    kind: str  # warehouse | store
    location_key: str | None  # None for a location the operator's seeds do not map
    mintsoft_warehouse_id: int | None
    inventory_planner_warehouse_id: str | None
    address1: str
    city: str
    zip: str
    country_code: str
    created_at: dt.datetime
    updated_at: dt.datetime
    fulfills_online_orders: bool = True
    is_active: bool = True


@dataclass
class Product:
    id: int
    title: str
    vendor: str
    product_type: str
    handle: str
    created_at: dt.datetime
    updated_at: dt.datetime
    status: str = "ACTIVE"
    preorder: bool = False
    is_gift_card: bool = False
    is_bundle: bool = False
    tags: list[str] = field(default_factory=list)


@dataclass
class Variant:
    id: int
    product_id: int
    inventory_item_id: int
    sku: str  # exactly as the merchant typed it (case and whitespace included)
    title: str
    price: Decimal  # shop currency
    barcode: str
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass
class InventoryItem:
    id: int
    variant_id: int
    sku: str
    tracked: bool
    requires_shipping: bool
    cost: Decimal
    country_code_of_origin: str
    harmonized_system_code: str
    created_at: dt.datetime
    updated_at: dt.datetime


# Named inventory quantities Shopify keeps per item and location.
QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)


@dataclass
class InventoryLevel:
    inventory_item_id: int
    location_id: int
    quantities: dict[str, int]
    updated_at: dt.datetime


@dataclass
class StockMovement:
    """One change to physical stock in a warehouse (the ground truth Mintsoft holds)."""

    date: dt.date
    at: dt.datetime
    mintsoft_warehouse_id: int
    sku: str
    quantity: int  # signed units
    reason: str  # opening | despatch | receipt | return | adjustment
    reference: str


@dataclass
class StockPosition:
    """Physical stock of one SKU in one warehouse at the end of a day."""

    date: dt.date
    mintsoft_warehouse_id: int
    sku: str
    on_hand: int
    allocated: int
    quarantine: int

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated - self.quarantine


@dataclass(frozen=True)
class TaxLine:
    title: str
    rate: Decimal
    price: MoneyBag


@dataclass(frozen=True)
class DiscountAllocation:
    amount: MoneyBag
    application_index: int


@dataclass(frozen=True)
class DiscountApplication:
    kind: str  # DISCOUNT_CODE | AUTOMATIC | MANUAL
    code: str | None
    title: str
    value_type: str  # percentage | fixed_amount
    value: Decimal
    target_type: str  # LINE_ITEM | SHIPPING_LINE
    allocation_method: str  # ACROSS | EACH


@dataclass
class LineItem:
    id: int
    variant_id: int | None
    product_id: int | None
    sku: str
    title: str
    variant_title: str | None
    vendor: str
    quantity: int  # as ordered (or as added by an edit)
    unit_price: MoneyBag  # tax-inclusive when the order's taxes are included
    discount_allocations: list[DiscountAllocation]
    tax_lines: list[TaxLine]
    is_gift_card: bool = False
    requires_shipping: bool = True
    taxable: bool = True
    added_at: dt.datetime | None = None  # set when an order edit added the line

    @property
    def name(self) -> str:
        return f"{self.title} - {self.variant_title}" if self.variant_title else self.title

    @property
    def original_total(self) -> MoneyBag:
        return MoneyBag(self.unit_price.shop * self.quantity, self.unit_price.presentment * self.quantity)

    @property
    def total_discount(self) -> MoneyBag:
        return money_sum([a.amount for a in self.discount_allocations])


@dataclass
class ShippingLine:
    id: int
    title: str
    code: str
    price: MoneyBag
    discount: MoneyBag
    tax_lines: list[TaxLine]


@dataclass
class OrderTransaction:
    id: int
    kind: str  # SALE | AUTHORIZATION | CAPTURE | REFUND | VOID
    status: str  # SUCCESS | PENDING | FAILURE
    gateway: str  # shopify_payments | gift_card | cash | manual
    amount: MoneyBag
    created_at: dt.datetime
    processed_at: dt.datetime
    parent_id: int | None = None
    test: bool = False
    card_brand: str | None = None
    card_source: str | None = None  # online | chip | contactless
    location_id: int | None = None


@dataclass
class EditChange:
    line_item_id: int
    delta: int  # negative removes units; an added line has delta = its quantity


@dataclass
class OrderEdit:
    id: int
    committed_at: dt.datetime
    changes: list[EditChange]
    staff_note: str


@dataclass
class RefundLineItem:
    id: int
    line_item_id: int
    quantity: int
    restock_type: str  # CANCEL | RETURN | NO_RESTOCK
    location_id: int | None
    subtotal: MoneyBag
    total_tax: MoneyBag


@dataclass
class OrderAdjustment:
    id: int
    reason: str  # REFUND_DISCREPANCY | SHIPPING_REFUND | ...
    amount: MoneyBag
    tax_amount: MoneyBag


@dataclass
class Refund:
    id: int
    created_at: dt.datetime
    note: str
    refund_line_items: list[RefundLineItem]
    shipping: MoneyBag
    shipping_tax: MoneyBag
    order_adjustments: list[OrderAdjustment]
    transactions: list[OrderTransaction]

    @property
    def total(self) -> MoneyBag:
        return money_sum([t.amount for t in self.transactions if t.status == "SUCCESS"])


@dataclass
class FulfillmentLine:
    id: int
    line_item_id: int
    quantity: int


@dataclass
class Fulfillment:
    id: int
    name: str
    status: str  # SUCCESS | CANCELLED
    created_at: dt.datetime
    updated_at: dt.datetime
    location_id: int
    tracking_company: str | None
    tracking_number: str | None
    tracking_url: str | None
    lines: list[FulfillmentLine]


@dataclass
class Customer:
    id: int
    email: str
    first_name: str
    last_name: str


@dataclass
class Order:
    id: int
    number: int
    created_at: dt.datetime
    processed_at: dt.datetime
    updated_at: dt.datetime
    currency: str
    presentment_currency: str
    taxes_included: bool
    source_name: str  # web | pos
    customer: Customer | None
    country_code: str
    line_items: list[LineItem]
    shipping_lines: list[ShippingLine]
    discount_applications: list[DiscountApplication]
    transactions: list[OrderTransaction]
    refunds: list[Refund] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    edits: list[OrderEdit] = field(default_factory=list)
    retail_location_id: int | None = None
    fulfillment_location_id: int | None = None  # the warehouse or store that ships it
    cancelled_at: dt.datetime | None = None
    cancel_reason: str | None = None
    closed_at: dt.datetime | None = None
    test: bool = False
    tags: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def legacy_gid(self) -> str:
        return f"gid://shopify/Order/{self.id}"


@dataclass
class MintsoftOrderLine:
    id: int
    sku: str
    quantity: int
    price: Decimal


@dataclass
class MintsoftOrder:
    """Mintsoft's picking copy of a Shopify order."""

    id: int
    order_number: str  # Shopify name without '#'; ASSUMED (api-notes, mintsoft-ip-api.md 1.7)
    external_order_reference: str  # Shopify numeric order id; ASSUMED as above
    warehouse_id: int
    status_id: int  # Mintsoft's ids: 1 NEW, 3 CANCELLED, 4 DESPATCHED, 15 AWAITINGPICKING, 16 PICKINGSTARTED, ...
    order_date: dt.datetime
    lines: list[MintsoftOrderLine]
    last_updated: dt.datetime
    picking_started_at: dt.datetime | None = None
    despatch_date: dt.datetime | None = None
    courier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None


@dataclass
class MintsoftReturnLine:
    sku: str
    quantity: int


@dataclass
class MintsoftReturn:
    id: int
    order_id: int  # the Mintsoft order id
    warehouse_id: int
    received_at: dt.datetime
    lines: list[MintsoftReturnLine]


@dataclass
class MintsoftProduct:
    id: int
    sku: str
    name: str
    is_bundle: bool
    components: list[tuple[str, int]]  # (component sku, quantity) for a bundle
    price: Decimal
    created_at: dt.datetime


@dataclass
class BalanceTransaction:
    id: int
    type: str  # ShopifyPaymentsTransactionType (GraphQL name)
    source_type: str  # ShopifyPaymentsSourceType
    amount: Decimal
    fee: Decimal
    currency: str
    processed_at: dt.datetime
    available_on: dt.date
    source_id: int | None = None
    source_order_id: int | None = None
    source_order_transaction_id: int | None = None
    adjustment_reason: str | None = None
    test: bool = False
    payout_id: int | None = None
    payout_status: str = "PENDING"

    @property
    def net(self) -> Decimal:
        return self.amount - self.fee


@dataclass
class Payout:
    id: int
    date: dt.date
    issued_at: dt.datetime
    status: str  # SCHEDULED | PAID | FAILED | CANCELED
    currency: str
    net: Decimal
    summary: dict[str, Decimal]  # GraphQL summary field name -> amount
    external_trace_id: str | None = None

    @property
    def transaction_type(self) -> str:
        return "DEPOSIT" if self.net >= 0 else "WITHDRAWAL"


@dataclass
class Anomaly:
    type: str
    date: str | None
    location_key: str | None
    sku: str | None
    order_id: str | None
    payout_id: str | None
    detail: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "type": self.type,
            "date": self.date,
            "location_key": self.location_key,
            "sku": self.sku,
            "order_id": self.order_id,
            "payout_id": self.payout_id,
            "detail": self.detail,
        }


@dataclass
class World:
    seed: int
    size: WorldSize
    shop: Shop
    now: dt.datetime  # the simulator's "now": the end of the last day, in UTC
    locations: list[Location]
    products: list[Product]
    variants: list[Variant]
    inventory_items: list[InventoryItem]
    inventory_levels: list[InventoryLevel]
    orders: list[Order]
    stock_positions: list[StockPosition]
    stock_movements: list[StockMovement]
    mintsoft_products: list[MintsoftProduct]
    mintsoft_orders: list[MintsoftOrder]
    mintsoft_returns: list[MintsoftReturn]
    balance_transactions: list[BalanceTransaction]
    payouts: list[Payout]
    anomalies: list[Anomaly]
    seeds: dict[str, list[dict[str, str]]]  # seeds file name -> rows, as the operator keeps them
    inventory_planner_skus: list[str]  # the variant SKUs Inventory Planner knows

    def __post_init__(self) -> None:
        self.orders_by_id = {o.id: o for o in self.orders}
        self.locations_by_id = {loc.id: loc for loc in self.locations}
        self.variants_by_id = {v.id: v for v in self.variants}
        self.products_by_id = {p.id: p for p in self.products}
        self.items_by_id = {i.id: i for i in self.inventory_items}
        self.payouts_by_id = {p.id: p for p in self.payouts}


# --- derived order figures (every view uses these) ----------------------------------------------


def line_removed_by_edits(order: Order, line: LineItem) -> int:
    return -sum(c.delta for e in order.edits for c in e.changes if c.line_item_id == line.id and c.delta < 0)


def line_refunded_quantity(order: Order, line: LineItem) -> int:
    return sum(r.quantity for ref in order.refunds for r in ref.refund_line_items if r.line_item_id == line.id)


def line_current_quantity(order: Order, line: LineItem) -> int:
    """Units ordered, excluding refunded and removed units (Shopify's currentQuantity)."""
    return max(0, line.quantity - line_removed_by_edits(order, line) - line_refunded_quantity(order, line))


def line_fulfilled_quantity(order: Order, line: LineItem) -> int:
    return sum(
        fl.quantity for f in order.fulfillments if f.status == "SUCCESS" for fl in f.lines if fl.line_item_id == line.id
    )


def line_unfulfilled_quantity(order: Order, line: LineItem) -> int:
    if line.is_gift_card and not line.requires_shipping:
        return 0
    return max(0, line_current_quantity(order, line) - line_fulfilled_quantity(order, line))


def _scaled(bag: MoneyBag, numerator: int, denominator: int, order: Order) -> MoneyBag:
    if denominator == 0:
        return MONEY_ZERO
    return MoneyBag(
        quantize(bag.shop * numerator / denominator, order.currency),
        quantize(bag.presentment * numerator / denominator, order.presentment_currency),
    )


@dataclass(frozen=True)
class OrderTotals:
    subtotal: MoneyBag  # line items after discounts (tax-inclusive if taxes_included)
    discounts: MoneyBag
    shipping: MoneyBag
    tax: MoneyBag
    total: MoneyBag
    line_quantity: int


def original_totals(order: Order) -> OrderTotals:
    """Totals as checked out (edits add their lines; removals and refunds do not count)."""
    lines = [li for li in order.line_items if li.added_at is None]
    return _totals(order, [(li, li.quantity) for li in lines], include_shipping=True)


def current_totals(order: Order) -> OrderTotals:
    """Totals after edits, refunds and removals (Shopify's current* fields)."""
    lines = [(li, line_current_quantity(order, li)) for li in order.line_items]
    refunded_all_shipping = any(r.shipping.shop != 0 for r in order.refunds)
    return _totals(order, lines, include_shipping=not refunded_all_shipping)


def _totals(order: Order, lines: list[tuple[LineItem, int]], include_shipping: bool) -> OrderTotals:
    subtotal = MONEY_ZERO
    discounts = MONEY_ZERO
    tax = MONEY_ZERO
    quantity = 0
    for line, qty in lines:
        quantity += qty
        gross = _scaled(line.original_total, qty, line.quantity, order)
        disc = _scaled(line.total_discount, qty, line.quantity, order)
        subtotal = subtotal + gross - disc
        discounts = discounts + disc
        tax = tax + money_sum([_scaled(t.price, qty, line.quantity, order) for t in line.tax_lines])
    shipping = MONEY_ZERO
    if include_shipping:
        for sl in order.shipping_lines:
            shipping = shipping + sl.price - sl.discount
            discounts = discounts + sl.discount
            tax = tax + money_sum([t.price for t in sl.tax_lines])
    total = subtotal + shipping if order.taxes_included else subtotal + shipping + tax
    return OrderTotals(subtotal, discounts, shipping, tax, total, quantity)


def order_transactions(order: Order) -> list[OrderTransaction]:
    """Every transaction of an order (sales and the refunds' ones), oldest first, each once."""
    seen: dict[int, OrderTransaction] = {t.id: t for t in order.transactions}
    for refund in order.refunds:
        for txn in refund.transactions:
            seen.setdefault(txn.id, txn)
    return sorted(seen.values(), key=lambda t: (t.created_at, t.id))


def order_received(order: Order) -> MoneyBag:
    """Money taken: successful sales and captures."""
    return money_sum([t.amount for t in order.transactions if t.status == "SUCCESS" and t.kind in ("SALE", "CAPTURE")])


def order_refunded(order: Order) -> MoneyBag:
    return money_sum([r.total for r in order.refunds])


def financial_status(order: Order) -> str:
    """OrderDisplayFinancialStatus as Shopify derives it."""
    received = order_received(order)
    refunded = order_refunded(order)
    authorized = any(t.kind == "AUTHORIZATION" and t.status == "SUCCESS" for t in order.transactions)
    if received.shop == 0:
        if order.cancelled_at is not None:
            return "VOIDED"
        return "AUTHORIZED" if authorized else "PENDING"
    if refunded.shop >= received.shop:
        return "REFUNDED"
    if refunded.shop > 0:
        return "PARTIALLY_REFUNDED"
    if received.shop < original_totals(order).total.shop and order.cancelled_at is None and not order.edits:
        return "PARTIALLY_PAID"
    return "PAID"


def fulfillment_status(order: Order) -> str:
    """OrderDisplayFulfillmentStatus as Shopify derives it."""
    shippable = [li for li in order.line_items if li.requires_shipping]
    fulfilled = sum(line_fulfilled_quantity(order, li) for li in shippable)
    remaining = sum(line_unfulfilled_quantity(order, li) for li in shippable)
    if fulfilled == 0:
        if order.cancelled_at is not None and any(
            r.restock_type == "CANCEL" for ref in order.refunds for r in ref.refund_line_items
        ):
            return "RESTOCKED"
        return "UNFULFILLED"
    if remaining == 0:
        return "FULFILLED"
    return "PARTIALLY_FULFILLED"
