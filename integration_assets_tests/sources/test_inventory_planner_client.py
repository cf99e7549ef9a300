"""InventoryPlannerClient over real HTTP against the simulator: every variant once, stock as the world has it.

Expected stock is computed here from the world's records (Mintsoft positions at the last date for
the warehouses, Shopify's on-hand for the store), not through the simulator's IP view. Waiting runs
on a FakeClock shared by the server and the client (the client's `sleep` advances it).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World
from integration_assets.sources.http import ApiError
from integration_assets.sources.inventory_planner import InventoryPlannerClient
from integration_assets_tests.clocks import FakeClock
from integration_assets_tests.page_sizes import awkward_limit
from integration_assets_tests.sources.transports import Recording

FAULT_RATES = {"429": 0.1, "500": 0.05, "timeout": 0.02, "truncate": 0.02}
SELECTED = ["sku", "warehouse.in_stock", "warehouse.replenishment"]


@dataclass
class Served:
    sim: RunningSimulator
    clock: FakeClock

    @property
    def ctx(self) -> SimContext:
        return self.sim.ctx

    def client(self, **kwargs: Any) -> InventoryPlannerClient:
        creds = self.ctx.credentials
        self.clock.advance(60)  # a minute between syncs: the server's rate-limit bucket drains
        kwargs.setdefault("clock", self.clock)
        kwargs.setdefault("sleep", self.clock.advance)
        return InventoryPlannerClient(
            f"{self.sim.url}/inventory-planner",
            creds.inventory_planner_api_key,
            creds.inventory_planner_account,
            **kwargs,
        )


def serve(world: World, faults: FaultPlan | None = None) -> Served:
    clock = FakeClock()
    ctx = SimContext.build(world, clock=clock)
    ctx.faults = faults
    return Served(serve_in_thread(ctx), clock)


def dumps(parsed: Any) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in parsed.records]


def canonical(world: World, sku: str) -> str:
    aliases = {r["alias"].strip().casefold(): r["sku"].strip().casefold() for r in world.seeds["sku_aliases"]}
    key = sku.strip().casefold()
    return aliases.get(key, key)


def expected_in_stock(world: World) -> dict[tuple[str, str], int]:
    """(IP warehouse id, IP SKU) -> on hand: Mintsoft's at its warehouses (a SKU spelt differently in
    Mintsoft lands on the first IP variant of the same canonical SKU), Shopify's at the store."""
    skus = world.inventory_planner_skus
    owner: dict[str, str] = {}
    for sku in skus:
        owner.setdefault(canonical(world, sku), sku)
    mapped = [loc for loc in world.locations if loc.location_key and loc.inventory_planner_warehouse_id]
    ip_of_mintsoft = {loc.mintsoft_warehouse_id: loc.inventory_planner_warehouse_id for loc in mapped}
    out: dict[tuple[str, str], int] = defaultdict(int)
    last = world.size.dates[-1]
    for pos in world.stock_positions:
        ip_warehouse = ip_of_mintsoft.get(pos.mintsoft_warehouse_id)
        sku = owner.get(canonical(world, pos.sku))
        if pos.date == last and ip_warehouse and sku:
            out[(ip_warehouse, sku)] += pos.on_hand
    first_variant = {}
    for variant in world.variants:
        first_variant.setdefault(variant.sku, variant)
    levels = {(lvl.location_id, lvl.inventory_item_id): lvl.quantities["on_hand"] for lvl in world.inventory_levels}
    for loc in mapped:
        if loc.mintsoft_warehouse_id is None:
            for sku in skus:
                on_hand = levels.get((loc.id, first_variant[sku].inventory_item_id), 0)
                out[(loc.inventory_planner_warehouse_id, sku)] += on_hand
    return out


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["small_world", "other_world"])
def world(request: pytest.FixtureRequest) -> World:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def served(world: World) -> Iterator[Served]:
    running = serve(world)
    yield running
    running.sim.stop()


@pytest.fixture(scope="module")
def reference(served: Served) -> list[dict[str, Any]]:
    with served.client() as client:
        parsed = client.variants()
    assert parsed.rejected == []
    return dumps(parsed)


def ip_warehouse_ids(world: World) -> list[str]:
    return [
        loc.inventory_planner_warehouse_id
        for loc in world.locations
        if loc.location_key and loc.inventory_planner_warehouse_id
    ]


# --- every variant once, with the world's stock ---------------------------------------------------


