"""REST and GraphQL answer the same records alike, as a client comparing them would see.

Third-party connectors read the shop, stock, order counts, the balance and disputes over the
legacy REST API; our clients read GraphQL. Each test pages both views to the end over real HTTP
and compares ids, counts and money to the penny, and each also checks the world itself, so two
views that agree on a wrong answer still fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from integration_assets.simulator.context import DEFAULT_SCOPES, SimContext
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.shopify_auth import INVALID_TOKEN_MESSAGE
from integration_assets.simulator.world import World
from integration_assets_tests.page_sizes import awkward_limit
from integration_assets_tests.shopify_http import VERSION, Client, fetch_all, page_all

API = f"/admin/api/{VERSION}"


@pytest.fixture(scope="module")
def world(small_world: World) -> World:
    """The shared seed-7 test world the `simulator` fixture serves; read-only here."""
    return small_world


@pytest.fixture(scope="module")
def rest(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    headers = {"X-Shopify-Access-Token": simulator.ctx.credentials.access_token}
    with httpx.Client(base_url=simulator.url, headers=headers, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def gql(simulator: RunningSimulator) -> Client:
    return Client(simulator)


def legacy_id(gid: str) -> int:
    return int(gid.rsplit("/", 1)[1].split("?")[0])


# --- shop ----------------------------------------------------------------------------------------

SHOP_QUERY = """{ shop {
  id name email contactEmail myshopifyDomain currencyCode enabledPresentmentCurrencies ianaTimezone
  taxesIncluded primaryDomain { host } plan { displayName publicDisplayName shopifyPlus partnerDevelopment }
  billingAddress { address1 city zip countryCodeV2 } currencyFormats { moneyFormat moneyWithCurrencyFormat }
  createdAt updatedAt
} }"""


def test_shop_reads_alike_over_rest_and_graphql(world: World, rest: httpx.Client, gql: Client) -> None:
    response = rest.get(f"{API}/shop.json")
    assert response.status_code == 200, response.text
    shop = response.json()["shop"]
    node = gql.data(SHOP_QUERY)["shop"]

    assert shop["id"] == legacy_id(node["id"]) and node["id"].startswith("gid://shopify/Shop/")
    assert (shop["name"], node["name"]) == (world.shop.name, world.shop.name)
    assert shop["myshopify_domain"] == shop["domain"] == node["myshopifyDomain"] == world.shop.domain
    assert shop["currency"] == node["currencyCode"] == "GBP"
    assert shop["iana_timezone"] == node["ianaTimezone"] == "Europe/London"
    assert shop["timezone"] == "(GMT+00:00) Europe/London"  # November: GMT
    assert shop["email"] == node["email"] == node["contactEmail"]
    assert shop["plan_display_name"] == node["plan"]["publicDisplayName"] == node["plan"]["displayName"]
    assert shop["plan_name"] == "basic" and node["plan"]["shopifyPlus"] is False
    currencies = sorted({world.shop.currency} | {o.presentment_currency for o in world.orders})
    assert currencies == ["EUR", "GBP", "JPY", "USD"]
    assert shop["enabled_presentment_currencies"] == node["enabledPresentmentCurrencies"] == currencies
    assert shop["taxes_included"] is node["taxesIncluded"] is True
    address = node["billingAddress"]
    assert (shop["address1"], shop["city"], shop["zip"], shop["country_code"]) == (
        address["address1"],
        address["city"],
        address["zip"],
        address["countryCodeV2"],
    )
    primary = next(loc for loc in world.locations if loc.kind == "warehouse")
    assert shop["primary_location_id"] == primary.id and shop["city"] == primary.city
    assert shop["money_format"] == node["currencyFormats"]["moneyFormat"] == "£{{amount}}"
    # REST carries the shop's offset, GraphQL UTC: the same instants.
    for rest_key, graphql_key in (("created_at", "createdAt"), ("updated_at", "updatedAt")):
        assert dt.datetime.fromisoformat(shop[rest_key]) == dt.datetime.fromisoformat(node[graphql_key])
    # The Shop node resolves by the id REST gives.
    again = gql.data("query($id: ID!) { node(id: $id) { ... on Shop { name } } }", {"id": node["id"]})
    assert again["node"] == {"name": world.shop.name}


def test_shop_fields_filter_and_auth(simulator: RunningSimulator, rest: httpx.Client) -> None:
    response = rest.get(f"{API}/shop.json", params={"fields": "id,name,plan_name"})
    assert response.status_code == 200
    assert sorted(response.json()["shop"]) == ["id", "name", "plan_name"]
    assert response.headers["X-Shopify-Shop-Api-Call-Limit"].endswith("/80")  # the plus plan's bucket
    denied = httpx.get(f"{simulator.url}{API}/shop.json", timeout=30)
    assert denied.status_code == 401
    assert denied.json() == {"errors": INVALID_TOKEN_MESSAGE}


# --- a location's inventory levels ---------------------------------------------------------------

LOCATION_LEVELS = """
query($location: ID!, $cursor: String) {
  location(id: $location) {
    inventoryLevels(first: 9, after: $cursor) {
      edges { node { item { id tracked } quantities(names: ["available"]) { name quantity } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


def test_location_inventory_levels_page_to_the_end_and_match_graphql(
    world: World, rest: httpx.Client, gql: Client
) -> None:
    tracked = {item.id: item.tracked for item in world.inventory_items}
    checked = 0
    for location in world.locations:
        levels = [lvl for lvl in world.inventory_levels if lvl.location_id == location.id]
        if len(levels) < 3:
            continue
        want = {
            lvl.inventory_item_id: lvl.quantities["available"] if tracked[lvl.inventory_item_id] else None
            for lvl in levels
        }
        limit = awkward_limit(len(levels), (7, 11, 13, 4, 3, 2))
        records, pages = fetch_all(
            rest, f"{API}/locations/{location.id}/inventory_levels.json", "inventory_levels", {"limit": str(limit)}
        )
        assert pages == -(-len(levels) // limit)
        assert {r["location_id"] for r in records} == {location.id}
        got_rest = {r["inventory_item_id"]: r["available"] for r in records}
        assert len(got_rest) == len(records) == len(levels)
        assert got_rest == want

        nodes = page_all(
            gql, LOCATION_LEVELS, "location.inventoryLevels", {"location": f"gid://shopify/Location/{location.id}"}
        )
        got_graphql = {
            legacy_id(n["item"]["id"]): n["quantities"][0]["quantity"] if n["item"]["tracked"] else None for n in nodes
        }
        assert got_graphql == got_rest

        # The same levels through the location_ids filter of /inventory_levels.json.
        by_filter, _ = fetch_all(
            rest, f"{API}/inventory_levels.json", "inventory_levels", {"location_ids": str(location.id), "limit": "250"}
        )
        assert {r["inventory_item_id"]: r["available"] for r in by_filter} == got_rest
        checked += 1
    assert checked >= 3


def test_location_inventory_levels_refuse_foreign_cursors_and_unknown_locations(
    world: World, rest: httpx.Client
) -> None:
    first, second = (loc.id for loc in world.locations[:2])
    page = rest.get(f"{API}/locations/{first}/inventory_levels.json", params={"limit": "2"})
    next_url = page.headers["link"].split(">")[0].lstrip("<")
    page_info = next_url.split("page_info=")[1]
    foreign = rest.get(f"{API}/locations/{second}/inventory_levels.json", params={"page_info": page_info})
    assert foreign.status_code == 400
    assert rest.get(f"{API}/locations/999/inventory_levels.json").status_code == 404
    count = rest.get(f"{API}/locations/count.json")
    assert count.json() == {"count": len(world.locations)}


# --- order counts --------------------------------------------------------------------------------


def test_orders_count_matches_the_listing_and_graphql(world: World, rest: httpx.Client, gql: Client) -> None:
    day = world.size.dates[0]
    low = dt.datetime.combine(day, dt.time(0), dt.UTC)
    high = low + dt.timedelta(days=1) - dt.timedelta(seconds=1)
    window = {"updated_at_min": low.isoformat(), "updated_at_max": high.isoformat()}
    want = sum(1 for o in world.orders if low <= o.updated_at <= high)
    assert want >= 10
    for params in ({"status": "any", **window}, {"status": "any"}):
        count = rest.get(f"{API}/orders/count.json", params=params).json()["count"]
        listed, _ = fetch_all(rest, f"{API}/orders.json", "orders", {**params, "limit": "250", "fields": "id"})
        assert count == len(listed) == len({o["id"] for o in listed})
    rest_window = rest.get(f"{API}/orders/count.json", params={"status": "any", **window}).json()["count"]
    search = f"updated_at:>='{low:%Y-%m-%dT%H:%M:%SZ}' updated_at:<='{high:%Y-%m-%dT%H:%M:%SZ}'"
    graphql = gql.data("query($q: String) { ordersCount(query: $q) { count precision } }", {"q": search})
    assert rest_window == graphql["ordersCount"]["count"] == want
    assert graphql["ordersCount"]["precision"] == "EXACT"
    total = rest.get(f"{API}/orders/count.json", params={"status": "any"}).json()["count"]
    assert total == len(world.orders)
    # REST's default status=open counts fewer: cancelled and closed orders are left out.
    open_count = rest.get(f"{API}/orders/count.json").json()["count"]
    assert open_count == sum(1 for o in world.orders if o.cancelled_at is None and o.closed_at is None) < total


# --- Shopify Payments: balance and disputes ------------------------------------------------------


def test_balance_matches_graphql_and_the_transactions_behind_it(world: World, rest: httpx.Client, gql: Client) -> None:
    balance = rest.get(f"{API}/shopify_payments/balance.json").json()["balance"]
    account = gql.data("{ shopifyPaymentsAccount { balance { amount currencyCode } } }")["shopifyPaymentsAccount"]
    rest_money = {row["currency"]: Decimal(row["amount"]) for row in balance}
    graphql_money = {row["currencyCode"]: Decimal(row["amount"]) for row in account["balance"]}
    assert rest_money == graphql_money
    # What a client gets by adding up every live balance transaction itself.
    rows, _ = fetch_all(rest, f"{API}/shopify_payments/balance/transactions.json", "transactions", {"limit": "250"})
    summed: dict[str, Decimal] = {}
    for row in rows:
        if not row["test"]:
            summed[row["currency"]] = summed.get(row["currency"], Decimal(0)) + Decimal(row["net"])
    assert rest_money == summed
    assert rest_money == {"GBP": sum((bt.net for bt in world.balance_transactions if not bt.test), Decimal(0))}
    assert all(row["amount"].count(".") == 1 and len(row["amount"].split(".")[1]) == 2 for row in balance)


DISPUTES = """
query($cursor: String) {
  shopifyPaymentsAccount {
    disputes(first: 1, after: $cursor) {
      edges { node {
        id legacyResourceId amount { amount currencyCode } initiatedAt evidenceDueBy evidenceSentOn finalizedOn
        order { id disputes { id status initiatedAs } } reasonDetails { reason networkReasonCode } status type
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


def _rest_day(text: str | None) -> str | None:
    return None if text is None else dt.datetime.fromisoformat(text).astimezone(dt.UTC).date().isoformat()


def test_disputes_rest_and_graphql_agree(world: World, rest: httpx.Client, gql: Client) -> None:
    dispute_rows = [bt for bt in world.balance_transactions if bt.source_type == "DISPUTE"]
    want_ids = sorted({bt.source_id for bt in dispute_rows})
    assert len(want_ids) == 2  # the generator's chargebacks: one won, one lost

    records, pages = fetch_all(rest, f"{API}/shopify_payments/disputes.json", "disputes", {"limit": "1"})
    assert pages == len(want_ids)
    assert sorted(r["id"] for r in records) == want_ids
    nodes = page_all(gql, DISPUTES, "shopifyPaymentsAccount.disputes")
    by_id = {legacy_id(n["id"]): n for n in nodes}
    assert sorted(by_id) == want_ids

    for record in records:
        node = by_id[record["id"]]
        assert node["legacyResourceId"] == str(record["id"])
        assert Decimal(record["amount"]) == Decimal(node["amount"]["amount"])
        assert record["currency"] == node["amount"]["currencyCode"] == "GBP"
        assert record["status"] == node["status"].lower()
        assert record["type"] == node["type"].lower() == "chargeback"
        assert record["reason"] == node["reasonDetails"]["reason"].lower()
        assert record["network_reason_code"] == node["reasonDetails"]["networkReasonCode"]
        assert record["order_id"] == legacy_id(node["order"]["id"])
        assert dt.datetime.fromisoformat(record["initiated_at"]) == dt.datetime.fromisoformat(node["initiatedAt"])
        assert _rest_day(record["evidence_due_by"]) == node["evidenceDueBy"]
        assert _rest_day(record["evidence_sent_on"]) == node["evidenceSentOn"]
        assert _rest_day(record["finalized_on"]) == node["finalizedOn"]
        assert node["order"]["disputes"] == [
            {
                "id": f"gid://shopify/OrderDisputeSummary/{record['id']}",
                "status": node["status"],
                "initiatedAs": "CHARGEBACK",
            }
        ]
        # The money the dispute moved, as the balance transactions show it.
        moved = [bt for bt in dispute_rows if bt.source_id == record["id"]]
        opened = min(moved, key=lambda bt: bt.processed_at)
        assert Decimal(record["amount"]) == -opened.amount and record["order_id"] == opened.source_order_id
        assert (record["status"] == "won") == any(bt.amount > 0 for bt in moved)
        one = rest.get(f"{API}/shopify_payments/disputes/{record['id']}.json")
        assert one.json() == {"dispute": record}

    statuses = sorted(r["status"] for r in records)
    assert statuses == ["lost", "won"]
    won = rest.get(f"{API}/shopify_payments/disputes.json", params={"status": "won"}).json()["disputes"]
    assert [d["status"] for d in won] == ["won"]
    lost_graphql = gql.data('{ shopifyPaymentsAccount { disputes(first: 5, query: "status:LOST") { nodes { id } } } }')
    assert [legacy_id(n["id"]) for n in lost_graphql["shopifyPaymentsAccount"]["disputes"]["nodes"]] == [
        r["id"] for r in records if r["status"] == "lost"
    ]
    assert rest.get(f"{API}/shopify_payments/disputes/1.json").status_code == 404


# --- scopes --------------------------------------------------------------------------------------


def test_access_scopes_list_what_the_app_was_granted(simulator: RunningSimulator, rest: httpx.Client) -> None:
    response = rest.get("/admin/oauth/access_scopes.json")
    assert response.status_code == 200
    assert [s["handle"] for s in response.json()["access_scopes"]] == list(DEFAULT_SCOPES)
    assert "X-Shopify-Shop-Api-Call-Limit" in response.headers
    assert httpx.get(f"{simulator.url}/admin/oauth/access_scopes.json", timeout=30).status_code == 401


@pytest.mark.parametrize("path", ["customers.json", "customers/123.json", "draft_orders.json", "gift_cards.json"])
def test_ungranted_resources_answer_shopify_s_missing_scope_403(rest: httpx.Client, path: str) -> None:
    response = rest.get(f"{API}/{path}")
    scope = {"customers": "read_customers", "draft_orders": "read_draft_orders", "gift_cards": "read_gift_cards"}
    wanted = scope[path.split("/")[0].removesuffix(".json")]
    assert response.status_code == 403
    assert response.json() == {"errors": f"[API] This action requires merchant approval for {wanted} scope."}


def test_a_shop_without_the_payouts_scope_refuses_every_payments_route(world: World) -> None:
    scopes = tuple(s for s in DEFAULT_SCOPES if s != "read_shopify_payments_payouts")
    ctx = SimContext.build(world, plan="plus")
    ctx.scopes = scopes
    running = serve_in_thread(ctx)
    try:
        headers = {"X-Shopify-Access-Token": ctx.credentials.access_token}
        with httpx.Client(base_url=running.url, headers=headers, timeout=30) as http:
            for path in (
                "shopify_payments/payouts.json",
                "shopify_payments/balance.json",
                "shopify_payments/balance/transactions.json",
                "shopify_payments/disputes.json",
            ):
                response = http.get(f"{API}/{path}")
                assert response.status_code == 403, path
                assert response.json() == {
                    "errors": "[API] This action requires merchant approval for read_shopify_payments_payouts scope."
                }
            assert http.get(f"{API}/shop.json").status_code == 200
            granted = [s["handle"] for s in http.get("/admin/oauth/access_scopes.json").json()["access_scopes"]]
            assert granted == list(scopes)
    finally:
        running.stop()


# --- tender transactions -------------------------------------------------------------------------

ORDER_MONEY = """
query($cursor: String) {
  orders(first: 25, after: $cursor) {
    edges { node { id currencyCode transactions(first: 8) { id kind status amountSet { shopMoney { amount } } } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_tender_transactions_add_up_to_graphql_order_money(world: World, rest: httpx.Client, gql: Client) -> None:
    kinds = {"SALE": 1, "CAPTURE": 1, "REFUND": -1}
    want = sorted(
        t.id
        for o in world.orders
        for t in {t.id: t for t in [*o.transactions, *(t for r in o.refunds for t in r.transactions)]}.values()
        if t.status == "SUCCESS" and t.kind in kinds
    )
    limit = awkward_limit(len(want), (97, 89, 83))
    tenders, pages = fetch_all(rest, f"{API}/tender_transactions.json", "tender_transactions", {"limit": str(limit)})
    assert pages == -(-len(want) // limit)
    assert sorted(t["id"] for t in tenders) == want
    times = [dt.datetime.fromisoformat(t["processed_at"]) for t in tenders]
    assert times == sorted(times, reverse=True)  # newest first
    rest_by_order: dict[int, Decimal] = {}
    for tender in tenders:
        assert tender["currency"] == "GBP"
        rest_by_order[tender["order_id"]] = rest_by_order.get(tender["order_id"], Decimal(0)) + Decimal(
            tender["amount"]
        )

    graphql_by_order: dict[int, Decimal] = {}
    for node in page_all(gql, ORDER_MONEY, "orders"):
        for txn in node["transactions"]:
            if txn["status"] == "SUCCESS" and txn["kind"] in kinds:
                amount = Decimal(txn["amountSet"]["shopMoney"]["amount"]) * kinds[txn["kind"]]
                order_id = legacy_id(node["id"])
                graphql_by_order[order_id] = graphql_by_order.get(order_id, Decimal(0)) + amount
    assert rest_by_order == graphql_by_order
    assert sum(rest_by_order.values()) > 0 and any(Decimal(t["amount"]) < 0 for t in tenders)  # refunds too

    # processed_at bounds and ascending order select the same tenders a client filters itself.
    day = world.size.dates[0]
    low = dt.datetime.combine(day, dt.time(0), dt.UTC)
    high = low + dt.timedelta(hours=12)
    params = {"processed_at_min": low.isoformat(), "processed_at_max": high.isoformat(), "order": "processed_at ASC"}
    window, _ = fetch_all(rest, f"{API}/tender_transactions.json", "tender_transactions", {**params, "limit": "7"})
    expected = [
        t["id"]
        for t in sorted(tenders, key=lambda t: (dt.datetime.fromisoformat(t["processed_at"]), t["id"]))
        if low <= dt.datetime.fromisoformat(t["processed_at"]) <= high
    ]
    assert [t["id"] for t in window] == expected and len(expected) >= 3


# --- products and variants -----------------------------------------------------------------------

ITEM_VARIANTS = """
query($cursor: String) {
  inventoryItems(first: 50, after: $cursor) {
    edges { node {
      id sku
      variant { id sku price inventoryQuantity product { id title handle vendor status } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_products_and_variants_agree_with_graphql_inventory_items(
    world: World, rest: httpx.Client, gql: Client
) -> None:
    limit = awkward_limit(len(world.products))
    products, pages = fetch_all(rest, f"{API}/products.json", "products", {"limit": str(limit)})
    assert pages == -(-len(world.products) // limit)
    assert sorted(p["id"] for p in products) == sorted(p.id for p in world.products)
    assert rest.get(f"{API}/products/count.json").json() == {"count": len(world.products)}
    rest_variants = {
        v["inventory_item_id"]: (v["id"], v["sku"], Decimal(v["price"]), v["inventory_quantity"], p["id"], p["title"])
        for p in products
        for v in p["variants"]
    }
    assert len(rest_variants) == len(world.variants)

    graphql_variants = {}
    for node in page_all(gql, ITEM_VARIANTS, "inventoryItems"):
        variant, product = node["variant"], node["variant"]["product"]
        graphql_variants[legacy_id(node["id"])] = (
            legacy_id(variant["id"]),
            variant["sku"],
            Decimal(variant["price"]),
            variant["inventoryQuantity"],
            legacy_id(product["id"]),
            product["title"],
        )
    assert rest_variants == graphql_variants
    # Money and units against the world, to the penny.
    for variant in world.variants:
        units = sum(
            lv.quantities["available"]
            for lv in world.inventory_levels
            if lv.inventory_item_id == variant.inventory_item_id
        )
        assert rest_variants[variant.inventory_item_id][2:4] == (variant.price, units)

    one = products[0]
    assert rest.get(f"{API}/products/{one['id']}.json").json() == {"product": one}
    assert rest.get(f"{API}/products/{one['id']}/variants.json").json() == {"variants": one["variants"]}
    first_variant = one["variants"][0]
    assert rest.get(f"{API}/variants/{first_variant['id']}.json").json() == {"variant": first_variant}
    vendor = world.products[0].vendor
    by_vendor = rest.get(f"{API}/products/count.json", params={"vendor": vendor}).json()["count"]
    assert by_vendor == sum(1 for p in world.products if p.vendor == vendor) >= 1
