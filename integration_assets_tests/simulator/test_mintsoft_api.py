"""The simulated Mintsoft API over real HTTP: auth, paging, stock figures, orders, returns, throttling.

Every expectation is computed here from the world, independently of the endpoint code; the
anomaly checks are written from the API side (what a client sees) and compared with the manifest.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from integration_assets.simulator.context import MINTSOFT_BURST, SimContext
from integration_assets.simulator.merchant import DEFAULT_START_DATE, build_world, small_size
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World, WorldSize, line_current_quantity
from integration_assets_tests.clocks import FakeClock, TickingClock
from integration_assets_tests.page_sizes import awkward_limit

SEED = 7
DAY = 24 * 3600
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MINTSOFT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$")
# The real /api/Order/Statuses names, ids 1..23 in order (api-notes/mintsoft-ip-api.md 1.7).
STATUS_NAMES = [
    "NEW",
    "PRINTED",
    "CANCELLED",
    "DESPATCHED",
    "INVOICED",
    "INVOICEFAILED",
    "HOLDING",
    "FAILED",
    "ONBACKORDER",
    "AWAITINGCONFIRMATION",
    "AWAITINGDOCUMENTATION",
    "AWAITINGPAYMENT",
    "QUERYRAISED",
    "PACKANDHOLD",
    "AWAITINGPICKING",
    "PICKINGSTARTED",
    "PICKED",
    "FRAUDRISK",
    "PICKINGSKIPPED",
    "PACKED",
    "AWAITINGREPLEN",
    "PROCESSING",
    "REBINNED",
]
DESPATCHED, AWAITINGPICKING, PICKINGSTARTED = 4, 15, 16
DESPATCH_WINDOW = dt.timedelta(hours=4)


# --- helpers -----------------------------------------------------------------------------------


class Mintsoft:
    """A thin client: the key as the `ms-apikey` header, PageNo/Limit paging until `[]`."""

    def __init__(self, sim: RunningSimulator, key: str | None = None) -> None:
        self.sim = sim
        creds = sim.ctx.credentials
        self.http = httpx.Client(base_url=f"{sim.url}/mintsoft", timeout=30)
        if key is None:
            response = self.http.post(
                "/api/Auth", json={"Username": creds.mintsoft_username, "Password": creds.mintsoft_password}
            )
            assert response.status_code == 200, response.text
            key = response.json()
        self.key = key
        self.http.headers["ms-apikey"] = key

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        assert response.status_code == 200, f"{path} {response.status_code} {response.text[:300]}"
        assert response.headers["content-type"].startswith("application/json")
        return response.json()

    def pages(self, path: str, limit: int | None, **params: Any) -> list[list[dict]]:
        """Every non-empty page, stopping at the first `[]` (a short page proves nothing)."""
        pages: list[list[dict]] = []
        page_no = 1
        while True:
            query = {**params, "PageNo": page_no}
            if limit is not None:
                query["Limit"] = limit
            page = self.get(path, **query)
            assert isinstance(page, list)
            if not page:
                return pages
            pages.append(page)
            page_no += 1

    def all(self, path: str, limit: int | None = None, **params: Any) -> list[dict]:
        return [record for page in self.pages(path, limit, **params) for record in page]

    def close(self) -> None:
        self.http.close()


def serve(world: World, clock: Any) -> RunningSimulator:
    return serve_in_thread(SimContext.build(world, clock=clock))


def local(world: World, moment: dt.datetime) -> dt.datetime:
    """A world timestamp as Mintsoft shows it: shop local time without an offset."""
    return moment.astimezone(ZoneInfo(world.shop.timezone)).replace(tzinfo=None)


def parse_local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def sku_key(sku: str) -> str:
    return sku.strip().casefold()


def canonical(world: World, sku: str) -> str:
    aliases = {sku_key(r["alias"]): sku_key(r["sku"]) for r in world.seeds["sku_aliases"]}
    return aliases.get(sku_key(sku), sku_key(sku))


def last_positions(world: World) -> dict[tuple[int, str], Any]:
    last = world.size.dates[-1]
    return {(p.mintsoft_warehouse_id, p.sku): p for p in world.stock_positions if p.date == last}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(small_world: World) -> World:
    assert small_world.seed == SEED
    return small_world


@pytest.fixture(scope="module")
def sim(world: World) -> Iterator[RunningSimulator]:
    running = serve(world, TickingClock())
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ms(sim: RunningSimulator) -> Iterator[Mintsoft]:
    client = Mintsoft(sim)
    yield client
    client.close()


@pytest.fixture(scope="module")
def orders(ms: Mintsoft) -> list[dict]:
    return ms.all("/api/Order/List", IncludeOrderItems="true")


@pytest.fixture(scope="module")
def bulk(ms: Mintsoft) -> list[dict]:
    return ms.all("/api/Product/Inventory/Bulk", 500)


@pytest.fixture(scope="module")
def products(ms: Mintsoft) -> list[dict]:
    return ms.all("/api/Product/List")


@pytest.fixture(scope="module")
def big_world() -> World:
    """Enough SKUs that Product/List (cap 100) and Inventory/Bulk (cap 500) overflow a clamped page."""
    return build_world(3, WorldSize(DEFAULT_START_DATE, days=1, orders_per_day=10, skus=200, locations=4))


@pytest.fixture()
def frozen(world: World) -> Iterator[tuple[RunningSimulator, FakeClock]]:
    """A fresh server whose key expiry and bucket only move when the test advances the clock."""
    clock = FakeClock()
    running = serve(world, clock)
    yield running, clock
    running.stop()


# --- authentication ----------------------------------------------------------------------------


def test_auth_returns_the_key_as_a_json_string(sim: RunningSimulator) -> None:
    creds = sim.ctx.credentials
    with httpx.Client(base_url=f"{sim.url}/mintsoft") as http:
        posted = http.post("/api/Auth", json={"Username": creds.mintsoft_username, "Password": creds.mintsoft_password})
        legacy = http.get(
            "/api/Auth", params={"UserName": creds.mintsoft_username, "Password": creds.mintsoft_password}
        )
        for response in (posted, legacy):
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json; charset=utf-8"
            assert response.text.startswith('"') and response.text.endswith('"')
            key = response.json()
            assert isinstance(key, str) and GUID.match(key)
            assert response.text == f'"{key}"'
        assert posted.json() != legacy.json()
        for key in (posted.json(), legacy.json()):
            assert http.get("/api/Order/Statuses", headers={"ms-apikey": key}).status_code == 200


def test_key_works_as_header_and_as_query_parameter_with_any_casing(sim: RunningSimulator, ms: Mintsoft) -> None:
    with httpx.Client(base_url=f"{sim.url}/mintsoft") as http:
        by_header = http.get("/api/Warehouse", headers={"ms-apikey": ms.key})
        by_query = http.get("/api/Warehouse", params={"APIKey": ms.key})
        by_lower_query = http.get("/api/Warehouse", params={"apikey": ms.key})
        by_upper_header = http.get("/api/Warehouse", headers={"MS-APIKEY": ms.key})
    assert [r.status_code for r in (by_header, by_query, by_lower_query, by_upper_header)] == [200] * 4
    assert by_header.content == by_query.content == by_lower_query.content == by_upper_header.content


def test_wrong_credentials_and_wrong_keys_are_401_with_an_empty_body(sim: RunningSimulator) -> None:
    creds = sim.ctx.credentials
    with httpx.Client(base_url=f"{sim.url}/mintsoft") as http:
        refused = [
            http.post("/api/Auth", json={"Username": creds.mintsoft_username, "Password": "wrong"}),
            http.post("/api/Auth", json={"Username": "someone@else.example", "Password": creds.mintsoft_password}),
            http.post("/api/Auth", json={}),
            http.get("/api/Auth", params={"UserName": creds.mintsoft_username, "Password": "wrong"}),
            http.get("/api/Product/List"),
            http.get("/api/Product/List", headers={"ms-apikey": str(uuid.uuid4())}),
            http.get("/api/Product/List", params={"APIKey": str(uuid.uuid4())}),
            http.get("/api/Product/List", headers={"ms-apikey": creds.mintsoft_password}),
        ]
    assert [r.status_code for r in refused] == [401] * len(refused)
    assert all(r.content == b"" for r in refused)


def test_a_key_expires_after_24_hours_on_the_simulator_clock(frozen: tuple[RunningSimulator, FakeClock]) -> None:
    sim, clock = frozen
    ms = Mintsoft(sim)
    try:
        assert ms.http.get("/api/Warehouse").status_code == 200
        clock.advance(DAY - 1)
        assert ms.http.get("/api/Warehouse").status_code == 200
        clock.advance(1)
        expired = ms.http.get("/api/Warehouse")
        assert expired.status_code == 401 and expired.content == b""
        renewed = Mintsoft(sim)
        assert renewed.key != ms.key
        assert renewed.http.get("/api/Warehouse").status_code == 200
        renewed.close()
    finally:
        ms.close()


# --- errors and binding ------------------------------------------------------------------------


def test_unknown_ids_and_paths_are_404_with_a_message(ms: Mintsoft, world: World) -> None:
    non_bundle = next(p for p in world.mintsoft_products if not p.is_bundle)
    cases = {
        "/api/Product/1": "Product not found: 1",
        "/api/Order/1": "Order not found: 1",
        "/api/Order/1/Items": "Order not found: 1",
        "/api/Product/1/Inventory": "Product not found: 1",
        f"/api/Product/{non_bundle.id}/Bundle": f"Product {non_bundle.id} is not a bundle",
    }
    for path, message in cases.items():
        response = ms.http.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"Message": message}
    unknown = ms.http.get("/api/Nothing/Here")
    assert unknown.status_code == 404
    assert unknown.json()["Message"].startswith("No HTTP resource was found that matches the request URI")
    bad = ms.http.get("/api/Product/List", params={"PageNo": "two"})
    assert bad.status_code == 400 and bad.json() == {"Message": "The request is invalid."}


def test_query_keys_and_paths_bind_case_insensitively(ms: Mintsoft) -> None:
    canonical_case = ms.http.get("/api/Order/List", params={"PageNo": 2, "Limit": 5, "OrderStatusId": DESPATCHED})
    other_case = ms.http.get("/api/order/list", params={"pageno": 2, "LIMIT": 5, "orderstatusid": DESPATCHED})
    assert canonical_case.status_code == other_case.status_code == 200
    assert canonical_case.content == other_case.content
    assert [o["OrderStatusId"] for o in canonical_case.json()] == [DESPATCHED] * 5


# --- paging ------------------------------------------------------------------------------------


def _expected_ids(world: World, path: str) -> list[Any]:
    if path == "/api/Product/List":
        return sorted(p.id for p in world.mintsoft_products)
    if path == "/api/Order/List":
        return sorted(o.id for o in world.mintsoft_orders)
    if path == "/api/Return/List":
        return sorted(r.id for r in world.mintsoft_returns)
    return sorted(last_positions(world))


def _record_id(path: str, record: dict) -> Any:
    if path == "/api/Product/Inventory/Bulk":
        return (record["WarehouseId"], record["SKU"])
    return record["ID"]


@pytest.mark.parametrize(
    "path", ["/api/Product/List", "/api/Order/List", "/api/Product/Inventory/Bulk", "/api/Return/List"]
)
def test_every_paged_list_returns_every_record_exactly_once(ms: Mintsoft, world: World, path: str) -> None:
    expected = _expected_ids(world, path)
    limit = awkward_limit(len(expected))
    pages = ms.pages(path, limit)
    assert len(pages) == math.ceil(len(expected) / limit)
    assert [len(p) for p in pages[:-1]] == [limit] * (len(pages) - 1)
    assert len(pages[-1]) == len(expected) % limit
    ids = [_record_id(path, record) for page in pages for record in page]
    assert len(ids) == len(set(ids)) == len(expected)
    assert sorted(ids) == expected
    # The order is stable: the same page twice is the same bytes.
    again = ms.http.get(path, params={"PageNo": 2, "Limit": limit})
    assert again.json() == pages[1]


def test_limits_are_silently_clamped_at_the_cap(ms: Mintsoft, world: World, big_world: World) -> None:
    order_count = len(world.mintsoft_orders)
    assert order_count > 200
    assert len(ms.get("/api/Order/List")) == 100  # ASSUMED default
    assert len(ms.get("/api/Order/List", Limit=1000)) == 100
    assert len(ms.get("/api/Order/List", Limit=1000, PageNo=3)) == order_count - 200
    assert ms.get("/api/Order/List", Limit=1000, PageNo=4) == []
    assert len(ms.get("/api/Return/List", Limit=1000)) == len(world.mintsoft_returns)

    sim = serve(big_world, TickingClock())
    big = Mintsoft(sim)
    try:
        product_count = len(big_world.mintsoft_products)
        row_count = len(last_positions(big_world))
        assert product_count > 100 and row_count > 500
        assert len(big.get("/api/Product/List", Limit=1000)) == 100
        assert len(big.get("/api/Product/List")) == 100
        assert len(big.get("/api/Product/List", Limit=1000, PageNo=2)) == min(100, product_count - 100)
        assert len(big.get("/api/Product/Inventory/Bulk")) == 100
        assert len(big.get("/api/Product/Inventory/Bulk", Limit=5000)) == 500
        assert len(big.get("/api/Product/Inventory/Bulk", Limit=5000, PageNo=2)) == row_count - 500
        everything = big.all("/api/Product/Inventory/Bulk", 5000)
        assert sorted((r["WarehouseId"], r["SKU"]) for r in everything) == sorted(last_positions(big_world))
    finally:
        big.close()
        sim.stop()


# --- warehouses and products -------------------------------------------------------------------


def test_warehouses_are_the_mapped_locations(ms: Mintsoft, world: World) -> None:
    mapped = sorted(
        (loc for loc in world.locations if loc.mintsoft_warehouse_id), key=lambda loc: loc.mintsoft_warehouse_id
    )
    served = ms.get("/api/Warehouse")
    assert [
        (w["ID"], w["Name"], w["Code"], w["AddressLine1"], w["City"], w["PostCode"], w["Active"]) for w in served
    ] == [
        (
            loc.mintsoft_warehouse_id,
            loc.name,
            (loc.location_key or "").upper(),
            loc.address1,
            loc.city,
            loc.zip,
            True,
        )
        for loc in mapped
    ]
    assert all(MINTSOFT_TIME.match(w["LastUpdated"]) for w in served)


def test_products_carry_mintsoft_spellings(products: list[dict], world: World) -> None:
    by_id = {p.id: p for p in world.mintsoft_products}
    assert {p["ID"]: (p["SKU"], p["Name"], p["Bundle"], p["Price"]) for p in products} == {
        p.id: (p.sku, p.name, p.is_bundle, float(p.price)) for p in by_id.values()
    }
    skus = {p["SKU"] for p in products}
    # The traps: one SKU in lower case and one under its alias, as Mintsoft spells them.
    alias = world.seeds["sku_aliases"][0]
    assert alias["alias"] in skus and alias["sku"] not in skus
    assert any(s != s.upper() for s in skus)
    shopify_barcodes = {canonical(world, v.sku): v.barcode for v in reversed(world.variants)}
    for record in products:
        assert MINTSOFT_TIME.match(record["LastUpdated"])
        assert record["EAN"] == shopify_barcodes.get(canonical(world, record["SKU"]))
        assert record["Weight"] > 0


def test_product_one_and_search(ms: Mintsoft, products: list[dict]) -> None:
    sample = products[5]
    assert ms.get(f"/api/Product/{sample['ID']}") == sample
    found = ms.get("/api/Product/Search", Search=sample["SKU"].lower())
    assert sample in found
    assert all(sample["SKU"].lower() in (p["SKU"].lower() + " " + p["Name"].lower()) for p in found)
    bundles = ms.get("/api/Product/Search", Search="BUNDLE")
    assert bundles and all(p["Bundle"] for p in bundles)
    assert ms.get("/api/Product/Search", Search="BUNDLE", IncludeBundles="false") == []


def test_bundles_show_their_components(ms: Mintsoft, products: list[dict], world: World) -> None:
    by_sku = {p["SKU"]: p for p in products}
    bundles = [p for p in world.mintsoft_products if p.is_bundle]
    assert bundles
    for bundle in bundles:
        served = ms.get(f"/api/Product/{bundle.id}/Bundle")
        assert (served["ID"], served["SKU"], served["Name"]) == (bundle.id, bundle.sku, bundle.name)
        components = [(canonical(world, c["SKU"]), c["Quantity"]) for c in served["Components"]]
        assert components == [(canonical(world, sku), qty) for sku, qty in bundle.components]
        for component in served["Components"]:
            assert by_sku[component["SKU"]]["ID"] == component["ProductId"]
            assert not by_sku[component["SKU"]]["Bundle"]
        assert round(sum(c["PercentageOfSalesValue"] for c in served["Components"])) == 100


# --- stock -------------------------------------------------------------------------------------


def test_bulk_inventory_is_the_worlds_stock_at_the_last_date(bulk: list[dict], world: World) -> None:
    positions = last_positions(world)
    names = {loc.mintsoft_warehouse_id: loc.name for loc in world.locations}
    assert len(bulk) == len(positions)
    for row in bulk:
        position = positions[(row["WarehouseId"], row["SKU"])]
        assert (row["OnHand"], row["Allocated"], row["InQuarantine"]) == (
            position.on_hand,
            position.allocated,
            position.quarantine,
        )
        assert row["OnHand"] - row["Allocated"] - row["InQuarantine"] == position.available
        assert row["WarehouseName"] == names[row["WarehouseId"]]
        assert row["Breakdown"] is None
    assert sum(r["InQuarantine"] for r in bulk) > 0 and sum(r["Allocated"] for r in bulk) > 0


def test_bulk_inventory_filters_by_warehouse_and_breaks_down_quarantine(ms: Mintsoft, bulk: list[dict]) -> None:
    second = ms.all("/api/Product/Inventory/Bulk", 500, WarehouseId=2)
    assert second == [r for r in bulk if r["WarehouseId"] == 2]
    detailed = ms.all("/api/Product/Inventory/Bulk", 500, Breakdown="true")
    for plain, row in zip(bulk, detailed, strict=True):
        quarantined = sum(b["Quantity"] for b in row["Breakdown"] if b["Type"].lower() == "quarantine")
        assert quarantined == plain["InQuarantine"]


def test_product_inventory_matches_the_bulk_feed(ms: Mintsoft, bulk: list[dict], products: list[dict]) -> None:
    by_product: dict[int, list[dict]] = defaultdict(list)
    for row in bulk:
        by_product[row["ProductId"]].append(row)
    bulk_only = {"ClientId", "ClientName", "WarehouseName"}
    for product in products:
        served = ms.get(f"/api/Product/{product['ID']}/Inventory")
        if product["Bundle"]:
            assert served == []
            continue
        expected = [{k: v for k, v in r.items() if k not in bulk_only} for r in by_product[product["ID"]]]
        assert sorted(served, key=lambda r: r["WarehouseId"]) == sorted(expected, key=lambda r: r["WarehouseId"])


def _bundle_level(world: World, bulk: list[dict], bundle_sku: str, warehouse_id: int) -> int:
    available = {
        (r["WarehouseId"], canonical(world, r["SKU"])): r["OnHand"] - r["Allocated"] - r["InQuarantine"] for r in bulk
    }
    bundle = next(p for p in world.mintsoft_products if p.sku == bundle_sku)
    return min(max(0, available[(warehouse_id, canonical(world, sku))]) // qty for sku, qty in bundle.components)


def test_stock_levels_agree_with_the_bulk_feed(
    ms: Mintsoft, bulk: list[dict], products: list[dict], world: World
) -> None:
    rows = ms.get("/api/Product/StockLevels")
    warehouse_ids = sorted({r["WarehouseId"] for r in bulk})
    assert len(rows) == len(products) * len(warehouse_ids)
    by_key = {(r["WarehouseId"], r["SKU"]): r for r in bulk}
    detailed = {(r["WarehouseId"], r["SKU"]): r for r in ms.get("/api/Product/StockLevels", Breakdown="true")}
    preorder_keys = {canonical(world, v.sku) for v in world.variants if world.products_by_id[v.product_id].preorder}
    for row in rows:
        assert row["Breakdown"] is None
        assert row["PreOrderable"] == (canonical(world, row["SKU"]) in preorder_keys)
        if row["Bundle"]:
            level = _bundle_level(world, bulk, row["SKU"], row["WarehouseId"])
            assert row["Level"] == row["TotalStockLevel"] == level
            continue
        inventory = by_key[(row["WarehouseId"], row["SKU"])]
        assert row["TotalStockLevel"] == inventory["OnHand"]
        assert row["TotalStockLevel"] - row["Level"] == inventory["Allocated"]
        breakdown = detailed[(row["WarehouseId"], row["SKU"])]["Breakdown"]
        quarantined = sum(b["Quantity"] for b in breakdown if b["Type"].lower() == "quarantine")
        assert row["Level"] - quarantined == inventory["OnHand"] - inventory["Allocated"] - inventory["InQuarantine"]
    assert any(r["PreOrderable"] for r in rows) and any(r["Bundle"] for r in rows)


def test_stock_levels_warehouse_zero_sums_and_filters(ms: Mintsoft, bulk: list[dict], world: World) -> None:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in bulk:
        totals[r["SKU"]][0] += r["OnHand"]
        totals[r["SKU"]][1] += r["OnHand"] - r["Allocated"]
    summed = ms.get("/api/Product/StockLevels", WarehouseId=0)
    assert len(summed) == len(world.mintsoft_products)
    assert {r["WarehouseId"] for r in summed} == {0}
    for row in summed:
        if not row["Bundle"]:
            assert [row["TotalStockLevel"], row["Level"]] == totals[row["SKU"]]
    second = ms.get("/api/Product/StockLevels", WarehouseId=2)
    assert {r["WarehouseId"] for r in second} == {2} and len(second) == len(world.mintsoft_products)
    assert ms.get("/api/Product/StockLevels", WarehouseId=99) == []
    lower = next(p for p in world.mintsoft_products if p.sku != p.sku.upper())
    by_sku = ms.get("/api/Product/StockLevels", SKU=lower.sku.upper())
    assert [(r["SKU"], r["ProductId"]) for r in by_sku] == [(lower.sku, lower.id)] * 3
    assert ms.get("/api/Product/StockLevels", ProductId=lower.id) == by_sku


# --- orders ------------------------------------------------------------------------------------


def test_orders_link_to_shopify_and_carry_their_lines(orders: list[dict], world: World) -> None:
    expected = {o.id: o for o in world.mintsoft_orders}
    assert sorted(o["ID"] for o in orders) == sorted(expected)
    for record in orders:
        truth = expected[record["ID"]]
        shopify = world.orders_by_id[int(record["ExternalOrderReference"])]
        assert record["OrderNumber"] == shopify.name.removeprefix("#")
        assert record["OrderStatusId"] == truth.status_id
        assert record["WarehouseId"] == truth.warehouse_id
        assert parse_local(record["OrderDate"]) == local(world, truth.order_date)
        assert parse_local(record["LastUpdated"]) == local(world, truth.last_updated)
        if truth.despatch_date is None:
            assert record["DespatchDate"] is None and record["TrackingNumber"] is None
        else:
            assert parse_local(record["DespatchDate"]) == local(world, truth.despatch_date)
            assert record["TrackingNumber"] == truth.tracking_number
            assert record["CourierServiceName"] == truth.courier
        items = [(i["ID"], i["SKU"], i["Quantity"]) for i in record["OrderItems"]]
        assert items == [(line.id, line.sku, line.quantity) for line in truth.lines]
        assert record["TotalItems"] == sum(line.quantity for line in truth.lines)
        assert all(i["OrderId"] == truth.id for i in record["OrderItems"])
        for field in ("OrderDate", "DespatchDate", "LastUpdated", "SourceOrderDate"):
            assert record[field] is None or MINTSOFT_TIME.match(record[field])


def test_order_one_items_and_search(ms: Mintsoft, orders: list[dict]) -> None:
    sample = orders[17]
    assert ms.get(f"/api/Order/{sample['ID']}") == sample
    assert ms.get(f"/api/Order/{sample['ID']}/Items") == sample["OrderItems"]
    plain = ms.get("/api/Order/List", PageNo=1, Limit=3)
    assert [o["OrderItems"] for o in plain] == [None, None, None]
    same_number = sorted(o["ID"] for o in orders if o["OrderNumber"] == sample["OrderNumber"])
    exact = ms.get("/api/Order/Search", OrderNumber=sample["OrderNumber"], exactMatch="true")
    assert sorted(o["ID"] for o in exact) == same_number
    loose = ms.get("/api/Order/Search", OrderNumber=sample["OrderNumber"][:-1])
    assert set(same_number) <= {o["ID"] for o in loose}
    assert all(sample["OrderNumber"][:-1] in o["OrderNumber"] for o in loose)


def test_order_list_filters(ms: Mintsoft, orders: list[dict], world: World) -> None:
    tz = ZoneInfo(world.shop.timezone)
    pivot = sorted(o.last_updated for o in world.mintsoft_orders)[len(world.mintsoft_orders) // 2]
    pivot_local = local(world, pivot).isoformat()
    expected = sorted(o.id for o in world.mintsoft_orders if o.last_updated >= pivot)
    assert sorted(o["ID"] for o in ms.all("/api/Order/List", SinceLastUpdated=pivot_local)) == expected
    as_utc = pivot.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    assert sorted(o["ID"] for o in ms.all("/api/Order/List", SinceLastUpdated=as_utc)) == expected
    day = world.size.dates[-1]
    since_day = dt.datetime.combine(day, dt.time(0), tz)
    by_date = ms.all("/api/Order/List", SinceDate=day.isoformat())
    assert sorted(o["ID"] for o in by_date) == sorted(o.id for o in world.mintsoft_orders if o.order_date >= since_day)
    for status in (DESPATCHED, AWAITINGPICKING):
        served = ms.all("/api/Order/List", OrderStatusId=status)
        assert sorted(o["ID"] for o in served) == sorted(o["ID"] for o in orders if o["OrderStatusId"] == status)
    by_warehouse = ms.all("/api/Order/List", WarehouseId=3)
    assert sorted(o["ID"] for o in by_warehouse) == sorted(o["ID"] for o in orders if o["WarehouseId"] == 3)


def test_order_statuses_are_the_real_list(ms: Mintsoft) -> None:
    statuses = ms.get("/api/Order/Statuses")
    assert [(s["ID"], s["Name"]) for s in statuses] == list(enumerate(STATUS_NAMES, start=1))
    assert {s["ID"]: s["ExternalName"] for s in statuses}[5] == "DESPATCHED"
    assert all(MINTSOFT_TIME.match(s["LastUpdated"]) for s in statuses)


def test_allocated_order_lines_add_up_to_the_bulk_allocated(orders: list[dict], bulk: list[dict]) -> None:
    allocated: dict[tuple[int, str], int] = defaultdict(int)
    for order in orders:
        for item in order["OrderItems"]:
            allocated[(order["WarehouseId"], item["SKU"])] += item["Allocated"]
    assert {(r["WarehouseId"], r["SKU"]): r["Allocated"] for r in bulk} == {
        (r["WarehouseId"], r["SKU"]): allocated.get((r["WarehouseId"], r["SKU"]), 0) for r in bulk
    }
    assert sum(allocated.values()) == sum(r["Allocated"] for r in bulk) > 0


# --- returns -----------------------------------------------------------------------------------


def test_returns_and_reasons(ms: Mintsoft, orders: list[dict], world: World) -> None:
    reasons = ms.get("/api/Return/Reasons")
    reason_ids = {r["ID"] for r in reasons}
    assert reason_ids and all(r["Active"] for r in reasons)
    numbers = {o["ID"]: o["OrderNumber"] for o in orders}
    served = {r["ID"]: r for r in ms.all("/api/Return/List", 5)}
    assert sorted(served) == sorted(r.id for r in world.mintsoft_returns)
    for truth in world.mintsoft_returns:
        record = served[truth.id]
        assert record["OrderId"] == truth.order_id
        assert record["OrderNumber"] == numbers[truth.order_id]
        assert [(i["SKU"], i["Quantity"]) for i in record["ReturnItems"]] == [
            (line.sku, line.quantity) for line in truth.lines
        ]
        assert all(i["ReturnReasonId"] in reason_ids for i in record["ReturnItems"])
        assert parse_local(record["LastUpdated"]) == local(world, truth.received_at)
    pivot = sorted(r.received_at for r in world.mintsoft_returns)[len(world.mintsoft_returns) // 2]
    recent = ms.all("/api/Return/List", SinceLastUpdated=local(world, pivot).isoformat())
    assert sorted(r["ID"] for r in recent) == sorted(r.id for r in world.mintsoft_returns if r.received_at >= pivot)


# --- anomalies, found from the API side ----------------------------------------------------------


def _mintsoft_side_anomalies(world: World, ms: Mintsoft) -> set[tuple[str, str | None, str | None, str | None]]:
    """The Mintsoft-visible anomalies, as (type, location_key, sku, order_id), by rules a client could run:
    Mintsoft data from the API, the Shopify side from the world (as the Shopify clients would read it)."""
    tz = ZoneInfo(world.shop.timezone)
    orders = ms.all("/api/Order/List", IncludeOrderItems="true")
    products = ms.all("/api/Product/List")
    bulk = ms.all("/api/Product/Inventory/Bulk", 500)
    returns = ms.all("/api/Return/List")
    bundles = {p["SKU"]: ms.get(f"/api/Product/{p['ID']}/Bundle") for p in products if p["Bundle"]}
    found: set[tuple[str, str | None, str | None, str | None]] = set()

    def shopify_time(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=tz)

    def key(sku: str) -> str:
        return canonical(world, sku)

    by_reference: dict[str, list[dict]] = defaultdict(list)
    for order in orders:
        by_reference[order["ExternalOrderReference"]].append(order)
    for reference, group in by_reference.items():
        if len(group) > 1:
            found.add(("duplicate_despatch", None, None, reference))

    bundle_parts = {key(sku): [(key(c["SKU"]), c["Quantity"]) for c in b["Components"]] for sku, b in bundles.items()}
    for order in orders:
        shopify = world.orders_by_id[int(order["ExternalOrderReference"])]
        reference = order["ExternalOrderReference"]
        fulfilled = any(f.status == "SUCCESS" for f in shopify.fulfillments)
        despatched = order["OrderStatusId"] == DESPATCHED and order["DespatchDate"] is not None
        if despatched:
            despatch = shopify_time(order["DespatchDate"])
            if shopify.cancelled_at is not None and shopify.cancelled_at > despatch:
                found.add(("cancelled_but_despatched", None, None, reference))
            elif not fulfilled and shopify.cancelled_at is None and despatch + DESPATCH_WINDOW <= world.now:
                found.add(("despatched_not_fulfilled", None, None, reference))
        if order["OrderStatusId"] == AWAITINGPICKING and order["DespatchDate"] is None and fulfilled:
            found.add(("fulfilled_before_despatch", None, None, reference))
        if order["OrderStatusId"] == PICKINGSTARTED:
            wanted: dict[str, int] = defaultdict(int)
            for line in shopify.line_items:
                if not line.requires_shipping:
                    continue
                for part, per in bundle_parts.get(key(line.sku), [(key(line.sku), 1)]):
                    wanted[part] += line_current_quantity(shopify, line) * per
            picked = {key(i["SKU"]): i["Quantity"] for i in order["OrderItems"]}
            if {k: v for k, v in wanted.items() if v} != picked:
                found.add(("order_edit_after_pick", None, None, reference))

    references = {o["ID"]: o["ExternalOrderReference"] for o in orders}
    received: dict[tuple[str, str], int] = defaultdict(int)
    for ret in returns:
        for item in ret["ReturnItems"]:
            received[(references[ret["OrderId"]], key(item["SKU"]))] += item["Quantity"]
    restocked: dict[tuple[str, str], int] = defaultdict(int)
    for shopify in world.orders:
        lines = {li.id: li for li in shopify.line_items}
        for refund in shopify.refunds:
            for rli in refund.refund_line_items:
                if rli.restock_type == "RETURN":
                    restocked[(str(shopify.id), key(lines[rli.line_item_id].sku))] += rli.quantity
    for (reference, sku), units in restocked.items():
        if units > received.get((reference, sku), 0):
            found.add(("restock_mismatch", None, sku.upper(), reference))

    shopify_keys = {key(v.sku) for v in world.variants}
    on_hand: dict[str, int] = defaultdict(int)
    for row in bulk:
        on_hand[row["SKU"]] += row["OnHand"]
    for sku, units in on_hand.items():
        if units > 0 and key(sku) not in shopify_keys:
            found.add(("sku_missing_in_shopify", None, sku.upper(), None))
    mintsoft_keys = {key(p["SKU"]) for p in products}
    for item in world.inventory_items:
        if item.tracked and key(item.sku) not in mintsoft_keys:
            found.add(("sku_missing_in_mintsoft", None, item.sku.strip().upper(), None))

    # Stock held in the warehouse for a SKU Shopify does not track; and parity where Shopify does.
    location_keys = {int(r["mintsoft_warehouse_id"]): r for r in world.seeds["locations"] if r["mintsoft_warehouse_id"]}
    buffers = {(r["location_key"], key(r["sku"])): int(r["buffer_units"]) for r in world.seeds["safety_stock"]}
    variants_by_key: dict[str, list[Any]] = defaultdict(list)
    for variant in world.variants:
        variants_by_key[key(variant.sku)].append(variant)
    levels = {(lvl.inventory_item_id, lvl.location_id): lvl for lvl in world.inventory_levels}
    for row in bulk:
        variants = variants_by_key.get(key(row["SKU"]), [])
        if len(variants) != 1:
            continue  # unknown to Shopify or duplicated: reported as the sku_* types
        variant = variants[0]
        item = world.items_by_id[variant.inventory_item_id]
        location = location_keys[row["WarehouseId"]]
        if not item.tracked:
            if row["OnHand"] > 0:
                found.add(("tracking_disabled", location["location_key"], variant.sku.upper(), None))
            continue
        if world.products_by_id[variant.product_id].preorder:
            continue
        level = levels[(item.id, int(location["shopify_location_id"]))]
        mintsoft_available = row["OnHand"] - row["Allocated"] - row["InQuarantine"]
        expected = mintsoft_available - buffers.get((location["location_key"], key(variant.sku)), 0)
        if level.quantities["available"] != expected:
            found.add(("stock_parity_drift", location["location_key"], variant.sku.upper(), None))
    return found


MINTSOFT_VISIBLE = {
    "duplicate_despatch",
    "despatched_not_fulfilled",
    "cancelled_but_despatched",
    "order_edit_after_pick",
    "fulfilled_before_despatch",
    "restock_mismatch",
    "sku_missing_in_shopify",
    "sku_missing_in_mintsoft",
    "tracking_disabled",
    "stock_parity_drift",
}


@pytest.mark.parametrize("which", ["small_world", "other_world"])
def test_every_mintsoft_visible_anomaly_is_in_the_served_data(request: pytest.FixtureRequest, which: str) -> None:
    world: World = request.getfixturevalue(which)
    sim = serve(world, TickingClock())
    client = Mintsoft(sim)
    try:
        found = _mintsoft_side_anomalies(world, client)
    finally:
        client.close()
        sim.stop()
    manifest = {
        (a.type, a.location_key, a.sku.upper() if a.sku else None, a.order_id)
        for a in world.anomalies
        if a.type in MINTSOFT_VISIBLE
    }
    assert {t for t, *_ in manifest} == MINTSOFT_VISIBLE
    # Both ways: every manifest anomaly is visible, and the rules find nothing the manifest lacks.
    assert found == manifest


# --- throttling and determinism ----------------------------------------------------------------


def test_burst_is_throttled_with_cloudflare_html_and_a_retrying_client_loses_nothing(
    frozen: tuple[RunningSimulator, FakeClock], world: World
) -> None:
    sim, clock = frozen
    client = Mintsoft(sim)  # the Auth call takes one slot of the burst
    try:
        codes = [client.http.get("/api/Order/Statuses").status_code for _ in range(MINTSOFT_BURST)]
        assert codes == [200] * (MINTSOFT_BURST - 1) + [429]
        throttled = client.http.get("/api/Order/Statuses")
        assert throttled.status_code == 429
        assert throttled.headers["retry-after"] == "0"
        assert throttled.headers["content-type"].startswith("text/html")
        assert "1015" in throttled.text and "rate limited" in throttled.text
        with pytest.raises(ValueError):
            throttled.json()
        # A 401 is answered before the bucket: a bad key is refused, not throttled.
        assert client.http.get("/api/Warehouse", headers={"ms-apikey": str(uuid.uuid4())}).status_code == 401

        retries = 0
        records: list[dict] = []
        page_no = 1
        while True:
            response = client.http.get("/api/Order/List", params={"PageNo": page_no, "Limit": 7})
            if response.status_code == 429:
                retries += 1
                clock.advance(0.5)  # Retry-After says 0; a polite client backs off anyway
                continue
            assert response.status_code == 200
            page = response.json()
            if not page:
                break
            records.extend(page)
            page_no += 1
        assert retries > 0
        ids = [r["ID"] for r in records]
        assert len(ids) == len(set(ids)) and sorted(ids) == sorted(o.id for o in world.mintsoft_orders)
    finally:
        client.close()


def test_same_seed_gives_byte_identical_bodies() -> None:
    paths = [
        ("/api/Warehouse", {}),
        ("/api/Product/List", {"Limit": 100}),
        ("/api/Product/StockLevels", {"Breakdown": "true"}),
        ("/api/Product/StockLevels", {"WarehouseId": 0}),
        ("/api/Product/Inventory/Bulk", {"Limit": 500}),
        ("/api/Order/List", {"IncludeOrderItems": "true", "PageNo": 2}),
        ("/api/Order/Statuses", {}),
        ("/api/Return/List", {}),
        ("/api/Return/Reasons", {}),
    ]
    bodies = []
    for _ in range(2):
        sim = serve(build_world(SEED, small_size()), TickingClock())
        client = Mintsoft(sim)
        try:
            bodies.append([client.http.get(path, params=params).content for path, params in paths])
        finally:
            client.close()
            sim.stop()
    assert all(len(body) > 2 for body in bodies[0])
    assert bodies[0] == bodies[1]
