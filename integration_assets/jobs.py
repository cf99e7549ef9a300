"""The named jobs users meet in the UI and the sensors launch (never `__ephemeral_asset_job__`).

Each is an asset selection; Dagster adds the checks on the selected assets, so a re-sync re-checks
what it touched. Jobs over date x location assets and jobs over daily assets stay apart: one run
has one partitioning.
"""

import dagster as dg

RECONCILIATION_EXCEPTIONS = dg.AssetKey(["reconciliation", "exceptions"])

webhook_ingest = dg.define_asset_job(
    "webhook_ingest",
    selection=dg.AssetSelection.assets(["shopify_webhooks", "events"]),
    description=(
        "Ingest the Shopify webhook files waiting in landing/shopify/ for a day: verify, dedup, land the "
        "events, move every file to processed/ or quarantine/. Launched by the shopify_webhook_drops sensor."
    ),
    tags={"integration/area": "webhooks"},
)

stock_resync = dg.define_asset_job(
    "stock_resync",
    selection=dg.AssetSelection.assets(["shopify", "inventory_levels"], ["mintsoft", "inventory"]),
    description=(
        "Re-read one location's stock from Shopify and Mintsoft for a date (date|location partition). "
        "Launched by webhook_reactions after inventory webhooks; stock_recheck follows it."
    ),
    tags={"integration/area": "stock"},
)

stock_recheck = dg.define_asset_job(
    "stock_recheck",
    selection=dg.AssetSelection.assets(["reconciliation", "stock_parity"], RECONCILIATION_EXCEPTIONS),
    description=(
        "Rebuild stock parity for a date and re-run its check, then refresh the exceptions register. "
        "Launched by webhook_reactions once the stock_resync runs it waits for have finished."
    ),
    tags={"integration/area": "stock"},
)

order_recheck = dg.define_asset_job(
    "order_recheck",
    selection=dg.AssetSelection.assets(
        ["shopify", "orders"],
        ["mintsoft", "orders"],
        ["mintsoft", "returns"],
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

jobs = [webhook_ingest, stock_resync, stock_recheck, order_recheck]
