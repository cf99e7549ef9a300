"""The world as clients see it: read through GraphQL, its money reconciles and every Shopify-visible
anomaly of the manifest is there, found by rules written from the API's side, not the generator's."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from integration_assets.simulator.server import RunningSimulator
from integration_assets.simulator.world import World

VERSION = "2026-01"


def _canonical(sku: str, aliases: dict[str, str]) -> str:
    trimmed = sku.strip()
    return aliases.get(trimmed.casefold(), trimmed).upper()


class Admin:
    """A minimal GraphQL reader for tests: follows cursors and honours THROTTLED."""

    def __init__(self, running: RunningSimulator) -> None:
        self.client = httpx.Client(
            base_url=running.url, headers={"X-Shopify-Access-Token": running.ctx.credentials.access_token}, timeout=30
        )

    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        while True:
            body = self.client.post(
                f"/admin/api/{VERSION}/graphql.json", json={"query": document, "variables": variables or {}}
            ).json()
            errors = body.get("errors") or []
            if any(e.get("extensions", {}).get("code") == "THROTTLED" for e in errors):
                status = body["extensions"]["cost"]["throttleStatus"]
                time.sleep(
                    (body["extensions"]["cost"]["requestedQueryCost"] - status["currentlyAvailable"])
                    / status["restoreRate"]
                )
                continue
            assert not errors, errors
            return body["data"]

    def pages(self, document: str, path: list[str]) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            data = self.query(document, {"after": cursor})
            for key in path:
                data = data[key]
            yield from data["nodes"]
            if not data["pageInfo"]["hasNextPage"]:
                return
            cursor = data["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def admin(simulator: RunningSimulator) -> Admin:
    return Admin(simulator)


def _anomalies(world: World, kind: str) -> list:
    return [a for a in world.anomalies if a.type == kind]


def test_served_payouts_reconcile(admin: Admin) -> None:
    payouts = list(
        admin.pages(
            """query($after: String) { shopifyPaymentsAccount { payouts(first: 50, after: $after) {
                 nodes { id status net { amount currencyCode } summary {
                   chargesGross { amount } chargesFee { amount } refundsFeeGross { amount } refundsFee { amount }
                   adjustmentsGross { amount } adjustmentsFee { amount } reservedFundsGross { amount }
                   reservedFundsFee { amount } retriedPayoutsGross { amount } retriedPayoutsFee { amount } } }
                 pageInfo { hasNextPage endCursor } } } }""",
            ["shopifyPaymentsAccount", "payouts"],
        )
    )
    rows = list(
        admin.pages(
            """query($after: String) { shopifyPaymentsAccount { balanceTransactions(first: 100, after: $after) {
                 nodes { id type test amount { amount currencyCode } fee { amount } net { amount }
                         associatedPayout { id status } }
                 pageInfo { hasNextPage endCursor } } } }""",
            ["shopifyPaymentsAccount", "balanceTransactions"],
        )
    )
    assert len(payouts) >= 3 and len(rows) > 50
    by_payout: dict[str, list[dict]] = collections.defaultdict(list)
    for row in rows:
        amount, fee, net = (Decimal(row[k]["amount"]) for k in ("amount", "fee", "net"))
        assert net == amount - fee, row["id"]
        assert row["amount"]["currencyCode"] == "GBP"
        if row["associatedPayout"]["id"]:
            by_payout[row["associatedPayout"]["id"]].append(row)
        else:
            assert row["associatedPayout"]["status"] in (None, "PENDING")
    for payout in payouts:
        members = by_payout[payout["id"]]
        net = Decimal(payout["net"]["amount"])
        transfers = [r for r in members if r["type"] == "TRANSFER"]
        assert len(transfers) == 1 and Decimal(transfers[0]["amount"]["amount"]) == -net
        assert sum(Decimal(r["net"]["amount"]) for r in members if r["type"] != "TRANSFER") == net
        summary = {k: Decimal(v["amount"]) for k, v in payout["summary"].items()}
        pairs = [
            ("chargesGross", "chargesFee"),
            ("refundsFeeGross", "refundsFee"),
            ("adjustmentsGross", "adjustmentsFee"),
            ("reservedFundsGross", "reservedFundsFee"),
            ("retriedPayoutsGross", "retriedPayoutsFee"),
        ]
        assert sum(summary[g] - summary[f] for g, f in pairs) == net
        charges = [r for r in members if r["type"] == "CHARGE"]
        assert summary["chargesGross"] == sum(Decimal(r["amount"]["amount"]) for r in charges)
    statuses = collections.Counter(p["status"] for p in payouts)
    assert statuses["FAILED"] == 1 and statuses["SCHEDULED"] == 1


def _served_items(admin: Admin) -> list[dict]:
    return list(
        admin.pages(
            """query($after: String) { inventoryItems(first: 20, after: $after) {
                 nodes { id legacyResourceId sku tracked requiresShipping
                         variant { product { metafield(namespace: "custom", key: "preorder") { value } } }
                         inventoryLevels(first: 10) { nodes { location { legacyResourceId }
                           quantities(names: ["available", "on_hand"]) { name quantity } } } }
                 pageInfo { hasNextPage endCursor } } }""",
            ["inventoryItems"],
        )
    )


def test_served_stock_shows_exactly_the_manifests_drift_and_sku_anomalies(admin: Admin, small_world: World) -> None:
    seeds = small_world.seeds
    aliases = {row["alias"].casefold(): row["sku"] for row in seeds["sku_aliases"]}
    warehouse_key = {
        row["mintsoft_warehouse_id"]: row["location_key"] for row in seeds["locations"] if row["mintsoft_warehouse_id"]
    }
    location_key = {row["shopify_location_id"]: row["location_key"] for row in seeds["locations"]}
    buffers = {(row["location_key"], row["sku"]): int(row["buffer_units"]) for row in seeds["safety_stock"]}
    # Mintsoft's side is the world's physical stock until the Mintsoft API lands (next issue).
    last = small_world.size.dates[-1]
    mintsoft_available = {
        (warehouse_key[str(p.mintsoft_warehouse_id)], _canonical(p.sku, aliases)): p.available
        for p in small_world.stock_positions
        if p.date == last
    }
    mintsoft_on_hand = {
        (warehouse_key[str(p.mintsoft_warehouse_id)], _canonical(p.sku, aliases)): p.on_hand
        for p in small_world.stock_positions
        if p.date == last
    }
    mintsoft_skus = {_canonical(p.sku, aliases) for p in small_world.mintsoft_products}

    items = _served_items(admin)
    spellings = collections.Counter(_canonical(i["sku"], aliases) for i in items)
    duplicates = {sku for sku, n in spellings.items() if n > 1}
    drift, missing, untracked_with_stock = set(), set(), set()
    for item in items:
        sku = _canonical(item["sku"], aliases)
        preorder = (((item.get("variant") or {}).get("product") or {}).get("metafield") or {}).get("value") == "true"
        if not item["tracked"]:
            for (loc, s), units in mintsoft_on_hand.items():
                if s == sku and units > 0:
                    untracked_with_stock.add((loc, sku))
            continue
        if sku not in mintsoft_skus:
            missing.add(sku)
            continue
        if preorder or sku in duplicates:
            continue
        for level in item["inventoryLevels"]["nodes"]:
            loc = location_key.get(level["location"]["legacyResourceId"])
            if (loc, sku) not in mintsoft_available:
                continue  # the store and unmapped locations have no Mintsoft warehouse
            available = next(q["quantity"] for q in level["quantities"] if q["name"] == "available")
            if available != mintsoft_available[(loc, sku)] - buffers.get((loc, sku), 0):
                drift.add((loc, sku))

    assert drift == {(a.location_key, a.sku) for a in _anomalies(small_world, "stock_parity_drift")}
    assert missing == {a.sku for a in _anomalies(small_world, "sku_missing_in_mintsoft")}
    assert duplicates == {a.sku for a in _anomalies(small_world, "sku_duplicate")}
    assert untracked_with_stock == {(a.location_key, a.sku) for a in _anomalies(small_world, "tracking_disabled")}
    shopify_skus = set(spellings)
    assert {s for s in mintsoft_skus if s not in shopify_skus} == {
        a.sku for a in _anomalies(small_world, "sku_missing_in_shopify")
    }
    assert {
        s for s in shopify_skus if s not in {_canonical(x, aliases) for x in small_world.inventory_planner_skus}
    } == {a.sku for a in _anomalies(small_world, "sku_missing_in_inventory_planner")}


def test_served_locations_show_the_unmapped_one(admin: Admin, small_world: World) -> None:
    mapped = {row["shopify_location_id"] for row in small_world.seeds["locations"]}
    served = admin.query(
        """{ locations(first: 20) { nodes { legacyResourceId name
             inventoryLevels(first: 5) { nodes { quantities(names: ["available"]) { quantity } } } } } }"""
    )
    unmapped = [loc for loc in served["locations"]["nodes"] if loc["legacyResourceId"] not in mapped]
    assert len(unmapped) == 1
    assert any(q["quantity"] > 0 for lvl in unmapped[0]["inventoryLevels"]["nodes"] for q in lvl["quantities"])
    (anomaly,) = _anomalies(small_world, "unmapped_location")
    assert f"shopify_location_id={unmapped[0]['legacyResourceId']}" in anomaly.detail


ORDER = """query($id: ID!) { order(id: $id) { name edited cancelledAt displayFulfillmentStatus
  refunds { refundLineItems(first: 20) { nodes { restockType quantity lineItem { sku } } } } } }"""


def test_served_orders_show_the_lifecycle_anomalies(admin: Admin, small_world: World) -> None:
    def order(anomaly) -> dict:
        return admin.query(ORDER, {"id": f"gid://shopify/Order/{anomaly.order_id}"})["order"]

    (a,) = _anomalies(small_world, "despatched_not_fulfilled")
    assert order(a)["displayFulfillmentStatus"] == "UNFULFILLED" and order(a)["cancelledAt"] is None
    (a,) = _anomalies(small_world, "cancelled_but_despatched")
    assert order(a)["cancelledAt"] is not None
    (a,) = _anomalies(small_world, "fulfilled_before_despatch")
    assert order(a)["displayFulfillmentStatus"] == "FULFILLED"
    (a,) = _anomalies(small_world, "order_edit_after_pick")
    assert order(a)["edited"] is True
    (a,) = _anomalies(small_world, "duplicate_despatch")
    assert order(a)["edited"] is True
    (a,) = _anomalies(small_world, "restock_mismatch")
    restocked = {
        node["lineItem"]["sku"].strip().upper()
        for refund in order(a)["refunds"]
        for node in refund["refundLineItems"]["nodes"]
        if node["restockType"] == "RETURN"
    }
    assert a.sku in restocked


def test_served_payouts_show_the_unmatched_charge(admin: Admin, small_world: World) -> None:
    rows = list(
        admin.pages(
            """query($after: String) { shopifyPaymentsAccount { balanceTransactions(first: 100, after: $after) {
                 nodes { id type associatedOrder { id } associatedPayout { id } }
                 pageInfo { hasNextPage endCursor } } } }""",
            ["shopifyPaymentsAccount", "balanceTransactions"],
        )
    )
    orders = {
        node["id"]
        for node in admin.pages(
            """query($after: String) { orders(first: 250, after: $after) {
                 nodes { id } pageInfo { hasNextPage endCursor } } }""",
            ["orders"],
        )
    }
    orphans = {
        r["associatedPayout"]["id"]
        for r in rows
        if r["type"] == "CHARGE"
        and r["associatedPayout"]["id"]
        and (r["associatedOrder"] or {}).get("id") not in orders
    }
    (a,) = _anomalies(small_world, "payout_unmatched_charge")
    assert orphans == {f"gid://shopify/ShopifyPaymentsPayout/{a.payout_id}"}


def test_served_order_totals_and_tenders_add_up(admin: Admin, small_world: World) -> None:
    """O1/O2 of payouts-ledger.md on what GraphQL serves, in shop and presentment money."""
    orders = list(
        admin.pages(
            """query($after: String) { orders(first: 15, after: $after) { nodes { name taxesIncluded edited
                 subtotalPriceSet { shopMoney { amount } presentmentMoney { amount } }
                 shippingLines(first: 5) {
                   nodes { discountedPriceSet { shopMoney { amount } presentmentMoney { amount } } } }
                 totalTaxSet { shopMoney { amount } presentmentMoney { amount } }
                 totalPriceSet { shopMoney { amount } presentmentMoney { amount } }
                 totalReceivedSet { shopMoney { amount } }
                 transactions(first: 10) { kind status amountSet { shopMoney { amount } } } }
               pageInfo { hasNextPage endCursor } } }""",
            ["orders"],
        )
    )
    assert len(orders) == len(small_world.orders)
    for order in orders:
        for money in ("shopMoney", "presentmentMoney"):
            subtotal, tax, total = (
                Decimal(order[k][money]["amount"]) for k in ("subtotalPriceSet", "totalTaxSet", "totalPriceSet")
            )
            shipping = sum(
                Decimal(line["discountedPriceSet"][money]["amount"]) for line in order["shippingLines"]["nodes"]
            )
            expected = subtotal + shipping + (0 if order["taxesIncluded"] else tax)
            assert total == expected, (order["name"], money)
        taken = sum(
            Decimal(t["amountSet"]["shopMoney"]["amount"])
            for t in order["transactions"]
            if t["status"] == "SUCCESS" and t["kind"] in ("SALE", "CAPTURE")
        )
        assert taken == Decimal(order["totalReceivedSet"]["shopMoney"]["amount"]), order["name"]
        if taken and not order["edited"]:
            assert taken == Decimal(order["totalPriceSet"]["shopMoney"]["amount"]), order["name"]
