"""Inventory Planner over real HTTP: auth, paging, fields, metrics against the world, the rate limit,
and the Advanced-CSV sales-file intake with its documented rules.

Expectations are computed here from the world by a different route than the simulator takes
(Mintsoft spellings tried one by one instead of canonical SKUs; web orders placed by their Mintsoft
order before their fulfillment), so a slip in either shows up as a value diff.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.inventory_planner_intake import REQUIRED_COLUMNS
from integration_assets.simulator.inventory_planner_payloads import InventoryPlannerView
from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World, inventory_planner_connection, line_current_quantity
from integration_assets_tests.clocks import FakeClock, TickingClock

API = "/inventory-planner/api/v1"
HISTORY = "/_sim/inventory-planner/sales-history"
COLUMNS = [*REQUIRED_COLUMNS, "CANCELLED"]

# IP warehouse ids of the seed-7 test world, by location key (the operator's seeds hold them).
WH = {
    row["location_key"]: row["inventory_planner_warehouse_id"]
    for row in build_world(7, small_size()).seeds["locations"]
}


# --- fixtures ----------------------------------------------------------------------------------


def _headers(ctx: SimContext) -> dict[str, str]:
    return {
        "Authorization": ctx.credentials.inventory_planner_api_key,
        "Account": ctx.credentials.inventory_planner_account,
    }


@pytest.fixture(scope="module")
def world(small_world: World) -> World:
    return small_world


@pytest.fixture(scope="module")
def sim(world: World) -> Iterator[RunningSimulator]:
    running = serve_in_thread(SimContext.build(world, clock=TickingClock()))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, headers=_headers(sim.ctx), timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def variants(world: World, client: httpx.Client) -> list[dict]:
    response = client.get(f"{API}/variants", params={"limit": "1000"})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["total"] == len(body["variants"])
    return body["variants"]


@pytest.fixture()
def frozen(world: World) -> Iterator[tuple[FakeClock, httpx.Client]]:
    """A fresh server whose IP bucket only leaks when the test advances the clock."""
    clock = FakeClock()
    running = serve_in_thread(SimContext.build(world, clock=clock))
    with httpx.Client(base_url=running.url, headers=_headers(running.ctx), timeout=30) as http:
        yield clock, http
    running.stop()


@pytest.fixture()
def intake(world: World, tmp_path: Path) -> Iterator[tuple[Path, httpx.Client]]:
    """A fresh IP (empty sales history) reading a temporary drop folder."""
    ctx = SimContext.build(world, clock=TickingClock())
    ctx.ip_drop_dir = tmp_path / "drop"
    ctx.ip_drop_dir.mkdir()
    running = serve_in_thread(ctx)
    with httpx.Client(base_url=running.url, timeout=30) as http:  # the ground truth needs no auth
        yield ctx.ip_drop_dir, http
    running.stop()


# --- helpers -----------------------------------------------------------------------------------


def page_all(http: httpx.Client, limit: int, params: dict[str, str] | None = None) -> tuple[list[dict], list[dict]]:
    """Walk 0-based pages until a short one; returns the variants and each page's meta."""
    records: list[dict] = []
    metas: list[dict] = []
    page = 0
    while True:
        response = http.get(f"{API}/variants", params={**(params or {}), "page": str(page), "limit": str(limit)})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["result"] == {"status": "success"}
        records.extend(body["variants"])
        metas.append(body["meta"])
        if len(body["variants"]) < limit:
            return records, metas
        page += 1


def last_positions(world: World) -> dict[tuple[int, str], int]:
    last = world.size.dates[-1]
    return {(p.mintsoft_warehouse_id, p.sku): p.on_hand for p in world.stock_positions if p.date == last}


def mintsoft_spellings(world: World, sku: str) -> set[str]:
    aliases = {row["alias"] for row in world.seeds["sku_aliases"] if row["sku"] == sku}
    return {sku, sku.lower(), *aliases}


