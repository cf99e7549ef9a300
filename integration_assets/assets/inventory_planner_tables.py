"""Inventory Planner's raw lake tables: warehouses, variants, and each variant's per-warehouse metrics."""

from __future__ import annotations

import pyarrow as pa

from integration_assets.raw_tables import DECIMAL, MONEY, col, table

SOURCE = "inventory_planner"

WAREHOUSES = table(
    SOURCE,
    "warehouses",
    col("id", pa.string()),
    col("name", pa.string()),
    col("display_name", pa.string()),
    col("disabled", pa.bool_()),
    col("connection", pa.string()),
    col("currency", pa.string()),
)
VARIANTS = table(
    SOURCE,
    "variants",
    col("id", pa.string()),
    col("sku", pa.string()),
    col("title", pa.string()),
    col("barcode", pa.string()),
    col("connection_sku", pa.string(), lambda v: v.connections[0].sku if v.connections else None),
    col("removed", pa.bool_(), lambda v: v.connections[0].removed if v.connections else None),
    col("regular_price", MONEY),
    col("cost_price", MONEY),
    col("in_stock", pa.int64()),
    col("replenishment", pa.int64()),
    col("to_order", pa.int64()),
)
# Rows come from (variant, warehouse metrics) pairs.
VARIANT_WAREHOUSES = table(
    SOURCE,
    "variant_warehouses",
    col("variant_id", pa.string(), lambda pair: pair[0].id),
    col("sku", pa.string(), lambda pair: pair[0].sku),
    col("warehouse", pa.string(), lambda pair: pair[1].warehouse),
    col("in_stock", pa.int64(), lambda pair: pair[1].in_stock),
    col("in_transit", pa.int64(), lambda pair: pair[1].in_transit),
    col("lead_time", pa.int64(), lambda pair: pair[1].lead_time),
    col("review_period", pa.int64(), lambda pair: pair[1].review_period),
    col("minimum_stock", pa.int64(), lambda pair: pair[1].minimum_stock),
    col("last_7_days_sales", pa.int64(), lambda pair: pair[1].last_7_days_sales),
    col("last_30_days_sales", pa.int64(), lambda pair: pair[1].last_30_days_sales),
    col("cur_sales", DECIMAL, lambda pair: pair[1].cur_sales),
    col("replenishment", pa.int64(), lambda pair: pair[1].replenishment),
    col("to_order", pa.int64(), lambda pair: pair[1].to_order),
)
