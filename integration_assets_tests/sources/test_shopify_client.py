"""ShopifyClient over real HTTP against the simulator: completeness, bulk = paged, faults, auth,
throttle efficiency in virtual time, secrets, and bad records.

Expectations come from the world's dataclasses, computed here, not from the simulator's views.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.merchant import build_world
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import Order, World, WorldSize
from integration_assets.sources.http import ApiError, RetryPolicy
from integration_assets.sources.shopify import ShopifyClient
from integration_assets.sources.shopify_models import BalanceTransaction, InventoryLevel
from integration_assets.sources.shopify_models import Order as OrderRecord
from integration_assets.sources.shopify_queries import MAX_QUERY_COST, estimate_cost
from integration_assets_tests.clocks import FakeClock

UTC = dt.UTC
FAULT_SEED = 3  # a seed whose run meets every kind of fault
WINDOW = (dt.datetime(2026, 11, 20, 0, 0, tzinfo=UTC), dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC))


def everything(world: World) -> tuple[dt.datetime, dt.datetime]:
    """A window holding every order of the world (longer than the bulk threshold)."""
    return dt.datetime(2026, 10, 1, tzinfo=UTC), world.now + dt.timedelta(seconds=1)


@dataclasses.dataclass
class Served:
    """A simulator on its own virtual clock; clients made by `client_for` sleep by moving it."""

    sim: RunningSimulator
    clock: FakeClock

    @property
    def ctx(self) -> SimContext:
        return self.sim.ctx


@contextmanager
def serve(world: World, plan: str = "standard", faults: FaultPlan | None = None) -> Iterator[Served]:
    clock = FakeClock()
    ctx = SimContext.build(world, plan=plan, clock=clock)
    ctx.faults = faults
    running = serve_in_thread(ctx)
    try:
        yield Served(running, clock)
    finally:
        running.stop()


def client_for(served: Served, **options: Any) -> ShopifyClient:
    options = {"clock": served.clock, "sleep": served.clock.advance, **options}
    return ShopifyClient(served.sim.url, access_token=served.ctx.credentials.access_token, **options)


def dumps(parsed: Any) -> list[dict[str, Any]]:
    assert parsed.rejected == []
    return [record.model_dump() for record in parsed.records]


class Recorder(httpx.BaseTransport):
    """A real transport that notes every exchange (path, status, the token header sent)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.exchanges: list[tuple[str, str, int, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        token = request.headers.get("x-shopify-access-token")
        self.exchanges.append((request.method, request.url.path, response.status_code, token))
        return response

    def close(self) -> None:
        self.inner.close()


# --- what the world says, computed independently --------------------------------------------------


def world_shape(order: Order) -> dict[str, Any]:
    transactions = {t.id for t in order.transactions} | {t.id for r in order.refunds for t in r.transactions}
    return {
        "lines": sorted((li.id, li.sku, li.quantity) for li in order.line_items),
        "shipping_lines": len(order.shipping_lines),
        "refunds": sorted(
            (
                r.id,
                sorted((x.line_item_id, x.quantity, x.restock_type) for x in r.refund_line_items),
                sorted(t.id for t in r.transactions),
            )
            for r in order.refunds
        ),
        "fulfillments": sorted(
            (f.id, sorted((x.line_item_id, x.quantity) for x in f.lines)) for f in order.fulfillments
        ),
        "transactions": len(transactions),
    }


def record_shape(order: OrderRecord) -> dict[str, Any]:
    return {
        "lines": sorted((li.id, li.sku, li.quantity) for li in order.line_items),
        "shipping_lines": len(order.shipping_lines),
        "refunds": sorted(
            (
                r.id,
                sorted((x.line_item_id, x.quantity, x.restock_type) for x in r.refund_line_items),
                sorted(t.id for t in r.transactions),
            )
            for r in order.refunds
        ),
        "fulfillments": sorted(
            (f.id, sorted((x.line_item_id, x.quantity) for x in f.fulfillment_line_items)) for f in order.fulfillments
        ),
        "transactions": len({t.id for t in order.transactions}),
    }


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(small_world: World) -> Iterator[Served]:
    """The small world on the standard plan, in virtual time (waits for points cost nothing)."""
    with serve(small_world) as served:
        yield served


@pytest.fixture(scope="module")
def baseline(small: Served, small_world: World) -> dict[str, Any]:
    """Fault-free records of the small world, read by paging."""
    start, end = everything(small_world)
    with client_for(small) as client:
        locations = client.locations()
        first_location = locations.records[0].id
        result = {
            "orders": dumps(client.orders_updated(start, end, method="paged")),
            "locations": dumps(locations),
            "inventory_items": dumps(client.inventory_items()),
            "inventory_levels": dumps(client.inventory_levels(first_location)),
            "payouts": dumps(client.payouts(dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
            "balance_transactions": dumps(client.balance_transactions(start, end)),
            "first_location": first_location,
            "query_costs": dict(client.query_costs),
        }
    return result


# --- (a) every order in the window, once, whole --------------------------------------------------


@pytest.mark.parametrize("world_name", ["small_world", "other_world"])
def test_orders_in_a_window_come_back_once_and_whole(request: pytest.FixtureRequest, world_name: str) -> None:
    world: World = request.getfixturevalue(world_name)
    start, end = WINDOW
    expected = {o.id: o for o in world.orders if start <= o.updated_at < end}
    assert 0 < len(expected) < len(world.orders), "the window must leave orders out on both sides"

    with serve(world) as served, client_for(served) as client:
        parsed = client.orders_updated(start, end)
    assert parsed.rejected == []
    ids = [o.id for o in parsed.records]
    assert len(ids) == len(set(ids)), "an order came back twice"
    assert set(ids) == set(expected)
    assert [o.updated_at for o in parsed.records] == sorted(o.updated_at for o in parsed.records)

    for record in parsed.records:
        order = expected[record.id]
        assert record_shape(record) == world_shape(order), record.name
        assert record.name == f"#{order.number}"
        assert record.updated_at == order.updated_at
        assert record.currency_code == order.currency
        assert record.presentment_currency_code == order.presentment_currency
        units = {li.id: li.unit_price for li in order.line_items}
        for line in record.line_items:
            assert line.original_unit_price_set.shop_money.amount == units[line.id].shop
            assert line.original_unit_price_set.presentment_money.amount == units[line.id].presentment

    totals = {
        "lines": sum(len(o.line_items) for o in expected.values()),
        "refunds": sum(len(o.refunds) for o in expected.values()),
        "refund_lines": sum(len(r.refund_line_items) for o in expected.values() for r in o.refunds),
        "fulfillments": sum(len(o.fulfillments) for o in expected.values()),
    }
    got = {
        "lines": sum(len(o.line_items) for o in parsed.records),
        "refunds": sum(len(o.refunds) for o in parsed.records),
        "refund_lines": sum(len(r.refund_line_items) for o in parsed.records for r in o.refunds),
        "fulfillments": sum(len(o.fulfillments) for o in parsed.records),
    }
    assert got == totals
    assert totals["refunds"] > 0 and totals["fulfillments"] > 0


def test_locations_inventory_and_payments_follow_the_world(
    small: Served, small_world: World, baseline: dict[str, Any]
) -> None:
    world = small_world
    assert {(r["id"], r["name"], r["is_active"]) for r in baseline["locations"]} == {
        (loc.id, loc.name, loc.is_active) for loc in world.locations
    }

    variants = {v.inventory_item_id: v for v in world.variants}
    expected_items = {
        i.id: (
            i.sku,
            i.tracked,
            variants[i.id].id,
            variants[i.id].product_id,
            world.products_by_id[variants[i.id].product_id].preorder,
        )
        for i in world.inventory_items
    }
    with client_for(small) as client:
        items = client.inventory_items()
        levels = client.inventory_levels(baseline["first_location"])
        payouts = client.payouts(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        by_payout = client.balance_transactions_for_payouts([p.id for p in payouts.records])
    got_items = {
        i.id: (i.sku, i.tracked, i.variant.id, i.variant.product_id, i.variant.preorder)
        for i in items.records
        if i.variant is not None
    }
    assert got_items == expected_items
    assert any(preorder for *_, preorder in got_items.values())

    expected_levels = {
        lv.inventory_item_id: lv.quantities
        for lv in world.inventory_levels
        if lv.location_id == baseline["first_location"]
    }
    assert {lv.inventory_item_id: lv.quantities for lv in levels.records} == expected_levels
    assert all(lv.location_id == baseline["first_location"] for lv in levels.records)

    expected_payouts = {
        p.id: (p.net, p.status) for p in world.payouts if dt.date(2026, 11, 1) <= p.date <= dt.date(2026, 11, 30)
    }
    assert {p.id: (p.net.amount, p.status) for p in payouts.records} == expected_payouts
    expected_rows = {
        bt.id: (bt.amount, bt.fee, bt.net) for bt in world.balance_transactions if bt.payout_id in expected_payouts
    }
    assert {bt.id: (bt.amount.amount, bt.fee.amount, bt.net.amount) for bt in by_payout.records} == expected_rows
    start, end = everything(world)
    in_window = {bt.id for bt in world.balance_transactions if start <= bt.processed_at < end}
    assert {row["id"] for row in baseline["balance_transactions"]} == in_window


def test_every_query_stays_under_the_cost_limit(baseline: dict[str, Any]) -> None:
    costs = baseline["query_costs"]
    assert {"OrdersPage", "RefundDetails", "FulfillmentDetails", "Locations", "InventoryItems", "Payouts"} <= set(costs)
    assert max(costs.values()) < MAX_QUERY_COST, costs


def test_cost_estimate_follows_the_published_rules() -> None:
    assert estimate_cost("{ shop { name } }") == 1
    assert estimate_cost("{ orders(first: 10) { nodes { id lineItems(first: 5) { nodes { id } } } } }") == 2 + 10 * (
        1 + 2 + 5
    )
    assert estimate_cost("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["a", "b", "c"]}) == 3
    assert estimate_cost('mutation { bulkOperationRunQuery(query: "x") { userErrors { message } } }') == 10


# --- (b) nested pages beyond the first -------------------------------------------------------------


def test_nested_connections_are_paged_to_the_end(small: Served, small_world: World, baseline: dict[str, Any]) -> None:
    start, end = everything(small_world)
    with client_for(small, nested_page_size=1) as client:
        records = dumps(client.orders_updated(start, end, method="paged"))
        followed = set(client.query_costs)
    assert {"Order.lineItems", "Refund.refundLineItems", "Fulfillment.fulfillmentLineItems"} <= followed
    assert records == baseline["orders"]


def test_an_order_with_300_lines_comes_back_whole(other_world: World) -> None:
    world = copy.deepcopy(other_world)
    order = next(o for o in world.orders if not o.refunds and o.cancelled_at is None and o.line_items)
    template = order.line_items[0]
    order.line_items += [dataclasses.replace(template, id=9_100_000_000_000 + n) for n in range(300)]
    window = (order.updated_at, order.updated_at + dt.timedelta(seconds=1))

    with serve(world) as served, client_for(served) as client:
        parsed = client.orders_updated(*window)
    (record,) = [r for r in parsed.records if r.id == order.id]
    assert [li.id for li in record.line_items] == [li.id for li in order.line_items]
    assert len(record.line_items) > 300
    assert client.query_costs["Order.lineItems"] < MAX_QUERY_COST


# --- (c) bulk = paged ----------------------------------------------------------------------------


def test_bulk_returns_what_paging_returns(small: Served, small_world: World, baseline: dict[str, Any]) -> None:
    start, end = everything(small_world)
    assert end - start > dt.timedelta(days=7)
    with client_for(small) as client:
        records = dumps(client.orders_updated(start, end))  # auto: longer than bulk_after_days
        assert "RunBulkQuery" in client.query_costs and "OrdersPage" not in client.query_costs
    assert len(records) == len(small_world.orders)
    assert records == baseline["orders"]


def test_a_window_holding_many_orders_is_read_in_bulk(
    small: Served, small_world: World, baseline: dict[str, Any]
) -> None:
    """A short window (a peak day) is counted first: at bulk_after_orders orders or more it is read
    in bulk, below that paged; both give the same records."""
    window = everything(small_world)
    orders = len(small_world.orders)
    for threshold, method in ((orders, "bulk"), (orders + 1, "paged")):
        with client_for(small, bulk_after_days=1000, bulk_after_orders=threshold) as client:
            records = dumps(client.orders_updated(*window))
            asked = set(client.query_costs)
        assert "OrdersCount" in asked, method
        assert ("RunBulkQuery" in asked, "OrdersPage" in asked) == (method == "bulk", method == "paged")
        assert records == baseline["orders"], method


class CutBulkDownloadOnce(httpx.BaseTransport):
    """Real HTTP; the first bulk-result download breaks off half-way, as a reset connection would."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.cut = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if "/_sim/bulk/" not in request.url.path or self.cut:
            return response
        self.cut += 1
        body = response.read()

        class Broken(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                yield body[: len(body) // 2]
                raise httpx.ReadError("connection reset by peer")

        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, stream=Broken())

    def close(self) -> None:
        self.inner.close()


def test_a_bulk_download_cut_off_resumes_without_losing_or_doubling_lines(
    small: Served, small_world: World, baseline: dict[str, Any]
) -> None:
    transport = CutBulkDownloadOnce()
    with client_for(small, transport=transport) as client:
        records = dumps(client.orders_updated(*everything(small_world), method="bulk"))
        assert client.stats.faults.get("connection") == 1
    assert transport.cut == 1
    assert records == baseline["orders"]


# --- (d) faults change nothing -------------------------------------------------------------------


def test_faults_do_not_change_the_records(small_world: World, baseline: dict[str, Any]) -> None:
    faults = FaultPlan(FAULT_SEED, {"429": 0.1, "500": 0.05, "timeout": 0.02, "truncate": 0.02}, timeout_seconds=0.3)
    start, end = everything(small_world)
    with serve(small_world, faults=faults) as served:
        with client_for(served, timeout=0.15, retry=RetryPolicy(max_attempts=12)) as c:
            got = {
                "orders": dumps(c.orders_updated(start, end, method="paged")),
                "bulk_orders": dumps(c.orders_updated(start, end, method="bulk")),
                "locations": dumps(c.locations()),
                "inventory_items": dumps(c.inventory_items()),
                "inventory_levels": dumps(c.inventory_levels(baseline["first_location"])),
                "payouts": dumps(c.payouts(dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
                "balance_transactions": dumps(c.balance_transactions(start, end)),
            }
            stats = c.stats
        injected = dict(served.ctx.faults_injected)
    print(f"faults injected {injected}; client saw {stats.faults}, {stats.retries} retries, {stats.requests} requests")
    assert set(injected) == {"429", "500", "timeout", "truncate"}, injected
    # Every fault was seen and retried. The client's own timeout (0.15 s) also cuts off a reply the
    # server was slow to send on a busy machine, a fault reply among them: such a fault is seen as
    # a timeout instead, so the timeouts seen beyond those injected cover the faults seen less.
    seen = {
        kind: stats.faults.get(name, 0) for kind, name in {"429": "429", "500": "500", "truncate": "truncated"}.items()
    }
    late_replies = stats.faults.get("timeout", 0) - injected["timeout"]
    assert late_replies >= 0
    assert all(seen[kind] <= injected[kind] for kind in seen), (seen, injected)
    assert sum(injected[kind] - seen[kind] for kind in seen) <= late_replies, (seen, injected)
    assert stats.retries >= sum(injected.values())
    assert got["bulk_orders"] == baseline["orders"]
    for name in ("orders", "locations", "inventory_items", "inventory_levels", "payouts", "balance_transactions"):
        assert got[name] == baseline[name], name


# --- (e) client credentials ----------------------------------------------------------------------


def test_client_credentials_token_is_fetched_used_and_refreshed(small_world: World) -> None:
    with serve(small_world) as served:
        sim, clock = served.sim, served.clock
        creds = sim.ctx.credentials
        recorder = Recorder()
        with ShopifyClient(
            sim.url,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            clock=clock,
            sleep=clock.advance,
            transport=recorder,
        ) as client:
            assert len(client.locations().records) == len(small_world.locations)
            clock.advance(24 * 3600 - 120)  # inside the refresh margin, before the token expires
            client.locations()
        posts = [e for e in recorder.exchanges if e[1] == "/admin/oauth/access_token"]
        graphql = [e for e in recorder.exchanges if e[1].endswith("/graphql.json")]
        assert [e[2] for e in posts] == [200, 200]
        assert all(e[2] == 200 for e in graphql)
        first, second = graphql[0][3], graphql[-1][3]
        assert first and second and first != second and first.startswith("shpca_")
        assert recorder.exchanges[0][1] == "/admin/oauth/access_token"

        # A client whose clock does not see the expiry learns of it from a 401 and renews.
        frozen = FakeClock()
        recorder = Recorder()
        with ShopifyClient(
            sim.url,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            clock=frozen,
            sleep=clock.advance,
            transport=recorder,
        ) as client:
            client.locations()
            clock.advance(24 * 3600 + 1)
            assert len(client.locations().records) == len(small_world.locations)
        statuses = [(e[1].rsplit("/", 1)[-1], e[2]) for e in recorder.exchanges]
        assert statuses == [
            ("access_token", 200),
            ("graphql.json", 200),
            ("graphql.json", 401),
            ("access_token", 200),
            ("graphql.json", 200),
        ]

        wrong = "shpss_" + "0" * 32
        with (
            ShopifyClient(sim.url, client_id=creds.client_id, client_secret=wrong) as client,
            pytest.raises(ApiError) as failure,
        ):
            client.locations()
        assert failure.value.status == 401
        assert wrong not in str(failure.value) and creds.client_secret not in str(failure.value)
        assert "invalid_client" in str(failure.value)


# --- (f) throttle efficiency in virtual time -----------------------------------------------------


def test_paced_sync_uses_the_restore_rate_and_is_rarely_throttled() -> None:
    """Efficiency = points actually consumed / virtual seconds / restore rate, measured from the
    first wait the pacing imposes (the bucket's initial burst spent) to the last response."""
    world = build_world(
        7, WorldSize(start_date=dt.date(2026, 11, 20), days=3, orders_per_day=120, skus=120, locations=4)
    )
    burst_spent: dict[str, float] = {}
    client: ShopifyClient | None = None

    def sleep(seconds: float) -> None:
        if not burst_spent:
            assert client is not None
            burst_spent.update(at=clock(), points=client.stats.cost_points)
        clock.advance(seconds)

    start, end = everything(world)
    with serve(world) as served:
        clock = served.clock
        client = client_for(served, sleep=sleep)
        began = clock()
        with client:
            parsed = client.orders_updated(start, end, method="paged")
        restore_rate = served.ctx.plan.restore_rate
    assert len(parsed.records) == len(world.orders) and parsed.rejected == []

    stats = client.stats
    throttled = stats.faults.get("THROTTLED", 0)
    elapsed = clock() - burst_spent["at"]
    points = stats.cost_points - burst_spent["points"]
    efficiency = points / elapsed / restore_rate
    print(
        f"\n{len(world.orders)} orders, {client.graphql_requests} GraphQL requests, {throttled} THROTTLED; "
        f"{stats.cost_points:.0f} points in {clock() - began:.1f} virtual s; after the burst "
        f"{points:.0f} points in {elapsed:.1f} s = {points / elapsed:.1f} points/s "
        f"({efficiency:.1%} of the {restore_rate:.0f}/s restore rate)"
    )
    assert throttled < 0.01 * client.graphql_requests
    assert efficiency >= 0.8


# --- (g) secrets never reach logs or errors ------------------------------------------------------


def test_no_secret_in_logs_or_errors(small: Served, small_world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    simulator = small.sim
    creds = simulator.ctx.credentials
    recorder = Recorder()
    errors: list[str] = []
    start, end = everything(small_world)
    with ShopifyClient(
        simulator.url,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        transport=recorder,
        clock=small.clock,
        sleep=small.clock.advance,
    ) as client:
        client.locations()
        client.orders_updated(start, end, method="bulk")  # a signed result URL
        with pytest.raises(ApiError) as bad_query:
            client.graphql("Bogus", "{ shop { bogusField } }")
        errors.append(str(bad_query.value))
        with pytest.raises(ApiError) as broken:
            client.graphql("Broken", "{ shop { name ")
        errors.append(str(broken.value))
    with client_for(small) as client:
        client.locations()
    with ShopifyClient(simulator.url, client_id=creds.client_id, client_secret="shpss_" + "9" * 32) as client:
        with pytest.raises(ApiError) as refused:
            client.locations()
        errors.append(str(refused.value))
    with ShopifyClient(simulator.url, access_token="shpat_" + "5" * 32) as client:
        with pytest.raises(ApiError) as unauthorized:
            client.locations()
        errors.append(str(unauthorized.value))

    issued = {e[3] for e in recorder.exchanges if e[3]}
    secrets = {creds.access_token, creds.client_secret, "9" * 32, "5" * 32, *issued}
    logged = caplog.text + json.dumps([getattr(r, "shopify", None) for r in caplog.records], default=str)
    assert "shopify token_fetched" in logged and "HTTP Request" in logged  # the logs are not empty
    assert "bogusField" in errors[0] and "Syntax Error" in errors[1]
    assert "401" in errors[2] and "401" in errors[3]
    for secret in secrets:
        assert secret not in logged
        assert all(secret not in text for text in errors)
    assert "X-Goog-Signature" not in logged


# --- (h) a bad record is rejected, the rest land -------------------------------------------------


class CorruptingTransport(httpx.BaseTransport):
    """Real HTTP, with one field of one order rewritten in the simulator's JSON (bad remote data)."""

    def __init__(self, order_gid: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.order_gid = order_gid
        self.rewritten = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/graphql.json") or b"OrdersPage" not in request.content:
            return response
        body = json.loads(response.read())
        for node in ((body.get("data") or {}).get("orders") or {}).get("nodes", []):
            if node["id"] == self.order_gid:
                node["lineItems"]["nodes"][0]["quantity"] = "lots"
                self.rewritten += 1
        headers = [
            (k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")
        ]
        return httpx.Response(response.status_code, headers=headers, content=json.dumps(body).encode())

    def close(self) -> None:
        self.inner.close()


def test_a_record_with_a_wrong_type_is_rejected_and_the_rest_land(small: Served, small_world: World) -> None:
    start, end = WINDOW
    expected = {o.id for o in small_world.orders if start <= o.updated_at < end}
    victim = min(expected)
    transport = CorruptingTransport(f"gid://shopify/Order/{victim}")
    with client_for(small, transport=transport) as client:
        parsed = client.orders_updated(start, end)
    assert transport.rewritten == 1
    assert {o.id for o in parsed.records} == expected - {victim}
    (rejected,) = parsed.rejected
    assert rejected.entity == "order" and rejected.record_id == str(victim)
    assert "lineItems.0.quantity" in rejected.reason and "'lots'" in rejected.reason
    assert rejected.raw["lineItems"][0]["quantity"] == "lots"


def test_models_read_gids_and_decimal_strings_and_refuse_wrong_types() -> None:
    money = {"amount": "12.5", "currencyCode": "GBP"}
    raw = {
        "id": "gid://shopify/ShopifyPaymentsBalanceTransaction/90071992547409930",
        "type": "CHARGE",
        "test": False,
        "amount": money,
        "fee": {"amount": "0.4", "currencyCode": "GBP"},
        "net": {"amount": "12.1", "currencyCode": "GBP"},
        "sourceOrderTransactionId": "90071992547409931",
        "transactionDate": "2026-11-20T10:00:00Z",
        "associatedOrder": {"id": "gid://shopify/Order/820982911946154508", "name": "#1001"},
        "associatedPayout": {"id": None, "status": None},
        "someFieldAddedLater": {"x": 1},
    }
    row = BalanceTransaction.model_validate(raw)
    assert row.id == 90071992547409930 and row.associated_order_id == 820982911946154508
    assert row.amount.amount == Decimal("12.5") and row.net.amount == Decimal("12.1")
    assert row.source_order_transaction_id == 90071992547409931 and row.associated_payout_id is None

    for field, bad in [
        ("amount", {"amount": 12.5, "currencyCode": "GBP"}),  # a float where Shopify sends a string
        ("associatedOrder", {"id": "gid://shopify/Customer/1", "name": "#1"}),  # the wrong kind of id
        ("test", "false"),
        ("transactionDate", "yesterday"),
    ]:
        with pytest.raises(ValidationError):
            BalanceTransaction.model_validate({**raw, field: bad})

    level = {
        "id": "gid://shopify/InventoryLevel/71234560001?inventory_item_id=47234567800001",
        "updatedAt": "2026-11-21T23:00:00Z",
        "item": {"id": "gid://shopify/InventoryItem/47234567800001", "sku": "TEE-001-S"},
        "quantities": [{"name": "available", "quantity": 5}, {"name": "on_hand", "quantity": 7}],
    }
    parsed = InventoryLevel.model_validate(level)
    assert (parsed.location_id, parsed.inventory_item_id, parsed.quantity("on_hand")) == (
        71234560001,
        47234567800001,
        7,
    )
    with pytest.raises(ValidationError):
        InventoryLevel.model_validate({**level, "item": {"id": "gid://shopify/InventoryItem/1"}})