def expected_sales(world: World, days: int) -> dict[tuple[str, str], int]:
    """(IP warehouse id, SKU) -> units sold in the last `days` days, straight from the orders."""
    zone = ZoneInfo(world.shop.timezone)
    last = world.size.dates[-1]
    ip_by_location = {loc.id: loc.inventory_planner_warehouse_id for loc in world.locations}
    location_by_ms = {loc.mintsoft_warehouse_id: loc.id for loc in world.locations if loc.mintsoft_warehouse_id}
    ms_orders = defaultdict(list)
    for ms in world.mintsoft_orders:
        ms_orders[ms.external_order_reference].append(ms)
    out: dict[tuple[str, str], int] = Counter()
    for order in world.orders:
        if order.test or order.cancelled_at is not None:
            continue
        if (last - order.created_at.astimezone(zone).date()).days >= days:
            continue
        if order.source_name == "pos":
            location = order.retail_location_id
        elif ms_orders.get(str(order.id)):
            location = location_by_ms[min(ms_orders[str(order.id)], key=lambda m: m.id).warehouse_id]
        elif order.fulfillments:
            location = order.fulfillments[0].location_id
        else:
            continue
        for item in order.line_items:
            if item.variant_id is not None:
                sku = world.variants_by_id[item.variant_id].sku
                out[(ip_by_location[location], sku)] += line_current_quantity(order, item)
    return out


def drop(folder: Path, name: str, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    """Write a sales-order file the way an uploader should: to a dot-file, then rename into place."""
    columns = columns or COLUMNS
    partial = folder / f".{name}.part"
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    partial.rename(folder / name)


def line(order_id: str, sale: str, variant: str, quantity: str = "1", **overrides: str) -> dict[str, str]:
    row = {
        "ORDER_ID": order_id,
        "ID": sale,
        "VARIANT_ID": variant,
        "WAREHOUSE": WH["northampton"],
        "CURRENCY": "GBP",
        "QUANTITY": quantity,
        "PRICE": "24.00",
        "CREATED_AT": "2026-11-20 10:15:00",
        "REMOVED": "false",
        "UPDATED_AT": "2026-11-20 10:15:00",
        "CANCELLED": "",
    }
    row.update(overrides)
    return row


def history(http: httpx.Client) -> dict:
    response = http.get(HISTORY)
    assert response.status_code == 200
    return response.json()


def held(body: dict) -> dict[str, dict]:
    return {row["order_id"]: row for row in body["rows"]}


# --- auth --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    ["none", "key_only", "account_only", "wrong_key", "wrong_account", "bearer_key", "swapped"],
)
def test_both_headers_are_required(sim: RunningSimulator, case: str) -> None:
    key = sim.ctx.credentials.inventory_planner_api_key
    account = sim.ctx.credentials.inventory_planner_account
    headers = {
        "none": {},
        "key_only": {"Authorization": key},
        "account_only": {"Account": account},
        "wrong_key": {"Authorization": key[:-1] + "x", "Account": account},
        "wrong_account": {"Authorization": key, "Account": "a1"},
        "bearer_key": {"Authorization": f"Bearer {key}", "Account": account},
        "swapped": {"Authorization": account, "Account": key},
    }[case]
    for path in ("variants", "warehouses", "variants/anything"):
        response = httpx.get(f"{sim.url}{API}/{path}", headers=headers, timeout=30)
        assert response.status_code == 401
        assert response.json() == {"result": {"status": "error", "message": "Invalid API key or account"}}
    good = httpx.get(f"{sim.url}{API}/warehouses", headers=_headers(sim.ctx), timeout=30)
    assert good.status_code == 200


def test_unauthorised_calls_cost_nothing(frozen: tuple[FakeClock, httpx.Client]) -> None:
    _, http = frozen
    for _ in range(15):
        assert http.get(f"{API}/warehouses", headers={"Authorization": "", "Account": ""}).status_code == 401
    assert http.get(f"{API}/warehouses").status_code == 200


# --- warehouses and variants ---------------------------------------------------------------------


