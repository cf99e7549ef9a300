"""Checks on the finance models: the invariants a finance lead relies on before a journal reaches the
ledger (api-notes/payouts-ledger.md section 4). They read DuckDB read-only in the pool `duckdb`.

- journal_balanced (finance/journals, each date's payout and sales journals): ERROR and blocking,
  an unbalanced journal is never exported (J1).
- payout_ties_to_bank (finance/payout_reconciliation, each date): ERROR when the transactions, the
  TRANSFER row or the bank line differ from the payout's net (P2, J2); WARN when a journal's rounding
  passes one minor unit per order it recognised (J3).
- refunds_within_capture (finance/payout_reconciliation, each date): WARN on an order refunded beyond
  what was captured (O3).
- paid_out_within (finance/awaiting_payout, the as-of date): WARN on card payments no payout settled
  within PAYOUT_MAX_BUSINESS_DAYS (O5).
- paid_within (finance/awaiting_payment, the as-of date): WARN on orders their customers have owed
  for more than CUSTOMER_PAYMENT_MAX_DAYS (a bank transfer that never came, terms run out).

Money in metadata is the exact decimal text, never a float.
"""

import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import dagster as dg

from integration_assets.checks.check_sql import check_rows
from integration_assets.checks.evaluation import (
    ERROR,
    WARN,
    Outcome,
    as_of_date,
    evaluations,
    partitioned_check,
    worst_rows,
)
from integration_assets.checks.reconciliation import POOL, open_read_only
from integration_assets.partitions import daily_partitions
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import Warehouse

PAYOUT_MAX_BUSINESS_DAYS = 5  # UK pay period (3 business days) plus two days' grace before it is news
CUSTOMER_PAYMENT_MAX_DAYS = 30  # net 30, the common terms; CUSTOMER_PAYMENT_MAX_DAYS in the environment


def _total(rows: list[dict[str, Any]], column: str) -> str:
    return str(sum((Decimal(r[column]) for r in rows if r[column] is not None), Decimal(0)))


def journal_balanced_outcome(wh: Warehouse, date: str) -> Outcome:
    """J1: every journal of the date (its payouts' and its sales journal) has debits == credits to
    the minor unit, no zero lines and no line without an account."""
    journals = check_rows(wh, "journal_balanced", date=date)
    unbalanced = [j for j in journals if not j["is_balanced"]]
    metadata: dict[str, Any] = {
        "journals_checked": len(journals),
        "journals_unbalanced": len(unbalanced),
        "total_debit": _total(journals, "total_debit"),
        "total_credit": _total(journals, "total_credit"),
        "worst_rows": worst_rows(unbalanced),
    }
    if unbalanced:
        names = ", ".join(j["journal_id"] for j in unbalanced)
        return Outcome(False, f"{len(unbalanced)} unbalanced journals on {date}: {names}", ERROR, metadata)
    return Outcome(True, f"{len(journals)} journals of {date} balance to the minor unit", metadata=metadata)


