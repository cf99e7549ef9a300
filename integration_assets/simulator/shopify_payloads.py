"""World objects rendered in Shopify's REST / webhook JSON shapes.

The legacy REST endpoints and the webhook drops carry the same payloads, so these functions are
pure (no HTTP): they take the world and one object and return plain JSON-ready dicts. Conventions
that differ from GraphQL and that clients trip over (api-notes/shopify-api.md sections 1, 5 and 6):
ids are JSON integers (some above 2**53, so never floats), amounts are strings in the currency's
own exponent ("199.00", JPY "20"), timestamps carry the shop's UTC offset, enums are lowercase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from integration_assets.simulator.disputes import Dispute
from integration_assets.simulator.shop_profile import ShopProfile
from integration_assets.simulator.world import (
    MONEY_ZERO,
    ZERO,
    BalanceTransaction,
    DiscountAllocation,
    Fulfillment,
    InventoryItem,
    InventoryLevel,
    LineItem,
    Location,
    MoneyBag,
    Order,
    OrderTransaction,
    Payout,
    Product,
    Refund,
    RefundLineItem,
    ShippingLine,
    TaxLine,
    Variant,
    World,
    current_totals,
    financial_status,
    fulfillment_status,
    line_current_quantity,
    line_fulfilled_quantity,
    line_unfulfilled_quantity,
    money_sum,
    order_transactions,
    original_totals,
    quantize,
)

JSON = dict[str, Any]

# REST `fulfillment_status` of an order (GraphQL OrderDisplayFulfillmentStatus -> REST).
# Everything not listed (UNFULFILLED, OPEN, IN_PROGRESS, ...) is null in REST.
REST_FULFILLMENT_STATUS: dict[str, str] = {
    "FULFILLED": "fulfilled",
    "PARTIALLY_FULFILLED": "partial",
    "RESTOCKED": "restocked",
}

# GraphQL ShopifyPaymentsPayoutSummary field -> REST payout summary key, in REST's key order.
PAYOUT_SUMMARY_KEYS: dict[str, str] = {
    "adjustments_fee_amount": "adjustmentsFee",
    "adjustments_gross_amount": "adjustmentsGross",
    "charges_fee_amount": "chargesFee",
    "charges_gross_amount": "chargesGross",
    "refunds_fee_amount": "refundsFee",
    "refunds_gross_amount": "refundsFeeGross",  # the GraphQL name trap: not "refundsGross"
    "reserved_funds_fee_amount": "reservedFundsFee",
    "reserved_funds_gross_amount": "reservedFundsGross",
    "retried_payouts_fee_amount": "retriedPayoutsFee",
    "retried_payouts_gross_amount": "retriedPayoutsGross",
}

# GraphQL ShopifyPaymentsTransactionType -> REST's coarse `type` (api-notes/payouts-ledger.md 1.2).
# Anything not listed is an "adjustment", as REST reports the long tail of fine-grained types.
BALANCE_TYPE_FAMILY: dict[str, str] = {
    "CHARGE": "charge",
    "REFUND": "refund",
    "REFUND_FAILURE": "refund_failure",
    "DISPUTE_WITHDRAWAL": "dispute",
    "DISPUTE_REVERSAL": "dispute",
    "RESERVED_FUNDS": "reserve",
    "RESERVED_FUNDS_REVERSAL": "reserve",
    "RESERVED_FUNDS_WITHDRAWAL": "reserve",
    "TRANSFER": "payout",
    "TRANSFER_FAILURE": "payout_failure",
    "TRANSFER_CANCEL": "payout_cancellation",
}

# GraphQL ShopifyPaymentsSourceType -> REST `source_type`. REST mixes snake case and Rails class
# names (Shopify/shopify-api-ruby payment_transaction fixture).
BALANCE_SOURCE_TYPE: dict[str, str] = {
    "CHARGE": "charge",
    "REFUND": "Payments::Refund",
    "DISPUTE": "Payments::Dispute",
    "ADJUSTMENT": "adjustment",
    "ADJUSTMENT_REVERSAL": "Payments::Balance::AdjustmentReversal",
    # ASSUMED: no REST example of a system adjustment was found; snake case like "adjustment".
    "SYSTEM_ADJUSTMENT": "system_adjustment",
    "TRANSFER": "payout",
}

# REST order_adjustments[].reason is a sentence; `kind` is the snake-case code.
ADJUSTMENT_REASON_TEXT: dict[str, str] = {
    "refund_discrepancy": "Refund discrepancy",
    "shipping_refund": "Shipping refund",
}

COUNTRY_NAMES: dict[str, str] = {
    "GB": "United Kingdom",
    "IE": "Ireland",
    "FR": "France",
    "DE": "Germany",
    "NL": "Netherlands",
    "ES": "Spain",
    "IT": "Italy",
    "US": "United States",
    "CA": "Canada",
    "JP": "Japan",
    "AU": "Australia",
}


# --- scalars ------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def shop_zone(world: World) -> ZoneInfo:
    return _zone(world.shop.timezone)


def rest_time(world: World, moment: dt.datetime | None) -> str | None:
    """A timestamp as REST shows it: second precision with the shop's UTC offset."""
    if moment is None:
        return None
    return moment.astimezone(shop_zone(world)).isoformat(timespec="seconds")


