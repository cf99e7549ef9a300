"""MintsoftClient over real HTTP against the simulator: every record once, values as the world has them.

Expectations are computed here from the world's own records (products, stock positions at the last
date, Mintsoft orders and returns), not through the simulator's view code. Waiting (pacing, backoff,
a key's 24 hours) runs on a FakeClock shared by the server and the client: the client's `sleep`
advances it, so the tests wait for nothing real but the fault injector's timeouts.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World
from integration_assets.sources.http import ApiError
from integration_assets.sources.mintsoft import MintsoftClient
from integration_assets_tests.clocks import FakeClock
from integration_assets_tests.page_sizes import awkward_limit
from integration_assets_tests.sources.transports import Recording

DAY = 24 * 3600
FAULT_RATES = {"429": 0.1, "500": 0.05, "timeout": 0.02, "truncate": 0.02}


# --- helpers -----------------------------------------------------------------------------------


@dataclass
class Served:
    sim: RunningSimulator
    clock: FakeClock

    @property
    def ctx(self) -> SimContext:
        return self.sim.ctx

    def client(self, **kwargs: Any) -> MintsoftClient:
        creds = self.ctx.credentials
        self.clock.advance(60)  # a minute between syncs: the server's rate-limit bucket drains
        kwargs.setdefault("clock", self.clock)
        kwargs.setdefault("sleep", self.clock.advance)
        return MintsoftClient(f"{self.sim.url}/mintsoft", creds.mintsoft_username, creds.mintsoft_password, **kwargs)


def serve(world: World, faults: FaultPlan | None = None) -> Served:
    clock = FakeClock()
    ctx = SimContext.build(world, clock=clock)
    ctx.faults = faults
    return Served(serve_in_thread(ctx), clock)


def as_served(moment: dt.datetime | None) -> dt.datetime | None:
    """A world time as it survives Mintsoft's format: milliseconds, in UTC."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(microsecond=moment.microsecond // 1000 * 1000)


def canonical(world: World, sku: str) -> str:
    aliases = {r["alias"].strip().casefold(): r["sku"].strip().casefold() for r in world.seeds["sku_aliases"]}
    key = sku.strip().casefold()
    return aliases.get(key, key)


def dumps(parsed: Any) -> list[dict[str, Any]]:
    return [record.model_dump(mode="json") for record in parsed.records]


def sync_everything(client: MintsoftClient) -> dict[str, list[dict[str, Any]]]:
    """Every listing the assets use, as JSON-able dumps, for run-to-run comparison."""
    out = {}
    for name in ("warehouses", "products", "inventory", "orders", "returns", "order_statuses", "bundles"):
        parsed = getattr(client, name)()
        assert parsed.rejected == [], name
        out[name] = dumps(parsed)
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
def reference(served: Served) -> dict[str, list[dict[str, Any]]]:
    """The fault-free sync at the default settings."""
    with served.client() as client:
        return sync_everything(client)


# --- every entity exactly once, with the world's values ------------------------------------------


def test_products_every_one_once_over_several_pages(world: World, served: Served) -> None:
    limit = awkward_limit(len(world.mintsoft_products))
    with served.client(page_size=limit) as client:
        parsed = client.products()
        # PageNo 1.. until []: ceil(n / limit) pages and the empty one, plus the login.
        assert client.stats.requests == 1 + math.ceil(len(world.mintsoft_products) / limit) + 1
    assert parsed.rejected == []
    got = {p.id: p for p in parsed.records}
    assert len(got) == len(parsed.records) == len(world.mintsoft_products)
    for expected in world.mintsoft_products:
        product = got[expected.id]
        assert (product.sku, product.name, product.bundle) == (expected.sku, expected.name, expected.is_bundle)
        assert product.price == expected.price
        assert product.last_updated == as_served(expected.created_at)
        assert product.last_updated.tzinfo is dt.UTC


