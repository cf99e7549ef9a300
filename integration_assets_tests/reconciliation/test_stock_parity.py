"""Stock parity on a hand-built lake: tiny Parquet files in the raw layout, the seeds beside them,
and the real models built over them. Covers the buffer, an alias, a messy spelling, bundle parents
(checked only through their components), a preorder, untracked items, a store without a Mintsoft
warehouse, an older snapshot, and how a drift exception is resolved and reopened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from integration_assets.assets import inventory_planner_tables, mintsoft_tables, shopify_tables
from integration_assets.assets.sql_models import build_warehouse
from integration_assets.lake import partition_dir, with_lineage, write_partition
from integration_assets.raw_tables import RawTable
from integration_assets.resources import WarehouseResource
from integration_assets.simulator.seeds import EXCEPTION_OWNERS, GL_ACCOUNTS, SEED_COLUMNS, write_seeds

OLDER, AS_OF = "2026-11-20", "2026-11-21"
SYNCED = dt.datetime(2026, 11, 21, 23, 0, tzinfo=dt.UTC)
NORTHAMPTON, LEEDS, LONDON = 1001, 1002, 1003  # Shopify location ids; Mintsoft warehouses 1 and 2

SEEDS = {
    "locations": [
        {
            "location_key": "northampton",
            "name": "Northampton DC",
            "kind": "warehouse",
            "shopify_location_id": str(NORTHAMPTON),
            "mintsoft_warehouse_id": "1",
            "inventory_planner_warehouse_id": "ip_1",
        },
        {
            "location_key": "leeds",
            "name": "Leeds",
            "kind": "warehouse",
            "shopify_location_id": str(LEEDS),
            "mintsoft_warehouse_id": "2",
            "inventory_planner_warehouse_id": "ip_2",
        },
        {
            "location_key": "london",
            "name": "London Store",
            "kind": "store",
            "shopify_location_id": str(LONDON),
            "mintsoft_warehouse_id": "",
            "inventory_planner_warehouse_id": "",
        },
    ],
    "bundles": [
        {"bundle_sku": "BUNDLE-A", "component_sku": "TEE-1", "quantity": "2"},
        {"bundle_sku": "BUNDLE-A", "component_sku": "MUG-1", "quantity": "1"},
    ],
    "sku_aliases": [{"alias": "MUG1", "sku": "MUG-1"}],
    "safety_stock": [
        {"location_key": "northampton", "sku": "TEE-1", "buffer_units": "3"},
        {"location_key": "leeds", "sku": "mug1", "buffer_units": "2"},  # an alias, spelled loosely
    ],
    "exception_owners": [dict(zip(SEED_COLUMNS["exception_owners"], r, strict=True)) for r in EXCEPTION_OWNERS],
    "gl_accounts": [dict(zip(SEED_COLUMNS["gl_accounts"], r, strict=True)) for r in GL_ACCOUNTS],
}

# Shopify inventory items: (item id, raw sku, tracked, requires shipping, preorder)
ITEMS = [
    (11, "TEE-1", True, True, False),
    (12, "MUG-1", True, True, False),
    (13, " tee-2 ", True, True, False),  # Mintsoft spells it TEE-2
    (14, "BUNDLE-A", True, True, False),  # a bundle parent, even if the bundle app tracks it
    (15, "PRE-1", True, True, True),  # a preorder, oversold on purpose
    (16, "CAP-1", False, True, False),  # track quantity off while the warehouse holds stock
    (17, "SVC-1", False, False, False),  # a service: untracked, nothing to ship
]
# Mintsoft products: (product id, raw sku, is bundle)
PRODUCTS = [(201, "TEE-1", False), (202, "MUG1", False), (203, "TEE-2", False), (204, "BUNDLE-A", True)]
PRODUCTS += [(205, "PRE-1", False), (206, "CAP-1", False)]
# Mintsoft bulk inventory: {date: {warehouse: [(product id, sku, on hand, allocated, in quarantine)]}}
INVENTORY = {
    OLDER: {1: [(201, "TEE-1", 60, 0, 0)]},
    AS_OF: {
        1: [
            (201, "TEE-1", 50, 5, 2),
            (202, "MUG1", 10, 0, 0),
            (203, "TEE-2", 5, 0, 0),
            (205, "PRE-1", 0, 0, 0),
            (206, "CAP-1", 30, 0, 0),
        ],
        2: [(201, "TEE-1", 20, 2, 0), (202, "MUG1", 7, 0, 0), (203, "TEE-2", 9, 0, 0)],
    },
}
# Shopify available: {date: {location: {item id: available}}}
LEVELS = {
    OLDER: {"northampton": {11: 57}},
    AS_OF: {
        "northampton": {11: 40, 12: 12, 13: 4, 14: 99, 15: -5, 16: 0},
        "leeds": {11: 20, 12: 7},  # no level at all for TEE-2
        "london": {11: 4},
    },
}
LOCATION_IDS = {"northampton": NORTHAMPTON, "leeds": LEEDS, "london": LONDON}
WAREHOUSE_KEYS = {1: "northampton", 2: "leeds"}

# (location, sku, mintsoft available, buffer, expected Shopify available, Shopify available, drift, reason)
EXPECTED_PARITY = [
    ("leeds", "MUG-1", 7, 2, 5, 7, 2, "buffer_not_applied"),
    ("leeds", "TEE-1", 18, 0, 18, 20, 2, "allocation_not_deducted"),
    ("leeds", "TEE-2", 9, 0, 9, 0, -9, "missing_shopify_level"),
    ("northampton", "MUG-1", 10, 0, 10, 12, 2, "shopify_over"),
    ("northampton", "TEE-1", 43, 3, 40, 40, 0, "in_sync"),
    ("northampton", "TEE-2", 5, 0, 5, 4, -1, "shopify_under"),
]


def _write(root: Path, spec: RawTable, date: str, rows: list[dict[str, Any]], location: str | None = None) -> None:
    target = partition_dir(root, spec.source, spec.entity, date, location)
    write_partition(target, with_lineage(rows, spec.source, SYNCED), spec.schema)


def _levels(root: Path, date: str, levels: dict[str, dict[int, int]]) -> None:
    skus = {item_id: sku for item_id, sku, *_ in ITEMS}
    for location, available in levels.items():
        rows = [
            {
                "location_id": LOCATION_IDS[location],
                "inventory_item_id": item_id,
                "sku": skus[item_id],
                "available": units,
                "on_hand": max(units, 0),
                "committed": 0,
                "safety_stock": 0,
                "updated_at": SYNCED,
            }
            for item_id, units in available.items()
        ]
        _write(root, shopify_tables.INVENTORY_LEVELS, date, rows, location)


def _hand_built_lake(root: Path) -> None:
    for date in (OLDER, AS_OF):
        items = [
            {
                "id": item_id,
                "sku": sku,
                "tracked": tracked,
                "requires_shipping": ships,
                "variant_id": 100 + item_id,
                "variant_sku": sku,
                "product_id": 500 + item_id,
                "product_title": sku.strip(),
                "preorder": preorder,
            }
            for item_id, sku, tracked, ships, preorder in ITEMS
        ]
        _write(root, shopify_tables.INVENTORY_ITEMS, date, items)
        products = [{"id": pid, "sku": sku, "bundle": bundle} for pid, sku, bundle in PRODUCTS]
        _write(root, mintsoft_tables.PRODUCTS, date, products)
        variants = [{"id": f"ip_{item_id}", "sku": sku, "removed": False} for item_id, sku, *_ in ITEMS]
        _write(root, inventory_planner_tables.VARIANTS, date, variants)
        for warehouse, positions in INVENTORY[date].items():
            rows = [
                {
                    "id": warehouse * 1000 + pid,
                    "product_id": pid,
                    "sku": sku,
                    "warehouse_id": warehouse,
                    "on_hand": on_hand,
                    "allocated": allocated,
                    "in_quarantine": quarantine,
                    "available": on_hand - allocated - quarantine,
                }
                for pid, sku, on_hand, allocated, quarantine in positions
            ]
            _write(root, mintsoft_tables.INVENTORY, date, rows, WAREHOUSE_KEYS[warehouse])
        _levels(root, date, LEVELS[date])


@pytest.fixture
def warehouse(tmp_path: Path) -> WarehouseResource:
    data = tmp_path / "data"
    _hand_built_lake(data)
    seeds = write_seeds(SEEDS, tmp_path / "seeds")
    resource = WarehouseResource(data_dir=str(data), seeds_dir=str(seeds))
    build_warehouse(resource, [OLDER, AS_OF])
    return resource


def _query(resource: WarehouseResource, sql: str) -> list[tuple]:
    with duckdb.connect(str(resource.path), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_parity_arithmetic(warehouse: WarehouseResource) -> None:
    rows = _query(
        warehouse,
        "select location_key, sku, mintsoft_available, buffer_units, expected_shopify_available, "
        f"shopify_available, drift_units, reason from reconciliation.stock_parity where date = date '{AS_OF}' "
        "order by location_key, sku",
    )
    assert rows == EXPECTED_PARITY
    # Bundle components carry their bundles; the older snapshot keeps its own figures.
    components = _query(
        warehouse,
        f"select sku, component_of_bundles from reconciliation.stock_parity where date = date '{AS_OF}' "
        "and location_key = 'northampton' order by sku",
    )
    assert components == [("MUG-1", ["BUNDLE-A"]), ("TEE-1", ["BUNDLE-A"]), ("TEE-2", [])]
    assert _query(
        warehouse,
        "select location_key, sku, mintsoft_available, buffer_units, shopify_available, drift_units "
        f"from reconciliation.stock_parity where date = date '{OLDER}'",
    ) == [("northampton", "TEE-1", 60, 3, 57, 0)]


def test_excluded_skus_are_reported_once_as_their_own_type(warehouse: WarehouseResource) -> None:
    master = dict(
        _query(
            warehouse,
            "select sku, struct_pack(tracked, preorder, is_bundle, is_duplicate) from reconciliation.sku_master",
        )
    )
    assert master["BUNDLE-A"]["is_bundle"] and master["PRE-1"]["preorder"] and not master["CAP-1"]["tracked"]
    assert not master["TEE-2"]["is_duplicate"]  # " tee-2 " and TEE-2 are one SKU, spelled twice
    open_exceptions = _query(
        warehouse,
        "select type, cast(date as varchar), location_key, sku from reconciliation.exceptions "
        "where resolved_at is null order by all",
    )
    assert open_exceptions == [
        ("stock_parity_drift", AS_OF, "leeds", "MUG-1"),
        ("stock_parity_drift", AS_OF, "leeds", "TEE-1"),
        ("stock_parity_drift", AS_OF, "leeds", "TEE-2"),
        ("stock_parity_drift", AS_OF, "northampton", "MUG-1"),
        ("stock_parity_drift", AS_OF, "northampton", "TEE-2"),
        ("tracking_disabled", AS_OF, "northampton", "CAP-1"),
    ]


def test_a_fixed_drift_is_resolved_and_a_returning_one_reopened(warehouse: WarehouseResource) -> None:
    data = Path(warehouse.data_dir)
    sql = (
        "select first_seen_at, last_seen_at, resolved_at from reconciliation.exceptions "
        "where type = 'stock_parity_drift' and location_key = 'northampton' and sku = 'MUG-1'"
    )
    [(first_seen, _, resolved)] = _query(warehouse, sql)
    assert resolved is None

    fixed = {**LEVELS[AS_OF], "northampton": {**LEVELS[AS_OF]["northampton"], 12: 10}}
    _levels(data, AS_OF, fixed)
    build_warehouse(warehouse, [OLDER, AS_OF])
    [(still_first, last_seen, resolved)] = _query(warehouse, sql)
    assert still_first == first_seen and resolved is not None and resolved >= last_seen
    open_drift = _query(
        warehouse,
        "select count(*) from reconciliation.exceptions where type = 'stock_parity_drift' and resolved_at is null",
    )
    assert open_drift == [(4,)]

    _levels(data, AS_OF, LEVELS[AS_OF])
    build_warehouse(warehouse, [OLDER, AS_OF])
    [(reopened_first, reopened_last, reopened_resolved)] = _query(warehouse, sql)
    assert reopened_first == first_seen and reopened_resolved is None and reopened_last > last_seen
