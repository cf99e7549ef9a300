"""`make demo`: start the simulator in-process and read one page of every entity over plain HTTP.

Later issues grow this into the main job (extract, model, check) over the same simulator; for now it
shows that the simulated APIs answer in the real shapes, and what the world holds.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
from pathlib import Path

import httpx

from integration_assets.demo_data_dir import announce_claim
from integration_assets.simulator.launch import SimOptions, prepare
from integration_assets.simulator.manifest import API_VERSION, build_manifest, simulator_env
from integration_assets.simulator.server import serve_in_thread

SETTLEMENT_LOOKBACK = dt.timedelta(days=7)
TOUR_QUERY = """
query Tour {
  orders(first: 5, sortKey: UPDATED_AT) {
    nodes { id name displayFinancialStatus displayFulfillmentStatus
            currentTotalPriceSet { shopMoney { amount currencyCode } }
            lineItems(first: 5) { nodes { sku quantity currentQuantity } } }
  }
  locations(first: 10) { nodes { id name } }
  inventoryItems(first: 5) {
    nodes { id sku tracked
            inventoryLevels(first: 5) {
              nodes { location { name } quantities(names: ["available", "on_hand"]) { name quantity } } } }
  }
  shopifyPaymentsAccount {
    payouts(first: 5) { nodes { id issuedAt status net { amount currencyCode } } }
    balanceTransactions(first: 5) { nodes { id type amount { amount } fee { amount } net { amount } } }
  }
}
"""

REST_TOUR = [
    ("orders", "orders.json?status=any&limit=5"),
    ("locations", "locations.json"),
    ("payouts", "shopify_payments/payouts.json?limit=5"),
    ("balance transactions", "shopify_payments/balance/transactions.json?limit=5"),
]


MINTSOFT_TOUR = [
    ("warehouses", "Warehouse"),
    ("products", "Product/List?PageNo=1&Limit=5"),
    ("stock levels (warehouse 1)", "Product/StockLevels?WarehouseId=1"),
    ("bulk inventory", "Product/Inventory/Bulk?PageNo=1&Limit=5"),
    ("orders", "Order/List?PageNo=1&Limit=5&IncludeOrderItems=true"),
    ("order statuses", "Order/Statuses"),
    ("returns", "Return/List?PageNo=1&Limit=5"),
]
INVENTORY_PLANNER_TOUR = [
    ("warehouses", "warehouses", "warehouses"),
    ("variants", "variants?page=0&limit=5", "variants"),
]


def run_demo(options: SimOptions, data_dir: Path | None = None) -> int:
    """Tour the simulated APIs, then (given a data dir) run the main job over the world's dates."""
    if data_dir is not None:
        announce_claim(data_dir, options)
    ctx = prepare(options)
    running = serve_in_thread(ctx)
    try:
        env = simulator_env(ctx)
        with httpx.Client(timeout=30) as client:
            pages, cost = _tour_shopify(client, env)
            pages.update(_tour_mintsoft(client, env))
            pages.update(_tour_inventory_planner(client, env))
        _print_summary(build_manifest(ctx.world), pages, cost, running.url, options.seeds_dir)
        if data_dir is None:
            return 0
        os.environ.update(env)
        os.environ["INTEGRATION_DATA_DIR"] = str(data_dir)
        # Paging every order at the standard plan's 100 points/s takes minutes; a bulk operation
        # reads the window in one query, as a real backfill would.
        os.environ.setdefault("SHOPIFY_BULK_AFTER_DAYS", "0")
        from integration_assets.main_run import main_job_command

        dates = ctx.world.size.dates
        print()
        # A payout settles charges processed days earlier (UK: 3 business days): the lake needs that
        # week too for payouts on the first dates to reconcile, as a daily deployment would have.
        return main_job_command(dates[0] - SETTLEMENT_LOOKBACK, dates[-1], None, data_dir)
    finally:
        running.stop()


def _tour_shopify(client: httpx.Client, env: dict[str, str]) -> tuple[dict[str, int], dict]:
    admin = f"{env['SHOPIFY_SHOP_URL']}/admin/api/{API_VERSION}"
    headers = {"X-Shopify-Access-Token": env["SHOPIFY_ACCESS_TOKEN"]}
    graphql = client.post(f"{admin}/graphql.json", json={"query": TOUR_QUERY}, headers=headers)
    graphql.raise_for_status()
    body = graphql.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL tour failed: {body['errors']}")
    data = body["data"]
    account = data["shopifyPaymentsAccount"]
    pages = {
        "Shopify orders (GraphQL)": len(data["orders"]["nodes"]),
        "Shopify locations (GraphQL)": len(data["locations"]["nodes"]),
        "Shopify inventory items (GraphQL)": len(data["inventoryItems"]["nodes"]),
        "Shopify payouts (GraphQL)": len(account["payouts"]["nodes"]),
        "Shopify balance transactions (GraphQL)": len(account["balanceTransactions"]["nodes"]),
    }
    for name, path in REST_TOUR:
        response = client.get(f"{admin}/{path}", headers=headers)
        response.raise_for_status()
        (records,) = response.json().values()
        pages[f"Shopify {name} (REST)"] = len(records)
    return pages, body["extensions"]["cost"]


def _tour_mintsoft(client: httpx.Client, env: dict[str, str]) -> dict[str, int]:
    api = f"{env['MINTSOFT_BASE_URL']}/api"
    login = client.post(
        f"{api}/Auth", json={"Username": env["MINTSOFT_USERNAME"], "Password": env["MINTSOFT_PASSWORD"]}
    )
    login.raise_for_status()
    headers = {"ms-apikey": login.json()}
    pages = {}
    for name, path in MINTSOFT_TOUR:
        response = client.get(f"{api}/{path}", headers=headers)
        response.raise_for_status()
        pages[f"Mintsoft {name}"] = len(response.json())
    return pages


def _tour_inventory_planner(client: httpx.Client, env: dict[str, str]) -> dict[str, int]:
    api = f"{env['INVENTORY_PLANNER_BASE_URL']}/api/v1"
    headers = {"Authorization": env["INVENTORY_PLANNER_API_KEY"], "Account": env["INVENTORY_PLANNER_ACCOUNT"]}
    pages = {}
    for name, path, root in INVENTORY_PLANNER_TOUR:
        response = client.get(f"{api}/{path}", headers=headers)
        response.raise_for_status()
        pages[f"Inventory Planner {name}"] = len(response.json()[root])
    return pages


def _print_summary(manifest: dict, pages: dict[str, int], cost: dict, url: str, seeds_dir: Path | None) -> None:
    print(f"Simulated merchant: seed {manifest['seed']}, dates {', '.join(manifest['dates'])} (served at {url})")
    print(f"Operator seeds written to {seeds_dir}")
    print("\nWorld contents:")
    for name, count in manifest["counts"].items():
        print(f"  {name:<22} {count:>7}")
    print("\nOne page of every entity over HTTP:")
    for name, count in pages.items():
        print(f"  {name:<42} {count:>4} records")
    print(
        f"\nGraphQL cost of the tour: requested {cost['requestedQueryCost']}, actual {cost['actualQueryCost']}, "
        f"bucket {cost['throttleStatus']['currentlyAvailable']}/{cost['throttleStatus']['maximumAvailable']:.0f}"
    )
    print("\nInjected anomalies by type (ground truth the reconciliation must find):")
    for kind, count in sorted(collections.Counter(a["type"] for a in manifest["anomalies"]).items()):
        print(f"  {kind:<34} {count:>3}")