def test_bundles_list_their_components(world: World, served: Served) -> None:
    by_key = {canonical(world, p.sku): p for p in world.mintsoft_products}
    with served.client() as client:
        parsed = client.bundles()
    assert parsed.rejected == []
    got = {b.id: b for b in parsed.records}
    expected = {p.id: p for p in world.mintsoft_products if p.is_bundle}
    assert set(got) == set(expected) and expected
    for bundle_id, product in expected.items():
        components = {(c.product_id, c.quantity) for c in got[bundle_id].components}
        assert components == {(by_key[canonical(world, sku)].id, qty) for sku, qty in product.components}
        assert sum(c.percentage_of_sales_value for c in got[bundle_id].components) == pytest.approx(100, abs=0.02)


def test_bulk_inventory_is_the_world_stock_at_the_last_date(world: World, served: Served) -> None:
    last = world.size.dates[-1]
    stocked = {p.sku: p for p in world.mintsoft_products if not p.is_bundle}
    positions = {
        (pos.mintsoft_warehouse_id, pos.sku): pos
        for pos in world.stock_positions
        if pos.date == last and pos.sku in stocked
    }
    limit = awkward_limit(len(positions))
    with served.client(page_size=limit) as client:
        parsed = client.inventory()
    assert parsed.rejected == []
    rows = {(r.warehouse_id, r.sku): r for r in parsed.records}
    assert len(rows) == len(parsed.records) == len(positions)
    assert set(rows) == set(positions)
    for key, pos in positions.items():
        row = rows[key]
        assert row.product_id == stocked[pos.sku].id
        assert (row.on_hand, row.allocated, row.in_quarantine) == (pos.on_hand, pos.allocated, pos.quarantine)
        assert row.available == pos.on_hand - pos.allocated - pos.quarantine
        assert row.model_dump()["available"] == row.available  # lands in the lake with the row
    assert any(r.in_quarantine for r in parsed.records) and any(r.allocated for r in parsed.records)


def test_bulk_inventory_of_one_warehouse(world: World, served: Served) -> None:
    last = world.size.dates[-1]
    warehouse_id = 2
    expected = {
        pos.sku for pos in world.stock_positions if pos.date == last and pos.mintsoft_warehouse_id == warehouse_id
    }
    with served.client(page_size=1000) as client:  # above the cap of 500: Mintsoft clamps silently
        parsed = client.inventory(warehouse_id=warehouse_id)
    assert {r.warehouse_id for r in parsed.records} == {warehouse_id}
    assert sorted(r.sku for r in parsed.records) == sorted(expected)


def test_stock_levels_of_one_warehouse(world: World, served: Served) -> None:
    last = world.size.dates[-1]
    positions = {pos.sku: pos for pos in world.stock_positions if pos.date == last and pos.mintsoft_warehouse_id == 1}
    with served.client() as client:
        parsed = client.stock_levels(1)
    assert parsed.rejected == []
    assert {r.product_id for r in parsed.records} == {p.id for p in world.mintsoft_products}
    for row in parsed.records:
        assert row.warehouse_id == 1
        pos = positions.get(row.sku or "")
        if pos is not None and not row.bundle:
            assert (row.total_stock_level, row.level) == (pos.on_hand, pos.on_hand - pos.allocated)


def test_orders_with_their_lines_every_one_once(world: World, served: Served) -> None:
    limit = awkward_limit(len(world.mintsoft_orders))
    with served.client(page_size=limit) as client:
        parsed = client.orders()
    assert parsed.rejected == []
    got = {o.id: o for o in parsed.records}
    assert len(got) == len(parsed.records) == len(world.mintsoft_orders)
    for expected in world.mintsoft_orders:
        order = got[expected.id]
        assert (order.order_number, order.external_order_reference) == (
            expected.order_number,
            expected.external_order_reference,
        )
        assert (order.order_status_id, order.warehouse_id) == (expected.status_id, expected.warehouse_id)
        assert order.despatch_date == as_served(expected.despatch_date)
        assert order.order_date == as_served(expected.order_date)
        assert order.last_updated == as_served(expected.last_updated)
        assert order.tracking_number == expected.tracking_number
        assert order.order_items is not None
        assert [(i.id, i.sku, i.quantity, i.price) for i in order.order_items] == [
            (line.id, line.sku, line.quantity, line.price) for line in expected.lines
        ]
    assert any(o.shipped for o in parsed.records)


