"""ShopifyClient recovering from what breaks bulk runs and big pages, over real HTTP.

A bulk start is not idempotent: resending it after a lost reply starts a second operation, and
every copy holds one of the shop's bulk slots. These tests count the operations the simulated shop
actually ran, so a client that resends blindly, or that gives up on "already in progress", fails.
They run on the real clock (the simulated operations run in real threads): a few seconds each.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World
from integration_assets.sources.http import RetryPolicy
from integration_assets.sources.shopify import ShopifyClient
from integration_assets_tests.shopify_http import Client as GraphQL
from integration_assets_tests.sources.test_shopify_client import dumps, everything

LIST_OPERATIONS = "{ bulkOperations(first: 50) { nodes { id status query } } }"
RUN = """mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { code } } }"""


@contextmanager
def shop(world: World, **settings: Any) -> Iterator[RunningSimulator]:
    ctx = SimContext.build(world, plan="plus")
    for name, value in settings.items():
        setattr(ctx, name, value)
    running = serve_in_thread(ctx)
    try:
        yield running
    finally:
        running.stop()


def client_for(sim: RunningSimulator, **options: Any) -> ShopifyClient:
    return ShopifyClient(sim.url, access_token=sim.ctx.credentials.access_token, **options)


def operations(sim: RunningSimulator) -> list[dict[str, Any]]:
    return GraphQL(sim).data(LIST_OPERATIONS)["bulkOperations"]["nodes"]


@pytest.fixture(scope="module")
def paged_orders(small_world: World) -> list[dict[str, Any]]:
    """Every order of the small world, read by paging (what a bulk run must also give)."""
    with shop(small_world) as sim, client_for(sim) as client:
        return dumps(client.orders_updated(*everything(small_world), method="paged"))


class BulkStartRecorder(httpx.BaseTransport):
    """A real transport that keeps the bulk query text a client submits."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.bulk_queries: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if b"bulkOperationRunQuery" in request.content:
            self.bulk_queries.append(json.loads(request.content)["variables"]["query"])
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize(
    ("client_timeout", "lag"),
    [(5.0, 0.0), (0.15, 0.0), (0.15, 0.4)],
    ids=["gateway-504", "client-read-timeout", "start-lands-after-the-client-gave-up"],
)
def test_a_lost_bulk_start_reply_is_found_and_reused(
    small_world: World, paged_orders: list[dict[str, Any]], client_timeout: float, lag: float
) -> None:
    """With a lag, the start reaches Shopify after the client has timed out and first looked: the
    client looks again before it would send the start a second time, and finds it."""
    plan = FaultPlan(small_world.seed, {}, timeout_seconds=0.4, lost_bulk_starts=1, bulk_start_lag_seconds=lag)
    with shop(small_world, faults=plan) as sim:
        with client_for(sim, timeout=client_timeout) as client:
            records = dumps(client.orders_updated(*everything(small_world), method="bulk"))
            assert client.stats.faults.get("outcome_unknown") == 1
        ran = operations(sim)
        assert sim.ctx.faults_injected["bulk_start_lost"] == 1
    assert records == paged_orders
    assert len(records) == len(small_world.orders)
    # One operation ran: the lost start was found, not sent again.
    assert [op["status"] for op in ran] == ["COMPLETED"]


def test_a_live_copy_of_the_same_bulk_query_is_reused_and_extra_copies_cancelled(
    small_world: World, paged_orders: list[dict[str, Any]]
) -> None:
    with shop(small_world, bulk_min_run_seconds=1.0) as sim:
        recorder = BulkStartRecorder()
        with client_for(sim, transport=recorder) as first:
            first.orders_updated(*everything(small_world), method="bulk")
        (bulk_query,) = recorder.bulk_queries
        # Two copies of the same query left running by a run that died after starting them.
        gql = GraphQL(sim)
        copies = [gql.data(RUN, {"q": bulk_query})["bulkOperationRunQuery"]["bulkOperation"]["id"] for _ in range(2)]
        again = BulkStartRecorder()
        with client_for(sim, transport=again) as second:
            records = dumps(second.orders_updated(*everything(small_world), method="bulk"))
        assert again.bulk_queries == []  # nothing new started
        ran = {op["id"]: op["status"] for op in operations(sim)}
    assert records == paged_orders
    assert sorted(ran[c] for c in copies) == ["CANCELED", "COMPLETED"]
    assert len(ran) == 3


def test_already_in_progress_waits_for_a_free_slot(
    small_world: World, paged_orders: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    # A shop on an older API version: one bulk query at a time, and another app's is running.
    with shop(small_world, bulk_query_slots=1, bulk_min_run_seconds=1.5) as sim:
        gql = GraphQL(sim)
        other = gql.data(RUN, {"q": "{ locations { edges { node { id } } } }"})["bulkOperationRunQuery"]
        assert other["userErrors"] == []
        refused = gql.data(RUN, {"q": "{ locations { edges { node { name } } } }"})["bulkOperationRunQuery"]
        assert refused["userErrors"] == [{"code": "LIMIT_REACHED"}]
        began = time.monotonic()
        with caplog.at_level(logging.INFO, "integration_assets.sources.shopify"), client_for(sim) as client:
            records = dumps(client.orders_updated(*everything(small_world), method="bulk"))
        waited = time.monotonic() - began
        statuses = sorted(op["status"] for op in operations(sim))
    assert records == paged_orders
    assert any(getattr(r, "event", "") == "shopify.bulk_slots_taken" for r in caplog.records)
    assert waited >= 1.0  # it waited for the other operation instead of failing
    assert statuses == ["COMPLETED", "COMPLETED"]


def test_max_cost_exceeded_halves_the_page_and_reads_everything(
    small_world: World, paged_orders: list[dict[str, Any]]
) -> None:
    """A client whose estimate is too optimistic (a budget above Shopify's 1000 points) asks for
    pages Shopify refuses; it halves them until they pass and still reads every order once."""
    with shop(small_world) as sim, client_for(sim, cost_budget=50_000, page_size=250) as client:
        records = dumps(client.orders_updated(*everything(small_world), method="paged"))
        refused = client.stats.faults.get("max_cost_exceeded", 0)
        costs = dict(client.query_costs)
    assert refused >= 2
    assert all(cost <= 1000 for cost in costs.values()), costs
    assert len(records) == len(small_world.orders)
    assert [r["id"] for r in records] == [r["id"] for r in paged_orders]
    assert records == paged_orders


def test_a_start_that_never_reached_shopify_is_simply_sent_again(
    small_world: World, paged_orders: list[dict[str, Any]]
) -> None:
    """Retries stay for failures where nothing ran: a 429 on the start is waited out and resent."""
    plan = FaultPlan(small_world.seed, {"429": 0.15})
    with shop(small_world, faults=plan) as sim:
        with client_for(sim, retry=RetryPolicy(max_attempts=20)) as client:
            records = dumps(client.orders_updated(*everything(small_world), method="bulk"))
            assert "outcome_unknown" not in client.stats.faults
            assert client.stats.faults.get("429", 0) >= 1
        ran = operations(sim)
    assert records == paged_orders
    assert [op["status"] for op in ran] == ["COMPLETED"]
