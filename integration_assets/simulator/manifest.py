"""Ground truth for tests (`/_sim/manifest`) and the environment that points clients at the
simulator (`/_sim/env`). Product code never reads the manifest."""

from __future__ import annotations

from typing import Any

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.world import World

API_VERSION = "2026-01"


def build_manifest(world: World) -> dict[str, Any]:
    size = world.size
    return {
        "seed": world.seed,
        "size": {
            "start_date": size.start_date.isoformat(),
            "days": size.days,
            "orders_per_day": size.orders_per_day,
            "skus": size.skus,
            "locations": size.locations,
            "history_days": size.history_days,
        },
        "dates": [d.isoformat() for d in size.dates],
        "now": world.now.isoformat().replace("+00:00", "Z"),
        "shop": {
            "domain": world.shop.domain,
            "currency": world.shop.currency,
            "timezone": world.shop.timezone,
        },
        "counts": {
            "orders": len(world.orders),
            "line_items": sum(len(o.line_items) for o in world.orders),
            "refunds": sum(len(o.refunds) for o in world.orders),
            "fulfillments": sum(len(o.fulfillments) for o in world.orders),
            "transactions": sum(len(o.transactions) for o in world.orders),
            "payouts": len(world.payouts),
            "balance_transactions": len(world.balance_transactions),
            "skus": len(world.variants),
            "products": len(world.products),
            "inventory_items": len(world.inventory_items),
            "inventory_levels": len(world.inventory_levels),
            "locations": len(world.locations),
            "mintsoft_products": len(world.mintsoft_products),
            "mintsoft_orders": len(world.mintsoft_orders),
            "mintsoft_returns": len(world.mintsoft_returns),
            "stock_movements": len(world.stock_movements),
        },
        "anomalies": [a.as_dict() for a in world.anomalies],
    }


def simulator_env(ctx: SimContext) -> dict[str, str]:
    """Environment variables that point the clients at this simulator instance."""
    base = ctx.base_url
    env = {
        "SHOPIFY_SHOP_URL": base,
        "SHOPIFY_ACCESS_TOKEN": ctx.credentials.access_token,
        "SHOPIFY_CLIENT_ID": ctx.credentials.client_id,
        "SHOPIFY_CLIENT_SECRET": ctx.credentials.client_secret,
        "SHOPIFY_API_VERSION": API_VERSION,
        "SHOPIFY_WEBHOOK_SECRET": ctx.credentials.webhook_secret,
        "SHOP_TIMEZONE": ctx.world.shop.timezone,
        "MINTSOFT_BASE_URL": f"{base}/mintsoft",
        "MINTSOFT_USERNAME": ctx.credentials.mintsoft_username,
        "MINTSOFT_PASSWORD": ctx.credentials.mintsoft_password,
        "INVENTORY_PLANNER_BASE_URL": f"{base}/inventory-planner",
        "INVENTORY_PLANNER_API_KEY": ctx.credentials.inventory_planner_api_key,
        "INVENTORY_PLANNER_ACCOUNT": ctx.credentials.inventory_planner_account,
    }
    if ctx.ip_drop_dir is not None:
        env["INVENTORY_PLANNER_DROP_DIR"] = str(ctx.ip_drop_dir)
    if ctx.seeds_dir is not None:
        env["INTEGRATION_SEEDS_DIR"] = str(ctx.seeds_dir)
    return env