def test_orders_past_the_silent_limit_cap_and_since_last_updated(world: World, served: Served) -> None:
    # Limit 150 is above Order/List's cap of 100: every page comes back "short", and reading on
    # until [] still returns each order once.
    with served.client(page_size=150) as client:
        everything = client.orders(include_items=False)
        assert [o.id for o in everything.records] == sorted(o.id for o in world.mintsoft_orders)
        assert all(o.order_items is None for o in everything.records)
        stamps = sorted(o.last_updated for o in world.mintsoft_orders)
        since = stamps[len(stamps) // 2].replace(microsecond=0)
        recent = client.orders(since_last_updated=since)
    expected = {o.id for o in world.mintsoft_orders if o.last_updated >= since}
    assert {o.id for o in recent.records} == expected and 0 < len(expected) < len(world.mintsoft_orders)
    with pytest.raises(ValueError, match="timezone-aware"):
        client.orders(since_last_updated=since.replace(tzinfo=None))


def test_returns_with_their_items(world: World, served: Served) -> None:
    orders = {o.id: o for o in world.mintsoft_orders}
    with served.client(page_size=awkward_limit(len(world.mintsoft_returns))) as client:
        parsed = client.returns()
    assert parsed.rejected == []
    got = {r.id: r for r in parsed.records}
    assert len(got) == len(parsed.records) == len(world.mintsoft_returns)
    for expected in world.mintsoft_returns:
        ret = got[expected.id]
        assert ret.order_id == expected.order_id
        assert ret.order_number == orders[expected.order_id].order_number
        assert ret.last_updated == as_served(expected.received_at)
        assert [(i.sku, i.quantity) for i in ret.return_items] == [(ln.sku, ln.quantity) for ln in expected.lines]


def test_warehouses_and_statuses(world: World, served: Served) -> None:
    with served.client() as client:
        warehouses = client.warehouses().records
        statuses = client.order_statuses().records
    mapped = sorted((loc.mintsoft_warehouse_id, loc.name) for loc in world.locations if loc.mintsoft_warehouse_id)
    assert [(w.id, w.name) for w in warehouses] == mapped
    assert [s.id for s in statuses] == list(range(1, 24))
    assert {s.id: s.name for s in statuses}[16] == "PICKINGSTARTED"
    # "2012-06-19T20:26:50.663" is London summer time: 19:26:50.663 UTC.
    assert statuses[0].last_updated == dt.datetime(2012, 6, 19, 19, 26, 50, 663000, tzinfo=dt.UTC)


def test_another_timezone_reads_the_same_strings_differently(served: Served) -> None:
    with served.client(timezone="America/New_York") as client:
        first = client.order_statuses().records[0]
    assert first.last_updated == dt.datetime(2012, 6, 20, 0, 26, 50, 663000, tzinfo=dt.UTC)


# --- keys and secrets ----------------------------------------------------------------------------


def test_an_expired_key_is_renewed_on_401(small_world: World) -> None:
    served = serve(small_world)
    transport = Recording()
    frozen = FakeClock()  # the client's own clock stands still: it cannot know the key is old
    try:
        with served.client(clock=frozen, sleep=frozen.advance, transport=transport) as client:
            before = dumps(client.warehouses())
            served.clock.advance(DAY + 60)  # the server's day passes; the key dies
            after = dumps(client.warehouses())
            assert client.logins == 2
    finally:
        served.sim.stop()
    assert after == before and before
    assert transport.statuses("/api/Warehouse") == [200, 401, 200]
    assert transport.statuses("/api/Auth") == [200, 200]


def test_a_key_is_renewed_before_its_24_hours_are_up(small_world: World) -> None:
    served = serve(small_world)
    transport = Recording()
    try:
        with served.client(transport=transport) as client:
            client.warehouses()
            served.clock.advance(23.5 * 3600)  # the shared clock: the client sees the key's age
            client.warehouses()
            assert client.logins == 2
    finally:
        served.sim.stop()
    assert transport.statuses("/api/Warehouse") == [200, 200]  # no request ever met a 401


def test_a_fixed_key_works_and_a_wrong_one_fails_without_showing_it(served: Served) -> None:
    creds = served.ctx.credentials
    with served.client() as client:
        client.warehouses()
        key = client._key
    assert key
    base = f"{served.sim.url}/mintsoft"
    with MintsoftClient(base, api_key=key, clock=served.clock, sleep=served.clock.advance) as fixed:
        assert len(fixed.warehouses().records) == 3
        assert fixed.logins == 0
    wrong = "d1e2f3a4-0000-4000-8000-123456789abc"
    bad = MintsoftClient(base, api_key=wrong, clock=served.clock, sleep=served.clock.advance)
    with bad, pytest.raises(ApiError) as caught:
        bad.warehouses()
    assert caught.value.status == 401
    assert wrong not in str(caught.value) and creds.mintsoft_password not in str(caught.value)


def test_wrong_credentials_raise_without_the_password(small_world: World, served: Served) -> None:
    creds = served.ctx.credentials
    wrong_password = "not-the-" + creds.mintsoft_password
    client = MintsoftClient(
        f"{served.sim.url}/mintsoft", creds.mintsoft_username, wrong_password, sleep=served.clock.advance
    )
    with client, pytest.raises(ApiError) as caught:
        client.products()
    assert caught.value.status == 401
    text = f"{caught.value} {caught.value!r} {client!r}"
    assert "refused" in text
    assert wrong_password not in text and creds.mintsoft_password not in text
    with pytest.raises(ValueError, match="username and password"):
        MintsoftClient(f"{served.sim.url}/mintsoft", creds.mintsoft_username)


def test_the_key_travels_only_in_the_header(served: Served) -> None:
    creds = served.ctx.credentials
    transport = Recording()
    with served.client(transport=transport, page_size=40) as client:
        client.products()
        client.orders()
        key = client._key
    assert key and len(transport.seen) > 4
    for seen in transport.seen:
        assert key not in seen.url and creds.mintsoft_password not in seen.url
        if "/api/Auth" in seen.url:
            assert seen.method == "POST" and "ms-apikey" not in seen.headers
        else:
            assert seen.headers["ms-apikey"] == key


# --- faults, throttling, bad data ---------------------------------------------------------------


def test_faults_change_nothing_and_secrets_stay_out_of_logs(
    world: World, reference: dict[str, list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    served = serve(world, FaultPlan(world.seed, FAULT_RATES, timeout_seconds=0.3))
    try:
        with served.client(timeout=0.15, page_size=10) as client:
            got = sync_everything(client)
            stats, key = client.stats, client._key
    finally:
        served.sim.stop()
    injected = served.ctx.faults_injected
    assert sum(injected.values()) >= 5 and {"429", "500"} <= set(injected)
    assert stats.retries >= sum(injected.values())
    # A 429 reply the client's 0.15 s timeout cut off on a busy machine is seen as a timeout instead.
    late_replies = stats.faults.get("timeout", 0) - injected.get("timeout", 0)
    assert stats.faults.get("429", 0) + late_replies >= injected["429"]
    assert got == reference
    creds = served.ctx.credentials
    logged = caplog.text
    assert "retry" in logged  # the retries were logged ...
    for secret in (creds.mintsoft_password, key):
        assert secret and secret not in logged  # ... without a secret


def test_mintsoft_own_throttle_is_survived_without_loss(
    world: World, reference: dict[str, list[dict[str, Any]]]
) -> None:
    served = serve(world)  # no injected faults: every 429 comes from the simulator's Cloudflare bucket
    try:
        with served.client(rate_per_second=100, page_size=5) as client:
            got = {name: dumps(getattr(client, name)()) for name in ("products", "inventory", "orders")}
            stats = client.stats
            paced = client._http.bucket.rate
    finally:
        served.sim.stop()
    assert stats.throttled > 0 and stats.retries >= stats.throttled
    assert paced < 100  # it slowed itself down
    assert got == {name: reference[name] for name in got}


def _corrupt(path: str, index: int, field: str, value: Any, line_field: str | None = None):
    def rewrite(request: Any, body: Any) -> Any:
        if request.url.path.lower().endswith(path.lower()) and request.url.params.get("PageNo") == "1":
            record = body[index]
            if line_field is None:
                record[field] = value
            else:
                record[field][0][line_field] = value
            return body
        return None

    return rewrite


def test_a_record_of_the_wrong_type_is_rejected_by_id_and_field(
    served: Served, reference: dict[str, list[dict[str, Any]]]
) -> None:
    inventory = Recording(_corrupt("/api/Product/Inventory/Bulk", 3, "OnHand", "12"))
    with served.client(transport=inventory) as client:
        parsed = client.inventory()
    bad_id = reference["inventory"][3]["id"]
    assert [r.record_id for r in parsed.rejected] == [str(bad_id)]
    assert "OnHand" in parsed.rejected[0].reason and str(bad_id) in parsed.rejected[0].reason
    assert dumps(parsed) == [r for r in reference["inventory"] if r["id"] != bad_id]

    orders = Recording(_corrupt("/api/Order/List", 0, "OrderItems", 2.0, line_field="Quantity"))
    with served.client(transport=orders) as client:
        parsed = client.orders()
    bad_id = reference["orders"][0]["id"]
    assert [r.record_id for r in parsed.rejected] == [str(bad_id)]
    assert "OrderItems.0.Quantity" in parsed.rejected[0].reason
    assert len(parsed.records) == len(reference["orders"]) - 1

    prices = Recording(_corrupt("/api/Product/List", 1, "Price", "24.00"))
    with served.client(transport=prices) as client:
        parsed = client.products()
    assert [r.record_id for r in parsed.rejected] == [str(reference["products"][1]["id"])]
    assert "Price" in parsed.rejected[0].reason


def test_a_record_repeated_on_the_next_page_comes_back_once(
    served: Served, reference: dict[str, list[dict[str, Any]]]
) -> None:
    first_page: list[Any] = []

    def overlap(request: Any, body: Any) -> Any:
        page_no = request.url.params.get("PageNo")
        if page_no == "1":
            first_page.extend(body)
        elif page_no == "2":  # the list shifted between requests: page 2 starts with page 1's last
            return [first_page[-1], *body]
        return None

    with served.client(page_size=10, transport=Recording(overlap)) as client:
        parsed = client.orders()
    assert dumps(parsed) == reference["orders"]
    assert client.duplicates_dropped == 1


def test_a_server_that_ignores_page_no_is_an_error_not_an_endless_loop(served: Served) -> None:
    first_page: list[Any] = []

    def same_page(request: Any, body: Any) -> Any:
        if not request.url.path.endswith("/Product/List"):
            return None
        if request.url.params["PageNo"] == "1":
            first_page.extend(body)
            return None
        return first_page  # every page is page 1

    with served.client(page_size=10, transport=Recording(same_page)) as client, pytest.raises(ApiError) as caught:
        client.products()
    assert "only repeats records" in str(caught.value)
