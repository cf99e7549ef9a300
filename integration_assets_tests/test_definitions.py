"""The asset graph as users meet it in the UI: keys, groups, partitions, owners, kinds, descriptions."""

from __future__ import annotations

import dagster as dg
import pytest

from integration_assets.definitions import defs
from integration_assets.partitions import daily_location_partitions, daily_partitions
from integration_assets.resources import build_resources

STAGING = (
    "inventory_planner_variant_warehouses",
    "inventory_planner_variants",
    "inventory_planner_warehouses",
    "mintsoft_bundle_components",
    "mintsoft_inventory",
    "mintsoft_order_items",
    "mintsoft_orders",
    "mintsoft_products",
    "mintsoft_return_items",
    "mintsoft_returns",
    "mintsoft_warehouses",
    "shopify_inventory_items",
    "shopify_inventory_levels",
    "shopify_locations",
    "shopify_order_fulfillment_line_items",
    "shopify_order_fulfillments",
    "shopify_order_line_items",
    "shopify_order_refund_line_items",
    "shopify_order_refunds",
    "shopify_order_shipping_lines",
    "shopify_order_tax_lines",
    "shopify_order_transactions",
    "shopify_orders",
    "shopify_payments_balance_transactions",
    "shopify_payments_payouts",
    "shopify_unmapped_inventory_levels",
    "shopify_webhook_events",
    "sku_aliases",
)
RECONCILIATION = (
    "bundle_components",
    "exceptions",
    "location_health",
    "order_lifecycle",
    "order_matches",
    "order_restocks",
    "payout_matching",
    "sales_history",
    "sales_history_lines",
    "sku_consistency",
    "sku_master",
    "stock_parity",
)
FINANCE = (
    "awaiting_payment",
    "awaiting_payout",
    "exports",
    "journal_lines",
    "journals",
    "liabilities",
    "payout_reconciliation",
    "payout_transactions",
    "transaction_families",
    "unmatched",
)
FINANCE_CHECKS = {
    "finance/journals:journal_balanced",
    "finance/payout_reconciliation:payout_ties_to_bank",
    "finance/payout_reconciliation:refunds_within_capture",
    "finance/awaiting_payout:paid_out_within",
    "finance/awaiting_payment:paid_within",
}
EXPECTED = {
    "shopify/orders": ("shopify", "daily"),
    "shopify/catalog": ("shopify", "daily"),
    "shopify/inventory_levels": ("shopify", "daily x location"),
    "shopify_payments/payouts": ("payments", "daily"),
    "shopify_payments/balance_transactions": ("payments", "daily"),
    "mintsoft/catalog": ("mintsoft", "daily"),
    "mintsoft/inventory": ("mintsoft", "daily x location"),
    "mintsoft/orders": ("mintsoft", "daily"),
    "mintsoft/returns": ("mintsoft", "daily"),
    "inventory_planner/variants": ("inventory_planner", "daily"),
    "inventory_planner/sales_history_export": ("inventory_planner", "daily x location"),
    "shopify_webhooks/events": ("webhooks", "daily"),
    **{
        f"seeds/{name}": ("seeds", "daily")
        for name in ("locations", "bundles", "sku_aliases", "safety_stock", "exception_owners", "gl_accounts")
    },
    **{f"staging/{name}": ("staging", "daily") for name in STAGING},
    **{f"reconciliation/{name}": ("reconciliation", "daily") for name in RECONCILIATION},
    **{f"finance/{name}": ("finance", "daily") for name in FINANCE},
}


def _partitioning(definition: dg.PartitionsDefinition | None) -> str:
    if definition == daily_partitions:
        return "daily"
    if definition == daily_location_partitions:
        return "daily x location"
    return repr(definition)


def test_asset_graph_is_pinned() -> None:
    graph = defs.resolve_asset_graph()
    found = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        found[key.to_user_string()] = (node.group_name, _partitioning(node.partitions_def))
        spec_owners, kinds, description = node.owners, node.kinds, node.description
        assert spec_owners and kinds and description and len(description) > 40, key
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
    assert found == EXPECTED