def test_warehouses_are_the_seeded_inventory_planner_ids(world: World, client: httpx.Client) -> None:
    body = client.get(f"{API}/warehouses").json()
    seeded = [row["inventory_planner_warehouse_id"] for row in world.seeds["locations"]]
    connection = inventory_planner_connection(world.seed)
    mapped = [loc for loc in world.locations if loc.location_key is not None]
    assert [w["id"] for w in body["warehouses"]] == seeded == [f"{connection}_{loc.id}" for loc in mapped]
    assert body["meta"] == {"name": "warehouses", "start": 0, "limit": 100, "count": 4, "total": 4}
    names = {row["inventory_planner_warehouse_id"]: row["name"] for row in world.seeds["locations"]}
    assert {w["id"]: w["name"] for w in body["warehouses"]} == names
    assert all(w["disabled"] is False and w["currency"] == "GBP" for w in body["warehouses"])


@pytest.mark.parametrize("limit", [1, 7, 13, 58, 59, 100, 1000])
def test_variants_page_completely(world: World, client: httpx.Client, limit: int) -> None:
    records, metas = page_all(client, limit)
    skus = [r["sku"] for r in records]
    assert len(skus) == len(set(skus)) == len(world.inventory_planner_skus)
    assert skus == world.inventory_planner_skus  # catalogue order, every SKU once
    total = len(world.inventory_planner_skus)
    assert len(metas) == total // limit + 1  # the walk ends on the first short (maybe empty) page
    for page, meta in enumerate(metas):
        count = min(limit, max(0, total - page * limit))
        assert meta == {"name": "variants", "start": page * limit, "limit": limit, "count": count, "total": total}


