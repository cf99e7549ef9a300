"""The named jobs users meet in the UI and the sensors launch (never `__ephemeral_asset_job__`).

Each is an asset selection; Dagster adds the checks on the selected assets, so a re-sync re-checks
what it touched. Jobs over date x location assets and jobs over daily assets stay apart: one run
has one partitioning.
"""

import dagster as dg

RECONCILIATION_EXCEPTIONS = dg.AssetKey(["reconciliation", "exceptions"])
# The run tag naming the schedule or sensor that asked for a run, beside Dagster's own.
TRIGGER_TAG = "integration/triggered_by"
# Its value on the runs of `integration-assets run` (and `make demo`), which exports its own days.
MAIN_RUN_TRIGGER = "integration-assets run"

webhook_ingest = dg.define_asset_job(
    "webhook_ingest",
    selection=dg.AssetSelection.assets(["shopify_webhooks", "events"]),
    description=(
        "Ingest the Shopify webhook files waiting in landing/shopify/ for a day: verify, dedup, land the "
        "events, move every file to processed/ or quarantine/. Launched by the shopify_webhook_drops sensor."
    ),
    tags={"integration/area": "webhooks"},
)

# Assets partitioned by date x location; everything else is daily. daily_sync takes all the rest, so
# an asset added to the project joins the daily sync unless it is listed here.
DATE_LOCATION_ASSETS = (dg.AssetKey(["shopify", "inventory_levels"]), dg.AssetKey(["mintsoft", "inventory"]))

# The Inventory Planner export is date x location too, but reads the daily models: it runs after daily_sync.
SALES_HISTORY_EXPORT = dg.AssetKey(["inventory_planner", "sales_history_export"])

stock_sync = dg.define_asset_job(
    "stock_sync",
    selection=dg.AssetSelection.assets(*DATE_LOCATION_ASSETS),
    description=(
        "Read each location's stock from Shopify (available, on hand, committed...) and Mintsoft (on hand, "
        "allocated, quarantine) for a date|location partition and check the snapshots. Run by the main job "
        "and the stock_sync_schedule, and by webhook_reactions after inventory webhooks."
    ),
    tags={"integration/area": "stock"},
)

daily_sync = dg.define_asset_job(
    "daily_sync",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*DATE_LOCATION_ASSETS, SALES_HISTORY_EXPORT),
    description=(
        "The daily batch for a date range: Shopify orders, catalogue and payouts, Mintsoft catalogue, orders "
        "and returns, Inventory Planner variants, webhook events, then the seeds and every staging, "
        "reconciliation and finance model with their checks. Run by the main job after stock_sync, and "
        "by daily_sync_schedule for the previous day."
    ),
    tags={"integration/area": "sync"},
)


def with_staging(*keys: dg.AssetKey | list[str]) -> dg.AssetSelection:
    """The assets and the staging tables they read directly: staging is materialized (each model reads a
    deduplicated table instead of re-reading the lake), so a re-check rebuilds it from the lake first."""
    targets = dg.AssetSelection.assets(*keys)
    return targets | (targets.upstream(depth=1) & dg.AssetSelection.groups("staging"))


stock_recheck = dg.define_asset_job(
    "stock_recheck",
    selection=with_staging(["reconciliation", "stock_parity"], RECONCILIATION_EXCEPTIONS),
    description=(
        "Rebuild stock parity for a date and re-run its check, then refresh the exceptions register. "
        "Launched by webhook_reactions once the stock_sync runs it waits for have finished."
    ),
    tags={"integration/area": "stock"},
)

order_recheck = dg.define_asset_job(
    "order_recheck",
    selection=dg.AssetSelection.assets(["shopify", "orders"], ["mintsoft", "orders"], ["mintsoft", "returns"])
    | with_staging(
        ["reconciliation", "order_matches"],
        ["reconciliation", "order_lifecycle"],
        ["reconciliation", "order_restocks"],
        RECONCILIATION_EXCEPTIONS,
    ),
    description=(
        "Re-read a date's Shopify and Mintsoft orders and returns, rebuild the order lifecycle models "
        "and their checks, refresh the exceptions register. Launched by webhook_reactions after order webhooks."
    ),
    tags={"integration/area": "orders"},
)

sales_history_export = dg.define_asset_job(
    "sales_history_export",
    selection=dg.AssetSelection.assets(SALES_HISTORY_EXPORT),
    description=(
        "Write one location's sales history for a day as an Inventory Planner Advanced-CSV batch and deliver "
        "it over SFTP (INVENTORY_PLANNER_SFTP_*) or into INVENTORY_PLANNER_DROP_DIR; a re-export replaces. "
        "Run by sales_history_export_schedule (02:00, previous day, every location, once that day's daily_sync "
        "has succeeded), by sales_history_after_daily_sync when a later sync succeeds, and by the main job."
    ),
    tags={"integration/area": "inventory_planner"},
)

# Everything that reads only the lake and the seeds: no API call, no delivery.
MODEL_GROUPS = ("seeds", "staging", "reconciliation", "finance")
DELIVERIES = (dg.AssetKey(["finance", "exports"]),)

warehouse_rebuild = dg.define_asset_job(
    "warehouse_rebuild",
    selection=dg.AssetSelection.groups(*MODEL_GROUPS) - dg.AssetSelection.assets(*DELIVERIES),
    description=(
        "Rebuild the DuckDB warehouse from the lake for a date range: seeds, every staging, reconciliation "
        "and finance model, and their checks, with no API call and no delivery. For after a SQL or seeds "
        "change, a restore of the lake, or a backfill whose extraction already ran; the benchmark times it."
    ),
    tags={"integration/area": "warehouse"},
)

jobs = [daily_sync, stock_sync, sales_history_export, webhook_ingest, stock_recheck, order_recheck, warehouse_rebuild]