def money(amount: Decimal, currency: str) -> str:
    """A decimal string in the currency's exponent ("199.00", JPY "20"), never "-0.00"."""
    rounded = quantize(amount, currency)
    if rounded == 0:
        rounded = abs(rounded)
    return format(rounded, "f")


def money_number(amount: Decimal, currency: str) -> float | int:
    """The few REST amounts that are JSON numbers (refund line subtotal, total_tax)."""
    rounded = quantize(amount, currency)
    # ASSUMED: zero-decimal currencies come out as integers; others as floats like 195.67.
    exponent = rounded.as_tuple().exponent
    return int(rounded) if isinstance(exponent, int) and exponent >= 0 else float(rounded)


def money_set(bag: MoneyBag, shop_currency: str, presentment_currency: str) -> JSON:
    return {
        "shop_money": {"amount": money(bag.shop, shop_currency), "currency_code": shop_currency},
        "presentment_money": {
            "amount": money(bag.presentment, presentment_currency),
            "currency_code": presentment_currency,
        },
    }


def _order_set(bag: MoneyBag, order: Order) -> JSON:
    return money_set(bag, order.currency, order.presentment_currency)


def gid(kind: str, id_: int) -> str:
    return f"gid://shopify/{kind}/{id_}"


def _rate(rate: Decimal) -> float:
    return float(rate)


