"""`integration-assets bench`: models and checks at a merchant's peak size, against their floor.

Stages, in order:
1. generate: a small template merchant landed by the product's extraction (`template.py`, cached),
   tiled with DuckDB to the size asked for (`tiling.py`). Not the product's work: timed apart.
2. floor: one DuckDB scan of every column of the same raw Parquet, measured in the same run; and the
   copy floor: the same files copied once into a DuckDB file (read once, written once), the least a
   warehouse of typed tables pays before any modelling.
3. warehouse_rebuild: the named job, over the whole range as one run, in a child process started
   like a Dagster run worker (imports, instance, seeds, staging, reconciliation, finance, checks).
   `total_seconds` is this stage's wall time; `sql_seconds` is the time inside DuckDB the models and
   checks report, the rest being orchestration, I/O and Python.
4. output_floor: the finished reconciliation and finance tables, the ones users read, copied as they
   stand into a fresh DuckDB file: the least any way of computing them pays just to write them.
The peak RSS is sampled over the whole process tree (this process and every child) throughout;
`peak_rss_mb` is the peak over the measured stages (the floors and warehouse_rebuild), and each stage's
own peak, generation's included, is reported beside it.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from integration_assets.bench.rss import TreeMemory
from integration_assets.bench.template import TemplateSpec
from integration_assets.bench.tiling import Tiling, connect, tile_lake, tile_seeds
from integration_assets.warehouse import MODELS_DIR, PLACEHOLDER, Warehouse

FLOOR_SQL = MODELS_DIR / "bench" / "floor.sql"
COPY_FLOOR_SQL = MODELS_DIR / "bench" / "copy_floor.sql"
OUTPUT_TABLES_SQL = MODELS_DIR / "bench" / "output_tables.sql"
OUTPUT_FLOOR_SQL = MODELS_DIR / "bench" / "output_floor.sql"
TEMPLATE_ORDERS_PER_DAY = 500  # template orders a day; the rest is tiling
TEMPLATE_SKUS = 200
MAX_ORDER_COPIES = 500  # line item ids (~1.6e16) times the copies must stay inside BIGINT
MEMORY_LIMIT = "800MB"  # DuckDB's bound in every stage; the target is 1.5 GB for the tree, Python included
THREADS = 2
# The stages the memory target covers: the floors and the product's run (generating the merchant,
# the simulator's world, is the bench's own work).
MEASURED_STAGES = ("floor", "copy_floor", "warehouse_rebuild", "output_floor")


@dataclass(frozen=True)
class BenchParams:
    orders_per_day: int = 100_000
    locations: int = 6
    skus: int = 20_000
    days: int = 1
    seed: int = 7
    template_orders_per_day: int = TEMPLATE_ORDERS_PER_DAY
    template_skus: int = TEMPLATE_SKUS

    def template(self) -> TemplateSpec:
        fewest = math.ceil(self.orders_per_day / MAX_ORDER_COPIES)
        orders = max(min(self.orders_per_day, self.template_orders_per_day), fewest)
        return TemplateSpec(
            seed=self.seed,
            days=self.days,
            orders_per_day=max(orders, 10),
            skus=min(self.skus, self.template_skus),
            locations=self.locations,
        )

    def tiling(self, template: TemplateSpec) -> Tiling:
        return Tiling(
            order_copies=max(1, round(self.orders_per_day / template.orders_per_day)),
            catalog_copies=max(1, round(self.skus / template.skus)),
        )


def run_bench(params: BenchParams, work_dir: Path | None = None, cache: Path | None = None) -> dict[str, Any]:
    """Every stage, and the JSON report (see the module docstring for what each figure means)."""
    work = Path(work_dir or tempfile.mkdtemp(prefix="integration-bench-"))
    cache = Path(cache or os.environ.get("INTEGRATION_BENCH_CACHE", Path.home() / ".cache" / "integration-bench"))
    spec, tiling = params.template(), params.tiling(params.template())
    memory = TreeMemory()
    with memory:
        started = time.perf_counter()
        template = _child("template", [json.dumps(asdict(spec)), str(cache)], _base_env(work), memory, "generate")
        con = connect(MEMORY_LIMIT, THREADS)
        generated = tile(con, Path(template["root"]), work, tiling)
        generate_seconds = time.perf_counter() - started
        with memory.stage("floor"):
            started = time.perf_counter()
            floor_rows = floor_scan(con, work / "lake")
            floor_seconds = time.perf_counter() - started
        con.close()
        with memory.stage("copy_floor"):
            copy_floor_seconds = copy_floor(work / "lake", work / "copy_floor.duckdb")
        env = {**_base_env(work), "INTEGRATION_SEEDS_DIR": str(work / "seeds")}
        started = time.perf_counter()
        models = _child("models", [template["dates"][0], template["dates"][-1]], env, memory, "warehouse_rebuild")
        total = time.perf_counter() - started
        with memory.stage("output_floor"):
            output_floor_seconds = output_floor(work / "warehouse.duckdb", work / "output_floor.duckdb")
    floors = (floor_seconds, copy_floor_seconds, output_floor_seconds)
    report = _report(models, total, generate_seconds, floors, memory)
    report["params"] = {
        **asdict(params),
        "first_date": template["dates"][0],
        "last_date": template["dates"][-1],
        "template": asdict(spec),
        "order_copies": tiling.order_copies,
        "catalog_copies": tiling.catalog_copies,
        "skus_generated": spec.skus * tiling.catalog_copies,
        "memory_limit": MEMORY_LIMIT,
        "threads": THREADS,
    }
    report["rows"] = {**dict(sorted(generated.items())), **dict(sorted(models["rows"].items()))}
    report.update(floor_rows=floor_rows, template_counts=template["counts"], template_root=template["root"])
    report["work_dir"] = str(work)
    return report


def tile(con: Any, template_root: Path, work: Path, tiling: Tiling) -> dict[str, int]:
    """The merchant at its size in `work`: rows per lake table and seeds file."""
    lake = tile_lake(con, template_root / "lake", work / "lake", tiling)
    seeds = tile_seeds(con, template_root / "seeds", work / "seeds", tiling)
    return {**{f"lake.{t}": n for t, n in lake.items()}, **{f"seeds_csv.{name}": n for name, n in seeds.items()}}


def _report(
    models: dict[str, Any],
    total: float,
    generate_seconds: float,
    floors: tuple[float, float, float],
    memory: TreeMemory,
) -> dict[str, Any]:
    """The timings: stages, SQL against the floors, and memory."""
    steps = models["stage_seconds"]
    floor_seconds, copy_floor_seconds, output_floor_seconds = floors
    stages = {"generate": generate_seconds, "floor": floor_seconds, "copy_floor": copy_floor_seconds}
    stages.update({name: steps.get(name, 0.0) for name in ("seeds", "staging", "reconciliation", "finance", "checks")})
    stages["orchestration"] = total - sum(steps.values())
    stages["output_floor"] = output_floor_seconds
    sql_seconds = sum(models["sql_seconds"].values())
    return {
        "stages": {name: round(seconds, 3) for name, seconds in stages.items()},
        "total_seconds": round(total, 3),
        "sql_seconds": round(sql_seconds, 3),
        "sql_seconds_by_stage": {name: round(s, 3) for name, s in sorted(models["sql_seconds"].items())},
        "floor_seconds": round(floor_seconds, 3),
        "sql_ratio_to_floor": round(sql_seconds / floor_seconds, 2) if floor_seconds else None,
        "copy_floor_seconds": round(copy_floor_seconds, 3),
        "sql_ratio_to_copy_floor": round(sql_seconds / copy_floor_seconds, 2) if copy_floor_seconds else None,
        "output_floor_seconds": round(output_floor_seconds, 3),
        "output_floor_ratio_to_floor": round(output_floor_seconds / floor_seconds, 2) if floor_seconds else None,
        "sql_ratio_to_output_floor": round(sql_seconds / output_floor_seconds, 2) if output_floor_seconds else None,
        "peak_rss_mb": round(max(memory.stage_peaks_mb.get(s, 0.0) for s in MEASURED_STAGES), 1),
        "peak_rss_mb_by_stage": {name: round(mb, 1) for name, mb in memory.stage_peaks_mb.items()},
        "checks": models["checks"],
        "slowest_steps": models["slowest_steps"],
        "success": models["success"],
    }


def floor_scan(con: Any, lake: Path) -> int:
    """One scan of every column of every raw table (DESIGN's floor); returns the rows read."""
    template = FLOOR_SQL.read_text()
    rows = 0
    for folder in _raw_tables(lake):
        result = con.execute(_fill(template, {"table": str(folder)})).fetchone()
        rows += int(result[0]) if result else 0
    return rows


def copy_floor(lake: Path, database: Path) -> float:
    """Seconds to copy every raw table once into a fresh DuckDB file (removed afterwards)."""
    template = COPY_FLOOR_SQL.read_text()

    def copies(_: Warehouse) -> list[str]:
        return [
            _fill(template, {"table": str(folder), "name": f"raw_{number}"})
            for number, folder in enumerate(_raw_tables(lake))
        ]

    return _timed_writes(database, copies)


def output_floor(finished: Path, database: Path) -> float:
    """Seconds to write the finished warehouse's reconciliation and finance tables, as they stand,
    into a fresh DuckDB file (removed afterwards)."""

    def copies(warehouse: Warehouse) -> list[str]:
        listing = _fill(OUTPUT_TABLES_SQL.read_text(), {"warehouse": str(finished).replace("'", "''")})
        template = OUTPUT_FLOOR_SQL.read_text()
        return [
            _fill(template, {"source": f"{schema}.{table}", "name": f"{schema}_{table}"})
            for schema, table in warehouse.execute(listing)
        ]

    return _timed_writes(database, copies)


def _timed_writes(database: Path, statements: Callable[[Warehouse], list[str]]) -> float:
    """Seconds to run `statements` (made against the fresh warehouse first, untimed) and checkpoint,
    in a fresh DuckDB file configured as the product's warehouse (removed afterwards)."""
    database.unlink(missing_ok=True)
    warehouse = Warehouse(database, memory_limit=MEMORY_LIMIT, threads=THREADS)
    try:
        writes = statements(warehouse)
        started = time.perf_counter()
        for sql in writes:
            warehouse.execute(sql)
        warehouse.execute("checkpoint")
        return time.perf_counter() - started
    finally:
        warehouse.close()
        database.unlink(missing_ok=True)


def _fill(template: str, names: dict[str, str]) -> str:
    """The template with each placeholder replaced by its value, taken literally."""
    return PLACEHOLDER.sub(lambda match: names[match.group(1)], template)


def _raw_tables(lake: Path) -> list[Path]:
    return sorted(p for p in lake.glob("*/*") if p.is_dir())


def _base_env(work: Path) -> dict[str, str]:
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("concurrency:\n  pools:\n    default_limit: 1\ntelemetry:\n  enabled: false\n")
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "INTEGRATION_DATA_DIR": str(work),
        "DUCKDB_MEMORY_LIMIT": MEMORY_LIMIT,
        "DUCKDB_THREADS": str(THREADS),
    }


def _child(stage: str, args: list[str], env: dict[str, str], memory: TreeMemory, label: str) -> dict[str, Any]:
    """Run one stage in a child process and return the JSON it writes."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        with memory.stage(label):
            completed = subprocess.run(
                [sys.executable, "-m", "integration_assets.bench.stages", stage, *args, str(out)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        if not out.stat().st_size:
            raise RuntimeError(f"bench stage {stage} failed (exit {completed.returncode}):\n{completed.stderr[-4000:]}")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def clean(report: dict[str, Any]) -> None:
    """Remove the run's work folder (the template cache stays)."""
    shutil.rmtree(report["work_dir"], ignore_errors=True)
