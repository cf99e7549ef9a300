"""Checks on the reconciliation models: they read the modelled tables (DuckDB, read-only, in the pool
`duckdb` so they queue behind the writers) and report counts by type, the numbers compared side by
side, and the worst 20 rows.

None is blocking. What they find is exactly what `reconciliation.exceptions` (downstream) records with
an owner and an SLA; blocking would stop that table from recording it, and DESIGN.md wants failed
checks reported, not crashes. WARN results reach people through our own sensor over check evaluations.

| check | on | judges | fails |
|---|---|---|---|
| stock_parity | reconciliation/stock_parity | the as-of date | WARN on any drift, ERROR past PARITY_MAX_DRIFT_* |
| sku_consistency | reconciliation/sku_consistency | the as-of date | WARN on any sku_* or tracking_disabled |
| location_mapping | reconciliation/location_health | the as-of date | ERROR on any unmapped_location |
| order_lifecycle | reconciliation/order_lifecycle | each date (order created) | WARN on any lifecycle exception |
| restock_mismatch | reconciliation/order_restocks | each date (order created) | WARN on any ghost stock |
| payout_matching | reconciliation/payout_matching | each date (payout date) | WARN on any payout_unmatched_charge |
| exceptions_within_sla | reconciliation/exceptions | the as-of date, now | WARN on any exception past its SLA |

Current-state models (stock, SKUs, locations) are judged at the run's last date, the as-of date
(DESIGN.md "As-of time"); dated findings (orders, payouts) at every date of the run.
"""

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import dagster as dg
import duckdb

from integration_assets.checks.check_sql import check_rows
from integration_assets.checks.evaluation import (
    ERROR,
    WARN,
    Outcome,
    as_of_date,
    counts_metadata,
    evaluations,
    partitioned_check,
    worst_rows,
)
from integration_assets.jobs import RECONCILIATION_EXCEPTIONS
from integration_assets.partitions import daily_partitions
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import Warehouse

POOL = "duckdb"
OPEN_ATTEMPTS = 6


