"""The simulated GraphQL endpoint reuses a query's parse, validation and flattened selections
(clients send the same documents page after page): the answers and costs stay what they were."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.shopify_graphql import ShopifyGraphQL
from integration_assets.simulator.world import World

ORDERS_WITH_LINES = """query Lines($cursor: String) {
  orders(first: 5, after: $cursor, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id ...Order
      lineItems(first: 10) { nodes { id sku } }
      priced: lineItems(first: 10) { nodes { id originalUnitPriceSet { shopMoney { amount } } } }
    }
  }
}
fragment Order on Order { name shippingLines(first: 2) { nodes { title } } }"""


@pytest.fixture
def endpoint(small_world: World) -> ShopifyGraphQL:
    """A fresh shop (full Plus bucket) for each test, served in-process."""
    return ShopifyGraphQL(SimContext.build(small_world, plan="plus"))


def expected_actual_cost(page: dict[str, Any]) -> int:
    """The published rules applied by hand: a connection 2 plus its nodes, a node 1 plus its object
    fields (a money bag and its shop money: 2 more for each priced line)."""

    def order_cost(order: dict[str, Any]) -> int:
        lines = len(order["lineItems"]["nodes"])
        priced = sum(1 + 2 for _ in order["priced"]["nodes"])
        return 1 + (2 + lines) + (2 + priced) + (2 + len(order["shippingLines"]["nodes"]))

    return 2 + sum(order_cost(order) for order in page["orders"]["nodes"])


def test_a_query_sent_again_is_answered_and_priced_the_same(endpoint: ShopifyGraphQL) -> None:
    first = endpoint.run(ORDERS_WITH_LINES, {"cursor": None}, None)
    again = endpoint.run(ORDERS_WITH_LINES, {"cursor": None}, None)
    assert "errors" not in first
    assert again["data"] == first["data"]
    assert again["extensions"]["cost"]["requestedQueryCost"] == first["extensions"]["cost"]["requestedQueryCost"]
    assert again["extensions"]["cost"]["actualQueryCost"] == first["extensions"]["cost"]["actualQueryCost"]


def test_every_page_is_priced_by_what_it_returned(endpoint: ShopifyGraphQL) -> None:
    """Pages with different orders (and line counts) under one cached document each get their own
    cost, and one connection type under two selections (an alias) is priced by each its own."""
    cursor, costs = None, set()
    for _ in range(4):
        body = endpoint.run(ORDERS_WITH_LINES, {"cursor": cursor}, None)
        cost = body["extensions"]["cost"]
        assert cost["requestedQueryCost"] == 2 + 5 * (1 + (2 + 10) + (2 + 10 * 3) + (2 + 2))
        assert cost["actualQueryCost"] == expected_actual_cost(body["data"])
        costs.add(cost["actualQueryCost"])
        cursor = body["data"]["orders"]["pageInfo"]["endCursor"]
    assert len(costs) > 1  # the pages differ, so a cached cost would have shown


@pytest.mark.parametrize(
    "query",
    ["query { orders(first: 5) { nodes { id }", "query { orders(first: 5) { nodes { noSuchField } } }"],
    ids=["syntax", "validation"],
)
def test_a_bad_query_is_refused_every_time(endpoint: ShopifyGraphQL, query: str) -> None:
    first = endpoint.run(query, None, None)
    again = endpoint.run(query, None, None)
    assert first["errors"] and "data" not in first
    assert again["errors"] == first["errors"]
    assert again["extensions"]["cost"]["actualQueryCost"] == 0


WINDOW = """query Window($query: String!) {
  orders(first: 250, sortKey: ID, query: $query) { pageInfo { hasNextPage } nodes { id } }
}"""


def test_each_search_keeps_its_own_orders(endpoint: ShopifyGraphQL, small_world: World) -> None:
    """Searches asked in turn (the simulator keeps what each matched) each answer their own window."""
    days = small_world.size.dates
    bounds = [dt.datetime.combine(day, dt.time(0), dt.UTC) for day in [*days, days[-1] + dt.timedelta(days=1)]]
    windows = list(itertools.pairwise(bounds))

    def expected(start: dt.datetime, end: dt.datetime) -> list[str]:
        kept = sorted(order.id for order in small_world.orders if start <= order.updated_at < end)
        return [f"gid://shopify/Order/{order_id}" for order_id in kept]

    def asked(start: dt.datetime, end: dt.datetime) -> list[str]:
        search = f"updated_at:>='{start:%Y-%m-%dT%H:%M:%SZ}' AND updated_at:<'{end:%Y-%m-%dT%H:%M:%SZ}'"
        page = endpoint.run(WINDOW, {"query": search}, None)["data"]["orders"]
        assert not page["pageInfo"]["hasNextPage"]
        return [node["id"] for node in page["nodes"]]

    for start, end in [*windows, *windows]:
        assert asked(start, end) == expected(start, end)
        assert expected(start, end)
