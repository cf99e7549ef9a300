"""`make demo`: start the simulator in-process and read one page of every entity over plain HTTP.

Later issues grow this into the main job (extract, model, check) over the same simulator; for now it
shows that the simulated APIs answer in the real shapes, and what the world holds.
"""

from __future__ import annotations

import collections
from pathlib import Path

import httpx

from integration_assets.simulator.launch import SimOptions, prepare
from integration_assets.simulator.manifest import API_VERSION, build_manifest
from integration_assets.simulator.server import serve_in_thread

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


def run_demo(options: SimOptions) -> int:
    ctx = prepare(options)
    seeds_dir = options.seeds_dir
    running = serve_in_thread(ctx)
    try:
        manifest = build_manifest(ctx.world)
        headers = {"X-Shopify-Access-Token": ctx.credentials.access_token}
        admin = f"{running.url}/admin/api/{API_VERSION}"
        with httpx.Client(timeout=30, headers=headers) as client:
            graphql = client.post(f"{admin}/graphql.json", json={"query": TOUR_QUERY})
            graphql.raise_for_status()
            body = graphql.json()
            if body.get("errors"):
                raise RuntimeError(f"GraphQL tour failed: {body['errors']}")
            data = body["data"]
            pages = {
                "orders (GraphQL)": len(data["orders"]["nodes"]),
                "locations (GraphQL)": len(data["locations"]["nodes"]),
                "inventory items (GraphQL)": len(data["inventoryItems"]["nodes"]),
                "payouts (GraphQL)": len(data["shopifyPaymentsAccount"]["payouts"]["nodes"]),
                "balance transactions (GraphQL)": len(data["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]),
            }
            for name, path in REST_TOUR:
                response = client.get(f"{admin}/{path}")
                response.raise_for_status()
                (records,) = response.json().values()
                pages[f"{name} (REST)"] = len(records)
            cost = body["extensions"]["cost"]
        _print_summary(manifest, pages, cost, running.url, seeds_dir)
    finally:
        running.stop()
    return 0


def _print_summary(manifest: dict, pages: dict[str, int], cost: dict, url: str, seeds_dir: Path) -> None:
    print(f"Simulated merchant: seed {manifest['seed']}, dates {', '.join(manifest['dates'])} (served at {url})")
    print(f"Operator seeds written to {seeds_dir}")
    print("\nWorld contents:")
    for name, count in manifest["counts"].items():
        print(f"  {name:<22} {count:>7}")
    print("\nOne page of every entity over HTTP:")
    for name, count in pages.items():
        print(f"  {name:<32} {count:>4} records")
    print(
        f"\nGraphQL cost of the tour: requested {cost['requestedQueryCost']}, actual {cost['actualQueryCost']}, "
        f"bucket {cost['throttleStatus']['currentlyAvailable']}/{cost['throttleStatus']['maximumAvailable']:.0f}"
    )
    print("\nInjected anomalies by type (ground truth the reconciliation must find):")
    for kind, count in sorted(collections.Counter(a["type"] for a in manifest["anomalies"]).items()):
        print(f"  {kind:<34} {count:>3}")
