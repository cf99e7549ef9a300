"""The simulated Shopify Admin GraphQL API over real HTTP: paging, search, cost, throttling, bulk.

Expectations are computed here from the world (sorting, filtering, totals), independently of the
resolvers, so a record lost or doubled between pages, or a filter off by one, shows up as a diff.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from graphql import execute, get_named_type, is_leaf_type, parse

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.shopify_auth import INVALID_TOKEN_MESSAGE
from integration_assets.simulator.shopify_bulk import BulkOperationStore
from integration_assets.simulator.shopify_graphql import ShopifyGraphQL
from integration_assets.simulator.shopify_graphql_schema import admin_schema, unresolved_fields
from integration_assets.simulator.shopify_graphql_state import RequestState
from integration_assets.simulator.shopify_search import SearchCatalog, SearchField
from integration_assets.simulator.world import (
    World,
    current_totals,
    financial_status,
    fulfillment_status,
    line_current_quantity,
    original_totals,
)
from integration_assets_tests.clocks import FakeClock
from integration_assets_tests.shopify_http import Client, page_all

VERSION = "2026-01"
MONEY_STRING = re.compile(r"^-?\d+\.\d+$")


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(small_world: World) -> World:
    return small_world


@pytest.fixture(scope="module")
def gql(simulator: RunningSimulator) -> Iterator[Client]:
    """The shared session simulator (plus plan): for read-only tests that do not drain the bucket."""
    client = Client(simulator)
    yield client
    client.http.close()


def own_simulator(world: World, plan: str = "standard", clock: FakeClock | None = None) -> RunningSimulator:
    ctx = SimContext.build(world, plan=plan, clock=clock or FakeClock())
    return serve_in_thread(ctx)


def gid(kind: str, id_: int) -> str:
    return f"gid://shopify/{kind}/{id_}"


FORWARD_ORDERS = """
query($cursor: String, $query: String) {
  orders(first: 8, after: $cursor, sortKey: UPDATED_AT, query: $query) {
    edges { cursor node { id updatedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

BACKWARD_ORDERS = """
query($cursor: String) {
  orders(last: 8, before: $cursor, sortKey: UPDATED_AT) {
    edges { cursor node { id updatedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


# --- paging --------------------------------------------------------------------------------------


def test_orders_page_forward_and_backward_exactly_once(gql: Client, world: World) -> None:
    expected = [gid("Order", o.id) for o in sorted(world.orders, key=lambda o: (o.updated_at, o.id))]
    assert len(expected) % 8 != 0, "the page size must not divide the total"

    forward = [n["id"] for n in page_all(gql, FORWARD_ORDERS, "orders")]
    backward = [n["id"] for n in page_all(gql, BACKWARD_ORDERS, "orders", backward=True)]

    assert forward == expected
    assert backward == expected


def test_reverse_presents_the_same_order_backwards(gql: Client, world: World) -> None:
    query = """query($cursor: String) { orders(first: 50, after: $cursor, reverse: true) {
      edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    ids = [n["id"] for n in page_all(gql, query, "orders")]
    assert ids == [gid("Order", o.id) for o in sorted(world.orders, key=lambda o: o.id, reverse=True)]


def test_page_info_edges_and_nodes_agree(gql: Client) -> None:
    data = gql.data(
        """{ orders(first: 3, sortKey: CREATED_AT) { edges { cursor node { id } } nodes { id }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    )["orders"]
    assert [e["node"]["id"] for e in data["edges"]] == [n["id"] for n in data["nodes"]]
    assert data["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": data["edges"][0]["cursor"],
        "endCursor": data["edges"][-1]["cursor"],
    }
    second = gql.data(
        """query($c: String) { orders(first: 3, after: $c, sortKey: CREATED_AT) {
             pageInfo { hasPreviousPage } } }""",
        {"c": data["pageInfo"]["endCursor"]},
    )
    assert second["orders"]["pageInfo"]["hasPreviousPage"] is True


def test_nested_line_items_page_with_their_own_cursors(gql: Client, world: World) -> None:
    order = next(o for o in world.orders if len(o.line_items) >= 3 and len(o.line_items) % 2 == 1)
    expected = [gid("LineItem", li.id) for li in order.line_items]
    forward_query = """query($id: ID!, $cursor: String) { order(id: $id) {
        lineItems(first: 2, after: $cursor) { edges { node { id } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
    backward_query = """query($id: ID!, $cursor: String) { order(id: $id) {
        lineItems(last: 2, before: $cursor) { edges { node { id } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
    variables = {"id": gid("Order", order.id)}

    forward = page_all(gql, forward_query, "order.lineItems", variables)
    backward = page_all(gql, backward_query, "order.lineItems", variables, backward=True)

    assert [n["id"] for n in forward] == expected
    assert [n["id"] for n in backward] == expected


def test_nested_connections_inside_a_page_are_independent(gql: Client, world: World) -> None:
    data = gql.data(
        """{ orders(first: 20) { nodes { id lineItems(first: 2) { nodes { id } pageInfo { hasNextPage } } } } }"""
    )
    by_id = {o.id: o for o in world.orders}
    for node in data["orders"]["nodes"]:
        order = by_id[int(node["id"].rsplit("/", 1)[1])]
        lines = node["lineItems"]
        assert [n["id"] for n in lines["nodes"]] == [gid("LineItem", li.id) for li in order.line_items[:2]]
        assert lines["pageInfo"]["hasNextPage"] is (len(order.line_items) > 2)


def test_page_size_limits(gql: Client) -> None:
    too_many = gql("{ orders(first: 251) { nodes { id } } }")
    assert too_many["data"] is None
    assert "251" in too_many["errors"][0]["message"] and "250" in too_many["errors"][0]["message"]

    missing = gql("{ orders { nodes { id } } }")
    assert missing["data"] is None
    assert missing["errors"][0]["message"] == "you must provide one of first or last"
    assert missing["errors"][0]["path"] == ["orders"]

    bad_cursor = gql('{ orders(first: 5, after: "not-a-cursor") { nodes { id } } }')
    assert "cursor" in bad_cursor["errors"][0]["message"].lower()


# --- search --------------------------------------------------------------------------------------


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_updated_at_window_returns_exactly_the_orders_in_it(gql: Client, world: World) -> None:
    for day in world.size.dates:
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        end = start + dt.timedelta(days=1)
        expected = {gid("Order", o.id) for o in world.orders if start <= o.updated_at.replace(microsecond=0) < end}
        query = f"updated_at:>='{_iso(start)}' AND updated_at:<'{_iso(end)}'"
        found = [n["id"] for n in page_all(gql, FORWARD_ORDERS, "orders", {"query": query})]
        assert len(found) == len(set(found))
        assert set(found) == expected
        assert expected, f"the test world should have orders updated on {day}"


def test_search_connectives_and_comparators(gql: Client, world: World) -> None:
    cut = sorted(o.processed_at for o in world.orders)[len(world.orders) // 2]
    cancelled = {gid("Order", o.id) for o in world.orders if o.cancelled_at is not None}
    early = {gid("Order", o.id) for o in world.orders if o.processed_at.replace(microsecond=0) <= cut}
    cases = {
        f"processed_at:<='{_iso(cut)}'": early,
        f"NOT processed_at:<='{_iso(cut)}'": {gid("Order", o.id) for o in world.orders} - early,
        "status:cancelled": cancelled,
        f"status:cancelled OR processed_at:<='{_iso(cut)}'": cancelled | early,
        f"-status:cancelled processed_at:<='{_iso(cut)}'": early - cancelled,
        f"name:{world.orders[3].name}": {gid("Order", world.orders[3].id)},
    }
    for search, expected in cases.items():
        found = {n["id"] for n in page_all(gql, FORWARD_ORDERS, "orders", {"query": search})}
        assert found == expected, search
    count = gql.data('{ ordersCount(query: "status:cancelled") { count precision } }')
    assert count["ordersCount"] == {"count": len(cancelled), "precision": "EXACT"}

    ignored = gql('{ orders(first: 1, query: "colour:red") { nodes { id } } }')
    assert ignored["data"]["orders"]["nodes"] == [{"id": gid("Order", min(o.id for o in world.orders))}]
    assert ignored["extensions"]["search"] == [
        {
            "path": ["orders"],
            "query": "colour:red",
            "warnings": [{"field": "colour", "message": "Invalid search field for this query."}],
        }
    ]
    bad = gql("{ orders(first: 1, query: \"updated_at:>'yesterday-ish'\") { nodes { id } } }")
    assert bad["data"] is None and "invalid timestamp" in bad["errors"][0]["message"]


def test_search_parser_handles_quotes_dates_and_unknown_fields() -> None:
    catalog = SearchCatalog(
        fields={
            "updated_at": SearchField("datetime", lambda r: r["at"]),
            "sku": SearchField("string", lambda r: r["sku"]),
        },
        default_fields=("sku",),
    )
    record = {"at": dt.datetime(2026, 11, 20, 10, 15, 30, 999, tzinfo=dt.UTC), "sku": "TEE-01"}
    assert catalog.compile('updated_at:>="2026-11-20T10:15:30+00:00"').matches(record)
    assert not catalog.compile("updated_at:>'2026-11-20T10:15:30Z'").matches(record)
    assert catalog.compile("updated_at:2026-11-20").matches(record)
    assert not catalog.compile("updated_at:<2026-11-20").matches(record)
    assert catalog.compile("sku:tee* AND (updated_at:>2026-11-19 OR sku:X)").matches(record)
    search = catalog.compile("colour:red sku:tee-01")
    assert search.matches(record)
    assert search.warnings == [{"field": "colour", "message": "Invalid search field for this query."}]


# --- values --------------------------------------------------------------------------------------


ORDER_FIELDS = """query($id: ID!) { order(id: $id) {
  id legacyResourceId name createdAt updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus
  currencyCode presentmentCurrencyCode
  totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount } presentmentMoney { amount } }
  currentSubtotalPriceSet { shopMoney { amount } }
  totalTaxSet { shopMoney { amount } }
  lineItems(first: 10) { nodes { id quantity currentQuantity sku } }
} }"""


def test_order_values_follow_the_world(gql: Client, world: World) -> None:
    checked = 0
    for order in [o for o in world.orders if o.refunds or o.edits or o.cancelled_at][:8] + world.orders[:4]:
        node = gql.data(ORDER_FIELDS, {"id": gid("Order", order.id)})["order"]
        original, current = original_totals(order), current_totals(order)
        assert node["id"] == gid("Order", order.id)
        assert node["legacyResourceId"] == str(order.id)
        assert node["name"] == order.name
        assert node["createdAt"] == _iso(order.created_at)
        assert node["displayFinancialStatus"] == financial_status(order)
        assert node["displayFulfillmentStatus"] == fulfillment_status(order)
        assert node["currencyCode"] == order.currency
        total = node["totalPriceSet"]
        assert Decimal(total["shopMoney"]["amount"]) == original.total.shop
        assert Decimal(total["presentmentMoney"]["amount"]) == original.total.presentment
        assert total["presentmentMoney"]["currencyCode"] == order.presentment_currency
        assert Decimal(node["currentTotalPriceSet"]["shopMoney"]["amount"]) == current.total.shop
        assert Decimal(node["currentSubtotalPriceSet"]["shopMoney"]["amount"]) == current.subtotal.shop
        assert Decimal(node["totalTaxSet"]["shopMoney"]["amount"]) == original.tax.shop
        for amount in (total["shopMoney"]["amount"], node["totalTaxSet"]["shopMoney"]["amount"]):
            assert MONEY_STRING.match(amount), amount
            assert not (amount.endswith("0") and not amount.endswith(".0")), amount
        assert [(n["id"], n["quantity"], n["currentQuantity"]) for n in node["lineItems"]["nodes"]] == [
            (gid("LineItem", li.id), li.quantity, line_current_quantity(order, li)) for li in order.line_items
        ]
        checked += 1
    assert checked >= 8


def test_money_strings_have_no_forced_scale() -> None:
    from integration_assets.simulator.shopify_graphql_values import format_decimal

    assert format_decimal(Decimal("10.00")) == "10.0"
    assert format_decimal(Decimal("-41.90")) == "-41.9"
    assert format_decimal(Decimal("1200")) == "1200.0"
    assert format_decimal(Decimal("44.52")) == "44.52"
    assert format_decimal(Decimal("-0.00")) == "0.0"


def test_refunds_fulfillments_and_transactions(gql: Client, world: World) -> None:
    order = next(o for o in world.orders if o.refunds and o.fulfillments)
    data = gql.data(
        """query($id: ID!) { order(id: $id) {
          refunds(first: 5) { id refundLineItems(first: 10) { nodes { quantity restockType lineItem { id }
              location { id } subtotalSet { shopMoney { amount } } } } }
          fulfillments(first: 5) { id status location { id } trackingInfo { number }
              fulfillmentLineItems(first: 10) { nodes { quantity lineItem { id } } } }
          transactions(first: 20) { id kind status gateway amountSet { shopMoney { amount } } parentTransaction { id } }
        } }""",
        {"id": gid("Order", order.id)},
    )["order"]
    assert [r["id"] for r in data["refunds"]] == [gid("Refund", r.id) for r in order.refunds]
    refund_lines = data["refunds"][0]["refundLineItems"]["nodes"]
    assert [
        (n["quantity"], n["restockType"], n["lineItem"]["id"], Decimal(n["subtotalSet"]["shopMoney"]["amount"]))
        for n in refund_lines
    ] == [
        (r.quantity, r.restock_type, gid("LineItem", r.line_item_id), r.subtotal.shop)
        for r in order.refunds[0].refund_line_items
    ]
    assert [(f["id"], f["status"]) for f in data["fulfillments"]] == [
        (gid("Fulfillment", f.id), f.status) for f in order.fulfillments
    ]
    first = order.fulfillments[0]
    assert data["fulfillments"][0]["location"]["id"] == gid("Location", first.location_id)
    assert [(n["quantity"], n["lineItem"]["id"]) for n in data["fulfillments"][0]["fulfillmentLineItems"]["nodes"]] == [
        (fl.quantity, gid("LineItem", fl.line_item_id)) for fl in first.lines
    ]
    all_txns = {t.id: t for t in order.transactions} | {t.id: t for r in order.refunds for t in r.transactions}
    assert {t["id"] for t in data["transactions"]} == {gid("OrderTransaction", i) for i in all_txns}
    for txn in data["transactions"]:
        source = all_txns[int(txn["id"].rsplit("/", 1)[1])]
        assert txn["kind"] == source.kind and txn["gateway"] == source.gateway
        parent = txn["parentTransaction"]
        assert (parent["id"] if parent else None) == (
            gid("OrderTransaction", source.parent_id) if source.parent_id else None
        )


def test_preorder_metafield_and_inventory(gql: Client, world: World) -> None:
    preorder_skus = {v.sku for v in world.variants if world.products_by_id[v.product_id].preorder}
    assert preorder_skus, "the test world should have a preorder product"
    item = next(i for i in world.inventory_items if i.sku in preorder_skus)
    data = gql.data(
        """query($q: String) { inventoryItems(first: 10, query: $q) { nodes { id sku tracked legacyResourceId
             variant { sku product { metafield(namespace: "custom", key: "preorder") { value type } } }
             inventoryLevels(first: 10) { nodes { id location { id }
               quantities(names: ["available", "on_hand"]) { name quantity } } } } } }""",
        {"q": f"sku:'{item.sku}'"},
    )["inventoryItems"]["nodes"]
    assert [n["id"] for n in data] == [
        gid("InventoryItem", i.id) for i in world.inventory_items if i.sku.casefold() == item.sku.casefold()
    ]
    node = data[0]
    assert node["legacyResourceId"] == str(item.id) and node["tracked"] is item.tracked
    assert node["variant"]["product"]["metafield"] == {"value": "true", "type": "boolean"}
    levels = sorted(
        (lv for lv in world.inventory_levels if lv.inventory_item_id == item.id), key=lambda lv: lv.location_id
    )
    assert [n["id"] for n in node["inventoryLevels"]["nodes"]] == [
        f"gid://shopify/InventoryLevel/{lv.location_id}?inventory_item_id={item.id}" for lv in levels
    ]
    assert [n["quantities"] for n in node["inventoryLevels"]["nodes"]] == [
        [
            {"name": "available", "quantity": lv.quantities.get("available", 0)},
            {"name": "on_hand", "quantity": lv.quantities.get("on_hand", 0)},
        ]
        for lv in levels
    ]
    plain = next(v for v in world.variants if not world.products_by_id[v.product_id].preorder)
    other = gql.data(
        """query($id: ID!) { node(id: $id) { ... on ProductVariant { product {
             metafield(namespace: "custom", key: "preorder") { value } } } } }""",
        {"id": gid("ProductVariant", plain.id)},
    )
    assert other["node"]["product"]["metafield"] is None


def test_node_and_nodes_resolve_main_types(gql: Client, world: World) -> None:
    level = world.inventory_levels[0]
    level_gid = f"gid://shopify/InventoryLevel/{level.location_id}?inventory_item_id={level.inventory_item_id}"
    ids = [
        gid("Order", world.orders[0].id),
        gid("Location", world.locations[0].id),
        gid("ShopifyPaymentsPayout", world.payouts[0].id),
        level_gid,
        gid("Order", 1),
    ]
    data = gql.data(
        """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }""",
        {"ids": ids},
    )
    assert data["nodes"] == [
        {"__typename": "Order", "id": ids[0]},
        {"__typename": "Location", "id": ids[1]},
        {"__typename": "ShopifyPaymentsPayout", "id": ids[2]},
        {"__typename": "InventoryLevel", "id": ids[3]},
        None,
    ]


def test_locations_and_payments(gql: Client, world: World) -> None:
    locations = gql.data(
        "{ locations(first: 50, includeInactive: true, sortKey: ID) {"
        " nodes { id name isActive address { city countryCode } } } }"
    )["locations"]["nodes"]
    assert [(n["id"], n["name"], n["isActive"]) for n in locations] == [
        (gid("Location", loc.id), loc.name, loc.is_active) for loc in sorted(world.locations, key=lambda x: x.id)
    ]

    payouts_query = """query($cursor: String) { shopifyPaymentsAccount { payouts(first: 2, after: $cursor) {
        edges { node { id legacyResourceId status issuedAt net { amount currencyCode } transactionType
          summary { chargesGross chargesFee refundsFeeGross { amount } } } } pageInfo { hasNextPage endCursor } } } }"""
    payouts_query = payouts_query.replace("chargesGross chargesFee", "chargesGross { amount } chargesFee { amount }")
    payouts = page_all(gql, payouts_query, "shopifyPaymentsAccount.payouts")
    expected = sorted(world.payouts, key=lambda p: p.id)
    assert [p["id"] for p in payouts] == [gid("ShopifyPaymentsPayout", p.id) for p in expected]
    for node, payout in zip(payouts, expected, strict=True):
        assert Decimal(node["net"]["amount"]) == payout.net and node["net"]["currencyCode"] == payout.currency
        assert node["status"] == payout.status and node["transactionType"] == payout.transaction_type
        assert Decimal(node["summary"]["chargesGross"]["amount"]) == payout.summary.get("chargesGross", 0)
        assert Decimal(node["summary"]["refundsFeeGross"]["amount"]) == payout.summary.get("refundsFeeGross", 0)

    payout = expected[0]
    rows_query = """query($cursor: String, $q: String) { shopifyPaymentsAccount {
        balanceTransactions(first: 20, after: $cursor, query: $q) {
        edges { node { id type amount { amount } fee { amount } net { amount }
          associatedPayout { id status } associatedOrder { id } } }
        pageInfo { hasNextPage endCursor } } } }"""
    rows = page_all(gql, rows_query, "shopifyPaymentsAccount.balanceTransactions", {"q": f"payout_id:{payout.id}"})
    expected_rows = sorted((bt for bt in world.balance_transactions if bt.payout_id == payout.id), key=lambda bt: bt.id)
    assert [r["id"] for r in rows] == [gid("ShopifyPaymentsBalanceTransaction", bt.id) for bt in expected_rows]
    assert sum(Decimal(r["net"]["amount"]) for r in rows) == sum(bt.net for bt in expected_rows)
    assert all(
        r["associatedPayout"] == {"id": gid("ShopifyPaymentsPayout", payout.id), "status": payout.status} for r in rows
    )

    pending = page_all(gql, rows_query, "shopifyPaymentsAccount.balanceTransactions", {"q": "payout_status:pending"})
    assert len(pending) == sum(1 for bt in world.balance_transactions if bt.payout_id is None)
    assert pending and all(r["associatedPayout"] == {"id": None, "status": None} for r in pending)

    by_date = page_all(
        gql,
        """query($cursor: String, $q: String) { shopifyPaymentsAccount { payouts(first: 2, after: $cursor, query: $q) {
            edges { node { id } } pageInfo { hasNextPage endCursor } } } }""",
        "shopifyPaymentsAccount.payouts",
        {"q": f"date:>={expected[1].date.isoformat()} status:{expected[1].status.lower()}"},
    )
    assert [p["id"] for p in by_date] == [
        gid("ShopifyPaymentsPayout", p.id)
        for p in expected
        if p.date >= expected[1].date and p.status == expected[1].status
    ]
    paid_on = expected[0].date.isoformat()
    rows_paid_on = page_all(
        gql, rows_query, "shopifyPaymentsAccount.balanceTransactions", {"q": f"payout_date:{paid_on}"}
    )
    paid_ids = {p.id for p in world.payouts if p.date == expected[0].date}
    assert {r["id"] for r in rows_paid_on} == {
        gid("ShopifyPaymentsBalanceTransaction", bt.id) for bt in world.balance_transactions if bt.payout_id in paid_ids
    }


# --- errors, auth, versions ----------------------------------------------------------------------


def test_missing_or_wrong_token_is_401(simulator: RunningSimulator) -> None:
    for token in ("", "shpat_wrong"):
        client = Client(simulator, token=token)
        response = client.post("{ shop { name } }")
        assert response.status_code == 401
        assert response.json() == {"errors": INVALID_TOKEN_MESSAGE}


def test_validation_error_names_the_field(gql: Client) -> None:
    body = gql("{ orders(first: 1) { nodes { id bogusField } } }")
    assert "data" not in body or body["data"] is None
    assert "bogusField" in body["errors"][0]["message"]
    assert "Order" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 0

    syntax = gql("{ orders(first: 1) { nodes { id }")
    assert "Syntax Error" in syntax["errors"][0]["message"]


def test_malformed_json_is_400(gql: Client) -> None:
    response = gql.http.post(
        f"/admin/api/{VERSION}/graphql.json",
        content=b"{not json",
        headers={"X-Shopify-Access-Token": gql.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "errors" in response.json()


def test_unknown_version_falls_forward(gql: Client, simulator: RunningSimulator) -> None:
    oldest = simulator.ctx.api_versions[0]
    old = gql.post("{ shop { name } }", version="2019-04")
    assert old.status_code == 200 and old.headers["X-Shopify-API-Version"] == oldest
    assert old.json()["data"]["shop"]["name"] == simulator.ctx.world.shop.name
    current = gql.post("{ shop { name } }", version=VERSION)
    assert current.headers["X-Shopify-API-Version"] == VERSION


# --- cost and throttling -------------------------------------------------------------------------


def test_requested_cost_follows_the_documented_rules(gql: Client, world: World) -> None:
    order_id = gid("Order", next(o for o in world.orders if o.refunds).id)
    cases = {
        "{ shop { name } }": 1,
        "{ orders(first: 10) { nodes { id name } } }": 2 + 10,
        "{ orders(first: 10) { edges { node { id totalPriceSet { shopMoney { amount } } } } } }": 2 + 10 * 3,
        "{ orders(first: 10) { nodes { id lineItems(first: 5) { nodes { id } } } } }": 2 + 10 * (1 + 2 + 5),
        f'{{ order(id: "{order_id}") {{ refunds(first: 3) {{'
        " refundLineItems(first: 4) { nodes { quantity } } } } }": 1 + 2 + 3 * (1 + 2 + 4),
    }
    for query, expected in cases.items():
        cost = gql(query)["extensions"]["cost"]
        assert cost["requestedQueryCost"] == expected, query
        assert cost["actualQueryCost"] <= expected
        assert isinstance(cost["throttleStatus"]["maximumAvailable"], float)
        assert isinstance(cost["throttleStatus"]["currentlyAvailable"], int)
        assert isinstance(cost["throttleStatus"]["restoreRate"], float)
    few = gql('{ orders(first: 10, query: "name:#1") { nodes { id } } }')["extensions"]["cost"]
    assert few["requestedQueryCost"] == 12 and few["actualQueryCost"] == 2


def test_max_cost_exceeded(small_world: World) -> None:
    sim = own_simulator(small_world)
    try:
        client = Client(sim)
        body = client("{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }")
        assert "data" not in body
        error = body["errors"][0]
        assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
        assert error["extensions"]["cost"] == 2 + 250 * (1 + 2 + 250)
        assert body["extensions"]["cost"]["actualQueryCost"] is None
        assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000
    finally:
        sim.stop()


BURST_QUERY = """query($cursor: String) { orders(first: 100, after: $cursor) {
  edges { node { id lineItems(first: 5) { nodes { id } } } } pageInfo { hasNextPage endCursor } } }"""


def test_burst_is_throttled_and_a_patient_client_loses_nothing(small_world: World) -> None:
    clock = FakeClock()
    sim = own_simulator(small_world, clock=clock)
    try:
        client = Client(sim)
        ids: list[str] = []
        cursor: str | None = None
        throttled = 0
        for _ in range(100):
            body = client(BURST_QUERY, {"cursor": cursor})
            cost = body["extensions"]["cost"]
            if "data" not in body:
                assert body["errors"] == [
                    {
                        "message": "Throttled",
                        "extensions": {
                            "code": "THROTTLED",
                            "documentation": "https://shopify.dev/api/usage/rate-limits",
                        },
                    }
                ]
                assert cost["actualQueryCost"] is None
                status = cost["throttleStatus"]
                assert status["currentlyAvailable"] < cost["requestedQueryCost"]
                throttled += 1
                clock.advance((cost["requestedQueryCost"] - status["currentlyAvailable"]) / status["restoreRate"])
                continue
            connection = body["data"]["orders"]
            ids += [e["node"]["id"] for e in connection["edges"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            cursor = connection["pageInfo"]["endCursor"]
            # A second burst of the same page, without waiting, to drain the bucket.
            for _ in range(3):
                client(BURST_QUERY, {"cursor": cursor})
        assert throttled >= 1
        assert ids == [gid("Order", o.id) for o in sorted(small_world.orders, key=lambda o: o.id)]
    finally:
        sim.stop()


def test_bucket_refills_at_the_restore_rate(small_world: World) -> None:
    clock = FakeClock()
    sim = own_simulator(small_world, clock=clock)
    try:
        client = Client(sim)
        cheap = "{ shop { name } }"
        first = client(cheap)["extensions"]["cost"]
        assert first["requestedQueryCost"] == first["actualQueryCost"] == 1
        assert first["throttleStatus"]["currentlyAvailable"] == 1999
        for _ in range(2):
            client("{ orders(first: 250) { nodes { id name createdAt } } }")
        drained = client(cheap)["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
        assert drained < 1999 - 200
        clock.advance(2.0)
        refilled = client(cheap)["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
        assert refilled == drained + 200 - 1
        clock.advance(3600)
        assert client(cheap)["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1999
    finally:
        sim.stop()


# --- bulk operations -----------------------------------------------------------------------------

BULK_INNER = """{ orders(query: "created_at:>='2026-11-20T00:00:00Z'") { edges { node {
  id name displayFinancialStatus totalPriceSet { shopMoney { amount } }
  lineItems { edges { node { id sku quantity currentQuantity } } }
} } } }"""

RUN_BULK = """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
  bulkOperation { id status } userErrors { field message code } } }"""

POLL = """query($id: ID!) { bulkOperation(id: $id) {
  id status errorCode objectCount rootObjectCount fileSize url completedAt } }"""

PAGED = """query($cursor: String) { orders(first: 50, after: $cursor, query: "created_at:>='2026-11-20T00:00:00Z'") {
  edges { node { id name displayFinancialStatus totalPriceSet { shopMoney { amount } }
    lineItems(first: 10) { edges { node { id sku quantity currentQuantity } } pageInfo { hasNextPage } } } }
  pageInfo { hasNextPage endCursor } } }"""


def test_bulk_operation_end_to_end_matches_paging(gql: Client) -> None:
    started = gql.data(RUN_BULK, {"q": BULK_INNER})["bulkOperationRunQuery"]
    assert started["userErrors"] == []
    assert started["bulkOperation"]["status"] == "CREATED"
    operation_id = started["bulkOperation"]["id"]

    polls = []
    for _ in range(200):
        polled = gql.data(POLL, {"id": operation_id})["bulkOperation"]
        polls.append(polled["status"])
        if polled["status"] == "COMPLETED":
            break
        time.sleep(0.05)
    assert polls[0] == "RUNNING" and polls[-1] == "COMPLETED"

    response = httpx.get(polled["url"])
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert polled["objectCount"] == str(len(lines))
    assert polled["fileSize"] == str(len(response.content))
    assert polled["errorCode"] is None

    orders: dict[str, dict[str, Any]] = {}
    for line in lines:
        if "__parentId" in line:
            parent = orders[line.pop("__parentId")]  # children come after their parent
            parent["lineItems"]["edges"].append({"node": line})
        else:
            orders[line["id"]] = {**line, "lineItems": {"edges": []}}
    assert polled["rootObjectCount"] == str(len(orders))

    paged = page_all(gql, PAGED, "orders")
    for node in paged:
        assert node["lineItems"].pop("pageInfo") == {"hasNextPage": False}
    assert list(orders.values()) == paged

    forged = httpx.get(polled["url"].replace("X-Goog-Signature=", "X-Goog-Signature=0"))
    assert forged.status_code == 403

    current = gql.data("{ currentBulkOperation { id status } }")["currentBulkOperation"]
    assert current == {"id": operation_id, "status": "COMPLETED"}


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        ('{ node(id: "gid://shopify/Order/1") { id } }', "top level `node` field"),
        (
            "{ orders { edges { node { id refunds { refundLineItems { edges { node { id } } } } } } } }",
            "connection field within a list field",
        ),
        (
            "{ inventoryItems { edges { node { id inventoryLevels { edges { node { id location { "
            "inventoryLevels { edges { node { id } } } } } } } } } } }",
            "nesting depth greater than 2",
        ),
        ("{ orders { edges { node { name lineItems { edges { node { id } } } } } } }", "must select the 'id' field"),
        ("{ shop { name } }", "at least one connection"),
        ("{ orders { edges { node { bogus } } } }", "bogus"),
    ],
)
def test_bulk_query_validation(gql: Client, inner: str, message: str) -> None:
    result = gql.data(RUN_BULK, {"q": inner})["bulkOperationRunQuery"]
    assert result["bulkOperation"] is None
    assert any(message in e["message"] for e in result["userErrors"]), result["userErrors"]
    assert all(e["field"] == ["query"] for e in result["userErrors"])


# --- determinism, coverage, speed ----------------------------------------------------------------


def test_same_seed_gives_byte_identical_responses() -> None:
    query = json.dumps(
        {
            "query": """{ orders(first: 20, sortKey: UPDATED_AT) { edges { cursor node { id name updatedAt
                currentTotalPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
                lineItems(first: 3) { nodes { id sku currentQuantity } } } } }
              shopifyPaymentsAccount { balance { amount currencyCode } } }"""
        }
    )
    bodies = []
    for _ in range(2):
        world = build_world(7, small_size())
        sim = own_simulator(world, clock=FakeClock())
        try:
            response = httpx.post(
                f"{sim.url}/admin/api/{VERSION}/graphql.json",
                content=query,
                headers={
                    "X-Shopify-Access-Token": sim.ctx.credentials.access_token,
                    "Content-Type": "application/json",
                },
            )
            bodies.append(response.content)
        finally:
            sim.stop()
    assert bodies[0] == bodies[1]
    assert b'"errors"' not in bodies[0]


def _select_everything(graphql_type: Any, depth: int) -> str | None:
    """A selection of every field reachable within `depth` (arguments filled with small values)."""
    named = get_named_type(graphql_type)
    if is_leaf_type(named):
        return ""
    if depth == 0:
        return None
    if hasattr(named, "types"):  # a union
        parts = [f"... on {member.name} {_select_everything(member, depth)}" for member in named.types]
        return "{ __typename " + " ".join(parts) + " }"
    parts = ["__typename"]
    for name, field in named.fields.items():
        args = []
        for arg_name in field.args:
            if arg_name == "first":
                args.append("first: 3")
            elif arg_name == "names":
                args.append('names: ["available", "on_hand"]')
            elif arg_name == "key":
                args.append('key: "preorder"')
            elif arg_name == "namespace":
                args.append('namespace: "custom"')
        if any(str(arg.type).endswith("!") and n not in ("names", "key") for n, arg in field.args.items()):
            continue
        sub = _select_everything(field.type, depth - 1)
        if sub is None:
            continue
        parts.append(f"{name}{'(' + ', '.join(args) + ')' if args else ''} {sub}")
    return "{ " + " ".join(parts) + " }"


def test_every_field_resolves_over_the_whole_world(other_world: World) -> None:
    """Every field of every resolver-backed type answers for every record, without errors."""
    schema = admin_schema()
    assert unresolved_fields(schema) == {}
    service = ShopifyGraphQL(SimContext.build(other_world))
    root = schema.query_type
    assert root is not None
    for call, field in [
        ("orders", "orders"),
        ("locations(includeInactive: true)", "locations"),
        ("inventoryItems", "inventoryItems"),
        ("shopifyPaymentsAccount", "shopifyPaymentsAccount"),
        ("shop", "shop"),
    ]:
        selection = _select_everything(root.fields[field].type, 5)
        # Bulk mode: connections are unbounded, so every record is reached.
        state = RequestState(service.index, service.bulk, bulk=True)
        result = execute(schema, parse(f"{{ {call} {selection} }}"), context_value=state)
        assert not result.errors, (field, result.errors[:3])
        assert result.data is not None and result.data[field] is not None


def test_bulk_operation_cancel(small_world: World) -> None:
    sim = own_simulator(small_world)
    try:
        client = Client(sim)
        started = client.data(RUN_BULK, {"q": BULK_INNER})["bulkOperationRunQuery"]["bulkOperation"]
        cancel = """mutation($id: ID!) { bulkOperationCancel(id: $id) {
            bulkOperation { id status } userErrors { field message } } }"""
        cancelled = client.data(cancel, {"id": started["id"]})["bulkOperationCancel"]
        assert cancelled == {"bulkOperation": {"id": started["id"], "status": "CANCELING"}, "userErrors": []}
        polled = client.data(POLL, {"id": started["id"]})["bulkOperation"]
        assert polled["status"] == "CANCELED" and polled["url"] is None
        again = client.data(cancel, {"id": started["id"]})["bulkOperationCancel"]
        assert again["userErrors"][0]["message"] == "A bulk operation cannot be canceled when it is canceled"
    finally:
        sim.stop()


def test_at_most_five_bulk_queries_run_at_once() -> None:
    release = threading.Event()

    def slow_query(query: str) -> Any:
        release.wait(10)
        return execute(admin_schema(), parse("{ shop { name } }"))

    store = BulkOperationStore(
        now=lambda: dt.datetime(2026, 11, 22, tzinfo=dt.UTC),
        base_url=lambda: "http://sim",
        secret="s",
        run_query=slow_query,
        schema=admin_schema(),
    )
    inner = "{ orders { edges { node { id } } } }"
    started = [store.start(inner) for _ in range(5)]
    assert all(op is not None and not errors for op, errors in started)
    refused, errors = store.start(inner)
    assert refused is None and errors[0]["code"] == "LIMIT_REACHED"
    release.set()
    store.wait_idle()
    later, errors = store.start(inner)
    assert later is not None and errors == []
    store.wait_idle()
