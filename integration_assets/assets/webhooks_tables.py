"""The webhook events raw lake table: one row per accepted delivery, the raw body kept byte-exact."""

from __future__ import annotations

import pyarrow as pa

from integration_assets.raw_tables import TIMESTAMP, col, table

SOURCE = "shopify_webhooks"

EVENTS = table(
    SOURCE,
    "events",
    col("webhook_id", pa.string()),
    col("event_id", pa.string()),
    col("topic", pa.string()),
    col("shop_domain", pa.string()),
    col("api_version", pa.string()),
    col("triggered_at", TIMESTAMP),
    col("received_at", TIMESTAMP),
    col("file_name", pa.string()),
    col("order_id", pa.int64()),
    col("inventory_item_id", pa.int64()),
    col("location_id", pa.int64()),
    col("record_id", pa.int64()),
    col("record_time", TIMESTAMP),
    col("body", pa.string()),
)