def test_default_limit_is_100_and_past_the_end_is_empty(world: World, client: httpx.Client) -> None:
    body = client.get(f"{API}/variants").json()
    assert body["meta"]["limit"] == 100 and body["meta"]["start"] == 0
    beyond = client.get(f"{API}/variants", params={"page": "5", "limit": "20"}).json()
    assert beyond["variants"] == [] and beyond["meta"]["count"] == 0
    assert beyond["meta"]["total"] == len(world.inventory_planner_skus)


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "1001"}, {"page": "-1"}, {"limit": "ten"}])
def test_bad_paging_is_a_400(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get(f"{API}/variants", params=params)
    assert response.status_code == 400
    assert response.json()["result"]["status"] == "error"


def test_sku_missing_in_inventory_planner_is_absent_while_shopify_has_it(
    world: World, sim: RunningSimulator, client: httpx.Client, variants: list[dict]
) -> None:
    manifest = httpx.get(f"{sim.url}/_sim/manifest", timeout=30).json()
    missing = [a["sku"] for a in manifest["anomalies"] if a["type"] == "sku_missing_in_inventory_planner"]
    assert missing == ["BAG-NEW-CLAY"]
    shopify_skus = {v.sku for v in world.variants}
    ip_skus = {v["sku"] for v in variants}
    assert shopify_skus - ip_skus == set(missing)
    assert client.get(f"{API}/variants", params={"sku": missing[0]}).json()["variants"] == []


def test_variant_ids_are_stable_per_seed_and_fetchable(
    world: World, client: httpx.Client, variants: list[dict], other_world: World
) -> None:
    ids = [v["id"] for v in variants]
    assert len(set(ids)) == len(ids)
    assert ids == [r["id"] for r in InventoryPlannerView(build_world(7, small_size())).records]
    assert not set(ids) & {r["id"] for r in InventoryPlannerView(other_world).records}
    one = client.get(f"{API}/variants/{ids[5]}")
    assert one.status_code == 200
    assert one.json() == {"variant": variants[5], "result": {"status": "success"}}
    missing = client.get(f"{API}/variants/c1_404")
    assert missing.status_code == 404
    assert missing.json() == {"result": {"status": "error", "message": "Variant not found"}}
    assert client.get(f"{API}/purchase-orders-unknown").status_code == 404


def test_variant_shape_and_connections(world: World, variants: list[dict]) -> None:
    by_sku = {v.sku: v for v in world.variants}
    for record in variants:
        variant = by_sku[record["sku"]]
        item = world.items_by_id[variant.inventory_item_id]
        assert record["connections"][0]["sku"] == record["sku"]
        assert record["connections"][0]["removed"] is False
        assert record["regular_price"] == float(variant.price)
        assert record["cost_price"] == float(item.cost)
        assert [w["warehouse"] for w in record["warehouse"]] == [
            WH["northampton"],
            WH["leeds"],
            WH["dublin"],
            WH["london"],
        ]
        for key in ("in_stock", "last_7_days_sales", "last_30_days_sales", "replenishment", "to_order"):
            assert record[key] == sum(w[key] for w in record["warehouse"])


# --- metrics against the world -------------------------------------------------------------------


def check_in_stock(world: World, variants: list[dict]) -> None:
    """in_stock is Mintsoft's on hand at warehouses (any spelling Mintsoft uses) and Shopify's at the store."""
    positions = last_positions(world)
    ms_of = {loc.inventory_planner_warehouse_id: loc.mintsoft_warehouse_id for loc in world.locations}
    store = next(loc for loc in world.locations if loc.kind == "store" and loc.location_key)
    store_on_hand = {
        lvl.inventory_item_id: lvl.quantities["on_hand"]
        for lvl in world.inventory_levels
        if lvl.location_id == store.id
    }
    by_sku = {v.sku: v for v in world.variants}
    duplicate_copy = next(v.sku for v in world.variants if v.sku != v.sku.strip())
    checked = 0
    for record in variants:
        sku = record["sku"]
        for entry in record["warehouse"]:
            ms_id = ms_of[entry["warehouse"]]
            if ms_id is None:
                expected = store_on_hand.get(by_sku[sku].inventory_item_id, 0)
            elif sku == duplicate_copy:
                expected = 0  # its stock is the original listing's, never counted twice
            else:
                expected = sum(positions.get((ms_id, spelling), 0) for spelling in mintsoft_spellings(world, sku))
            assert entry["in_stock"] == expected, (sku, entry["warehouse"])
            checked += expected > 0
    assert checked > 100
    # The traps: Mintsoft spells one SKU in lower case and another by an alias; IP still sees the stock.
    ms_skus = {p.sku for p in world.mintsoft_products}
    respelled = [r for r in variants if r["sku"] not in ms_skus and mintsoft_spellings(world, r["sku"]) & ms_skus]
    assert len(respelled) == 2
    assert all(r["in_stock"] > 0 for r in respelled)


def check_sales(world: World, variants: list[dict]) -> None:
    for days, key in ((7, "last_7_days_sales"), (30, "last_30_days_sales")):
        expected = expected_sales(world, days)
        served = {(e["warehouse"], r["sku"]): e[key] for r in variants for e in r["warehouse"]}
        known = set(world.inventory_planner_skus)
        assert {k: v for k, v in served.items() if v} == {k: v for k, v in expected.items() if v and k[1] in known}
    totals_7 = sum(r["last_7_days_sales"] for r in variants)
    totals_30 = sum(r["last_30_days_sales"] for r in variants)
    assert 0 < totals_7 < totals_30
    store = next(
        loc.inventory_planner_warehouse_id for loc in world.locations if loc.kind == "store" and loc.location_key
    )
    store_sales = sum(e["last_30_days_sales"] for r in variants for e in r["warehouse"] if e["warehouse"] == store)
    assert store_sales > 0  # POS sales land on the store


def test_in_stock_is_mintsoft_on_hand_at_warehouses_and_shopify_on_hand_at_the_store(
    world: World, variants: list[dict]
) -> None:
    check_in_stock(world, variants)


def test_sales_windows_match_an_independent_count_from_the_orders(world: World, variants: list[dict]) -> None:
    check_sales(world, variants)


def test_metrics_hold_for_another_seed(other_world: World) -> None:
    records = InventoryPlannerView(other_world).records
    check_in_stock(other_world, records)
    check_sales(other_world, records)


def test_replenishment_follows_velocity_lead_time_and_stock(variants: list[dict]) -> None:
    never_bought = ("BUNDLE-", "SVC-", "GC-")  # bundles come as components; services and gift cards never
    for record in variants:
        for e in record["warehouse"]:
            velocity = Fraction(e["last_7_days_sales"], 7)
            assert e["cur_sales"] == round(float(velocity), 2)
            need = velocity * (e["lead_time"] + e["review_period"]) + e["minimum_stock"] - e["in_stock"]
            expected = 0 if record["sku"].startswith(never_bought) else max(0, -(-need.numerator // need.denominator))
            assert e["replenishment"] == e["to_order"] == expected, (record["sku"], e["warehouse"])
    assert any(r["replenishment"] > 0 for r in variants if r["sku"].startswith("PRE-"))  # sold, none on hand
    sold_bundles = [r for r in variants if r["sku"].startswith("BUNDLE-") and r["last_30_days_sales"]]
    assert sold_bundles and all(r["replenishment"] == 0 for r in sold_bundles)


# --- fields and filters ----------------------------------------------------------------------------


def test_fields_select_top_level_and_dot_notation(client: httpx.Client, variants: list[dict]) -> None:
    def first(fields: str) -> dict:
        return client.get(f"{API}/variants", params={"fields": fields, "limit": "1"}).json()["variants"][0]

    full = variants[0]
    assert first("sku") == {"id": full["id"], "sku": full["sku"]}
    stubs = first("sku,warehouse")
    assert stubs["warehouse"] == [{"warehouse": w["warehouse"]} for w in full["warehouse"]]
    picked = first("id,warehouse.in_stock,warehouse.lead_time,connections.sku")
    assert picked == {
        "id": full["id"],
        "connections": [{"sku": full["sku"]}],
        "warehouse": [
            {"warehouse": w["warehouse"], "in_stock": w["in_stock"], "lead_time": w["lead_time"]}
            for w in full["warehouse"]
        ],
    }
    deep = first("warehouse.forecast_description.sales_velocity1")
    assert deep["warehouse"][0] == {
        "warehouse": full["warehouse"][0]["warehouse"],
        "forecast_description": {"sales_velocity1": full["warehouse"][0]["forecast_description"]["sales_velocity1"]},
    }
    one = client.get(f"{API}/variants/{full['id']}", params={"fields": "sku,last_30_days_sales"}).json()["variant"]
    assert one == {"id": full["id"], "sku": full["sku"], "last_30_days_sales": full["last_30_days_sales"]}


def test_sku_and_numeric_filters(client: httpx.Client, variants: list[dict]) -> None:
    sku = variants[3]["sku"]
    assert [v["sku"] for v in client.get(f"{API}/variants", params={"sku": sku}).json()["variants"]] == [sku]
    assert client.get(f"{API}/variants", params={"sku": sku.lower()}).json()["variants"] == []
    insensitive = client.get(f"{API}/variants", params={"sku_eqi": sku.lower()}).json()["variants"]
    assert [v["sku"] for v in insensitive] == [sku]
    body = client.get(f"{API}/variants", params={"replenishment_gt": "0", "fields": "sku"}).json()
    assert {v["sku"] for v in body["variants"]} == {v["sku"] for v in variants if v["replenishment"] > 0}
    assert body["meta"]["total"] == len(body["variants"]) > 0
    assert client.get(f"{API}/variants", params={"to_order_gt": "many"}).status_code == 400


# --- rate limit ----------------------------------------------------------------------------------


def test_burst_gets_429_with_retry_after(frozen: tuple[FakeClock, httpx.Client]) -> None:
    clock, http = frozen
    statuses = [http.get(f"{API}/warehouses").status_code for _ in range(10)]
    assert statuses == [200] * 10
    refused = http.get(f"{API}/warehouses")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"  # 0.5 s at 2 requests a second, in whole seconds
    assert refused.json() == {"result": {"status": "error", "message": "Too many requests"}}
    clock.advance(int(refused.headers["retry-after"]))
    assert http.get(f"{API}/warehouses").status_code == 200


def test_retrying_client_loses_nothing(world: World, frozen: tuple[FakeClock, httpx.Client]) -> None:
    clock, http = frozen
    limit = 4
    skus: list[str] = []
    throttled = 0
    page = 0
    while True:
        response = http.get(f"{API}/variants", params={"page": str(page), "limit": str(limit), "fields": "sku"})
        if response.status_code == 429:
            throttled += 1
            clock.advance(int(response.headers["retry-after"]))  # the client's "sleep"
            continue
        assert response.status_code == 200
        batch = response.json()["variants"]
        skus.extend(v["sku"] for v in batch)
        if len(batch) < limit:
            break
        page += 1
    assert page + 1 > 10  # more pages than the bucket holds, or the test means nothing
    assert throttled > 0
    assert skus == world.inventory_planner_skus


# --- sales-file intake -----------------------------------------------------------------------------


def test_valid_file_lands_once_with_variants_by_sku_ip_id_or_shopify_id(
    world: World, intake: tuple[Path, httpx.Client]
) -> None:
    folder, http = intake
    view = InventoryPlannerView(world)
    first, second, third = view.variants[0], view.variants[1], view.variants[2]
    rows = [
        line("5001-1", "5001", first.sku, "2", PRICE="21.60"),
        line("5001-2", "5001", second.id, "1", WAREHOUSE=WH["leeds"]),
        line("5002-1", "5002", str(third.variant.id), "3", WAREHOUSE=WH["london"], CURRENCY="eur", PRICE="19.5"),
    ]
    drop(folder, "sales_2026-11-20.csv", rows)
    body = history(http)
    assert body["files"] == [
        {
            "name": "sales_2026-11-20.csv",
            "sha256": body["files"][0]["sha256"],
            "status": "processed",
            "reason": None,
            "rows": 3,
            "rows_rejected": [],
            "rows_ignored": [],
        }
    ]
    got = held(body)
    assert [
        (r["order_id"], r["id"], r["sku"], r["variant_id"], r["warehouse"], r["quantity"]) for r in body["rows"]
    ] == [
        ("5001-1", "5001", first.sku, first.id, WH["northampton"], 2),
        ("5001-2", "5001", second.sku, second.id, WH["leeds"], 1),
        ("5002-1", "5002", third.sku, third.id, WH["london"], 3),
    ]
    assert got["5001-1"]["price"] == 21.6 and got["5001-1"]["date"] == "2026-11-20"
    assert got["5002-1"]["currency"] == "EUR" and got["5002-1"]["location_key"] == "london"
    assert not any(r["cancelled"] or r["removed"] or r["is_return"] for r in body["rows"])
    # Read again, and re-upload the same bytes under the same name: nothing is processed twice.
    assert history(http) == body
    (folder / "sales_2026-11-20.csv").write_bytes((folder / "sales_2026-11-20.csv").read_bytes())
    assert history(http) == body


def test_missing_required_column_rejects_the_file(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    columns = [c for c in COLUMNS if c != "PRICE"]
    drop(folder, "no_price.csv", [line("6001-1", "6001", "TEE-001-S")], columns)
    body = history(http)
    assert body["rows"] == []
    [report] = body["files"]
    assert report["status"] == "rejected"
    assert report["reason"] == "missing required column(s): PRICE"
    assert report["rows"] == 0


def test_unknown_column_rejects_the_whole_file(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    rows = [line("6101-1", "6101", "TEE-001-S"), line("6101-2", "6101", "TEE-001-M")]
    for row in rows:
        row["COLOUR"] = "Black"
    drop(folder, "extra_column.csv", rows, [*COLUMNS, "COLOUR"])
    body = history(http)
    assert body["rows"] == []
    [report] = body["files"]
    assert report["status"] == "rejected"
    assert report["reason"] == "unsupported column(s): 'COLOUR'"


def test_cancelled_lines_are_held_as_cancelled(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    rows = [
        line("6201-1", "6201", "TEE-001-S", "1", CANCELLED="true"),  # one line of the sale cancelled
        line("6201-2", "6201", "TEE-001-M", "2", CANCELLED="false"),
        line("6202-1", "6202", "MUG-004-STD", "1", CANCELLED="TRUE"),  # a whole sale cancelled
        line("6202-2", "6202", "CAP-003-OS", "1", CANCELLED="1"),
    ]
    drop(folder, "cancels.csv", rows)
    got = held(history(http))
    assert {k: r["cancelled"] for k, r in got.items()} == {
        "6201-1": True,
        "6201-2": False,
        "6202-1": True,
        "6202-2": True,
    }
    live_units = sum(r["quantity"] for r in got.values() if not r["cancelled"] and not r["removed"])
    assert live_units == 2


def test_negative_quantity_is_a_return(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    drop(folder, "a_sale.csv", [line("6301-1", "6301", "TEE-001-S", "3")])
    drop(
        folder,
        "b_return.csv",
        [
            line(
                "6301-R1", "6301", "TEE-001-S", "-1", CREATED_AT="2026-11-21 09:00:00", UPDATED_AT="2026-11-21 09:00:00"
            )
        ],
    )
    body = history(http)
    got = held(body)
    assert got["6301-1"]["quantity"] == 3 and got["6301-1"]["is_return"] is False
    assert got["6301-R1"]["quantity"] == -1 and got["6301-R1"]["is_return"] is True
    assert got["6301-R1"]["date"] == "2026-11-21"
    assert sum(r["quantity"] for r in body["rows"] if r["sku"] == "TEE-001-S") == 2
    assert [f["status"] for f in body["files"]] == ["processed", "processed"]


def test_removed_true_soft_deletes_the_line(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    drop(folder, "1.csv", [line("6401-1", "6401", "TEE-001-S", "2"), line("6401-2", "6401", "TEE-001-M", "1")])
    assert {r["order_id"] for r in history(http)["rows"] if not r["removed"]} == {"6401-1", "6401-2"}
    drop(folder, "2.csv", [line("6401-1", "6401", "TEE-001-S", "2", REMOVED="true", UPDATED_AT="2026-11-20 12:00:00")])
    got = held(history(http))
    # Soft-deleted: still held (flagged), no longer used.
    assert got["6401-1"]["removed"] is True and got["6401-1"]["file"] == "2.csv"
    assert got["6401-2"]["removed"] is False
    assert [r for r in got.values() if not r["removed"]] == [got["6401-2"]]


def test_a_later_row_replaces_an_earlier_one(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    # Two files arrive before IP looks; they are processed in name order, not in upload order.
    drop(
        folder,
        "2026-11-21_b.csv",
        [line("6501-1", "6501", "TEE-001-S", "5", UPDATED_AT="2026-11-21 08:00:00")],  # same UPDATED_AT: b wins
    )
    drop(
        folder,
        "2026-11-21_a.csv",
        [
            line("6501-1", "6501", "TEE-001-S", "4", UPDATED_AT="2026-11-21 08:00:00"),
            line("6502-1", "6502", "TEE-001-M", "1", UPDATED_AT="2026-11-20 10:00:00"),
            line("6502-1", "6502", "TEE-001-M", "2", UPDATED_AT="2026-11-20 11:00:00"),  # later in the file and newer
            line("6503-1", "6503", "TEE-001-L", "7", UPDATED_AT="2026-11-20 11:00:00"),
            line("6503-1", "6503", "TEE-001-L", "6", UPDATED_AT="2026-11-20 10:00:00"),  # older: ignored
        ],
    )
    body = history(http)
    assert [f["name"] for f in body["files"]] == ["2026-11-21_a.csv", "2026-11-21_b.csv"]
    got = held(body)
    assert got["6501-1"]["quantity"] == 5 and got["6501-1"]["file"] == "2026-11-21_b.csv"
    assert got["6502-1"]["quantity"] == 2 and got["6502-1"]["line"] == 4
    assert got["6503-1"]["quantity"] == 7
    assert len(body["rows"]) == 3
    ignored = body["files"][0]["rows_ignored"]
    assert [(i["line"], i["order_id"]) for i in ignored] == [(6, "6503-1")]
    # A newer version arriving later replaces what is held.
    drop(folder, "2026-11-22.csv", [line("6503-1", "6503", "TEE-001-L", "1", UPDATED_AT="2026-11-22 07:00:00")])
    assert held(history(http))["6503-1"]["quantity"] == 1


def test_unknown_warehouse_rejects_the_row_and_the_rest_lands(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    rows = [
        line("6601-1", "6601", "TEE-001-S"),
        line("6601-2", "6601", "TEE-001-M", WAREHOUSE="wh_manchester"),
        line("6601-3", "6601", "TEE-001-L", WAREHOUSE=WH["dublin"]),
    ]
    drop(folder, "mixed.csv", rows)
    body = history(http)
    assert sorted(held(body)) == ["6601-1", "6601-3"]
    [report] = body["files"]
    assert report["status"] == "processed" and report["rows"] == 2
    [rejected] = report["rows_rejected"]
    assert rejected["line"] == 3 and rejected["column"] == "WAREHOUSE"
    assert "wh_manchester" in rejected["reason"]


def test_bad_values_reject_their_row_naming_column_and_line(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    rows = [
        line("6701-1", "6701", "TEE-001-S", "two"),
        line("6701-2", "6701", "TEE-001-M", CREATED_AT="yesterday"),
        line("6701-3", "6701", "TEE-001-L", REMOVED="maybe"),
        line("6701-4", "6701", "TEE-001-XL", CURRENCY="POUND"),
        line("6701-5", "6701", "NO-SUCH-SKU"),
        line("6701-6", "6701", "HOOD-002-S", PRICE="", ORDER_ID=""),
        # FLOAT columns take any number; TIMESTAMP_NTZ drops an offset and keeps the wall-clock time.
        line("6701-7", "6701", "HOOD-002-M", "1.5", PRICE="1e1", CREATED_AT="2026-11-20T23:30:00+01:00"),
    ]
    drop(folder, "bad_values.csv", rows)
    body = history(http)
    report = body["files"][0]
    assert report["status"] == "processed" and report["rows"] == 1
    assert [(r["line"], r["columns"]) for r in report["rows_rejected"]] == [
        (2, ["QUANTITY"]),
        (3, ["CREATED_AT"]),
        (4, ["REMOVED"]),
        (5, ["CURRENCY"]),
        (6, ["VARIANT_ID"]),
        (7, ["ORDER_ID", "PRICE"]),
    ]
    assert "'two'" in report["rows_rejected"][0]["reason"]
    [kept] = body["rows"]
    assert kept["order_id"] == "6701-7" and kept["quantity"] == 1.5 and kept["price"] == 10.0
    assert kept["created_at"] == "2026-11-20T23:30:00" and kept["date"] == "2026-11-20"


def test_ambiguous_sku_spelling_is_rejected_exact_spelling_accepted(
    world: World, intake: tuple[Path, httpx.Client]
) -> None:
    folder, http = intake
    copy = next(v.sku for v in world.variants if v.sku != v.sku.strip())
    original = copy.strip().upper()
    rows = [
        line("6801-1", "6801", original.lower()),  # case-folded, it names both listings
        line("6801-2", "6801", copy),  # exactly as IP holds the re-listed copy
        line("6801-3", "6801", "tee-001-s"),  # case-folded, one variant only
    ]
    drop(folder, "spellings.csv", rows)
    body = history(http)
    got = held(body)
    assert sorted(got) == ["6801-2", "6801-3"]
    assert got["6801-2"]["sku"] == copy and got["6801-3"]["sku"] == "TEE-001-S"
    [rejected] = body["files"][0]["rows_rejected"]
    assert rejected["line"] == 2 and "several variants" in rejected["reason"]


def test_history_is_empty_without_a_drop_folder(world: World) -> None:
    running = serve_in_thread(SimContext.build(world))
    try:
        assert httpx.get(f"{running.url}{HISTORY}", timeout=30).json() == {"rows": [], "files": []}
    finally:
        running.stop()


def test_changed_content_under_the_same_name_is_processed_again(intake: tuple[Path, httpx.Client]) -> None:
    folder, http = intake
    drop(folder, "daily.csv", [line("6901-1", "6901", "TEE-001-S", "1")])
    history(http)
    drop(folder, "daily.csv", [line("6901-1", "6901", "TEE-001-S", "4", UPDATED_AT="2026-11-21 06:00:00")])
    body = history(http)
    assert [f["name"] for f in body["files"]] == ["daily.csv", "daily.csv"]
    assert held(body)["6901-1"]["quantity"] == 4
