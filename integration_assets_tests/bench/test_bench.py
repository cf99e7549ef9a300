"""The model bench at a small size: the report's shape, and row counts that follow from the generator.

The same template merchant is benched twice: as generated (one copy) and tiled (3 order copies,
2 catalogue copies). The tiled lake must hold exactly the copies of the template's rows, and the
warehouse built from it must scale the same way: order-side models by the order copies, catalogue
models by the catalogue copies. That can only hold if every copy is a whole, consistent merchant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from integration_assets.bench.run import BenchParams, run_bench
from integration_assets.bench.tiling import RULES

KEYS = {
    "stages",
    "total_seconds",
    "sql_seconds",
    "floor_seconds",
    "sql_ratio_to_floor",
    "copy_floor_seconds",
    "sql_ratio_to_copy_floor",
    "output_floor_seconds",
    "output_floor_ratio_to_floor",
    "sql_ratio_to_output_floor",
    "peak_rss_mb",
    "slowest_steps",
    "rows",
    "params",
}
STAGES = {
    *("generate", "floor", "copy_floor", "output_floor"),
    *("seeds", "staging", "reconciliation", "finance", "checks", "orchestration"),
}
SMALL = {
    "orders_per_day": 20,
    "skus": 60,
    "locations": 4,
    "days": 1,
    "template_orders_per_day": 20,
    "template_skus": 60,
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    cache = tmp_path_factory.mktemp("template-cache")
    plain = run_bench(BenchParams(**SMALL), tmp_path_factory.mktemp("plain"), cache)
    tiled = run_bench(
        BenchParams(**{**SMALL, "orders_per_day": 60, "skus": 120}), tmp_path_factory.mktemp("tiled"), cache
    )
    return {"plain": plain, "tiled": tiled}


def test_report_has_every_figure(reports: dict[str, dict[str, Any]]) -> None:
    report = reports["tiled"]
    assert set(report) >= KEYS
    assert set(report["stages"]) == STAGES
    assert all(seconds >= 0 for seconds in report["stages"].values())
    assert report["success"] is True
    assert report["params"]["order_copies"] == 3 and report["params"]["catalog_copies"] == 2
    assert report["params"]["skus_generated"] == 120
    assert 0 < report["sql_seconds"] < report["total_seconds"]
    assert report["floor_seconds"] > 0
    assert report["sql_ratio_to_floor"] == pytest.approx(report["sql_seconds"] / report["floor_seconds"], rel=0.02)
    assert report["copy_floor_seconds"] > report["floor_seconds"]  # reading, then writing, the same files
    assert report["sql_ratio_to_copy_floor"] == pytest.approx(
        report["sql_seconds"] / report["copy_floor_seconds"], rel=0.02
    )
    assert report["output_floor_seconds"] > 0
    assert report["output_floor_ratio_to_floor"] == pytest.approx(
        report["output_floor_seconds"] / report["floor_seconds"], rel=0.02
    )
    assert report["sql_ratio_to_output_floor"] == pytest.approx(
        report["sql_seconds"] / report["output_floor_seconds"], rel=0.02
    )
    assert set(report["peak_rss_mb_by_stage"]) >= {"floor", "copy_floor", "warehouse_rebuild", "output_floor"}
    steps = report["slowest_steps"]
    assert len(steps) == 15 and [s["seconds"] for s in steps] == sorted((s["seconds"] for s in steps), reverse=True)
    assert all(s["sql_seconds"] >= 0 for s in steps) and len({s["step"] for s in steps}) == 15
    assert 100 < report["peak_rss_mb"] < 4096
    assert report["checks"]["passed"] + report["checks"]["failed"] >= 10


def _template_rows(report: dict[str, Any]) -> dict[str, int]:
    root = Path(report["template_root"]) / "lake"
    counts = {}
    for source, entity in RULES:
        files = sorted((root / source / entity).glob("date=*/**/*.parquet"))
        counts[f"{source}/{entity}"] = _count(files) if files else 0
    return counts


def _count(files: list[Path]) -> int:
    with duckdb.connect() as con:
        (count,) = con.execute("select count(*) from read_parquet(?)", [[str(f) for f in files]]).fetchall()[0]
    return int(count)


def test_the_lake_holds_exactly_the_copies_of_the_generated_rows(reports: dict[str, dict[str, Any]]) -> None:
    template = _template_rows(reports["plain"])
    copies = {"orders": 3, "catalog": 2, "one": 1}
    for (source, entity), rule in RULES.items():
        table = f"{source}/{entity}"
        assert reports["plain"]["rows"][f"lake.{table}"] == template[table], table
        assert reports["tiled"]["rows"][f"lake.{table}"] == copies[rule.copies] * template[table], table
    assert template["shopify/orders"] > 20 and template["shopify/inventory_items"] == 60
    assert reports["plain"]["floor_rows"] == sum(template.values())


ORDER_SIDE = ("reconciliation.order_lifecycle", "reconciliation.order_matches", "reconciliation.sales_history_lines")
CATALOG_SIDE = ("reconciliation.sku_master", "reconciliation.stock_parity", "staging.shopify_inventory_levels")


def test_the_warehouse_scales_with_the_copies(reports: dict[str, dict[str, Any]]) -> None:
    plain, tiled = reports["plain"]["rows"], reports["tiled"]["rows"]
    for relation in ORDER_SIDE:
        assert plain[relation] > 0 and tiled[relation] == 3 * plain[relation], relation
    for relation in CATALOG_SIDE:
        assert plain[relation] > 0 and tiled[relation] == 2 * plain[relation], relation
    assert plain["staging.shopify_orders"] == reports["plain"]["rows"]["lake.shopify/orders"]
    assert tiled["staging.shopify_order_line_items"] == tiled["lake.shopify/order_line_items"]
    assert plain["reconciliation.sku_master"] == 60