def open_read_only(warehouse: WarehouseResource) -> Warehouse:
    """A read-only connection. Within Dagster the pool keeps writers away; a writer outside it (a
    notebook, `build_warehouse`) holds the file's lock, so wait a little before giving up."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return warehouse.open(read_only=True)
        except duckdb.IOException:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


# --- stock parity --------------------------------------------------------------------------------


def stock_parity_outcome(wh: Warehouse, date: str, max_drift_rows: int, max_drift_units: int) -> Outcome:
    """WARN on any drift; ERROR when the drifted rows or the absolute drifted units pass their bounds."""
    (compared,) = check_rows(wh, "stock_parity_compared", date=date)
    drifted = check_rows(wh, "stock_parity_drift", date=date)
    rows_compared = int(compared["n"])
    drift_rows = len(drifted)
    drift_units = sum(abs(int(r["drift_units"])) for r in drifted)
    metadata: dict[str, Any] = {
        "as_of_date": date,
        "rows_compared": rows_compared,
        "drift_rows": drift_rows,
        "max_drift_rows": max_drift_rows,
        "drift_units": drift_units,
        "max_drift_units": max_drift_units,
        "net_drift_units": sum(int(r["drift_units"]) for r in drifted),
        **counts_metadata({"stock_parity_drift": drift_rows} if drift_rows else {}),
        "drift_by_reason": dg.MetadataValue.json(dict(sorted(Counter(r["reason"] for r in drifted).items()))),
        "drift_by_location": dg.MetadataValue.json(dict(sorted(Counter(r["location_key"] for r in drifted).items()))),
        "worst_rows": worst_rows(drifted),
    }
    if rows_compared == 0:
        return Outcome(False, f"no stock compared on {date}: no snapshots are filed under this date", WARN, metadata)
    if not drift_rows:
        return Outcome(True, f"{rows_compared} SKU-locations compared on {date}, none drifted", metadata=metadata)
    found = f"{drift_rows} of {rows_compared} SKU-locations drifted by {drift_units} units on {date}"
    if drift_rows > max_drift_rows or drift_units > max_drift_units:
        bounds = f"(ERROR above {max_drift_rows} rows or {max_drift_units} units)"
        return Outcome(False, f"{found} {bounds}", ERROR, metadata)
    return Outcome(False, found, WARN, metadata)


@partitioned_check(
    asset=dg.AssetKey(["reconciliation", "stock_parity"]),
    name="stock_parity",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Shopify available = Mintsoft available - safety buffer at every mapped warehouse, on the run's as-of "
        "date. WARN on any drift; ERROR (not blocking: the exceptions table must still record the drift) past "
        "PARITY_MAX_DRIFT_ROWS (default 25) drifted SKU-locations or PARITY_MAX_DRIFT_UNITS (default 250) units."
    ),
)
def stock_parity(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    date = as_of_date(context)
    with open_read_only(warehouse) as wh:
        outcome = stock_parity_outcome(wh, date, warehouse.parity_max_drift_rows, warehouse.parity_max_drift_units)
    yield from evaluations(context, {date: outcome}, sql_seconds=wh.sql_seconds)


# --- findings tables: one row per finding, with a type column ------------------------------------


def findings_outcome(
    rows: list[dict[str, Any]],
    relation: str,
    type_column: str = "exception_type",
    severity: dg.AssetCheckSeverity = WARN,
    label: str = "",
) -> Outcome:
    """Counts by type of the findings read from a model (its rows, worst first); any finding fails."""
    counts = Counter(str(r[type_column]) for r in rows)
    metadata: dict[str, Any] = {
        "findings": len(rows),
        "max_findings": 0,
        **counts_metadata(counts),
        "worst_rows": worst_rows(rows),
    }
    if not rows:
        return Outcome(True, f"no findings in {relation}{label}", metadata=metadata)
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    findings = f"{len(rows)} finding{'s' if len(rows) != 1 else ''}"
    return Outcome(False, f"{findings} in {relation}{label}: {listed}", severity, metadata)


@partitioned_check(
    asset=dg.AssetKey(["reconciliation", "sku_consistency"]),
    name="sku_consistency",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "No SKU disagreements between Shopify, Mintsoft and Inventory Planner as of the run's last date: "
        "sku_missing_in_mintsoft, sku_missing_in_shopify, sku_missing_in_inventory_planner, sku_duplicate, "
        "tracking_disabled. WARN with counts by type and the rows."
    ),
)
def sku_consistency(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    date = as_of_date(context)
    with open_read_only(warehouse) as wh:
        rows = check_rows(wh, "sku_consistency_findings")
        outcome = findings_outcome(rows, "reconciliation.sku_consistency", label=f" as of {date}")
    yield from evaluations(context, {date: outcome}, sql_seconds=wh.sql_seconds)


@partitioned_check(
    asset=dg.AssetKey(["reconciliation", "location_health"]),
    name="location_mapping",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Every Shopify location and Mintsoft warehouse that holds stock or has orders is in locations.csv, as "
        "of the run's last date. ERROR (not blocking) on any unmapped_location: an unmapped location's stock "
        "and orders are invisible to every other check, so their passes are incomplete until it is mapped."
    ),
)
def location_mapping(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    date = as_of_date(context)
    with open_read_only(warehouse) as wh:
        rows = check_rows(wh, "location_mapping_findings")
        outcome = findings_outcome(rows, "reconciliation.location_health", severity=ERROR, label=f" as of {date}")
    yield from evaluations(context, {date: outcome}, sql_seconds=wh.sql_seconds)


def order_lifecycle_outcome(wh: Warehouse, date: str) -> Outcome:
    """The lifecycle exceptions of the orders created on `date` (shop day), counted by type."""
    rows = check_rows(wh, "order_lifecycle_findings", date=date)
    outcome = findings_outcome(rows, "reconciliation.order_lifecycle", label=f" for orders created on {date}")
    (orders,) = check_rows(wh, "order_lifecycle_orders", date=date)
    return Outcome(
        outcome.passed,
        outcome.description,
        outcome.severity,
        {"orders_checked": int(orders["n"]), **outcome.metadata},
    )


@partitioned_check(
    asset=dg.AssetKey(["reconciliation", "order_lifecycle"]),
    name="order_lifecycle",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Each Shopify order agrees with its Mintsoft picking copies, for the orders created on each date of the "
        "run: cancelled_but_despatched, duplicate_despatch, order_edit_after_pick, despatched_not_fulfilled "
        "(past DESPATCH_WINDOW_HOURS), fulfilled_before_despatch. WARN with counts by type and the orders."
    ),
)
def order_lifecycle(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcomes = {date: order_lifecycle_outcome(wh, date) for date in context.partition_keys}
    yield from evaluations(context, outcomes, sql_seconds=wh.sql_seconds)


@partitioned_check(
    asset=dg.AssetKey(["reconciliation", "order_restocks"]),
    name="restock_mismatch",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Every refund line Shopify restocked as RETURN was received back by the warehouse (a Mintsoft return of "
        "that order), for the orders created on each date of the run. WARN on ghost stock, worst first by units."
    ),
)
def restock_mismatch(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcomes = {
            date: findings_outcome(
                check_rows(wh, "restock_mismatch_findings", date=date),
                "reconciliation.order_restocks",
                label=f" for orders created on {date}",
            )
            for date in context.partition_keys
        }
    yield from evaluations(context, outcomes, sql_seconds=wh.sql_seconds)


def payout_matching_outcome(wh: Warehouse, date: str) -> Outcome:
    """Payouts of `date` with a CHARGE or REFUND matching no Shopify order or refund: one
    payout_unmatched_charge per payout, with every unmatched transaction listed."""
    unmatched = check_rows(wh, "payout_matching_unmatched", date=date)
    (checked,) = check_rows(wh, "payout_matching_checked", date=date)
    payouts = len({r["payout_id"] for r in unmatched})
    metadata: dict[str, Any] = {
        "payouts_checked": int(checked["payouts"]),
        "transactions_checked": int(checked["transactions"]),
        "unmatched_transactions": len(unmatched),
        # Money stays Decimal: shown as its exact text, never as a float.
        "unmatched_amount": str(sum((abs(r["amount"]) for r in unmatched), Decimal(0))),
        "max_findings": 0,
        **counts_metadata({"payout_unmatched_charge": payouts} if payouts else {}),
        "worst_rows": worst_rows(unmatched),
    }
    if not unmatched:
        return Outcome(True, f"every charge and refund of {date}'s payouts matches an order", metadata=metadata)
    found = f"{len(unmatched)} unmatched transactions in {payouts} payout{'s' if payouts != 1 else ''} of {date}"
    return Outcome(False, found, WARN, metadata)


@partitioned_check(
    asset=dg.AssetKey(["reconciliation", "payout_matching"]),
    name="payout_matching",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Every CHARGE and REFUND balance transaction of the payouts dated to each date of the run matches a "
        "Shopify order or refund. WARN per payout with unmatched money (payout_unmatched_charge), largest first."
    ),
)
def payout_matching(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcomes = {date: payout_matching_outcome(wh, date) for date in context.partition_keys}
    yield from evaluations(context, outcomes, sql_seconds=wh.sql_seconds)


# --- the exceptions register --------------------------------------------------------------------


def exceptions_within_sla_outcome(wh: Warehouse, now: dt.datetime) -> Outcome:
    """The other checks say what disagrees; this one says what nobody has fixed in time: every open
    exception past its due_at (first seen + its owner's SLA) at `now`, counted by owner and type."""
    overdue = check_rows(wh, "exceptions_overdue", now=now.isoformat())
    open_by_owner = {r["owner"]: int(r["open"]) for r in check_rows(wh, "exceptions_open")}
    by_owner = Counter(str(r["owner"]) for r in overdue)
    metadata: dict[str, Any] = {
        "checked_at": now.isoformat(timespec="seconds"),
        "open": sum(open_by_owner.values()),
        "open_by_owner": dg.MetadataValue.json(open_by_owner),
        "overdue": len(overdue),
        "overdue_by_owner": dg.MetadataValue.json(dict(sorted(by_owner.items()))),
        "max_overdue": 0,
        **counts_metadata(Counter(str(r["type"]) for r in overdue)),
        "worst_rows": worst_rows(overdue),
    }
    if not overdue:
        return Outcome(True, f"{metadata['open']} open exceptions, none past its owner's SLA", metadata=metadata)
    owners = ", ".join(f"{owner} {n}" for owner, n in sorted(by_owner.items()))
    worst = overdue[0]
    found = (
        f"{len(overdue)} exception{'s' if len(overdue) != 1 else ''} past the owner's SLA ({owners}); longest: "
        f"{worst['type']} owned by {worst['owner']}, {worst['hours_overdue']} h overdue"
    )
    return Outcome(False, found, WARN, metadata)


@partitioned_check(
    asset=RECONCILIATION_EXCEPTIONS,
    name="exceptions_within_sla",
    partitions_def=daily_partitions,
    blocking=False,
    pool=POOL,
    description=(
        "Every open exception in the register is within its owner's SLA (seeds/exception_owners.csv: due_at = "
        "first seen + sla_hours), judged at the check's clock on the run's last date. WARN with the overdue "
        "exceptions by owner and type, longest overdue first, so an unfixed disagreement reaches its owner again."
    ),
)
def exceptions_within_sla(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator:
    with open_read_only(warehouse) as wh:
        outcome = exceptions_within_sla_outcome(wh, dt.datetime.now(dt.UTC))
    yield from evaluations(context, {as_of_date(context): outcome}, sql_seconds=wh.sql_seconds)


checks = [
    stock_parity,
    sku_consistency,
    location_mapping,
    order_lifecycle,
    restock_mismatch,
    payout_matching,
    exceptions_within_sla,
]
