"""Mintsoft's raw lake tables (the API's fields, typed; customer data left out)."""

from __future__ import annotations

import pyarrow as pa

from integration_assets.raw_tables import DECIMAL, MONEY, TIMESTAMP, col, table

SOURCE = "mintsoft"

WAREHOUSES = table(
    SOURCE,
    "warehouses",
    col("id", pa.int64()),
    col("name", pa.string()),
    col("code", pa.string()),
    col("active", pa.bool_()),
    col("type", pa.string()),
    col("city", pa.string()),
    col("post_code", pa.string()),
    col("last_updated", TIMESTAMP),
)
PRODUCTS = table(
    SOURCE,
    "products",
    col("id", pa.int64()),
    col("sku", pa.string()),
    col("name", pa.string()),
    col("ean", pa.string()),
    col("bundle", pa.bool_()),
    col("discontinued", pa.bool_()),
    col("price", MONEY),
    col("cost_price", MONEY),
    col("weight", DECIMAL),
    col("last_updated", TIMESTAMP),
)
# One row per (bundle, component); rows come from (bundle, component) pairs.
BUNDLE_COMPONENTS = table(
    SOURCE,
    "bundle_components",
    col("bundle_product_id", pa.int64(), lambda pair: pair[0].id),
    col("bundle_sku", pa.string(), lambda pair: pair[0].sku),
    col("component_product_id", pa.int64(), lambda pair: pair[1].product_id),
    col("component_sku", pa.string(), lambda pair: pair[1].sku),
    col("quantity", pa.int64(), lambda pair: pair[1].quantity),
)
INVENTORY = table(
    SOURCE,
    "inventory",
    col("id", pa.int64()),
    col("product_id", pa.int64()),
    col("sku", pa.string()),
    col("warehouse_id", pa.int64()),
    col("warehouse_name", pa.string()),
    col("on_hand", pa.int64()),
    col("allocated", pa.int64()),
    col("in_quarantine", pa.int64()),
    col("available", pa.int64()),
    col("stock_level", pa.int64()),
    col("on_order", pa.int64()),
    col("in_transit", pa.int64()),
    col("last_updated", TIMESTAMP),
)
ORDERS = table(
    SOURCE,
    "orders",
    col("id", pa.int64()),
    col("order_number", pa.string()),
    col("external_order_reference", pa.string()),
    col("order_status_id", pa.int64()),
    col("warehouse_id", pa.int64()),
    col("order_date", TIMESTAMP),
    col("despatch_date", TIMESTAMP),
    col("courier_service_name", pa.string()),
    col("tracking_number", pa.string()),
    col("tracking_url", pa.string()),
    col("total_items", pa.int64()),
    col("order_value", MONEY),
    col("currency_code", pa.string(), lambda o: o.currency.code if o.currency else None),
    col("channel_name", pa.string(), lambda o: o.channel.name if o.channel else None),
    col("last_updated", TIMESTAMP),
)
# Rows come from (order, item) pairs.
ORDER_ITEMS = table(
    SOURCE,
    "order_items",
    col("order_id", pa.int64(), lambda pair: pair[0].id),
    col("id", pa.int64(), lambda pair: pair[1].id),
    col("product_id", pa.int64(), lambda pair: pair[1].product_id),
    col("sku", pa.string(), lambda pair: pair[1].sku),
    col("quantity", pa.int64(), lambda pair: pair[1].quantity),
    col("allocated", pa.int64(), lambda pair: pair[1].allocated),
    col("price", MONEY, lambda pair: pair[1].price),
)
RETURNS = table(
    SOURCE,
    "returns",
    col("id", pa.int64()),
    col("order_id", pa.int64()),
    col("order_number", pa.string()),
    col("reference", pa.string()),
    col("confirmed", pa.bool_()),
    col("refunded", pa.bool_()),
    col("last_updated", TIMESTAMP),
)
RETURN_ITEMS = table(
    SOURCE,
    "return_items",
    col("return_id", pa.int64(), lambda pair: pair[0].id),
    col("id", pa.int64(), lambda pair: pair[1].id),
    col("product_id", pa.int64(), lambda pair: pair[1].product_id),
    col("sku", pa.string(), lambda pair: pair[1].sku),
    col("quantity", pa.int64(), lambda pair: pair[1].quantity),
    col("returned_to_stock", pa.bool_(), lambda pair: pair[1].returned_to_stock),
)