def _country(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


# --- order parts ----------------------------------------------------------------------------------


def tax_line_json(tax: TaxLine, order: Order) -> JSON:
    return {
        "title": tax.title,
        "price": money(tax.price.shop, order.currency),
        "rate": _rate(tax.rate),
        "price_set": _order_set(tax.price, order),
    }


def _discount_allocation_json(allocation: DiscountAllocation, order: Order) -> JSON:
    return {
        "amount": money(allocation.amount.shop, order.currency),
        "amount_set": _order_set(allocation.amount, order),
        "discount_application_index": allocation.application_index,
    }


def _tracked(world: World, variant_id: int | None) -> bool | None:
    variant = world.variants_by_id.get(variant_id) if variant_id is not None else None
    item = world.items_by_id.get(variant.inventory_item_id) if variant is not None else None
    return item.tracked if item is not None else None


def line_item_json(world: World, order: Order, line: LineItem, quantity: int | None = None) -> JSON:
    """A REST line item; `quantity` overrides the ordered quantity (fulfillment line items)."""
    fulfilled = line_fulfilled_quantity(order, line)
    unfulfilled = line_unfulfilled_quantity(order, line)
    if fulfilled and unfulfilled:
        line_status: str | None = "partial"
    elif fulfilled:
        line_status = "fulfilled"
    else:
        line_status = None
    tracked = _tracked(world, line.variant_id)
    return {
        "id": line.id,
        "admin_graphql_api_id": gid("LineItem", line.id),
        "variant_id": line.variant_id,
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "title": line.title,
        "variant_title": line.variant_title,
        "vendor": line.vendor,
        "quantity": line.quantity if quantity is None else quantity,
        "current_quantity": line_current_quantity(order, line),
        "fulfillable_quantity": unfulfilled,
        "fulfillment_status": line_status,
        "fulfillment_service": "manual",
        "price": money(line.unit_price.shop, order.currency),
        "price_set": _order_set(line.unit_price, order),
        "total_discount": money(line.total_discount.shop, order.currency),
        "total_discount_set": _order_set(line.total_discount, order),
        "discount_allocations": [_discount_allocation_json(a, order) for a in line.discount_allocations],
        "tax_lines": [tax_line_json(t, order) for t in line.tax_lines],
        "gift_card": line.is_gift_card,
        "requires_shipping": line.requires_shipping,
        "taxable": line.taxable,
        "product_exists": line.product_id is not None,
        "variant_inventory_management": "shopify" if tracked else None,
        "properties": [],
        "duties": [],
    }


def _shipping_discount_index(order: Order) -> int | None:
    for index, application in enumerate(order.discount_applications):
        if application.target_type == "SHIPPING_LINE":
            return index
    return None


def shipping_line_json(order: Order, line: ShippingLine) -> JSON:
    allocations: list[JSON] = []
    index = _shipping_discount_index(order)
    if line.discount != MONEY_ZERO and index is not None:
        # ASSUMED: the world keeps one shipping discount amount per line; it is allocated to the
        # first shipping-line discount application, as Shopify does for a single shipping discount.
        allocations.append(
            {
                "amount": money(line.discount.shop, order.currency),
                "amount_set": _order_set(line.discount, order),
                "discount_application_index": index,
            }
        )
    discounted = line.price - line.discount
    return {
        "id": line.id,
        "title": line.title,
        "code": line.code,
        "source": "shopify",
        "price": money(line.price.shop, order.currency),
        "price_set": _order_set(line.price, order),
        "discounted_price": money(discounted.shop, order.currency),
        "discounted_price_set": _order_set(discounted, order),
        "discount_allocations": allocations,
        "tax_lines": [tax_line_json(t, order) for t in line.tax_lines],
    }


def _aggregate_tax_lines(order: Order, taxes: Iterable[TaxLine]) -> list[JSON]:
    """Order-level tax lines: one per (title, rate), summed, in first-seen order."""
    totals: dict[tuple[str, Decimal], MoneyBag] = {}
    for tax in taxes:
        key = (tax.title, tax.rate)
        totals[key] = totals.get(key, MONEY_ZERO) + tax.price
    return [tax_line_json(TaxLine(title, rate, price), order) for (title, rate), price in totals.items()]


def _discount_application_json(order: Order, index: int) -> JSON:
    application = order.discount_applications[index]
    body: JSON = {
        "type": application.kind.lower(),
        "value": format(application.value, "f"),
        "value_type": application.value_type,
        "allocation_method": application.allocation_method.lower(),
        # ASSUMED: "all" for every application (the world does not model entitled-only targets).
        "target_selection": "all",
        "target_type": application.target_type.lower(),
    }
    if application.code is not None:
        body["code"] = application.code
    else:
        body["title"] = application.title
        body["description"] = application.title
    return body


def _application_totals(order: Order) -> dict[int, MoneyBag]:
    totals: dict[int, MoneyBag] = {}
    for line in order.line_items:
        if line.added_at is not None:
            continue
        for allocation in line.discount_allocations:
            index = allocation.application_index
            totals[index] = totals.get(index, MONEY_ZERO) + allocation.amount
    shipping_index = _shipping_discount_index(order)
    if shipping_index is not None:
        shipping = money_sum([sl.discount for sl in order.shipping_lines])
        totals[shipping_index] = totals.get(shipping_index, MONEY_ZERO) + shipping
    return totals


def _discount_codes_json(order: Order) -> list[JSON]:
    totals = _application_totals(order)
    return [
        {
            "code": application.code,
            "amount": money(totals.get(index, MONEY_ZERO).shop, order.currency),
            "type": application.value_type,
        }
        for index, application in enumerate(order.discount_applications)
        if application.kind == "DISCOUNT_CODE" and application.code is not None
    ]


def rest_fulfillment_status(order: Order) -> str | None:
    return REST_FULFILLMENT_STATUS.get(fulfillment_status(order))


def _customer_json(world: World, order: Order) -> JSON | None:
    customer = order.customer
    if customer is None:
        return None
    return {
        "id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "admin_graphql_api_id": gid("Customer", customer.id),
    }


def _shipping_address_json(order: Order) -> JSON:
    customer = order.customer
    first = customer.first_name if customer else ""
    last = customer.last_name if customer else ""
    # ASSUMED: the world keeps only the destination country; street fields are not modelled.
    return {
        "first_name": first,
        "last_name": last,
        "name": f"{first} {last}".strip(),
        "country": _country(order.country_code),
        "country_code": order.country_code,
    }


def order_json(world: World, order: Order) -> JSON:
    """The full REST order, as GET orders/{id}.json and the orders/* webhooks carry it."""
    cur = order.currency
    original = original_totals(order)
    current = current_totals(order)
    original_lines = [li for li in order.line_items if li.added_at is None]
    line_items_price = money_sum([li.original_total for li in original_lines])
    shipping_price = money_sum([sl.price for sl in order.shipping_lines])
    taxes = [t for li in original_lines for t in li.tax_lines]
    taxes += [t for sl in order.shipping_lines for t in sl.tax_lines]
    gateways = sorted({t.gateway for t in order.transactions if t.kind in ("SALE", "AUTHORIZATION")})
    email = order.customer.email if order.customer else ""
    body: JSON = {
        "id": order.id,
        "admin_graphql_api_id": order.legacy_gid,
        "name": order.name,
        "order_number": order.number,
        # ASSUMED: Shopify's `number` counts from 1 while order_number starts at 1001.
        "number": order.number - 1000 if order.number > 1000 else order.number,
        "email": email,
        "contact_email": email or None,
        "created_at": rest_time(world, order.created_at),
        "updated_at": rest_time(world, order.updated_at),
        "processed_at": rest_time(world, order.processed_at),
        "cancelled_at": rest_time(world, order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": rest_time(world, order.closed_at),
        "confirmed": True,
        "test": order.test,
        "currency": cur,
        "presentment_currency": order.presentment_currency,
        "taxes_included": order.taxes_included,
        "source_name": order.source_name,
        "location_id": order.retail_location_id,
        "financial_status": financial_status(order).lower(),
        "fulfillment_status": rest_fulfillment_status(order),
        "payment_gateway_names": gateways,
        "tags": ", ".join(order.tags),
        "note": order.note,
        "total_price": money(original.total.shop, cur),
        "total_price_set": _order_set(original.total, order),
        "subtotal_price": money(original.subtotal.shop, cur),
        "subtotal_price_set": _order_set(original.subtotal, order),
        "total_tax": money(original.tax.shop, cur),
        "total_tax_set": _order_set(original.tax, order),
        "total_discounts": money(original.discounts.shop, cur),
        "total_discounts_set": _order_set(original.discounts, order),
        "total_line_items_price": money(line_items_price.shop, cur),
        "total_line_items_price_set": _order_set(line_items_price, order),
        # Before discounts and returns (GraphQL totalShippingPriceSet's definition).
        "total_shipping_price_set": _order_set(shipping_price, order),
        "current_total_price": money(current.total.shop, cur),
        "current_total_price_set": _order_set(current.total, order),
        "current_subtotal_price": money(current.subtotal.shop, cur),
        "current_subtotal_price_set": _order_set(current.subtotal, order),
        "current_total_tax": money(current.tax.shop, cur),
        "current_total_tax_set": _order_set(current.tax, order),
        "current_total_discounts": money(current.discounts.shop, cur),
        "current_total_discounts_set": _order_set(current.discounts, order),
        "tax_lines": _aggregate_tax_lines(order, taxes),
        "discount_applications": [
            _discount_application_json(order, i) for i in range(len(order.discount_applications))
        ],
        "discount_codes": _discount_codes_json(order),
        "line_items": [line_item_json(world, order, li) for li in order.line_items],
        "shipping_lines": [shipping_line_json(order, sl) for sl in order.shipping_lines],
        "refunds": [refund_json(world, order, r) for r in order.refunds],
        "fulfillments": [fulfillment_json(world, order, f) for f in order.fulfillments],
        "customer": _customer_json(world, order),
    }
    if order.source_name == "web":
        body["shipping_address"] = _shipping_address_json(order)
    return body


# --- refunds, fulfillments, transactions ---------------------------------------------------------


def transaction_json(world: World, order: Order, txn: OrderTransaction) -> JSON:
    """A REST order transaction.

    ASSUMED: REST transactions carry the presentment amount and currency (the payment as the
    customer made it); shop money is on the order's *_set fields.
    """
    body: JSON = {
        "id": txn.id,
        "admin_graphql_api_id": gid("OrderTransaction", txn.id),
        "order_id": order.id,
        "kind": txn.kind.lower(),
        "gateway": txn.gateway,
        "status": txn.status.lower(),
        "message": None,
        "created_at": rest_time(world, txn.created_at),
        "processed_at": rest_time(world, txn.processed_at),
        "test": txn.test,
        "authorization": None,
        "location_id": txn.location_id,
        "user_id": None,
        "parent_id": txn.parent_id,
        "device_id": None,
        "error_code": None,
        "source_name": order.source_name,
        "amount": money(txn.amount.presentment, order.presentment_currency),
        "currency": order.presentment_currency,
        "receipt": {},
    }
    if txn.card_brand is not None:
        body["payment_details"] = {
            "credit_card_company": txn.card_brand,
            "credit_card_wallet": None,
        }
    return body


# ASSUMED: REST tender `payment_method` per gateway (Shopify documents the field, not the values per gateway).
TENDER_METHODS = {"shopify_payments": "credit_card", "gift_card": "gift_card", "cash": "cash", "manual": "other"}
TENDER_KINDS = {"SALE": 1, "CAPTURE": 1, "REFUND": -1}


def tenders(order: Order) -> list[OrderTransaction]:
    """The order's transactions that moved money between buyer and shop: successful sales,
    captures and refunds (authorizations and voids move none)."""
    return [t for t in order_transactions(order) if t.status == "SUCCESS" and t.kind in TENDER_KINDS]


def tender_transaction_json(world: World, order: Order, txn: OrderTransaction) -> JSON:
    """A REST tender transaction: shop money, refunds negative (docs: "in the shop's currency").
    ASSUMED: its id is the order transaction's (Shopify keeps separate ids)."""
    shop_amount = txn.amount.shop * TENDER_KINDS[txn.kind]
    details = None
    if txn.card_brand is not None:
        details = {"credit_card_number": "•••• •••• •••• 4242", "credit_card_company": txn.card_brand}
    return {
        "id": txn.id,
        "order_id": order.id,
        "amount": money(shop_amount, order.currency),
        "currency": order.currency,
        "user_id": None,
        "test": txn.test,
        "processed_at": rest_time(world, txn.processed_at),
        "remote_reference": f"{txn.gateway}-{txn.id}" if txn.gateway == "shopify_payments" else None,
        "payment_details": details,
        "payment_method": TENDER_METHODS.get(txn.gateway, "other"),
    }


def _refund_line_item_json(world: World, order: Order, line: RefundLineItem) -> JSON:
    order_line = next((li for li in order.line_items if li.id == line.line_item_id), None)
    return {
        "id": line.id,
        "line_item_id": line.line_item_id,
        "quantity": line.quantity,
        "restock_type": line.restock_type.lower(),
        "location_id": line.location_id,
        "subtotal": money_number(line.subtotal.shop, order.currency),
        "subtotal_set": _order_set(line.subtotal, order),
        "total_tax": money_number(line.total_tax.shop, order.currency),
        "total_tax_set": _order_set(line.total_tax, order),
        "line_item": line_item_json(world, order, order_line) if order_line is not None else None,
    }


def _order_adjustment_json(
    order: Order, refund: Refund, id_: int, kind: str, amount: MoneyBag, tax_amount: MoneyBag
) -> JSON:
    return {
        "id": id_,
        "order_id": order.id,
        "refund_id": refund.id,
        "kind": kind,
        "reason": ADJUSTMENT_REASON_TEXT.get(kind, kind.replace("_", " ").capitalize()),
        "amount": money(amount.shop, order.currency),
        "amount_set": _order_set(amount, order),
        "tax_amount": money(tax_amount.shop, order.currency),
        "tax_amount_set": _order_set(tax_amount, order),
    }


def shipping_adjustment_id(refund: Refund) -> int:
    """ASSUMED: the world keeps refunded shipping on the refund, not as an adjustment with an id;
    REST needs one, so it is derived from the refund id (outside every other id range)."""
    return refund.id * 1000 + 1


def _order_adjustments_json(order: Order, refund: Refund) -> list[JSON]:
    """REST order adjustments, in REST's sign: refund = lines - sum(adjustment amounts).

    ASSUMED: world adjustments are signed contributions to the refunded amount (the generator adds
    them), so REST shows them negated; refunded shipping is a negative `shipping_refund`, as in
    Shopify's refund examples ("amount": "-5.00").
    """
    rendered: list[JSON] = []
    if refund.shipping != MONEY_ZERO or refund.shipping_tax != MONEY_ZERO:
        rendered.append(
            _order_adjustment_json(
                order,
                refund,
                shipping_adjustment_id(refund),
                "shipping_refund",
                -refund.shipping,
                -refund.shipping_tax,
            )
        )
    for adjustment in refund.order_adjustments:
        kind = adjustment.reason.lower()
        rendered.append(
            _order_adjustment_json(order, refund, adjustment.id, kind, -adjustment.amount, -adjustment.tax_amount)
        )
    return rendered


def refund_json(world: World, order: Order, refund: Refund) -> JSON:
    """A REST refund, as GET orders/{id}/refunds.json and the refunds/create webhook carry it."""
    return {
        "id": refund.id,
        "admin_graphql_api_id": gid("Refund", refund.id),
        "order_id": order.id,
        "created_at": rest_time(world, refund.created_at),
        "processed_at": rest_time(world, refund.created_at),
        "note": refund.note,
        "user_id": None,
        # Legacy flag: true when any line went back to stock.
        "restock": any(r.restock_type != "NO_RESTOCK" for r in refund.refund_line_items),
        "refund_line_items": [_refund_line_item_json(world, order, r) for r in refund.refund_line_items],
        "transactions": [transaction_json(world, order, t) for t in refund.transactions],
        "order_adjustments": _order_adjustments_json(order, refund),
        "duties": [],
    }


def fulfillment_json(world: World, order: Order, fulfillment: Fulfillment) -> JSON:
    """A REST fulfillment; its line items carry the quantity this fulfillment shipped."""
    lines_by_id = {li.id: li for li in order.line_items}
    number = fulfillment.tracking_number
    url = fulfillment.tracking_url
    return {
        "id": fulfillment.id,
        "admin_graphql_api_id": gid("Fulfillment", fulfillment.id),
        "order_id": order.id,
        "name": fulfillment.name,
        "status": fulfillment.status.lower(),
        "service": "manual",
        "shipment_status": None,
        "created_at": rest_time(world, fulfillment.created_at),
        "updated_at": rest_time(world, fulfillment.updated_at),
        "location_id": fulfillment.location_id,
        "tracking_company": fulfillment.tracking_company,
        "tracking_number": number,
        "tracking_numbers": [number] if number else [],
        "tracking_url": url,
        "tracking_urls": [url] if url else [],
        "receipt": {},
        "line_items": [
            line_item_json(world, order, lines_by_id[fl.line_item_id], quantity=fl.quantity)
            for fl in fulfillment.lines
            if fl.line_item_id in lines_by_id
        ],
    }


# --- locations and inventory ---------------------------------------------------------------------


def location_json(world: World, location: Location) -> JSON:
    return {
        "id": location.id,
        "admin_graphql_api_id": gid("Location", location.id),
        "name": location.name,
        "address1": location.address1,
        "address2": None,
        "city": location.city,
        "zip": location.zip,
        "province": None,
        "province_code": None,
        "country": location.country_code,
        "country_code": location.country_code,
        "country_name": _country(location.country_code),
        "localized_country_name": _country(location.country_code),
        "localized_province_name": None,
        "phone": None,
        "created_at": rest_time(world, location.created_at),
        "updated_at": rest_time(world, location.updated_at),
        "deleted_at": None,
        "active": location.is_active,
        "legacy": False,
    }


def variant_json(world: World, variant: Variant, available: int) -> JSON:
    item = world.items_by_id.get(variant.inventory_item_id)
    tracked = item is not None and item.tracked
    return {
        "id": variant.id,
        "product_id": variant.product_id,
        "title": variant.title,
        "price": money(variant.price, world.shop.currency),
        "position": variant.position,
        "inventory_policy": "deny",
        "compare_at_price": None,
        "option1": variant.title,
        "option2": None,
        "option3": None,
        "created_at": rest_time(world, variant.created_at),
        "updated_at": rest_time(world, variant.updated_at),
        "taxable": True,
        "barcode": variant.barcode or None,
        "fulfillment_service": "manual",
        "grams": 0,  # ASSUMED: the world keeps no weights
        "inventory_management": "shopify" if tracked else None,
        "requires_shipping": item.requires_shipping if item is not None else True,
        "sku": variant.sku,
        "weight": 0.0,
        "weight_unit": "kg",
        "inventory_item_id": variant.inventory_item_id,
        "inventory_quantity": available,
        "old_inventory_quantity": available,
        "admin_graphql_api_id": gid("ProductVariant", variant.id),
        "image_id": None,
    }


def product_json(world: World, product: Product, variants: list[Variant], available: dict[int, int]) -> JSON:
    """A REST product with its variants (REST shows at most 100 variants; ours have fewer)."""
    return {
        "id": product.id,
        "title": product.title,
        "body_html": None,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "created_at": rest_time(world, product.created_at),
        "handle": product.handle,
        "updated_at": rest_time(world, product.updated_at),
        "published_at": rest_time(world, product.created_at) if product.status == "ACTIVE" else None,
        "template_suffix": None,
        "published_scope": "global",
        "tags": ", ".join(product.tags),
        "status": product.status.lower(),
        "admin_graphql_api_id": gid("Product", product.id),
        "variants": [variant_json(world, v, available.get(v.inventory_item_id, 0)) for v in variants[:100]],
        # ASSUMED: one "Title" option (the world's variants carry a title, not option values).
        "options": [
            {
                "id": product.id,
                "product_id": product.id,
                "name": "Title",
                "position": 1,
                "values": [v.title for v in variants],
            }
        ],
        "images": [],
        "image": None,
    }


def inventory_item_json(world: World, item: InventoryItem) -> JSON:
    return {
        "id": item.id,
        "admin_graphql_api_id": gid("InventoryItem", item.id),
        "sku": item.sku,
        "created_at": rest_time(world, item.created_at),
        "updated_at": rest_time(world, item.updated_at),
        "requires_shipping": item.requires_shipping,
        "cost": money(item.cost, world.shop.currency),
        "country_code_of_origin": item.country_code_of_origin or None,
        "province_code_of_origin": None,
        "harmonized_system_code": item.harmonized_system_code or None,
        "tracked": item.tracked,
        "country_harmonized_system_codes": [],
    }


def inventory_level_json(world: World, level: InventoryLevel) -> JSON:
    item = world.items_by_id.get(level.inventory_item_id)
    untracked = item is not None and not item.tracked
    return {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "available": None if untracked else level.quantities.get("available", 0),
        "updated_at": rest_time(world, level.updated_at),
        "admin_graphql_api_id": (
            f"gid://shopify/InventoryLevel/{level.location_id}?inventory_item_id={level.inventory_item_id}"
        ),
    }


# --- Shopify Payments -----------------------------------------------------------------------------


def payout_json(world: World, payout: Payout) -> JSON:
    summary = {
        rest_key: money(payout.summary.get(graphql_key, ZERO), payout.currency)
        for rest_key, graphql_key in PAYOUT_SUMMARY_KEYS.items()
    }
    return {
        "id": payout.id,
        "status": payout.status.lower(),
        "date": payout.date.isoformat(),
        "currency": payout.currency,
        "amount": money(payout.net, payout.currency),
        "summary": summary,
    }


def balance_type_family(graphql_type: str) -> str:
    return BALANCE_TYPE_FAMILY.get(graphql_type, "adjustment")


def balance_source_type(graphql_source_type: str) -> str:
    return BALANCE_SOURCE_TYPE.get(graphql_source_type, graphql_source_type.lower())


def balance_transaction_json(world: World, txn: BalanceTransaction) -> JSON:
    return {
        "id": txn.id,
        "type": balance_type_family(txn.type),
        "test": txn.test,
        "payout_id": txn.payout_id,
        "payout_status": txn.payout_status.lower(),
        "currency": txn.currency,
        "amount": money(txn.amount, txn.currency),
        "fee": money(txn.fee, txn.currency),
        "net": money(txn.net, txn.currency),
        "source_id": txn.source_id,
        "source_type": balance_source_type(txn.source_type),
        "source_order_id": txn.source_order_id,
        "source_order_transaction_id": txn.source_order_transaction_id,
        "processed_at": rest_time(world, txn.processed_at),
    }


def _rest_date(world: World, day: dt.date | None) -> str | None:
    """A date field REST shows as a timestamp: ASSUMED UTC midnight in the shop's offset, which is
    what Shopify's own dispute fixtures show ("2013-07-03T19:00:00-04:00")."""
    if day is None:
        return None
    return rest_time(world, dt.datetime.combine(day, dt.time(0), dt.UTC))


def dispute_json(world: World, dispute: Dispute) -> JSON:
    return {
        "id": dispute.id,
        "order_id": dispute.order_id,
        "type": dispute.type.lower(),
        "amount": money(dispute.amount, dispute.currency),
        "currency": dispute.currency,
        "reason": dispute.reason.lower(),
        "network_reason_code": dispute.network_reason_code,
        "status": dispute.status.lower(),
        "evidence_due_by": _rest_date(world, dispute.evidence_due_by),
        "evidence_sent_on": _rest_date(world, dispute.evidence_sent_on),
        "finalized_on": _rest_date(world, dispute.finalized_on),
        "initiated_at": rest_time(world, dispute.initiated_at),
    }


def balance_json(world: World) -> JSON:
    """The Shopify Payments balance: what has not yet left in a payout, per currency.

    ASSUMED: the balance is the sum of every live balance transaction's net; each payout's
    TRANSFER row takes its amount back out, so only unpaid-out money remains.
    """
    totals: dict[str, Decimal] = {}
    for txn in world.balance_transactions:
        if txn.test:
            continue
        totals[txn.currency] = totals.get(txn.currency, ZERO) + txn.net
    if not totals:
        totals[world.shop.currency] = ZERO
    return {"balance": [{"currency": c, "amount": money(a, c)} for c, a in sorted(totals.items())]}


# --- the shop ------------------------------------------------------------------------------------


def shop_json(world: World, profile: ShopProfile) -> JSON:
    """`GET shop.json`'s `shop`, with the fields a real body carries (a 2022 one, checked against
    the current Shop resource docs); the deprecated `google_apps_*` and `county_taxes` included."""
    zone = shop_zone(world)
    offset = world.now.astimezone(zone).strftime("%z")
    return {
        "id": profile.id,
        "name": profile.name,
        "email": profile.email,
        "domain": profile.myshopify_domain,
        "province": None,
        "country": profile.country_code,
        "address1": profile.address1,
        "zip": profile.zip,
        "city": profile.city,
        "source": None,
        "phone": None,
        "latitude": None,
        "longitude": None,
        "primary_locale": "en",
        "address2": None,
        "created_at": rest_time(world, profile.created_at),
        "updated_at": rest_time(world, profile.updated_at),
        "country_code": profile.country_code,
        "country_name": _country(profile.country_code),
        "currency": profile.currency,
        "customer_email": profile.email,
        "timezone": f"(GMT{offset[:3]}:{offset[3:]}) {profile.iana_timezone}",
        "iana_timezone": profile.iana_timezone,
        "shop_owner": profile.name,
        "money_format": profile.money_format,
        "money_with_currency_format": profile.money_with_currency_format,
        "weight_unit": {"KILOGRAMS": "kg", "GRAMS": "g", "POUNDS": "lb", "OUNCES": "oz"}[profile.weight_unit],
        "province_code": None,
        "taxes_included": profile.taxes_included,
        "auto_configure_tax_inclusivity": None,
        "tax_shipping": None,
        "county_taxes": None,
        "plan_display_name": profile.plan_display_name,
        "plan_name": profile.plan_name,
        "has_discounts": True,
        "has_gift_cards": True,
        "myshopify_domain": profile.myshopify_domain,
        "google_apps_domain": None,
        "google_apps_login_enabled": None,
        "money_in_emails_format": profile.money_format,
        "money_with_currency_in_emails_format": profile.money_with_currency_format,
        "eligible_for_payments": True,
        "requires_extra_payments_agreement": False,
        "password_enabled": False,
        "has_storefront": True,
        "finances": True,
        "primary_location_id": profile.primary_location_id,
        "checkout_api_supported": False,
        "multi_location_enabled": True,
        "setup_required": False,
        "pre_launch_enabled": False,
        "enabled_presentment_currencies": list(profile.enabled_presentment_currencies),
        "transactional_sms_disabled": False,
        "marketing_sms_consent_enabled_at_checkout": False,
    }
