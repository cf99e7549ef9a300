"""Multiply a template lake into a merchant of the size the bench asks for, with DuckDB alone.

Order-side tables (orders and their parts, Mintsoft orders and returns, balance transactions) are
copied `order_copies` times; the catalogue (inventory items and levels, Mintsoft products and stock,
Inventory Planner variants) `catalog_copies` times; locations and warehouses once. Every id that
names an order-side record is renumbered per copy, every catalogue id and SKU per catalogue copy,
and order copy k sells catalogue copy k % catalog_copies, so each copy is a whole, consistent
merchant: its joins hold, its anomalies repeat, and payouts (kept once) carry the copies' money.
The renumbering is the macros in dbt_like_sql/bench/tile_macros.sql; this module only says which
column plays which part. Rows stream from Parquet to Parquet, so memory stays flat at any size.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from integration_assets.assets.payments_tables import SUMMARY_FIELDS
from integration_assets.warehouse import MODELS_DIR

MACROS = MODELS_DIR / "bench" / "tile_macros.sql"
PART = "part-00000.parquet"

# Column parts: an expression over the template column `c`, the order copy `k` and catalogue copy `m`.
ORDER_ID = "tile_id({c}, tile.k, {orders})"
ORDER_TEXT = "tile_text_id({c}, tile.k, {orders})"
CATALOG_ID = "tile_id({c}, tile.m, {catalog})"
CATALOG_TEXT = "tile_text_suffix({c}, tile.m, {catalog})"
SKU = "tile_sku({c}, tile.m)"
MONEY_TIMES_COPIES = "{c} * {orders}"


@dataclass(frozen=True)
class TileRule:
    """How one raw table multiplies: by order copies, catalogue copies, or not at all."""

    copies: str  # "orders" | "catalog" | "one"
    columns: Mapping[str, str] = field(default_factory=dict)


def _order_lines(**extra: str) -> TileRule:
    return TileRule("orders", {"order_id": ORDER_ID, "id": ORDER_ID, **extra})


RULES: dict[tuple[str, str], TileRule] = {
    ("shopify", "orders"): TileRule("orders", {"id": ORDER_ID, "number": ORDER_ID, "name": ORDER_TEXT}),
    ("shopify", "order_line_items"): _order_lines(sku=SKU, variant_id=CATALOG_ID, product_id=CATALOG_ID),
    ("shopify", "order_shipping_lines"): _order_lines(),
    ("shopify", "order_tax_lines"): TileRule("orders", {"order_id": ORDER_ID}),
    ("shopify", "order_transactions"): _order_lines(refund_id=ORDER_ID, parent_transaction_id=ORDER_ID),
    ("shopify", "order_refunds"): _order_lines(),
    ("shopify", "order_refund_line_items"): TileRule(
        "orders", {"order_id": ORDER_ID, "refund_id": ORDER_ID, "line_item_id": ORDER_ID, "sku": SKU}
    ),
    ("shopify", "order_fulfillments"): _order_lines(name=ORDER_TEXT),
    ("shopify", "order_fulfillment_line_items"): _order_lines(fulfillment_id=ORDER_ID, line_item_id=ORDER_ID, sku=SKU),
    ("mintsoft", "orders"): TileRule(
        "orders", {"id": ORDER_ID, "order_number": ORDER_TEXT, "external_order_reference": ORDER_TEXT}
    ),
    ("mintsoft", "order_items"): _order_lines(product_id=CATALOG_ID, sku=SKU),
    ("mintsoft", "returns"): TileRule(
        "orders", {"id": ORDER_ID, "order_id": ORDER_ID, "order_number": ORDER_TEXT, "reference": ORDER_TEXT}
    ),
    ("mintsoft", "return_items"): TileRule(
        "orders", {"return_id": ORDER_ID, "id": ORDER_ID, "product_id": CATALOG_ID, "sku": SKU}
    ),
    ("shopify_payments", "balance_transactions"): TileRule(
        "orders",
        {
            "id": ORDER_ID,
            "source_id": ORDER_ID,
            "source_order_transaction_id": ORDER_ID,
            "associated_order_id": ORDER_ID,
            "associated_order_name": ORDER_TEXT,
        },
    ),
    ("shopify", "inventory_items"): TileRule(
        "catalog",
        {"id": CATALOG_ID, "variant_id": CATALOG_ID, "product_id": CATALOG_ID, "sku": SKU, "variant_sku": SKU},
    ),
    ("shopify", "inventory_levels"): TileRule("catalog", {"inventory_item_id": CATALOG_ID, "sku": SKU}),
    ("shopify", "unmapped_inventory_levels"): TileRule("catalog", {"inventory_item_id": CATALOG_ID, "sku": SKU}),
    ("mintsoft", "products"): TileRule("catalog", {"id": CATALOG_ID, "sku": SKU}),
    ("mintsoft", "bundle_components"): TileRule(
        "catalog",
        {"bundle_product_id": CATALOG_ID, "component_product_id": CATALOG_ID, "bundle_sku": SKU, "component_sku": SKU},
    ),
    ("mintsoft", "inventory"): TileRule("catalog", {"id": CATALOG_ID, "product_id": CATALOG_ID, "sku": SKU}),
    ("inventory_planner", "variants"): TileRule("catalog", {"id": CATALOG_TEXT, "sku": SKU, "connection_sku": SKU}),
    ("inventory_planner", "variant_warehouses"): TileRule("catalog", {"variant_id": CATALOG_TEXT, "sku": SKU}),
    ("shopify", "locations"): TileRule("one"),
    ("mintsoft", "warehouses"): TileRule("one"),
    ("inventory_planner", "warehouses"): TileRule("one"),
}
# Payouts are kept once; their money grows with the transactions the copies add to them.
PAYOUT_MONEY = ("net", *SUMMARY_FIELDS)
RULES[("shopify_payments", "payouts")] = TileRule("one", {name: MONEY_TIMES_COPIES for name in PAYOUT_MONEY})

# Seeds that name SKUs multiply with the catalogue; the rest are copied as they are.
SEED_SKU_COLUMNS = {
    "bundles": ("bundle_sku", "component_sku"),
    "sku_aliases": ("alias", "sku"),
    "safety_stock": ("sku",),
}


@dataclass(frozen=True)
class Tiling:
    order_copies: int
    catalog_copies: int

    def copies(self, rule: TileRule) -> int:
        return {"orders": self.order_copies, "catalog": self.catalog_copies, "one": 1}[rule.copies]


def connect(memory_limit: str, threads: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(f"set threads = {threads}")
    con.execute(MACROS.read_text())
    return con


def tile_lake(con: duckdb.DuckDBPyConnection, template_lake: Path, lake: Path, tiling: Tiling) -> dict[str, int]:
    """Write the tiled lake; rows written per table ("source/entity")."""
    rows: dict[str, int] = {}
    for (source, entity), rule in sorted(RULES.items()):
        for part in sorted((template_lake / source / entity).glob(f"date=*/**/{PART}")):
            target = lake / part.relative_to(template_lake)
            target.parent.mkdir(parents=True, exist_ok=True)
            select = _select(con, part, rule, tiling)
            con.execute(f"copy ({select}) to '{target}' (format parquet, compression zstd)")
            written = con.execute(f"select count(*) from read_parquet('{target}')").fetchone()
            rows[f"{source}/{entity}"] = rows.get(f"{source}/{entity}", 0) + int(written[0] if written else 0)
    return rows


def _select(con: duckdb.DuckDBPyConnection, part: Path, rule: TileRule, tiling: Tiling) -> str:
    columns = [row[0] for row in con.execute(f"describe select * from read_parquet('{part}')").fetchall()]
    unknown = sorted(set(rule.columns) - set(columns))
    if unknown:
        raise ValueError(f"{part}: the tiling rule names columns the table lacks: {', '.join(unknown)}")
    sizes = {"orders": tiling.order_copies, "catalog": tiling.catalog_copies}
    exprs = [
        f"{rule.columns[name].format(c='template.' + _quoted(name), **sizes)} as {_quoted(name)}"
        if name in rule.columns
        else f"template.{_quoted(name)}"
        for name in columns
    ]
    k, m = {
        "orders": ("range", f"range % {tiling.catalog_copies}"),
        "catalog": ("0", "range"),
        "one": ("0", "0"),
    }[rule.copies]
    return (
        f"select {', '.join(exprs)} from read_parquet('{part}') as template, "
        f"(select {k} as k, {m} as m from range({tiling.copies(rule)})) as tile order by tile.k, tile.m"
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tile_seeds(con: duckdb.DuckDBPyConnection, template_seeds: Path, seeds: Path, tiling: Tiling) -> dict[str, int]:
    """The operator's seeds for the tiled merchant: SKU-keyed files once per catalogue copy."""
    if seeds.exists():
        shutil.rmtree(seeds)
    seeds.mkdir(parents=True)
    counts = {}
    for path in sorted(template_seeds.glob("*.csv")):
        target = seeds / path.name
        sku_columns = SEED_SKU_COLUMNS.get(path.stem)
        if not sku_columns:
            shutil.copyfile(path, target)
            counts[path.stem] = sum(1 for _ in path.open()) - 1
            continue
        source = f"read_csv('{path}', all_varchar = true, header = true, strict_mode = true)"
        columns = [row[0] for row in con.execute(f"describe select * from {source}").fetchall()]
        exprs = [f"tile_sku({_quoted(c)}, tile.m) as {_quoted(c)}" if c in sku_columns else _quoted(c) for c in columns]
        select = (
            f"select {', '.join(exprs)} from {source}, "
            f"(select range as m from range({tiling.catalog_copies})) as tile order by tile.m"
        )
        con.execute(f"copy ({select}) to '{target}' (header, delimiter ',', quote '\"')")
        written = con.execute(f"select count(*) from ({select})").fetchone()
        counts[path.stem] = int(written[0] if written else 0)
    return counts
