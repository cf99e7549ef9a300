"""The operator's master data for a simulated world, written as the seeds CSVs.

A merchant keeps these files outside the code (INTEGRATION_SEEDS_DIR); the simulator writes its
world's set, gaps included (the pop-up location it never mapped), and the committed
`dbt_like_sql/seeds` is the default seed's set.
"""

from __future__ import annotations

import csv
from pathlib import Path

from integration_assets.simulator.catalog import Catalog

SEED_COLUMNS: dict[str, list[str]] = {
    "locations": [
        "location_key",
        "name",
        "kind",
        "shopify_location_id",
        "mintsoft_warehouse_id",
        "inventory_planner_warehouse_id",
    ],
    "bundles": ["bundle_sku", "component_sku", "quantity"],
    "sku_aliases": ["alias", "sku"],
    "safety_stock": ["location_key", "sku", "buffer_units"],
    "exception_owners": ["exception_type", "owner", "sla_hours", "runbook"],
    "gl_accounts": ["line_type", "account_code", "account_name"],
}

EXCEPTION_OWNERS = [
    (
        "stock_parity_drift",
        "team:ops-inventory",
        "24",
        "Recount the SKU in Mintsoft, then re-push stock to Shopify",
    ),
    (
        "unmapped_location",
        "team:data-engineering",
        "48",
        "Add the location to locations.csv or deactivate it in Shopify",
    ),
    (
        "sku_missing_in_mintsoft",
        "team:ops-inventory",
        "48",
        "Create the product in Mintsoft or unlist it in Shopify",
    ),
    (
        "sku_missing_in_shopify",
        "team:ecommerce",
        "72",
        "List the product in Shopify or write off the Mintsoft stock",
    ),
    (
        "sku_missing_in_inventory_planner",
        "team:planning",
        "72",
        "Re-sync the Inventory Planner connection for the SKU",
    ),
    ("sku_duplicate", "team:ecommerce", "48", "Merge or rename the duplicate variant"),
    ("tracking_disabled", "team:ecommerce", "24", "Turn track quantity back on for the variant"),
    (
        "order_edit_after_pick",
        "team:ops-warehouse",
        "4",
        "Stop the pick, amend the Mintsoft order or raise a return",
    ),
    (
        "duplicate_despatch",
        "team:ops-warehouse",
        "8",
        "Recall the second parcel; cancel the duplicate Mintsoft order",
    ),
    (
        "despatched_not_fulfilled",
        "team:data-engineering",
        "4",
        "Re-push the despatch and tracking to Shopify",
    ),
    (
        "cancelled_but_despatched",
        "team:customer-service",
        "8",
        "Contact the courier to intercept, or refund on return",
    ),
    (
        "fulfilled_before_despatch",
        "team:customer-service",
        "8",
        "Tell the customer the real despatch date; check who fulfilled it",
    ),
    (
        "restock_mismatch",
        "team:ops-warehouse",
        "48",
        "Chase the return or correct the Shopify stock",
    ),
    (
        "payout_unmatched_charge",
        "team:finance",
        "72",
        "Find the charge's order in Shopify Payments; post to suspense until found",
    ),
    (
        "payout_unmapped_transaction",
        "team:finance",
        "72",
        "Map the transaction type to a ledger account; it sits in suspense until then",
    ),
]

GL_ACCOUNTS = [
    ("product_sales", "4000", "Sales - Shopify"),
    ("discounts", "4010", "Discounts - Shopify"),
    ("shipping_income", "4020", "Shipping Income"),
    ("refunds", "4030", "Refunds - Shopify"),
    ("sales_tax", "2200", "VAT / Sales Tax Payable"),
    ("gift_card_liability", "2300", "Gift Card Liability"),
    ("other_gateway_clearing", "1210", "Other Gateways Clearing"),
    ("pos_cash_clearing", "1220", "POS Cash Clearing"),
    ("pending_payment", "1230", "Pending Payments"),
    ("payment_fees", "6100", "Shopify Payments Fees"),
    ("chargebacks", "6110", "Chargebacks"),
    ("chargeback_fees", "6120", "Chargeback Fees"),
    ("reserve", "1240", "Shopify Payments Reserve"),
    ("marketplace_tax", "2210", "Marketplace Tax Remitted"),
    ("other_adjustments", "6190", "Shopify Adjustments"),
    ("fx_variance", "7900", "FX Gains and Losses"),
    ("rounding", "7910", "Rounding"),
    ("suspense", "9999", "Suspense - Unmapped Shopify Payments"),
    ("bank", "1200", "Shopify Payouts in Transit"),
]


def operator_seeds(catalog: Catalog, buffers: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    mapped = [loc for loc in catalog.locations if loc.location_key is not None]
    return {
        "locations": [
            {
                "location_key": loc.location_key or "",
                "name": loc.name,
                "kind": loc.kind,
                "shopify_location_id": str(loc.id),
                "mintsoft_warehouse_id": "" if loc.mintsoft_warehouse_id is None else str(loc.mintsoft_warehouse_id),
                "inventory_planner_warehouse_id": loc.inventory_planner_warehouse_id or "",
            }
            for loc in mapped
        ],
        "bundles": [
            {"bundle_sku": ci.sku, "component_sku": sku, "quantity": str(qty)}
            for ci in catalog.by_role("bundle")
            for sku, qty in ci.components
        ],
        "sku_aliases": [{"alias": alias, "sku": sku} for alias, sku in sorted(catalog.aliases.items())],
        "safety_stock": sorted(buffers, key=lambda r: (r["location_key"], r["sku"])),
        "exception_owners": [dict(zip(SEED_COLUMNS["exception_owners"], row, strict=True)) for row in EXCEPTION_OWNERS],
        "gl_accounts": [dict(zip(SEED_COLUMNS["gl_accounts"], row, strict=True)) for row in GL_ACCOUNTS],
    }


def write_seeds(seeds: dict[str, list[dict[str, str]]], folder: Path) -> Path:
    """Write every seeds CSV into `folder` (created if needed) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in SEED_COLUMNS.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(seeds.get(name, []))
    return folder
