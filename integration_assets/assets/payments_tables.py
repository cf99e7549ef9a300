"""Shopify Payments raw lake tables: payouts with their summary, and balance transactions."""

from __future__ import annotations

import pyarrow as pa

from integration_assets.raw_tables import MONEY, TIMESTAMP, col, table

SOURCE = "shopify_payments"
SUMMARY_FIELDS = (
    "charges_gross",
    "charges_fee",
    "refunds_fee_gross",
    "refunds_fee",
    "adjustments_gross",
    "adjustments_fee",
    "reserved_funds_gross",
    "reserved_funds_fee",
    "retried_payouts_gross",
    "retried_payouts_fee",
    "advance_gross",
    "advance_fees",
)

PAYOUTS = table(
    SOURCE,
    "payouts",
    col("id", pa.int64()),
    col("issued_at", TIMESTAMP),
    col("status", pa.string()),
    col("transaction_type", pa.string()),
    col("external_trace_id", pa.string()),
    col("net", MONEY, lambda p: p.net.amount),
    col("currency_code", pa.string(), lambda p: p.net.currency_code),
    *(col(name, MONEY, lambda p, name=name: getattr(p.summary, name).amount) for name in SUMMARY_FIELDS),
)
BALANCE_TRANSACTIONS = table(
    SOURCE,
    "balance_transactions",
    col("id", pa.int64()),
    col("type", pa.string()),
    col("source_type", pa.string()),
    col("test", pa.bool_()),
    col("amount", MONEY, lambda b: b.amount.amount),
    col("fee", MONEY, lambda b: b.fee.amount),
    col("net", MONEY, lambda b: b.net.amount),
    col("currency_code", pa.string(), lambda b: b.amount.currency_code),
    col("source_id", pa.int64()),
    col("source_order_transaction_id", pa.int64()),
    col("adjustment_reason", pa.string()),
    col("transaction_date", TIMESTAMP),
    col("associated_order_id", pa.int64()),
    col("associated_order_name", pa.string()),
    col("associated_payout_id", pa.int64()),
    col("associated_payout_status", pa.string()),
)
