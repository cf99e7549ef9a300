"""Resolvers for orders and everything hanging off them: line items, refunds, fulfillments,
transactions, shipping lines, taxes and discounts.

Sources are the world's dataclasses wrapped in small `*Ref` objects that carry their order,
because most figures (current quantity, currencies, parent transaction) need it. Totals come from
world.original_totals / current_totals and statuses from world.financial_status /
fulfillment_status, so every simulated view agrees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from integration_assets.simulator.shopify_graphql_paging import (
    limit_list,
    paginate,
    paginate_in_order,
)
from integration_assets.simulator.shopify_graphql_state import (
    RequestState,
    SortKey,
    WorldIndex,
    sortable_time,
)
from integration_assets.simulator.shopify_graphql_values import (
    count,
    gid,
    money_bag,
    money_v2,
    parse_gid,
)
from integration_assets.simulator.shopify_search import SearchCatalog, SearchField
from integration_assets.simulator.world import (
    MONEY_ZERO,
    Customer,
    DiscountApplication,
    Fulfillment,
    FulfillmentLine,
    LineItem,
    MoneyBag,
    Order,
    OrderAdjustment,
    OrderTransaction,
    Refund,
    RefundLineItem,
    ShippingLine,
    TaxLine,
    line_current_quantity,
    line_fulfilled_quantity,
    line_unfulfilled_quantity,
    money_sum,
    order_received,
    order_refunded,
    quantize,
)

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo


def state(info: Info) -> RequestState:
    return info.context


def index(info: Info) -> WorldIndex:
    return info.context.index


# --- sources ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineRef:
    order: Order
    line: LineItem


@dataclass(frozen=True, slots=True)
class RefundRef:
    order: Order
    refund: Refund


@dataclass(frozen=True, slots=True)
class RefundLineRef:
    order: Order
    item: RefundLineItem


@dataclass(frozen=True, slots=True)
class RefundShippingRef:
    order: Order
    refund: Refund


@dataclass(frozen=True, slots=True)
class AdjustmentRef:
    order: Order
    adjustment: OrderAdjustment


@dataclass(frozen=True, slots=True)
class TransactionRef:
    order: Order
    txn: OrderTransaction


@dataclass(frozen=True, slots=True)
class FulfillmentRef:
    order: Order
    fulfillment: Fulfillment


@dataclass(frozen=True, slots=True)
class FulfillmentLineRef:
    order: Order
    line: FulfillmentLine


@dataclass(frozen=True, slots=True)
class ShippingLineRef:
    order: Order
    line: ShippingLine


@dataclass(frozen=True, slots=True)
class TaxLineRef:
    order: Order
    tax: TaxLine


@dataclass(frozen=True, slots=True)
class AllocationRef:
    order: Order
    amount: MoneyBag
    application_index: int


@dataclass(frozen=True, slots=True)
class DiscountApplicationRef:
    order: Order
    application: DiscountApplication
    index: int


APPLICATION_TYPE_NAMES = {
    "DISCOUNT_CODE": "DiscountCodeApplication",
    "AUTOMATIC": "AutomaticDiscountApplication",
    "MANUAL": "ManualDiscountApplication",
}

# Python source class -> GraphQL object type, for Node and the other abstract types.
TYPE_NAMES: dict[type, str] = {
    Order: "Order",
    Customer: "Customer",
    LineRef: "LineItem",
    RefundRef: "Refund",
    RefundShippingRef: "RefundShippingLine",
    AdjustmentRef: "OrderAdjustment",
    TransactionRef: "OrderTransaction",
    FulfillmentRef: "Fulfillment",
    FulfillmentLineRef: "FulfillmentLineItem",
}

# Enum values the 2026-01 schema knows; world values outside them are shown as null.
ADJUSTMENT_REASONS = frozenset(
    {
        "CUSTOMER",
        "DAMAGE",
        "FULL_RETURN_BALANCING_ADJUSTMENT",
        "PENDING_REFUND_DISCREPANCY",
        "REFUND_DISCREPANCY",
        "RESTOCK",
    }
)

GATEWAY_NAMES = {
    "shopify_payments": "Shopify Payments",
    "gift_card": "Gift card",
    "cash": "Cash",
    "manual": "Manual",
}


# --- money helpers ------------------------------------------------------------------------------


def bag(order: Order, amount: MoneyBag) -> dict[str, Any]:
    return money_bag(amount, order.currency, order.presentment_currency)


def scaled(order: Order, amount: MoneyBag, numerator: int, denominator: int) -> MoneyBag:
    """`amount * numerator / denominator`, rounded in each currency (as world._totals does)."""
    if denominator == 0:
        return MONEY_ZERO
    if numerator == denominator:
        return amount
    return MoneyBag(
        quantize(amount.shop * numerator / denominator, order.currency),
        quantize(amount.presentment * numerator / denominator, order.presentment_currency),
    )


def aggregate_tax_lines(order: Order, taxes: Iterable[TaxLine]) -> list[TaxLineRef]:
    """Order-level tax lines: one per (title, rate), summed, in first-seen order."""
    totals: dict[tuple[str, Decimal], MoneyBag] = {}
    for tax in taxes:
        key = (tax.title, tax.rate)
        totals[key] = totals.get(key, MONEY_ZERO) + tax.price
    return [TaxLineRef(order, TaxLine(t, r, p)) for (t, r), p in totals.items()]


def original_lines(order: Order) -> list[LineItem]:
    return [li for li in order.line_items if li.added_at is None]


def shipping_refunded(order: Order) -> bool:
    return any(r.shipping.shop != 0 for r in order.refunds)


def original_tax_lines(order: Order) -> list[TaxLineRef]:
    taxes = [t for li in original_lines(order) for t in li.tax_lines]
    taxes += [t for sl in order.shipping_lines for t in sl.tax_lines]
    return aggregate_tax_lines(order, taxes)


def current_tax_lines(order: Order) -> list[TaxLineRef]:
    taxes: list[TaxLine] = []
    for line in order.line_items:
        quantity = line_current_quantity(order, line)
        for tax in line.tax_lines:
            taxes.append(TaxLine(tax.title, tax.rate, scaled(order, tax.price, quantity, line.quantity)))
    if not shipping_refunded(order):
        taxes += [t for sl in order.shipping_lines for t in sl.tax_lines]
    return aggregate_tax_lines(order, taxes)


def cart_discount(order: Order, current: bool) -> MoneyBag:
    """Order-level ("across") line discounts, at ordered or at current quantities."""
    total = MONEY_ZERO
    for line in order.line_items if current else original_lines(order):
        quantity = line_current_quantity(order, line) if current else line.quantity
        for allocation in line.discount_allocations:
            apps = order.discount_applications
            if allocation.application_index < len(apps):
                app = apps[allocation.application_index]
                if app.allocation_method == "ACROSS" and app.target_type == "LINE_ITEM":
                    total = total + scaled(order, allocation.amount, quantity, line.quantity)
    return total


def capturable_amount(order: Order) -> MoneyBag:
    authorized = money_sum(
        [t.amount for t in order.transactions if t.kind == "AUTHORIZATION" and t.status == "SUCCESS"]
    )
    captured = money_sum([t.amount for t in order.transactions if t.kind == "CAPTURE" and t.status == "SUCCESS"])
    remaining = authorized - captured
    return remaining if remaining.shop > 0 else MONEY_ZERO


def net_payment(order: Order) -> MoneyBag:
    return order_received(order) - order_refunded(order)


def outstanding(info: Info, order: Order) -> MoneyBag:
    remaining = index(info).figures(order).current.total - net_payment(order)
    return remaining if remaining.shop > 0 else MONEY_ZERO


def discount_codes(order: Order) -> list[str]:
    return [a.code for a in order.discount_applications if a.kind == "DISCOUNT_CODE" and a.code is not None]


def shipping_discount_index(order: Order) -> int | None:
    for position, application in enumerate(order.discount_applications):
        if application.target_type == "SHIPPING_LINE":
            return position
    return None


def customer_display_name(order: Order) -> str:
    customer = order.customer
    return f"{customer.first_name} {customer.last_name}".strip() if customer else ""


def confirmation_number(order: Order) -> str:
    """A stable 9-character code, shaped like Shopify's order confirmation numbers."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    value = order.id * 2654435761 % (32**9)
    return "".join(alphabet[(value >> (5 * i)) & 31] for i in range(9))


