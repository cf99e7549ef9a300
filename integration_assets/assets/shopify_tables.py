"""Shopify's raw lake tables: orders split into their parts (lines, refunds, fulfillments,
transactions, shipping and tax lines), the catalogue's inventory items, locations and levels.

Orders are split rather than nested so that each part can be read with a plain scan; every part
carries its order id. Money is DECIMAL(18,2) in shop money, with the presentment amount beside it
where the customer paid in another currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa

from integration_assets.raw_tables import DECIMAL, MONEY, TIMESTAMP, col, table

SOURCE = "shopify"


def shop(bag: Any) -> Decimal | None:
    return bag.shop_money.amount if bag is not None else None


def presentment(bag: Any) -> Decimal | None:
    return bag.presentment_money.amount if bag is not None else None


def tax_total(tax_lines: list[Any]) -> Decimal:
    return sum((shop(t.price_set) for t in tax_lines), Decimal(0))


def rate(value: float | None) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


LOCATIONS = table(
    SOURCE,
    "locations",
    col("id", pa.int64()),
    col("name", pa.string()),
    col("is_active", pa.bool_()),
    col("fulfills_online_orders", pa.bool_()),
    col("city", pa.string()),
    col("zip", pa.string()),
    col("country_code", pa.string()),
    col("created_at", TIMESTAMP),
    col("updated_at", TIMESTAMP),
)
_LEVEL_COLUMNS = (
    col("location_id", pa.int64(), lambda pair: pair[0]),
    col("inventory_item_id", pa.int64(), lambda pair: pair[1].item_id),
    col("sku", pa.string(), lambda pair: pair[1].sku),
    *(
        col(name, pa.int64(), lambda pair, name=name: pair[1].quantities.get(name))
        for name in (
            "available",
            "on_hand",
            "committed",
            "reserved",
            "damaged",
            "safety_stock",
            "quality_control",
            "incoming",
        )
    ),
    col("updated_at", TIMESTAMP, lambda pair: pair[1].updated_at),
)
# Rows come from (location id, level) pairs.
INVENTORY_LEVELS = table(SOURCE, "inventory_levels", *_LEVEL_COLUMNS)
UNMAPPED_INVENTORY_LEVELS = table(SOURCE, "unmapped_inventory_levels", *_LEVEL_COLUMNS)

# Rows come from (item, variant) pairs: an inventory item normally has one variant.
INVENTORY_ITEMS = table(
    SOURCE,
    "inventory_items",
    col("id", pa.int64(), lambda pair: pair[0].id),
    col("sku", pa.string(), lambda pair: pair[0].sku),
    col("tracked", pa.bool_(), lambda pair: pair[0].tracked),
    col("requires_shipping", pa.bool_(), lambda pair: pair[0].requires_shipping),
    col("created_at", TIMESTAMP, lambda pair: pair[0].created_at),
    col("updated_at", TIMESTAMP, lambda pair: pair[0].updated_at),
    col("variant_id", pa.int64(), lambda pair: pair[1].id if pair[1] else None),
    col("variant_sku", pa.string(), lambda pair: pair[1].sku if pair[1] else None),
    col("product_id", pa.int64(), lambda pair: pair[1].product_id if pair[1] else None),
    col("product_title", pa.string(), lambda pair: pair[1].product_title if pair[1] else None),
    col("product_type", pa.string(), lambda pair: pair[1].product_type if pair[1] else None),
    col("preorder", pa.bool_(), lambda pair: pair[1].preorder if pair[1] else False),
)

ORDERS = table(
    SOURCE,
    "orders",
    col("id", pa.int64()),
    col("name", pa.string()),
    col("number", pa.int64()),
    col("created_at", TIMESTAMP),
    col("updated_at", TIMESTAMP),
    col("processed_at", TIMESTAMP),
    col("cancelled_at", TIMESTAMP),
    col("cancel_reason", pa.string()),
    col("closed_at", TIMESTAMP),
    col("test", pa.bool_()),
    col("edited", pa.bool_()),
    col("currency_code", pa.string()),
    col("presentment_currency_code", pa.string()),
    col("taxes_included", pa.bool_()),
    col("source_name", pa.string()),
    col("retail_location_id", pa.int64()),
    col("display_financial_status", pa.string()),
    col("display_fulfillment_status", pa.string()),
    col("total_price", MONEY, lambda o: shop(o.total_price_set)),
    col("total_price_presentment", MONEY, lambda o: presentment(o.total_price_set)),
    col("subtotal_price", MONEY, lambda o: shop(o.subtotal_price_set)),
    col("total_tax", MONEY, lambda o: shop(o.total_tax_set)),
    col("total_discounts", MONEY, lambda o: shop(o.total_discounts_set)),
    col("total_shipping_price", MONEY, lambda o: shop(o.total_shipping_price_set)),
    col("total_refunded", MONEY, lambda o: shop(o.total_refunded_set)),
    col("current_total_price", MONEY, lambda o: shop(o.current_total_price_set)),
    col("current_total_price_presentment", MONEY, lambda o: presentment(o.current_total_price_set)),
    col("current_subtotal_price", MONEY, lambda o: shop(o.current_subtotal_price_set)),
    col("current_total_tax", MONEY, lambda o: shop(o.current_total_tax_set)),
    col("current_total_discounts", MONEY, lambda o: shop(o.current_total_discounts_set)),
    col("current_shipping_price", MONEY, lambda o: shop(o.current_shipping_price_set)),
)
ORDER_LINE_ITEMS = table(
    SOURCE,
    "order_line_items",
    col("order_id", pa.int64(), lambda pair: pair[0].id),
    col("id", pa.int64(), lambda pair: pair[1].id),
    col("sku", pa.string(), lambda pair: pair[1].sku),
    col("name", pa.string(), lambda pair: pair[1].name),
    col("quantity", pa.int64(), lambda pair: pair[1].quantity),
    col("current_quantity", pa.int64(), lambda pair: pair[1].current_quantity),
    col("unfulfilled_quantity", pa.int64(), lambda pair: pair[1].unfulfilled_quantity),
    col("is_gift_card", pa.bool_(), lambda pair: pair[1].is_gift_card),
    col("requires_shipping", pa.bool_(), lambda pair: pair[1].requires_shipping),
    col("variant_id", pa.int64(), lambda pair: pair[1].variant_id),
    col("product_id", pa.int64(), lambda pair: pair[1].product_id),
    col("original_unit_price", MONEY, lambda pair: shop(pair[1].original_unit_price_set)),
    col("original_unit_price_presentment", MONEY, lambda pair: presentment(pair[1].original_unit_price_set)),
    col("discounted_total", MONEY, lambda pair: shop(pair[1].discounted_total_set)),
    col("total_discount", MONEY, lambda pair: shop(pair[1].total_discount_set)),
    col("total_tax", MONEY, lambda pair: tax_total(pair[1].tax_lines)),
)
ORDER_SHIPPING_LINES = table(
    SOURCE,
    "order_shipping_lines",
    col("order_id", pa.int64(), lambda pair: pair[0].id),
    col("id", pa.int64(), lambda pair: pair[1].id),
    col("title", pa.string(), lambda pair: pair[1].title),
    col("code", pa.string(), lambda pair: pair[1].code),
    col("original_price", MONEY, lambda pair: shop(pair[1].original_price_set)),
    col("discounted_price", MONEY, lambda pair: shop(pair[1].discounted_price_set)),
    col("total_tax", MONEY, lambda pair: tax_total(pair[1].tax_lines)),
)
# Rows come from (order, tax line) pairs: the order's tax by rate and title.
ORDER_TAX_LINES = table(
    SOURCE,
    "order_tax_lines",
    col("order_id", pa.int64(), lambda pair: pair[0].id),
    col("title", pa.string(), lambda pair: pair[1].title),
    col("rate", DECIMAL, lambda pair: rate(pair[1].rate)),
    col("amount", MONEY, lambda pair: shop(pair[1].price_set)),
    col("amount_presentment", MONEY, lambda pair: presentment(pair[1].price_set)),
)
# Rows come from (order, refund id or None, transaction) triples.
ORDER_TRANSACTIONS = table(
    SOURCE,
    "order_transactions",
    col("order_id", pa.int64(), lambda t: t[0].id),
    col("refund_id", pa.int64(), lambda t: t[1]),
    col("id", pa.int64(), lambda t: t[2].id),
    col("kind", pa.string(), lambda t: t[2].kind),
    col("status", pa.string(), lambda t: t[2].status),
    col("gateway", pa.string(), lambda t: t[2].gateway),
    col("test", pa.bool_(), lambda t: t[2].test),
    col("processed_at", TIMESTAMP, lambda t: t[2].processed_at),
    col("amount", MONEY, lambda t: shop(t[2].amount_set)),
    col("currency_code", pa.string(), lambda t: t[2].amount_set.shop_money.currency_code),
    col("amount_presentment", MONEY, lambda t: presentment(t[2].amount_set)),
    col("presentment_currency_code", pa.string(), lambda t: t[2].amount_set.presentment_money.currency_code),
    col("parent_transaction_id", pa.int64(), lambda t: t[2].parent_transaction_id),
)
ORDER_REFUNDS = table(
    SOURCE,
    "order_refunds",
    col("order_id", pa.int64(), lambda pair: pair[0].id),
    col("id", pa.int64(), lambda pair: pair[1].id),
    col("created_at", TIMESTAMP, lambda pair: pair[1].created_at),
    col("processed_at", TIMESTAMP, lambda pair: pair[1].processed_at),
    col("note", pa.string(), lambda pair: pair[1].note),
    col("total_refunded", MONEY, lambda pair: shop(pair[1].total_refunded_set)),
    col("total_refunded_presentment", MONEY, lambda pair: presentment(pair[1].total_refunded_set)),
)
# Rows come from (order, refund, refund line item) triples.
ORDER_REFUND_LINE_ITEMS = table(
    SOURCE,
    "order_refund_line_items",
    col("order_id", pa.int64(), lambda t: t[0].id),
    col("refund_id", pa.int64(), lambda t: t[1].id),
    col("line_item_id", pa.int64(), lambda t: t[2].line_item_id),
    col("sku", pa.string(), lambda t: t[2].sku),
    col("quantity", pa.int64(), lambda t: t[2].quantity),
    col("restock_type", pa.string(), lambda t: t[2].restock_type),
    col("location_id", pa.int64(), lambda t: t[2].location_id),
    col("subtotal", MONEY, lambda t: shop(t[2].subtotal_set)),
    col("total_tax", MONEY, lambda t: shop(t[2].total_tax_set)),
)
ORDER_FULFILLMENTS = table(
    SOURCE,
    "order_fulfillments",
    col("order_id", pa.int64(), lambda pair: pair[0].id),
    col("id", pa.int64(), lambda pair: pair[1].id),
    col("name", pa.string(), lambda pair: pair[1].name),
    col("status", pa.string(), lambda pair: pair[1].status),
    col("created_at", TIMESTAMP, lambda pair: pair[1].created_at),
    col("updated_at", TIMESTAMP, lambda pair: pair[1].updated_at),
    col("location_id", pa.int64(), lambda pair: pair[1].location_id),
    col(
        "tracking_company",
        pa.string(),
        lambda pair: pair[1].tracking_info[0].company if pair[1].tracking_info else None,
    ),
    col(
        "tracking_number", pa.string(), lambda pair: pair[1].tracking_info[0].number if pair[1].tracking_info else None
    ),
    col("tracking_url", pa.string(), lambda pair: pair[1].tracking_info[0].url if pair[1].tracking_info else None),
)
ORDER_FULFILLMENT_LINE_ITEMS = table(
    SOURCE,
    "order_fulfillment_line_items",
    col("order_id", pa.int64(), lambda t: t[0].id),
    col("fulfillment_id", pa.int64(), lambda t: t[1].id),
    col("id", pa.int64(), lambda t: t[2].id),
    col("line_item_id", pa.int64(), lambda t: t[2].line_item_id),
    col("sku", pa.string(), lambda t: t[2].sku),
    col("quantity", pa.int64(), lambda t: t[2].quantity),
)


def order_parts(orders: list[Any]) -> dict[Any, list[Any]]:
    """Each order table and the records it is built from."""
    refund_txn_ids = {t.id for o in orders for r in o.refunds for t in r.transactions}
    return {
        ORDERS: orders,
        ORDER_LINE_ITEMS: [(o, li) for o in orders for li in o.line_items],
        ORDER_SHIPPING_LINES: [(o, sl) for o in orders for sl in o.shipping_lines],
        ORDER_TAX_LINES: [(o, tl) for o in orders for tl in o.tax_lines],
        ORDER_TRANSACTIONS: [(o, None, t) for o in orders for t in o.transactions if t.id not in refund_txn_ids]
        + [(o, r.id, t) for o in orders for r in o.refunds for t in r.transactions],
        ORDER_REFUNDS: [(o, r) for o in orders for r in o.refunds],
        ORDER_REFUND_LINE_ITEMS: [(o, r, rli) for o in orders for r in o.refunds for rli in r.refund_line_items],
        ORDER_FULFILLMENTS: [(o, f) for o in orders for f in o.fulfillments],
        ORDER_FULFILLMENT_LINE_ITEMS: [
            (o, f, fli) for o in orders for f in o.fulfillments for fli in f.fulfillment_line_items
        ],
    }
