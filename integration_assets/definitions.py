"""The one Definitions object Dagster loads (workspace.yaml points here)."""

import dagster as dg

from integration_assets.assets import finance, inventory_planner, mintsoft, payments, shopify, sql_models
from integration_assets.checks import asset_checks
from integration_assets.resources import build_resources

defs = dg.Definitions(
    assets=[
        *shopify.assets,
        *payments.assets,
        *mintsoft.assets,
        *inventory_planner.assets,
        *sql_models.assets,
        *finance.assets,
    ],
    asset_checks=asset_checks,
    resources=build_resources(),
)