def test_finance_checks_are_pinned_and_only_the_balance_blocks() -> None:
    graph = defs.resolve_asset_graph()
    specs = {
        f"{key.asset_key.to_user_string()}:{key.name}": graph.get_check_spec(key)
        for key in graph.asset_check_keys
        if key.asset_key.path[0] == "finance"
    }
    assert set(specs) == FINANCE_CHECKS
    assert {name for name, spec in specs.items() if spec.blocking} == {"finance/journals:journal_balanced"}
    exports = graph.get(dg.AssetKey(["finance", "exports"]))
    assert dg.AssetKey(["finance", "journals"]) in exports.parent_keys


def test_every_resource_the_assets_need_is_defined() -> None:
    assert set(defs.resources or {}) == {
        "shopify",
        "mintsoft",
        "inventory_planner",
        "inventory_planner_files",
        "lake",
        "warehouse",
        "webhooks",
        "finance_files",
    }


def test_the_quickbooks_date_format_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUICKBOOKS_DATE_FORMAT", raising=False)
    assert build_resources()["finance_files"].quickbooks_date_format == "%m/%d/%Y"
    monkeypatch.setenv("QUICKBOOKS_DATE_FORMAT", "%d/%m/%Y")
    assert build_resources()["finance_files"].quickbooks_date_format == "%d/%m/%Y"


DAILY = {key for key, (_, partitioning) in EXPECTED.items() if partitioning == "daily"}
JOBS = {
    "daily_sync": (DAILY, "daily"),
    "stock_sync": ({"shopify/inventory_levels", "mintsoft/inventory"}, "daily x location"),
    "sales_history_export": ({"inventory_planner/sales_history_export"}, "daily x location"),
    "webhook_ingest": ({"shopify_webhooks/events"}, "daily"),
    "stock_recheck": (
        {
            "reconciliation/stock_parity",
            "reconciliation/exceptions",
            "staging/mintsoft_inventory",
            "staging/shopify_inventory_levels",
            "staging/shopify_webhook_events",
            "staging/sku_aliases",
        },
        "daily",
    ),
    "order_recheck": (
        {
            "shopify/orders",
            "mintsoft/orders",
            "mintsoft/returns",
            "reconciliation/order_matches",
            "reconciliation/order_lifecycle",
            "reconciliation/order_restocks",
            "reconciliation/exceptions",
            "staging/mintsoft_order_items",
            "staging/mintsoft_orders",
            "staging/mintsoft_return_items",
            "staging/mintsoft_returns",
            "staging/shopify_order_fulfillments",
            "staging/shopify_order_line_items",
            "staging/shopify_order_refund_line_items",
            "staging/shopify_orders",
            "staging/shopify_webhook_events",
        },
        "daily",
    ),
    "warehouse_rebuild": (
        {key for key, (group, _) in EXPECTED.items() if group in ("seeds", "staging", "reconciliation", "finance")}
        - {"finance/exports"},
        "daily",
    ),
}


def test_named_jobs_and_sensors_are_pinned() -> None:
    repository = defs.get_repository_def()
    found = {}
    for name in JOBS:
        job = defs.resolve_job_def(name)
        assert job.description and len(job.description) > 40, name
        keys = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
        found[name] = (keys, _partitioning(job.partitions_def))
    assert found == JOBS
    sensors = {s.name: s for s in repository.sensor_defs}
    assert set(sensors) == {
        "shopify_webhook_drops",
        "webhook_reactions",
        "sales_history_after_daily_sync",
        "check_failure_alerts",
    }
    assert all(s.description and len(s.description) > 40 for s in sensors.values())
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    assert sensors["shopify_webhook_drops"].job_name == "webhook_ingest"
    assert sensors["sales_history_after_daily_sync"].job_name == "sales_history_export"
    assert {j.name for j in sensors["webhook_reactions"].jobs} == {"stock_sync", "stock_recheck", "order_recheck"}


def test_location_partitions_come_from_the_seeds() -> None:
    dimension = daily_location_partitions.get_partitions_def_for_dimension("location")
    assert dimension.get_partition_keys() == ["northampton", "leeds", "dublin", "london"]
    key = dg.MultiPartitionKey({"date": "2026-11-20", "location": "leeds"})
    assert str(key) == "2026-11-20|leeds"