# --- line figures -------------------------------------------------------------------------------


def unfulfilled(ref: LineRef) -> int:
    return line_unfulfilled_quantity(ref.order, ref.line)


def non_fulfillable(ref: LineRef) -> int:
    fulfilled = line_fulfilled_quantity(ref.order, ref.line)
    return max(0, ref.line.quantity - fulfilled - unfulfilled(ref))


def line_discounted_total(ref: LineRef) -> MoneyBag:
    return ref.line.original_total - ref.line.total_discount


def line_discounted_unit(ref: LineRef) -> MoneyBag:
    return scaled(ref.order, line_discounted_total(ref), 1, ref.line.quantity)


def line_fulfillment_status(ref: LineRef) -> str:
    fulfilled = line_fulfilled_quantity(ref.order, ref.line)
    if fulfilled and unfulfilled(ref):
        return "partial"
    return "fulfilled" if fulfilled else "unfulfilled"


def line_allocations(ref: LineRef) -> list[AllocationRef]:
    return [AllocationRef(ref.order, a.amount, a.application_index) for a in ref.line.discount_allocations]


def shipping_allocations(ref: ShippingLineRef) -> list[AllocationRef]:
    position = shipping_discount_index(ref.order)
    if ref.line.discount == MONEY_ZERO or position is None:
        return []
    # ASSUMED: the world keeps one shipping discount per line, allocated to the first
    # shipping-line application (the same reading as the REST view).
    return [AllocationRef(ref.order, ref.line.discount, position)]


# --- search over orders -------------------------------------------------------------------------


def _order_status_values(order: Order) -> list[str]:
    values = ["any"]
    if order.cancelled_at is not None:
        values.append("cancelled")
    values.append("closed" if order.closed_at is not None else "open")
    return values


def _fulfillment_status_values(status: str) -> list[str]:
    return {
        "FULFILLED": ["any", "fulfilled", "shipped"],
        "PARTIALLY_FULFILLED": ["any", "partial", "unshipped"],
        "UNFULFILLED": ["any", "unfulfilled", "unshipped"],
        "RESTOCKED": ["any", "restocked"],
    }.get(status, ["any", status.lower()])


def order_search_catalog(idx: WorldIndex) -> SearchCatalog:
    """Searchable order fields (shopify.dev orders query `query` filters, the ones we model)."""
    return SearchCatalog(
        fields={
            "created_at": SearchField("datetime", lambda o: o.created_at),
            "updated_at": SearchField("datetime", lambda o: o.updated_at),
            "processed_at": SearchField("datetime", lambda o: o.processed_at),
            "cancelled_at": SearchField("datetime", lambda o: o.cancelled_at),
            "closed_at": SearchField("datetime", lambda o: o.closed_at),
            "id": SearchField("int", lambda o: o.id),
            "name": SearchField("string", lambda o: [o.name, o.name.lstrip("#")]),
            "status": SearchField("string", _order_status_values),
            "financial_status": SearchField("string", lambda o: ["any", idx.figures(o).financial_status.lower()]),
            "fulfillment_status": SearchField(
                "string", lambda o: _fulfillment_status_values(idx.figures(o).fulfillment_status)
            ),
            "source_name": SearchField("string", lambda o: o.source_name),
            "test": SearchField("bool", lambda o: o.test),
            "sku": SearchField("string", lambda o: [li.sku for li in o.line_items]),
            "tag": SearchField("string", lambda o: o.tags),
            "email": SearchField("string", lambda o: o.customer.email if o.customer else None),
            "customer_id": SearchField("int", lambda o: o.customer.id if o.customer else None),
            "location_id": SearchField(
                "int", lambda o: [x for x in (o.retail_location_id, o.fulfillment_location_id) if x]
            ),
        },
        default_fields=("name", "email", "sku"),
        aliases={"order_number": "name"},
    )


