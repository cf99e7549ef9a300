"""The legacy Shopify REST endpoints over real HTTP: paging, filters, limits, auth and shapes.

Every expectation is computed here from the world, independently of the endpoint code, so a
paging bug (a record lost or doubled between pages) or a filter bug shows up as a value diff.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.shopify_auth import INVALID_TOKEN_MESSAGE
from integration_assets.simulator.world import (
    CURRENCY_EXPONENT,
    Order,
    World,
    current_totals,
    financial_status,
    original_totals,
    quantize,
)
from integration_assets_tests.clocks import FakeClock, TickingClock
from integration_assets_tests.page_sizes import awkward_limit
from integration_assets_tests.shopify_http import fetch_all, links

SEED = 7
VERSION = "2026-01"
API = f"/admin/api/{VERSION}"
THROTTLE_MESSAGE = "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(small_world: World) -> World:
    """The shared seed-7 test world (conftest); read-only here."""
    assert small_world.seed == SEED
    return small_world


@pytest.fixture(scope="module")
def sim(world: World) -> Iterator[RunningSimulator]:
    running = serve_in_thread(SimContext.build(world, clock=TickingClock()))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(sim: RunningSimulator) -> Iterator[httpx.Client]:
    headers = {"X-Shopify-Access-Token": sim.ctx.credentials.access_token}
    with httpx.Client(base_url=sim.url, headers=headers, timeout=30) as http:
        yield http


@pytest.fixture()
def frozen(world: World) -> Iterator[tuple[RunningSimulator, FakeClock, httpx.Client]]:
    """A fresh server (fresh bucket) whose bucket only leaks when the test advances the clock."""
    clock = FakeClock()
    running = serve_in_thread(SimContext.build(world, clock=clock))
    headers = {"X-Shopify-Access-Token": running.ctx.credentials.access_token}
    with httpx.Client(base_url=running.url, headers=headers, timeout=30) as http:
        yield running, clock, http
    running.stop()


# --- helpers -----------------------------------------------------------------------------------


def rest_status(order: Order) -> str:
    if order.cancelled_at is not None:
        return "cancelled"
    if order.closed_at is not None:
        return "closed"
    return "open"


def exponent_pattern(currency: str) -> re.Pattern[str]:
    places = CURRENCY_EXPONENT[currency]
    return re.compile(rf"^-?\d+\.\d{{{places}}}$" if places else r"^-?\d+$")


# --- paging ------------------------------------------------------------------------------------


def test_orders_link_paging_returns_every_order_once(world: World, client: httpx.Client) -> None:
    limit = awkward_limit(len(world.orders))
    records, pages = fetch_all(client, f"{API}/orders.json", "orders", {"status": "any", "limit": str(limit)})
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(o.id for o in world.orders)
    assert pages == -(-len(world.orders) // limit)
    # Newest first, as REST lists orders.
    created = [dt.datetime.fromisoformat(r["created_at"]) for r in records]
    assert created == sorted(created, reverse=True)


def test_previous_links_walk_back_over_the_same_pages(world: World, client: httpx.Client) -> None:
    limit = awkward_limit(len(world.orders))
    forward: list[list[int]] = []
    response = client.get(f"{API}/orders.json", params={"status": "any", "limit": str(limit)})
    assert "previous" not in links(response)
    forward.append([r["id"] for r in response.json()["orders"]])
    while "next" in links(response):
        response = client.get(links(response)["next"])
        forward.append([r["id"] for r in response.json()["orders"]])
    backward = [[r["id"] for r in response.json()["orders"]]]
    while "previous" in links(response):
        response = client.get(links(response)["previous"])
        backward.append([r["id"] for r in response.json()["orders"]])
    assert backward[::-1] == forward


@pytest.mark.parametrize(
    ("path", "root", "params", "expected"),
    [
        ("locations.json", "locations", {}, lambda w: [loc.id for loc in w.locations]),
        (
            "shopify_payments/payouts.json",
            "payouts",
            {},
            lambda w: [p.id for p in w.payouts],
        ),
        (
            "shopify_payments/balance/transactions.json",
            "transactions",
            {},
            lambda w: [t.id for t in w.balance_transactions],
        ),
    ],
)
def test_other_listings_page_every_record_once(
    world: World,
    client: httpx.Client,
    path: str,
    root: str,
    params: dict[str, str],
    expected: Callable[[World], list[int]],
) -> None:
    want = expected(world)
    assert len(want) >= 3
    limit = awkward_limit(len(want), (13, 7, 5, 4, 3, 2))
    records, pages = fetch_all(client, f"{API}/{path}", root, {**params, "limit": str(limit)})
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(want)
    assert pages == -(-len(want) // limit)


def test_inventory_levels_page_every_level_once(world: World, client: httpx.Client) -> None:
    location_ids = sorted({level.location_id for level in world.inventory_levels})
    want = sorted((lvl.inventory_item_id, lvl.location_id) for lvl in world.inventory_levels)
    limit = awkward_limit(len(want), (37, 41, 43, 47, 53))
    records, _ = fetch_all(
        client,
        f"{API}/inventory_levels.json",
        "inventory_levels",
        {"location_ids": ",".join(map(str, location_ids)), "limit": str(limit)},
    )
    got = [(r["inventory_item_id"], r["location_id"]) for r in records]
    assert len(got) == len(set(got))
    assert sorted(got) == want
    tracked = {item.id: item.tracked for item in world.inventory_items}
    by_key = {(lvl.inventory_item_id, lvl.location_id): lvl for lvl in world.inventory_levels}
    for record in records:
        level = by_key[(record["inventory_item_id"], record["location_id"])]
        if tracked[level.inventory_item_id]:
            assert record["available"] == level.quantities["available"]
        else:
            assert record["available"] is None
        assert record["admin_graphql_api_id"] == (
            f"gid://shopify/InventoryLevel/{level.location_id}?inventory_item_id={level.inventory_item_id}"
        )
    assert any(r["available"] is None for r in records) == (not all(tracked.values()))


def test_inventory_levels_need_item_or_location_ids(client: httpx.Client) -> None:
    response = client.get(f"{API}/inventory_levels.json")
    assert response.status_code == 422
    assert "errors" in response.json()


def test_inventory_items_by_ids(world: World, client: httpx.Client) -> None:
    items = world.inventory_items[:30]
    records, _ = fetch_all(
        client,
        f"{API}/inventory_items.json",
        "inventory_items",
        {"ids": ",".join(str(i.id) for i in items), "limit": "7"},
    )
    assert [r["id"] for r in records] == sorted(i.id for i in items)
    by_id = {i.id: i for i in items}
    for record in records:
        item = by_id[record["id"]]
        assert record["sku"] == item.sku
        assert record["tracked"] is item.tracked
        assert record["cost"] == format(quantize(item.cost, world.shop.currency), "f")
    too_many = ",".join(str(i.id) for i in world.inventory_items[:101])
    if len(world.inventory_items) > 100:
        assert client.get(f"{API}/inventory_items.json", params={"ids": too_many}).status_code == 400
    assert client.get(f"{API}/inventory_items.json").status_code == 400
    one = client.get(f"{API}/inventory_items/{items[0].id}.json")
    assert one.json()["inventory_item"]["id"] == items[0].id


def test_page_info_with_filter_params_is_rejected(client: httpx.Client) -> None:
    first = client.get(f"{API}/orders.json", params={"status": "any", "limit": "3"})
    next_url = links(first)["next"]
    page_info = parse_qs(urlsplit(next_url).query)["page_info"][0]
    ok = client.get(f"{API}/orders.json", params={"page_info": page_info, "limit": "5", "fields": "id"})
    assert ok.status_code == 200
    assert all(set(o) == {"id"} for o in ok.json()["orders"])
    bad = client.get(f"{API}/orders.json", params={"page_info": page_info, "status": "any"})
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]
    forged = client.get(f"{API}/orders.json", params={"page_info": "not-a-cursor"})
    assert forged.status_code == 400


def test_limit_above_250_is_a_400(client: httpx.Client) -> None:
    assert client.get(f"{API}/orders.json", params={"limit": "251"}).status_code == 400
    assert client.get(f"{API}/orders.json", params={"limit": "250"}).status_code == 200


def test_single_page_has_no_link_header(world: World, client: httpx.Client) -> None:
    response = client.get(f"{API}/locations.json", params={"limit": "250"})
    assert response.status_code == 200
    assert "link" not in response.headers
    assert len(response.json()["locations"]) == len(world.locations)


def test_api_version_header_and_fall_forward(sim: RunningSimulator, client: httpx.Client) -> None:
    assert client.get(f"{API}/locations.json").headers["x-shopify-api-version"] == VERSION
    oldest = min(sim.ctx.api_versions)
    old = client.get("/admin/api/2019-07/locations.json")
    assert old.status_code == 200
    assert old.headers["x-shopify-api-version"] == oldest
    assert client.get("/admin/api/latest/locations.json").status_code == 404


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["open", "closed", "cancelled", "any", None])
def test_status_filter_matches_the_world(world: World, client: httpx.Client, status: str | None) -> None:
    params = {"limit": "250"} if status is None else {"status": status, "limit": "250"}
    records, _ = fetch_all(client, f"{API}/orders.json", "orders", params)
    wanted_status = status or "open"  # REST's default
    want = {o.id for o in world.orders if wanted_status == "any" or rest_status(o) == wanted_status}
    assert {r["id"] for r in records} == want
    count = client.get(f"{API}/orders/count.json", params={} if status is None else {"status": status})
    assert count.json() == {"count": len(want)}


def test_status_filter_partitions_the_orders(world: World, client: httpx.Client) -> None:
    counts = {
        s: client.get(f"{API}/orders/count.json", params={"status": s}).json()["count"]
        for s in ("open", "closed", "cancelled", "any")
    }
    assert counts["open"] + counts["closed"] + counts["cancelled"] == counts["any"] == len(world.orders)
    assert counts["cancelled"] > 0 and counts["closed"] > 0 and counts["open"] > 0


def test_updated_at_window_matches_the_world(world: World, client: httpx.Client) -> None:
    stamps = sorted(o.updated_at for o in world.orders)
    low, high = stamps[len(stamps) // 4], stamps[3 * len(stamps) // 4]
    # Send the bounds with a non-UTC offset: the server must compare instants, not wall times.
    plus_two = dt.timezone(dt.timedelta(hours=2))
    params = {
        "status": "any",
        "updated_at_min": low.astimezone(plus_two).isoformat(),
        "updated_at_max": high.astimezone(plus_two).isoformat(),
        "limit": "13",
    }
    records, _ = fetch_all(client, f"{API}/orders.json", "orders", params)
    want = {o.id for o in world.orders if low <= o.updated_at <= high}
    assert {r["id"] for r in records} == want
    assert len(records) == len(want)


def test_created_at_and_financial_status_filters(world: World, client: httpx.Client) -> None:
    day = world.size.dates[0]
    zone = ZoneInfo(world.shop.timezone)
    start = dt.datetime.combine(day, dt.time(), zone)
    end = start + dt.timedelta(days=1) - dt.timedelta(seconds=1)
    params = {
        "status": "any",
        "created_at_min": start.isoformat(),
        "created_at_max": end.isoformat(),
        "financial_status": "paid",
        "limit": "250",
    }
    records, _ = fetch_all(client, f"{API}/orders.json", "orders", params)
    want = {o.id for o in world.orders if start <= o.created_at <= end and financial_status(o) == "PAID"}
    assert want
    assert {r["id"] for r in records} == want


# --- rate limits -------------------------------------------------------------------------------


def test_call_limit_header_counts_up_and_bucket_refuses_the_41st(
    frozen: tuple[RunningSimulator, FakeClock, httpx.Client],
) -> None:
    running, clock, http = frozen
    size = running.ctx.rest_bucket.size
    assert size == 40
    used = []
    for _ in range(size):
        response = http.get(f"{API}/locations.json")
        assert response.status_code == 200
        used.append(response.headers["x-shopify-shop-api-call-limit"])
    assert used == [f"{n}/40" for n in range(1, 41)]
    refused = http.get(f"{API}/locations.json")
    assert refused.status_code == 429
    assert refused.json() == {"errors": THROTTLE_MESSAGE}
    assert refused.headers["retry-after"] == "0.5"  # one request's room at 2 per second
    assert refused.headers["x-shopify-shop-api-call-limit"] == "40/40"
    clock.advance(0.5)
    assert http.get(f"{API}/locations.json").status_code == 200


def test_bucket_leaks_at_the_plan_rate(
    frozen: tuple[RunningSimulator, FakeClock, httpx.Client],
) -> None:
    running, clock, http = frozen
    assert running.ctx.plan.rest_leak_rate == 2.0
    for _ in range(30):
        http.get(f"{API}/locations.json")
    clock.advance(5.0)  # leaks 10 requests
    assert http.get(f"{API}/locations.json").headers["x-shopify-shop-api-call-limit"] == "21/40"
    clock.advance(60.0)  # empties
    assert http.get(f"{API}/locations.json").headers["x-shopify-shop-api-call-limit"] == "1/40"


def test_client_honouring_retry_after_loses_nothing(
    world: World, frozen: tuple[RunningSimulator, FakeClock, httpx.Client]
) -> None:
    """Page all orders through a throttled bucket; 'sleeping' moves the fake clock."""
    _, clock, http = frozen
    limit = max(1, len(world.orders) // 50)
    url: str | None = f"{API}/orders.json?status=any&limit={limit}"
    ids: list[int] = []
    throttled = 0
    slept = 0.0
    while url is not None:
        response = http.get(url)
        if response.status_code == 429:
            throttled += 1
            wait = float(response.headers["retry-after"])
            slept += wait
            clock.advance(wait)
            continue
        assert response.status_code == 200
        ids.extend(o["id"] for o in response.json()["orders"])
        url = links(response).get("next")
    pages = -(-len(world.orders) // limit)
    assert pages > 40  # the walk must overflow the bucket for this test to mean anything
    assert sorted(ids) == sorted(o.id for o in world.orders)
    assert len(ids) == len(set(ids))
    assert throttled == pages - 40
    assert slept == pytest.approx((pages - 40) / 2.0)


def test_real_clock_burst_gets_429_then_recovers(world: World) -> None:
    running = serve_in_thread(SimContext.build(world))
    try:
        headers = {"X-Shopify-Access-Token": running.ctx.credentials.access_token}
        with httpx.Client(base_url=running.url, headers=headers, timeout=30) as http:
            statuses = [http.get(f"{API}/shopify_payments/balance.json") for _ in range(46)]
            refused = [r for r in statuses if r.status_code == 429]
            assert refused, "a burst of 46 calls must overflow a 40-call bucket"
            wait = float(refused[-1].headers["retry-after"])
            assert 0 < wait <= 3.5
            threading.Event().wait(wait)
            assert http.get(f"{API}/shopify_payments/balance.json").status_code == 200
    finally:
        running.stop()


# --- auth --------------------------------------------------------------------------------------


def test_missing_or_wrong_token_is_401_and_costs_nothing(
    frozen: tuple[RunningSimulator, FakeClock, httpx.Client],
) -> None:
    running, _, http = frozen
    with httpx.Client(base_url=running.url, timeout=30) as anonymous:
        missing = anonymous.get(f"{API}/orders.json")
        wrong = anonymous.get(f"{API}/orders.json", headers={"X-Shopify-Access-Token": "shpat_wrong"})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json() == {"errors": INVALID_TOKEN_MESSAGE}
    assert http.get(f"{API}/orders.json").headers["x-shopify-shop-api-call-limit"] == "1/40"


def test_unknown_ids_are_404(client: httpx.Client) -> None:
    for path in (
        "orders/1.json",
        "orders/1/refunds.json",
        "locations/1.json",
        "inventory_items/1.json",
        "shopify_payments/payouts/1.json",
    ):
        response = client.get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert response.json() == {"errors": "Not Found"}


# --- shapes and values -------------------------------------------------------------------------


def test_order_amounts_are_strings_in_the_currency_exponent(world: World, client: httpx.Client) -> None:
    records, _ = fetch_all(client, f"{API}/orders.json", "orders", {"status": "any", "limit": "250"})
    by_id = world.orders_by_id
    presentment_seen = set()
    for record in records:
        order = by_id[record["id"]]
        shop_pattern = exponent_pattern(order.currency)
        presentment_pattern = exponent_pattern(order.presentment_currency)
        presentment_seen.add(order.presentment_currency)
        original, current = original_totals(order), current_totals(order)
        assert record["total_price"] == format(quantize(original.total.shop, order.currency), "f")
        assert record["current_total_price"] == format(quantize(current.total.shop, order.currency), "f")
        for key in (
            "total_price",
            "subtotal_price",
            "total_tax",
            "current_total_price",
            "total_discounts",
        ):
            assert shop_pattern.match(record[key]), (key, record[key])
            money = record[f"{key}_set"]
            assert money["shop_money"]["currency_code"] == order.currency
            assert money["presentment_money"]["currency_code"] == order.presentment_currency
            assert presentment_pattern.match(money["presentment_money"]["amount"]), money
        for line in record["line_items"]:
            assert shop_pattern.match(line["price"])
            assert presentment_pattern.match(line["price_set"]["presentment_money"]["amount"])
            assert all(isinstance(t["rate"], float | int) for t in line["tax_lines"])
    assert "JPY" in presentment_seen, "the demo world should sell in a zero-decimal currency"


def test_order_matches_the_world(world: World, client: httpx.Client) -> None:
    zone = ZoneInfo(world.shop.timezone)
    for order in world.orders[:: max(1, len(world.orders) // 25)]:
        record = client.get(f"{API}/orders/{order.id}.json").json()["order"]
        assert record["id"] == order.id
        assert record["name"] == order.name
        assert record["admin_graphql_api_id"] == f"gid://shopify/Order/{order.id}"
        created = dt.datetime.fromisoformat(record["created_at"])
        assert created == order.created_at
        assert created.utcoffset() == order.created_at.astimezone(zone).utcoffset()
        assert [li["id"] for li in record["line_items"]] == [li.id for li in order.line_items]
        assert len(record["refunds"]) == len(order.refunds)
        assert len(record["fulfillments"]) == len(order.fulfillments)
        assert record["source_name"] == order.source_name
        if order.source_name == "pos":
            assert record["location_id"] == order.retail_location_id
        else:
            assert record["shipping_address"]["country_code"] == order.country_code


def test_refund_amounts_balance_with_their_transactions(world: World, client: httpx.Client) -> None:
    """REST refund lines minus adjustments (REST's sign) equal the money the refund paid back."""
    refunded = [o for o in world.orders if o.refunds]
    assert refunded
    for order in refunded:
        refunds = client.get(f"{API}/orders/{order.id}/refunds.json").json()["refunds"]
        world_refunds = {r.id: r for r in order.refunds}
        assert sorted(r["id"] for r in refunds) == sorted(world_refunds)
        for refund in refunds:
            truth = world_refunds[refund["id"]]
            lines = sum((Decimal(str(li["subtotal"])) for li in refund["refund_line_items"]), Decimal(0))
            taxes = sum((Decimal(str(li["total_tax"])) for li in refund["refund_line_items"]), Decimal(0))
            adjustments = sum((Decimal(a["amount"]) for a in refund["order_adjustments"]), Decimal(0))
            adjustment_tax = sum((Decimal(a["tax_amount"]) for a in refund["order_adjustments"]), Decimal(0))
            expected = lines - adjustments
            if not order.taxes_included:
                expected += taxes - adjustment_tax
            assert quantize(expected, order.currency) == quantize(truth.total.shop, order.currency)
            # Transactions are in presentment money (the payment as the customer made it).
            paid_back = sum((Decimal(t["amount"]) for t in refund["transactions"]), Decimal(0))
            assert all(t["currency"] == order.presentment_currency for t in refund["transactions"])
            assert paid_back == quantize(truth.total.presentment, order.presentment_currency)
            assert {li["restock_type"] for li in refund["refund_line_items"]} <= {
                "cancel",
                "return",
                "no_restock",
            }


def test_big_ids_survive_as_exact_integers(world: World, client: httpx.Client) -> None:
    # An id a float cannot hold: parsing it as a float would change it.
    order, line = next(
        (o, li) for o in world.orders for li in o.line_items if li.id > 2**53 and int(float(li.id)) != li.id
    )
    response = client.get(f"{API}/orders/{order.id}.json")
    assert str(line.id) in response.text
    assert f"{float(line.id)}" not in response.text
    record = json.loads(response.text)["order"]
    assert any(li["id"] == line.id and isinstance(li["id"], int) for li in record["line_items"])


def test_payouts_and_balance_transactions_match_the_world(world: World, client: httpx.Client) -> None:
    payouts, _ = fetch_all(client, f"{API}/shopify_payments/payouts.json", "payouts", {"limit": "250"})
    for record in payouts:
        payout = world.payouts_by_id[record["id"]]
        assert record["amount"] == format(quantize(payout.net, payout.currency), "f")
        assert record["status"] == payout.status.lower()
        assert record["date"] == payout.date.isoformat()
        summary = record["summary"]
        assert summary["charges_gross_amount"] == format(
            quantize(payout.summary.get("chargesGross", Decimal(0)), payout.currency), "f"
        )
        assert summary["refunds_gross_amount"] == format(
            quantize(payout.summary.get("refundsFeeGross", Decimal(0)), payout.currency), "f"
        )
        assert len(summary) == 10
    paid = next(p for p in world.payouts if p.status == "PAID")
    rows, _ = fetch_all(
        client,
        f"{API}/shopify_payments/balance/transactions.json",
        "transactions",
        {"payout_id": str(paid.id), "limit": "5"},
    )
    want = [t for t in world.balance_transactions if t.payout_id == paid.id]
    assert sorted(r["id"] for r in rows) == sorted(t.id for t in want)
    transfer = [r for r in rows if r["type"] == "payout"]
    assert len(transfer) == 1
    assert Decimal(transfer[0]["amount"]) == -quantize(paid.net, paid.currency)
    for row in rows:
        assert Decimal(row["net"]) == Decimal(row["amount"]) - Decimal(row["fee"])
        assert row["payout_status"] == "paid"


def test_same_seed_gives_byte_identical_bodies(client: httpx.Client) -> None:
    other_world = build_world(SEED, small_size())
    running = serve_in_thread(SimContext.build(other_world, clock=TickingClock()))
    try:
        headers = {"X-Shopify-Access-Token": running.ctx.credentials.access_token}
        with httpx.Client(base_url=running.url, headers=headers, timeout=30) as other:
            for path in (
                "orders.json?status=any&limit=250",
                "locations.json",
                "shopify_payments/payouts.json",
                "shopify_payments/balance/transactions.json?limit=250",
            ):
                mine = client.get(f"{API}/{path}")
                theirs = other.get(f"{API}/{path}")
                assert mine.status_code == theirs.status_code == 200
                assert mine.content == theirs.content, path
    finally:
        running.stop()
