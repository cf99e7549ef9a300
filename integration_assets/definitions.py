"""The one Definitions object Dagster loads (workspace.yaml points here)."""

import dagster as dg

from integration_assets.assets import finance, inventory_planner, mintsoft, payments, shopify, sql_models, webhooks
from integration_assets.checks import asset_checks
from integration_assets.jobs import jobs
from integration_assets.resources import build_resources
from integration_assets.schedules import schedules
from integration_assets.sensors import sensors

defs = dg.Definitions(
    assets=[
        *shopify.assets,
        *payments.assets,
        *mintsoft.assets,
        *inventory_planner.assets,
        *webhooks.assets,
        *sql_models.assets,
        *finance.assets,
    ],
    asset_checks=asset_checks,
    jobs=jobs,
    schedules=schedules,
    sensors=sensors,
    resources=build_resources(),
)