def _order_sort_value(idx: WorldIndex, sort_key: str) -> Callable[[Order], Any]:
    figures = idx.figures
    return {
        "CREATED_AT": lambda o: sortable_time(o.created_at),
        "UPDATED_AT": lambda o: sortable_time(o.updated_at),
        "PROCESSED_AT": lambda o: sortable_time(o.processed_at),
        "ORDER_NUMBER": lambda o: o.number,
        "TOTAL_PRICE": lambda o: float(figures(o).original.total.shop),
        "CURRENT_TOTAL_PRICE": lambda o: float(figures(o).current.total.shop),
        "CUSTOMER_NAME": lambda o: customer_display_name(o).casefold(),
        "FINANCIAL_STATUS": lambda o: figures(o).financial_status,
        "FULFILLMENT_STATUS": lambda o: figures(o).fulfillment_status,
        "TOTAL_ITEMS_QUANTITY": lambda o: figures(o).original.line_quantity,
        "DESTINATION": lambda o: o.country_code,
    }.get(sort_key, lambda o: o.id)


def sorted_orders(idx: WorldIndex, sort_key: str) -> tuple[list[Order], list[SortKey]]:
    value = _order_sort_value(idx, sort_key)
    return idx.sorted_by("orders", sort_key, idx.world.orders, lambda o: (value(o), o.id))


def search_orders(info: Info, query: str | None, sort_key: str) -> tuple[list[Order], list[SortKey]]:
    idx = index(info)
    orders, keys = sorted_orders(idx, sort_key)
    search = order_search_catalog(idx).compile(query, idx.zone)
    state(info).note_search(info.path.as_list(), search)
    if search.is_empty:
        return orders, keys
    return idx.matching("orders", sort_key, search, (orders, keys))


FULFILLMENT_SEARCH = SearchCatalog(
    fields={
        "created_at": SearchField("datetime", lambda f: f.fulfillment.created_at),
        "updated_at": SearchField("datetime", lambda f: f.fulfillment.updated_at),
        "status": SearchField("string", lambda f: f.fulfillment.status),
    }
)


# --- root fields --------------------------------------------------------------------------------