def test_variants_every_one_once_over_several_pages(world: World, served: Served) -> None:
    skus = world.inventory_planner_skus
    limit = awkward_limit(len(skus))
    with served.client(page_size=limit) as client:
        parsed = client.variants()
        # meta.total ends the reading at the last (short) page: no extra request.
        assert client.stats.requests == math.ceil(len(skus) / limit)
    assert parsed.rejected == []
    assert [v.sku for v in parsed.records] == skus
    assert len({v.id for v in parsed.records}) == len(skus)
    first_variant = {}
    for variant in world.variants:
        first_variant.setdefault(variant.sku, variant)
    assert all(v.id.endswith(f"_{first_variant[v.sku].id}") for v in parsed.records)
    assert all(v.connections and v.connections[0].sku == v.sku for v in parsed.records)


def test_per_warehouse_stock_and_sales_match_the_world(world: World, served: Served) -> None:
    expected = expected_in_stock(world)
    warehouses = ip_warehouse_ids(world)
    with served.client() as client:
        parsed = client.variants()
    assert parsed.rejected == []
    for variant in parsed.records:
        assert [w.warehouse for w in variant.warehouse or []] == warehouses
        for metrics in variant.warehouse or []:
            assert metrics.in_stock == expected.get((metrics.warehouse, variant.sku), 0), (variant.sku, metrics)
            assert isinstance(metrics.last_7_days_sales, int) and isinstance(metrics.lead_time, int)
            assert 0 <= metrics.last_7_days_sales <= (metrics.last_30_days_sales or 0)
            assert metrics.to_order == metrics.replenishment
        metrics_list = variant.warehouse or []
        assert variant.in_stock == sum(m.in_stock or 0 for m in metrics_list)
        assert variant.last_30_days_sales == sum(m.last_30_days_sales or 0 for m in metrics_list)
        assert variant.metrics_for(warehouses[0]) is metrics_list[0]
    assert sum(v.in_stock or 0 for v in parsed.records) == sum(expected.values()) > 0
    assert any(v.last_7_days_sales for v in parsed.records)


def test_fields_select_with_dot_notation(served: Served, reference: list[dict[str, Any]]) -> None:
    with served.client() as client:
        parsed = client.variants(fields=["sku", "warehouse.in_stock"])
    assert parsed.rejected == []
    assert [(v.id, v.sku) for v in parsed.records] == [(r["id"], r["sku"]) for r in reference]
    for variant, full in zip(parsed.records, reference, strict=True):
        assert variant.title is None and variant.connections is None
        assert [(w.warehouse, w.in_stock, w.lead_time) for w in variant.warehouse or []] == [
            (w["warehouse"], w["in_stock"], None) for w in full["warehouse"]
        ]


def test_warehouses(world: World, served: Served) -> None:
    with served.client() as client:
        parsed = client.warehouses()
    assert parsed.rejected == []
    assert [w.id for w in parsed.records] == ip_warehouse_ids(world)
    assert [w.disabled for w in parsed.records] == [False] * len(parsed.records)


# --- paging against other servers: a clamped limit, no meta ---------------------------------------


class ClampingLimit(httpx.BaseTransport):
    """Forwards to the simulator with `limit` cut to `cap`, as a server that clamps silently would."""

    def __init__(self, cap: int) -> None:
        self._inner = httpx.HTTPTransport()
        self.cap = cap

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params.get("limit", self.cap))
        url = request.url.copy_set_param("limit", str(min(limit, self.cap)))
        clamped = httpx.Request(request.method, url, headers=request.headers, extensions=request.extensions)
        return self._inner.handle_request(clamped)

    def close(self) -> None:
        self._inner.close()


def test_a_clamped_limit_is_read_on_to_meta_total(served: Served, reference: list[dict[str, Any]]) -> None:
    with served.client(page_size=500, transport=ClampingLimit(7)) as client:
        parsed = client.variants()
    assert dumps(parsed) == reference
    assert client.stats.requests == math.ceil(len(reference) / 7)


def test_without_meta_a_short_page_ends_the_reading(served: Served, reference: list[dict[str, Any]]) -> None:
    def strip_meta(request: httpx.Request, body: Any) -> Any:
        return {k: v for k, v in body.items() if k != "meta"}

    transport = Recording(strip_meta)
    with served.client(page_size=10, transport=transport) as client:
        parsed = client.variants()
    assert dumps(parsed) == reference
    assert len(transport.seen) == math.ceil(len(reference) / 10) + (len(reference) % 10 == 0)