@partitioned_check(
    asset=dg.AssetKey(["finance", "journals"]),
    name="journal_balanced",
    partitions_def=daily_partitions,
    blocking=True,
    pool=POOL,
    description=(
        "Every journal of each date of the run (payouts' and the sales journal) balances: debits == credits "
        "to the minor unit, no zero line, every line has an account. ERROR and blocking: an unbalanced "
        "journal is never exported."
    ),
)
def journal_balanced(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcomes = {date: journal_balanced_outcome(wh, date) for date in context.partition_keys}
    yield from evaluations(context, outcomes, sql_seconds=wh.sql_seconds)


def payout_ties_to_bank_outcome(wh: Warehouse, date: str) -> Outcome:
    """P2 and J2: each payout's transactions sum to its net, its TRANSFER row is minus the net, and
    its journal's bank line equals the net Shopify serves (what the bank deposit must match)."""
    payouts = check_rows(wh, "payout_ties_to_bank", date=date)
    off = [p for p in payouts if not (p["transactions_sum_to_net"] and p["transfer_equals_net"] and p["ties_to_bank"])]
    rounding = check_rows(wh, "payout_rounding", date=date)
    metadata: dict[str, Any] = {
        "payouts_checked": len(payouts),
        "payouts_not_tied": len(off),
        "payouts_net": _total(payouts, "net"),
        "bank_lines": _total(payouts, "bank_amount"),
        "journals_rounding_over_tolerance": len(rounding),
        "worst_rows": worst_rows(off or rounding),
    }
    if off:
        names = ", ".join(str(p["payout_id"]) for p in off)
        return Outcome(False, f"{len(off)} payouts of {date} do not tie to the bank: {names}", ERROR, metadata)
    if rounding:
        names = ", ".join(f"{r['journal_id']} ({r['rounding']})" for r in rounding)
        found = f"rounding over one minor unit per order in {len(rounding)} journals of {date}: {names}"
        return Outcome(False, found, WARN, metadata)
    return Outcome(True, f"{len(payouts)} payouts of {date} tie to their net and bank line", metadata=metadata)


@partitioned_check(
    asset=dg.AssetKey(["finance", "payout_reconciliation"]),
    name="payout_ties_to_bank",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Each payout of each date: its balance transactions sum to its net, its TRANSFER row is minus the net, "
        "and its journal's bank line equals the net Shopify serves (the deposit to match). ERROR per payout off; "
        "WARN when a journal's rounding passes one minor unit per order it recognised."
    ),
)
def payout_ties_to_bank(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcomes = {date: payout_ties_to_bank_outcome(wh, date) for date in context.partition_keys}
    yield from evaluations(context, outcomes, sql_seconds=wh.sql_seconds)


def refunds_within_capture_outcome(wh: Warehouse, date: str) -> Outcome:
    """O3: for every order refunded in the date's payouts, Shopify Payments refunds so far do not
    exceed its Shopify Payments captures."""
    orders = check_rows(wh, "refunds_within_capture", date=date)
    over = [o for o in orders if o["refunded"] > o["captured"]]
    metadata: dict[str, Any] = {
        "orders_checked": len(orders),
        "orders_over_refunded": len(over),
        "worst_rows": worst_rows(over),
    }
    if over:
        return Outcome(False, f"{len(over)} orders refunded beyond their capture in {date}'s payouts", WARN, metadata)
    return Outcome(True, f"{len(orders)} refunded orders of {date}'s payouts within capture", metadata=metadata)


@partitioned_check(
    asset=dg.AssetKey(["finance", "payout_reconciliation"]),
    name="refunds_within_capture",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Every order refunded in each date's payouts has Shopify Payments refunds no larger than its Shopify "
        "Payments captures. WARN with the orders over."
    ),
)
def refunds_within_capture(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcomes = {date: refunds_within_capture_outcome(wh, date) for date in context.partition_keys}
    yield from evaluations(context, outcomes, sql_seconds=wh.sql_seconds)


def paid_out_within_outcome(wh: Warehouse, date: str, max_business_days: int) -> Outcome:
    """O5: card payments no payout has settled, past their expected payout date by more than the grace."""
    late = check_rows(wh, "paid_out_late", days_late=max_business_days - 3)
    (waiting,) = check_rows(wh, "awaiting_payout_totals")
    metadata: dict[str, Any] = {
        "as_of_date": date,
        "awaiting_payout": int(waiting["n"]),
        "awaiting_amount": str(waiting["amount"]),
        "late_payments": len(late),
        "late_amount": _total(late, "amount"),
        "max_business_days": max_business_days,
        "worst_rows": worst_rows(late),
    }
    if late:
        found = f"{len(late)} card payments not paid out within {max_business_days} business days as of {date}"
        return Outcome(False, found, WARN, metadata)
    return Outcome(True, f"every card payment paid out within {max_business_days} business days", metadata=metadata)


@partitioned_check(
    asset=dg.AssetKey(["finance", "awaiting_payout"]),
    name="paid_out_within",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        f"Every successful Shopify Payments payment is in a payout within {PAYOUT_MAX_BUSINESS_DAYS} business "
        "days of its UTC capture day, as of the run's last date. WARN with the late payments, oldest first."
    ),
)
def paid_out_within(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    date = as_of_date(context)
    with open_read_only(warehouse) as wh:
        outcome = paid_out_within_outcome(wh, date, PAYOUT_MAX_BUSINESS_DAYS)
    yield from evaluations(context, {date: outcome}, sql_seconds=wh.sql_seconds)


def paid_within_outcome(wh: Warehouse, date: str, max_days: int) -> Outcome:
    """Orders owed by their customers for longer than the terms allow, as of the run's last date."""
    overdue = check_rows(wh, "payment_overdue", max_days=max_days)
    (owed,) = check_rows(wh, "awaiting_payment_totals")
    metadata: dict[str, Any] = {
        "as_of_date": date,
        "owed_orders": int(owed["n"]),
        "owed_amount": str(owed["amount"]),
        "overdue_orders": len(overdue),
        "overdue_amount": _total(overdue, "owed"),
        "max_days": max_days,
        "worst_rows": worst_rows(overdue),
    }
    if overdue:
        found = f"{len(overdue)} orders owed by their customers for more than {max_days} days as of {date}"
        return Outcome(False, found, WARN, metadata)
    return Outcome(True, f"no order owed for more than {max_days} days", metadata=metadata)


@partitioned_check(
    asset=dg.AssetKey(["finance", "awaiting_payment"]),
    name="paid_within",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "No order is owed by its customer (PENDING or PARTIALLY_PAID: a manual payment, a bank transfer, "
        f"payment terms) for more than CUSTOMER_PAYMENT_MAX_DAYS ({CUSTOMER_PAYMENT_MAX_DAYS}) days, as of the "
        "run's last date. WARN with the overdue orders, the longest owed first."
    ),
)
def paid_within(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    date = as_of_date(context)
    max_days = int(os.environ.get("CUSTOMER_PAYMENT_MAX_DAYS", str(CUSTOMER_PAYMENT_MAX_DAYS)))
    with open_read_only(warehouse) as wh:
        outcome = paid_within_outcome(wh, date, max_days)
    yield from evaluations(context, {date: outcome}, sql_seconds=wh.sql_seconds)


checks = [journal_balanced, payout_ties_to_bank, refunds_within_capture, paid_out_within, paid_within]