def resolve_orders(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    orders, keys = search_orders(info, args.get("query"), args.get("sortKey") or "ID")
    return paginate(info, orders, keys, args)


def resolve_order(_root: Any, info: Info, id: str) -> Order | None:
    _, order_id, _ = parse_gid(id, "Order")
    return index(info).world.orders_by_id.get(order_id)


def resolve_orders_count(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    orders, _ = search_orders(info, args.get("query"), "ID")
    limit = args.get("limit")
    return count(len(orders), 10000 if limit is None else limit)


def resolve_fulfillment(_root: Any, info: Info, id: str) -> FulfillmentRef | None:
    _, fulfillment_id, _ = parse_gid(id, "Fulfillment")
    found = index(info).fulfillments.get(fulfillment_id)
    return FulfillmentRef(*found) if found else None


def node_for(info: Info, kind: str, id_: int) -> Any:
    """The source object behind an order-side GID, or None."""
    idx = index(info)
    if kind == "Order":
        return idx.world.orders_by_id.get(id_)
    if kind == "LineItem" and id_ in idx.lines:
        return LineRef(*idx.lines[id_])
    if kind == "Refund" and id_ in idx.refunds:
        return RefundRef(*idx.refunds[id_])
    if kind == "OrderTransaction" and id_ in idx.transactions:
        return TransactionRef(*idx.transactions[id_])
    if kind == "Fulfillment" and id_ in idx.fulfillments:
        return FulfillmentRef(*idx.fulfillments[id_])
    if kind == "Customer":
        return idx.customers.get(id_)
    return None


# --- Order --------------------------------------------------------------------------------------


def _order_transactions(order: Order, info: Info, **args: Any) -> list[TransactionRef]:
    txns = index(info).figures(order).transactions
    if args.get("manuallyResolvable"):
        txns = []
    if args.get("capturable"):
        captured = {t.parent_id for t in txns if t.kind == "CAPTURE" and t.status == "SUCCESS"}
        txns = [t for t in txns if t.kind == "AUTHORIZATION" and t.status == "SUCCESS" and t.id not in captured]
    return limit_list(info, [TransactionRef(order, t) for t in txns], args.get("first"))


def _order_fulfillments(order: Order, info: Info, **args: Any) -> list[FulfillmentRef]:
    refs = [FulfillmentRef(order, f) for f in order.fulfillments]
    search = FULFILLMENT_SEARCH.compile(args.get("query"), index(info).zone)
    refs = [r for r in refs if search.matches(r)]
    return limit_list(info, refs, args.get("first"))


def _order_disputes(order: Order, info: Info) -> list[dict[str, Any]]:
    return [
        {"id": gid("OrderDisputeSummary", d.id), "initiatedAs": d.type, "status": d.status}
        for d in index(info).disputes_by_order.get(order.id, [])
    ]


def _order_app(order: Order) -> dict[str, Any]:
    pos = order.source_name == "pos"
    return {
        "id": gid("App", 129785 if pos else 580111),
        "name": "Point of Sale" if pos else "Online Store",
        "icon": {"id": None, "url": "https://cdn.shopify.com/app-icon.png", "altText": None},
    }


def _location(info: Info, location_id: int | None) -> Any:
    return index(info).world.locations_by_id.get(location_id) if location_id is not None else None


def _empty_connection() -> dict[str, Any]:
    page_info = {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }
    return {"edges": [], "nodes": [], "pageInfo": page_info}


def _orig(info: Info, o: Order) -> Any:
    return index(info).figures(o).original


def _cur(info: Info, o: Order) -> Any:
    return index(info).figures(o).current


ORDER: dict[str, Resolver] = {
    "id": lambda o, i: gid("Order", o.id),
    "legacyResourceId": lambda o, i: o.id,
    "name": lambda o, i: o.name,
    "number": lambda o, i: o.number,
    "confirmationNumber": lambda o, i: confirmation_number(o),
    "createdAt": lambda o, i: o.created_at,
    "updatedAt": lambda o, i: o.updated_at,
    "processedAt": lambda o, i: o.processed_at,
    "closed": lambda o, i: o.closed_at is not None,
    "closedAt": lambda o, i: o.closed_at,
    "cancelledAt": lambda o, i: o.cancelled_at,
    "cancelReason": lambda o, i: o.cancel_reason.upper() if o.cancel_reason else None,
    "cancellation": lambda o, i: {"staffNote": None} if o.cancelled_at else None,
    "confirmed": lambda o, i: True,
    "test": lambda o, i: o.test,
    "edited": lambda o, i: bool(o.edits),
    "email": lambda o, i: o.customer.email if o.customer else None,
    "phone": lambda o, i: None,
    "note": lambda o, i: o.note,
    "tags": lambda o, i: list(o.tags),
    "currencyCode": lambda o, i: o.currency,
    "presentmentCurrencyCode": lambda o, i: o.presentment_currency,
    "taxesIncluded": lambda o, i: o.taxes_included,
    "taxExempt": lambda o, i: False,
    "dutiesIncluded": lambda o, i: False,
    "estimatedTaxes": lambda o, i: False,
    "sourceName": lambda o, i: o.source_name,
    "sourceIdentifier": lambda o, i: None,
    "retailLocation": lambda o, i: _location(i, o.retail_location_id),
    "physicalLocation": lambda o, i: _location(i, o.retail_location_id),
    "app": lambda o, i: _order_app(o),
    "customer": lambda o, i: o.customer,
    "customerLocale": lambda o, i: "en",
    "displayFinancialStatus": lambda o, i: index(i).figures(o).financial_status,
    "displayFulfillmentStatus": lambda o, i: index(i).figures(o).fulfillment_status,
    "returnStatus": lambda o, i: (
        "RETURNED"
        if any(r.restock_type == "RETURN" for ref in o.refunds for r in ref.refund_line_items)
        else "NO_RETURN"
    ),
    "capturable": lambda o, i: capturable_amount(o).shop > 0,
    "canMarkAsPaid": lambda o, i: (
        o.cancelled_at is None and index(i).figures(o).financial_status in ("PENDING", "PARTIALLY_PAID")
    ),
    "fullyPaid": lambda o, i: outstanding(i, o).shop == 0,
    "unpaid": lambda o, i: order_received(o).shop == 0,
    "refundable": lambda o, i: net_payment(o).shop > 0,
    "restockable": lambda o, i: any(line_current_quantity(o, li) > 0 and li.requires_shipping for li in o.line_items),
    "requiresShipping": lambda o, i: any(li.requires_shipping for li in o.line_items),
    "fulfillable": lambda o, i: (
        o.cancelled_at is None and any(line_unfulfilled_quantity(o, li) > 0 for li in o.line_items)
    ),
    "merchantEditable": lambda o, i: o.cancelled_at is None and o.closed_at is None,
    "paymentGatewayNames": lambda o, i: sorted(
        {t.gateway for t in o.transactions if t.kind in ("SALE", "AUTHORIZATION")}
    ),
    "discountCode": lambda o, i: next(iter(discount_codes(o)), None),
    "discountCodes": lambda o, i: discount_codes(o),
    # Totals as checked out.
    "totalPriceSet": lambda o, i: bag(o, _orig(i, o).total),
    "subtotalPriceSet": lambda o, i: bag(o, _orig(i, o).subtotal),
    "totalTaxSet": lambda o, i: bag(o, _orig(i, o).tax),
    "totalDiscountsSet": lambda o, i: bag(o, _orig(i, o).discounts),
    # Before shipping discounts, as Shopify defines totalShippingPriceSet.
    "totalShippingPriceSet": lambda o, i: bag(o, money_sum([s.price for s in o.shipping_lines])),
    "totalRefundedSet": lambda o, i: bag(o, order_refunded(o)),
    "totalRefundedShippingSet": lambda o, i: bag(o, money_sum([r.shipping for r in o.refunds])),
    "totalReceivedSet": lambda o, i: bag(o, order_received(o)),
    "totalOutstandingSet": lambda o, i: bag(o, outstanding(i, o)),
    "totalCapturableSet": lambda o, i: bag(o, capturable_amount(o)),
    "totalTipReceivedSet": lambda o, i: bag(o, MONEY_ZERO),
    "netPaymentSet": lambda o, i: bag(o, net_payment(o)),
    "originalTotalPriceSet": lambda o, i: bag(o, _orig(i, o).total),
    "originalTotalDutiesSet": lambda o, i: None,
    "cartDiscountAmountSet": lambda o, i: bag(o, cart_discount(o, current=False)),
    "refundDiscrepancySet": lambda o, i: bag(
        o,
        money_sum([a.amount for r in o.refunds for a in r.order_adjustments if a.reason == "REFUND_DISCREPANCY"]),
    ),
    "subtotalLineItemsQuantity": lambda o, i: _orig(i, o).line_quantity,
    "totalWeight": lambda o, i: 0,
    # Totals after edits, refunds and removals.
    "currentTotalPriceSet": lambda o, i: bag(o, _cur(i, o).total),
    "currentSubtotalPriceSet": lambda o, i: bag(o, _cur(i, o).subtotal),
    "currentTotalTaxSet": lambda o, i: bag(o, _cur(i, o).tax),
    "currentTotalDiscountsSet": lambda o, i: bag(o, _cur(i, o).discounts),
    "currentShippingPriceSet": lambda o, i: bag(o, _cur(i, o).shipping),
    "currentCartDiscountAmountSet": lambda o, i: bag(o, cart_discount(o, current=True)),
    "currentTotalDutiesSet": lambda o, i: None,
    "currentTotalAdditionalFeesSet": lambda o, i: None,
    "currentSubtotalLineItemsQuantity": lambda o, i: _cur(i, o).line_quantity,
    "currentTotalWeight": lambda o, i: 0,
    # Deprecated shop-currency scalars.
    "totalPrice": lambda o, i: _orig(i, o).total.shop,
    "subtotalPrice": lambda o, i: _orig(i, o).subtotal.shop,
    "totalTax": lambda o, i: _orig(i, o).tax.shop,
    "totalDiscounts": lambda o, i: _orig(i, o).discounts.shop,
    "totalShippingPrice": lambda o, i: money_sum([s.price for s in o.shipping_lines]).shop,
    "totalRefunded": lambda o, i: order_refunded(o).shop,
    "totalReceived": lambda o, i: order_received(o).shop,
    "totalCapturable": lambda o, i: capturable_amount(o).shop,
    "netPayment": lambda o, i: net_payment(o).shop,
    "cartDiscountAmount": lambda o, i: cart_discount(o, current=False).shop,
    "totalTipReceived": lambda o, i: money_v2(Decimal(0), o.currency),
    "taxLines": lambda o, i: original_tax_lines(o),
    "currentTaxLines": lambda o, i: current_tax_lines(o),
    "lineItems": lambda o, i, **a: _line_items_page(i, o, o.line_items, a),
    "nonFulfillableLineItems": lambda o, i, **a: _line_items_page(
        i, o, [li for li in o.line_items if non_fulfillable(LineRef(o, li))], a
    ),
    "refunds": lambda o, i, first=None: limit_list(i, [RefundRef(o, r) for r in o.refunds], first),
    "fulfillments": _order_fulfillments,
    "fulfillmentsCount": lambda o, i: count(len(o.fulfillments)),
    "transactions": _order_transactions,
    "transactionsCount": lambda o, i: count(len(index(i).figures(o).transactions)),
    "shippingLine": lambda o, i: ShippingLineRef(o, o.shipping_lines[0]) if o.shipping_lines else None,
    "shippingLines": lambda o, i, **a: paginate_in_order(
        i, [ShippingLineRef(o, s) for s in o.shipping_lines], [s.id for s in o.shipping_lines], a
    ),
    "discountApplications": lambda o, i, **a: paginate_in_order(
        i,
        [DiscountApplicationRef(o, app, n) for n, app in enumerate(o.discount_applications)],
        list(range(len(o.discount_applications))),
        a,
    ),
    "disputes": _order_disputes,
    "events": lambda o, i, **a: paginate(i, [], [], a),
    "metafield": lambda o, i, **a: None,
    "metafields": lambda o, i, **a: paginate(i, [], [], a),
}


def _line_items_page(info: Info, order: Order, lines: list[LineItem], args: dict[str, Any]) -> dict[str, Any]:
    return paginate_in_order(info, [LineRef(order, li) for li in lines], [li.id for li in lines], args)


CUSTOMER: dict[str, Resolver] = {
    "id": lambda c, i: gid("Customer", c.id),
    "legacyResourceId": lambda c, i: c.id,
    "displayName": lambda c, i: f"{c.first_name} {c.last_name}".strip() or c.email,
    "firstName": lambda c, i: c.first_name,
    "lastName": lambda c, i: c.last_name,
}


# --- line items, taxes, discounts, shipping -----------------------------------------------------


def _variant(info: Info, variant_id: int | None) -> Any:
    return index(info).world.variants_by_id.get(variant_id) if variant_id is not None else None


def _product(info: Info, product_id: int | None) -> Any:
    return index(info).world.products_by_id.get(product_id) if product_id is not None else None


LINE_ITEM: dict[str, Resolver] = {
    "id": lambda r, i: gid("LineItem", r.line.id),
    "name": lambda r, i: r.line.name,
    "title": lambda r, i: r.line.title,
    "variantTitle": lambda r, i: r.line.variant_title,
    "vendor": lambda r, i: r.line.vendor,
    "sku": lambda r, i: r.line.sku,
    "quantity": lambda r, i: r.line.quantity,
    "currentQuantity": lambda r, i: line_current_quantity(r.order, r.line),
    "unfulfilledQuantity": lambda r, i: unfulfilled(r),
    "nonFulfillableQuantity": lambda r, i: non_fulfillable(r),
    "refundableQuantity": lambda r, i: line_current_quantity(r.order, r.line),
    "fulfillableQuantity": lambda r, i: unfulfilled(r),
    "fulfillmentStatus": lambda r, i: line_fulfillment_status(r),
    "isGiftCard": lambda r, i: r.line.is_gift_card,
    "requiresShipping": lambda r, i: r.line.requires_shipping,
    "taxable": lambda r, i: r.line.taxable,
    "restockable": lambda r, i: not r.line.is_gift_card and line_current_quantity(r.order, r.line) > 0,
    "merchantEditable": lambda r, i: r.order.cancelled_at is None,
    "customAttributes": lambda r, i: [],
    "variant": lambda r, i: _variant(i, r.line.variant_id),
    "product": lambda r, i: _product(i, r.line.product_id),
    "originalUnitPriceSet": lambda r, i: bag(r.order, r.line.unit_price),
    "discountedUnitPriceSet": lambda r, i: bag(r.order, line_discounted_unit(r)),
    "discountedUnitPriceAfterAllDiscountsSet": lambda r, i: bag(r.order, line_discounted_unit(r)),
    "originalTotalSet": lambda r, i: bag(r.order, r.line.original_total),
    "discountedTotalSet": lambda r, i, **a: bag(r.order, line_discounted_total(r)),
    "totalDiscountSet": lambda r, i: bag(r.order, r.line.total_discount),
    "unfulfilledDiscountedTotalSet": lambda r, i: bag(
        r.order, scaled(r.order, line_discounted_total(r), unfulfilled(r), r.line.quantity)
    ),
    "unfulfilledOriginalTotalSet": lambda r, i: bag(
        r.order, scaled(r.order, r.line.original_total, unfulfilled(r), r.line.quantity)
    ),
    "originalUnitPrice": lambda r, i: r.line.unit_price.shop,
    "originalTotal": lambda r, i: r.line.original_total.shop,
    "totalDiscount": lambda r, i: r.line.total_discount.shop,
    "taxLines": lambda r, i, first=None: limit_list(i, [TaxLineRef(r.order, t) for t in r.line.tax_lines], first),
    "discountAllocations": lambda r, i: line_allocations(r),
}

TAX_LINE: dict[str, Resolver] = {
    "title": lambda r, i: r.tax.title,
    "rate": lambda r, i: float(r.tax.rate),
    "ratePercentage": lambda r, i: float(r.tax.rate * 100),
    "priceSet": lambda r, i: bag(r.order, r.tax.price),
    "price": lambda r, i: r.tax.price.shop,
    "channelLiable": lambda r, i: False,
    "source": lambda r, i: "Shopify",
}

DISCOUNT_ALLOCATION: dict[str, Resolver] = {
    "allocatedAmountSet": lambda r, i: bag(r.order, r.amount),
    "discountApplication": lambda r, i: DiscountApplicationRef(
        r.order, r.order.discount_applications[r.application_index], r.application_index
    ),
}


def _pricing_value(ref: DiscountApplicationRef) -> dict[str, Any]:
    app = ref.application
    if app.value_type == "percentage":
        return {"__typename": "PricingPercentageValue", "percentage": float(app.value)}
    return {"__typename": "MoneyV2", "amount": app.value, "currencyCode": ref.order.currency}


DISCOUNT_APPLICATION: dict[str, Resolver] = {
    "allocationMethod": lambda r, i: r.application.allocation_method,
    "index": lambda r, i: r.index,
    # ASSUMED: "ALL" for every application (the world does not model entitled-only targets).
    "targetSelection": lambda r, i: "ALL",
    "targetType": lambda r, i: r.application.target_type,
    "value": lambda r, i: _pricing_value(r),
    "code": lambda r, i: r.application.code or "",
    "title": lambda r, i: r.application.title,
    "description": lambda r, i: r.application.title,
}

SHIPPING_LINE: dict[str, Resolver] = {
    "id": lambda r, i: gid("ShippingLine", r.line.id),
    "title": lambda r, i: r.line.title,
    "code": lambda r, i: r.line.code,
    "source": lambda r, i: "shopify",
    "carrierIdentifier": lambda r, i: None,
    "deliveryCategory": lambda r, i: None,
    "shippingRateHandle": lambda r, i: None,
    "phone": lambda r, i: None,
    "custom": lambda r, i: False,
    "isRemoved": lambda r, i: False,
    "originalPriceSet": lambda r, i: bag(r.order, r.line.price),
    "discountedPriceSet": lambda r, i: bag(r.order, r.line.price - r.line.discount),
    "currentDiscountedPriceSet": lambda r, i: bag(
        r.order, MONEY_ZERO if shipping_refunded(r.order) else r.line.price - r.line.discount
    ),
    "discountAllocations": lambda r, i: shipping_allocations(r),
    "taxLines": lambda r, i: [TaxLineRef(r.order, t) for t in r.line.tax_lines],
}


# --- refunds ------------------------------------------------------------------------------------


def _refund_line_price(ref: RefundLineRef, info: Info) -> MoneyBag:
    line = index(info).line_of(ref.order, ref.item.line_item_id)
    return line.unit_price if line is not None else MONEY_ZERO


def _refund_shipping_lines(ref: RefundRef, info: Info, **args: Any) -> dict[str, Any]:
    refs = [RefundShippingRef(ref.order, ref.refund)] if ref.refund.shipping != MONEY_ZERO else []
    return paginate_in_order(info, refs, [ref.refund.id for _ in refs], args)


REFUND: dict[str, Resolver] = {
    "id": lambda r, i: gid("Refund", r.refund.id),
    "legacyResourceId": lambda r, i: r.refund.id,
    "createdAt": lambda r, i: r.refund.created_at,
    "updatedAt": lambda r, i: r.refund.created_at,
    "processedAt": lambda r, i: r.refund.created_at,
    "note": lambda r, i: r.refund.note or None,
    "order": lambda r, i: r.order,
    "totalRefundedSet": lambda r, i: bag(r.order, r.refund.total),
    "totalRefunded": lambda r, i: money_v2(r.refund.total.shop, r.order.currency),
    "duties": lambda r, i: [],
    "refundLineItems": lambda r, i, **a: paginate_in_order(
        i,
        [RefundLineRef(r.order, x) for x in r.refund.refund_line_items],
        [x.id for x in r.refund.refund_line_items],
        a,
    ),
    "refundShippingLines": _refund_shipping_lines,
    "transactions": lambda r, i, **a: paginate_in_order(
        i,
        [TransactionRef(r.order, t) for t in r.refund.transactions],
        [t.id for t in r.refund.transactions],
        a,
    ),
    "orderAdjustments": lambda r, i, **a: paginate_in_order(
        i,
        [AdjustmentRef(r.order, x) for x in r.refund.order_adjustments],
        [x.id for x in r.refund.order_adjustments],
        a,
    ),
}

REFUND_LINE_ITEM: dict[str, Resolver] = {
    "id": lambda r, i: gid("RefundLineItem", r.item.id),
    "lineItem": lambda r, i: LineRef(r.order, index(i).line_of(r.order, r.item.line_item_id)),
    "quantity": lambda r, i: r.item.quantity,
    "restockType": lambda r, i: r.item.restock_type,
    "restocked": lambda r, i: r.item.restock_type in ("CANCEL", "RETURN", "LEGACY_RESTOCK"),
    "location": lambda r, i: _location(i, r.item.location_id),
    "priceSet": lambda r, i: bag(r.order, _refund_line_price(r, i)),
    "subtotalSet": lambda r, i: bag(r.order, r.item.subtotal),
    "totalTaxSet": lambda r, i: bag(r.order, r.item.total_tax),
    "price": lambda r, i: _refund_line_price(r, i).shop,
    "subtotal": lambda r, i: r.item.subtotal.shop,
    "totalTax": lambda r, i: r.item.total_tax.shop,
}

REFUND_SHIPPING_LINE: dict[str, Resolver] = {
    "id": lambda r, i: gid("RefundShippingLine", r.refund.id),
    "shippingLine": lambda r, i: (
        ShippingLineRef(r.order, r.order.shipping_lines[0]) if r.order.shipping_lines else None
    ),
    "subtotalAmountSet": lambda r, i: bag(r.order, r.refund.shipping),
    "taxAmountSet": lambda r, i: bag(r.order, r.refund.shipping_tax),
}

ORDER_ADJUSTMENT: dict[str, Resolver] = {
    "id": lambda r, i: gid("OrderAdjustment", r.adjustment.id),
    "amountSet": lambda r, i: bag(r.order, r.adjustment.amount),
    "taxAmountSet": lambda r, i: bag(r.order, r.adjustment.tax_amount),
    "reason": lambda r, i: r.adjustment.reason if r.adjustment.reason in ADJUSTMENT_REASONS else None,
}


# --- fulfillments -------------------------------------------------------------------------------


def _fulfillment_display_status(f: Fulfillment) -> str:
    if f.status == "CANCELLED":
        return "CANCELED"
    if f.status in ("ERROR", "FAILURE"):
        return "FAILURE"
    return "IN_TRANSIT" if f.tracking_number else "FULFILLED"


def _tracking_info(ref: FulfillmentRef, info: Info, first: int | None = None) -> list[dict[str, Any]]:
    f = ref.fulfillment
    if not (f.tracking_number or f.tracking_company or f.tracking_url):
        return []
    rows = [{"company": f.tracking_company, "number": f.tracking_number, "url": f.tracking_url}]
    return limit_list(info, rows, first)


def _fulfillment_line_total(ref: FulfillmentLineRef, info: Info, discounted: bool) -> MoneyBag:
    line = index(info).line_of(ref.order, ref.line.line_item_id)
    if line is None:
        return MONEY_ZERO
    total = line.original_total - line.total_discount if discounted else line.original_total
    return scaled(ref.order, total, ref.line.quantity, line.quantity)


FULFILLMENT: dict[str, Resolver] = {
    "id": lambda r, i: gid("Fulfillment", r.fulfillment.id),
    "legacyResourceId": lambda r, i: r.fulfillment.id,
    "name": lambda r, i: r.fulfillment.name,
    "status": lambda r, i: r.fulfillment.status,
    "displayStatus": lambda r, i: _fulfillment_display_status(r.fulfillment),
    "createdAt": lambda r, i: r.fulfillment.created_at,
    "updatedAt": lambda r, i: r.fulfillment.updated_at,
    "deliveredAt": lambda r, i: None,
    "estimatedDeliveryAt": lambda r, i: None,
    "inTransitAt": lambda r, i: r.fulfillment.created_at if r.fulfillment.tracking_number else None,
    "location": lambda r, i: _location(i, r.fulfillment.location_id),
    "order": lambda r, i: r.order,
    "requiresShipping": lambda r, i: True,
    "totalQuantity": lambda r, i: sum(x.quantity for x in r.fulfillment.lines),
    "trackingInfo": _tracking_info,
    "fulfillmentLineItems": lambda r, i, **a: paginate_in_order(
        i,
        [FulfillmentLineRef(r.order, x) for x in r.fulfillment.lines],
        [x.id for x in r.fulfillment.lines],
        a,
    ),
}

FULFILLMENT_LINE_ITEM: dict[str, Resolver] = {
    "id": lambda r, i: gid("FulfillmentLineItem", r.line.id),
    "lineItem": lambda r, i: LineRef(r.order, index(i).line_of(r.order, r.line.line_item_id)),
    "quantity": lambda r, i: r.line.quantity,
    "originalTotalSet": lambda r, i: bag(r.order, _fulfillment_line_total(r, i, False)),
    "discountedTotalSet": lambda r, i: bag(r.order, _fulfillment_line_total(r, i, True)),
    "originalTotal": lambda r, i: _fulfillment_line_total(r, i, False).shop,
    "discountedTotal": lambda r, i: _fulfillment_line_total(r, i, True).shop,
}


# --- transactions -------------------------------------------------------------------------------


def _parent_transaction(ref: TransactionRef, info: Info) -> TransactionRef | None:
    if ref.txn.parent_id is None:
        return None
    found = index(info).transactions.get(ref.txn.parent_id)
    return TransactionRef(*found) if found else None


def _transaction_fees(ref: TransactionRef, info: Info) -> list[dict[str, Any]]:
    """Shopify Payments fees, read from the balance transaction this payment produced."""
    bt = index(info).balance_by_order_transaction.get(ref.txn.id)
    if bt is None or ref.txn.gateway != "shopify_payments":
        return []
    zero = money_v2(Decimal(0), bt.currency)
    return [
        {
            "id": gid("TransactionFee", bt.id),
            "amount": money_v2(bt.fee, bt.currency),
            "flatFee": zero,
            "flatFeeName": None,
            "rate": Decimal(0),
            "rateName": None,
            "taxAmount": zero,
            "type": "payment_processing",
        }
    ]


def _payment_details(txn: OrderTransaction) -> dict[str, Any] | None:
    if txn.card_brand is None:
        return None
    return {
        "__typename": "CardPaymentDetails",
        "avsResultCode": None,
        "bin": None,
        "company": txn.card_brand,
        "cvvResultCode": None,
        "expirationMonth": None,
        "expirationYear": None,
        "name": None,
        "number": "•••• •••• •••• 4242",
        "paymentMethodName": txn.card_brand,
        "wallet": None,
    }


def _refundable(ref: TransactionRef, info: Info) -> dict[str, Any] | None:
    txn = ref.txn
    if txn.kind not in ("SALE", "CAPTURE") or txn.status != "SUCCESS":
        return None
    refunded = sum(
        (
            t.amount.shop
            for t in index(info).figures(ref.order).transactions
            if t.kind == "REFUND" and t.status == "SUCCESS" and t.parent_id == txn.id
        ),
        Decimal(0),
    )
    return money_v2(max(Decimal(0), txn.amount.shop - refunded), ref.order.currency)


ORDER_TRANSACTION: dict[str, Resolver] = {
    "id": lambda r, i: gid("OrderTransaction", r.txn.id),
    "kind": lambda r, i: r.txn.kind,
    "status": lambda r, i: r.txn.status,
    "test": lambda r, i: r.txn.test,
    "gateway": lambda r, i: r.txn.gateway,
    "formattedGateway": lambda r, i: GATEWAY_NAMES.get(r.txn.gateway, r.txn.gateway),
    "createdAt": lambda r, i: r.txn.created_at,
    "processedAt": lambda r, i: r.txn.processed_at,
    "amountSet": lambda r, i: bag(r.order, r.txn.amount),
    "amountRoundingSet": lambda r, i: None,
    "totalUnsettledSet": lambda r, i: None,
    "maximumRefundableV2": _refundable,
    "fees": _transaction_fees,
    "parentTransaction": _parent_transaction,
    "order": lambda r, i: r.order,
    "location": lambda r, i: _location(i, r.txn.location_id),
    "errorCode": lambda r, i: None,
    "paymentId": lambda r, i: f"r{r.txn.id}",
    "accountNumber": lambda r, i: "•••• •••• •••• 4242" if r.txn.card_brand else None,
    "authorizationExpiresAt": lambda r, i: None,
    "manualPaymentGateway": lambda r, i: r.txn.gateway == "manual",
    "manuallyCapturable": lambda r, i: False,
    "multiCapturable": lambda r, i: False,
    "paymentDetails": lambda r, i: _payment_details(r.txn),
    "receiptJson": lambda r, i: None,
    "settlementCurrency": lambda r, i: None,
    "settlementCurrencyRate": lambda r, i: None,
    "shopifyPaymentsSet": lambda r, i: None,
    "amount": lambda r, i: r.txn.amount.shop,
    "amountV2": lambda r, i: money_v2(r.txn.amount.shop, r.order.currency),
    "authorizationCode": lambda r, i: None,
    "maximumRefundable": lambda r, i: (m := _refundable(r, i)) and m["amount"],
    "totalUnsettled": lambda r, i: None,
    "totalUnsettledV2": lambda r, i: None,
}


RESOLVERS: dict[str, dict[str, Resolver]] = {
    "QueryRoot": {
        "orders": resolve_orders,
        "order": resolve_order,
        "ordersCount": resolve_orders_count,
        "fulfillment": resolve_fulfillment,
    },
    "Order": ORDER,
    "Customer": CUSTOMER,
    "LineItem": LINE_ITEM,
    "TaxLine": TAX_LINE,
    "DiscountAllocation": DISCOUNT_ALLOCATION,
    "DiscountCodeApplication": DISCOUNT_APPLICATION,
    "AutomaticDiscountApplication": DISCOUNT_APPLICATION,
    "ManualDiscountApplication": DISCOUNT_APPLICATION,
    "ShippingLine": SHIPPING_LINE,
    "Refund": REFUND,
    "RefundLineItem": REFUND_LINE_ITEM,
    "RefundShippingLine": REFUND_SHIPPING_LINE,
    "OrderAdjustment": ORDER_ADJUSTMENT,
    "Fulfillment": FULFILLMENT,
    "FulfillmentLineItem": FULFILLMENT_LINE_ITEM,
    "OrderTransaction": ORDER_TRANSACTION,
}


def type_name(value: Any) -> str | None:
    """GraphQL type of an order-side source (for Node, DiscountApplication...)."""
    if isinstance(value, DiscountApplicationRef):
        return APPLICATION_TYPE_NAMES.get(value.application.kind, "ManualDiscountApplication")
    return TYPE_NAMES.get(type(value))