def test_a_record_repeated_on_the_next_page_comes_back_once(served: Served, reference: list[dict[str, Any]]) -> None:
    first_page: list[Any] = []

    def overlap(request: httpx.Request, body: Any) -> Any:
        if request.url.params["page"] == "0":
            first_page.extend(body["variants"])
            return None
        if request.url.params["page"] == "1":  # the collection shifted: page 1 starts with page 0's last
            return {**body, "variants": [first_page[-1], *body["variants"]]}
        return None

    with served.client(page_size=10, transport=Recording(overlap)) as client:
        parsed = client.variants()
    assert dumps(parsed) == reference
    assert client.duplicates_dropped == 1


# --- secrets, faults, throttling, bad data ---------------------------------------------------------


@pytest.mark.parametrize("which", ["key", "account"])
def test_wrong_credentials_raise_without_the_key(served: Served, which: str) -> None:
    creds = served.ctx.credentials
    key, account = creds.inventory_planner_api_key, creds.inventory_planner_account
    wrong_key = "0" * 8 + key[8:] if which == "key" else key
    wrong_account = account if which == "key" else "a9999"
    client = InventoryPlannerClient(
        f"{served.sim.url}/inventory-planner", wrong_key, wrong_account, sleep=served.clock.advance
    )
    with client, pytest.raises(ApiError) as caught:
        client.variants()
    assert caught.value.status == 401
    text = f"{caught.value} {caught.value!r} {client!r}"
    assert key not in text and wrong_key not in text
    assert "Invalid API key" in text


def test_headers_carry_the_raw_key_and_the_account(served: Served) -> None:
    creds = served.ctx.credentials
    transport = Recording()
    with served.client(transport=transport) as client:
        client.warehouses()
    (seen,) = transport.seen
    assert seen.headers["authorization"] == creds.inventory_planner_api_key  # raw: no "Bearer"
    assert seen.headers["account"] == creds.inventory_planner_account
    assert creds.inventory_planner_api_key not in seen.url


def test_faults_change_nothing_and_the_key_stays_out_of_logs(
    world: World, served: Served, reference: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faulty = serve(world, FaultPlan(world.seed, FAULT_RATES, timeout_seconds=0.3))
    try:
        with faulty.client(timeout=0.15, page_size=2) as client:
            got = dumps(client.variants())
            selected = dumps(client.variants(fields=SELECTED))
            warehouses = dumps(client.warehouses())
            stats = client.stats
    finally:
        faulty.sim.stop()
    injected = faulty.ctx.faults_injected
    assert sum(injected.values()) >= 8 and {"429", "500"} <= set(injected)
    assert stats.retries >= sum(injected.values())
    assert got == reference
    with served.client() as client:
        assert selected == dumps(client.variants(fields=SELECTED))
        assert warehouses == dumps(client.warehouses())
    assert "retry" in caplog.text
    assert faulty.ctx.credentials.inventory_planner_api_key not in caplog.text


def test_the_rate_limit_is_waited_out_as_retry_after_says(served: Served, reference: list[dict[str, Any]]) -> None:
    with served.client(rate_per_second=100, burst=20, page_size=3) as client:
        parsed = client.variants()
        stats = client.stats
    assert dumps(parsed) == reference
    assert stats.throttled > 0
    assert stats.wait_seconds >= stats.throttled  # Retry-After is at least a whole second each time


def test_a_record_of_the_wrong_type_is_rejected_by_id_and_field(
    served: Served, reference: list[dict[str, Any]]
) -> None:
    def corrupt(request: httpx.Request, body: Any) -> Any:
        if request.url.params["page"] == "0":
            body["variants"][2]["warehouse"][1]["in_stock"] = "7"
            body["variants"][4]["regular_price"] = "24.00"
            return body
        return None

    with served.client(transport=Recording(corrupt)) as client:
        parsed = client.variants()
    bad = [reference[2]["id"], reference[4]["id"]]
    assert [r.record_id for r in parsed.rejected] == bad
    assert "warehouse.1.in_stock" in parsed.rejected[0].reason and bad[0] in parsed.rejected[0].reason
    assert "regular_price" in parsed.rejected[1].reason
    assert dumps(parsed) == [r for r in reference if r["id"] not in bad]
