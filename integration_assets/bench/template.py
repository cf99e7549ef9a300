"""The bench's template: a small merchant landed in a raw lake by the product's own extraction.

The simulator's generator builds the world; the extraction assets read it from the simulator on
loopback exactly as they read a real shop, so every raw row the bench later multiplies is a row the
product itself would have landed. The template is small (a few hundred orders a day and SKUs): the
size the bench asks for comes from tiling it (`tiling.py`), which needs no API at all. A template is
cached under its parameters and a fingerprint of the code that lands it, so a second bench of the
same shape starts at the tiling, and a bench after an upgrade never measures a world the code no
longer makes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg

from integration_assets.code_fingerprint import package_fingerprint
from integration_assets.simulator.launch import SimOptions, prepare
from integration_assets.simulator.manifest import build_manifest, simulator_env
from integration_assets.simulator.merchant import DEFAULT_START_DATE
from integration_assets.simulator.server import serve_in_thread
from integration_assets.simulator.world import WorldSize

# The groups whose assets call an API and land raw Parquet (the webhook ingest reads files, and the
# Inventory Planner export delivers: neither belongs in a template).
EXTRACTION_GROUPS = ("shopify", "mintsoft", "inventory_planner", "payments")
NOT_EXTRACTION = (dg.AssetKey(["inventory_planner", "sales_history_export"]),)
# Fast client pacing for a loopback simulator; the real services' limits are the defaults.
TEMPLATE_ENV = {
    "SHOPIFY_BULK_AFTER_DAYS": "0",
    "MINTSOFT_REQUESTS_PER_SECOND": "40",
    "INVENTORY_PLANNER_REQUESTS_PER_SECOND": "40",
    "MINTSOFT_INCREMENTAL": "false",
}
MANIFEST = "template.json"
# What a landed template depends on besides its parameters: the world's generator and the servers
# (simulator), the clients (sources), and the extraction and lake writes that land it.
LANDING_CODE = ("simulator", "sources", "assets", "lake.py", "raw_tables.py")


@dataclass(frozen=True)
class TemplateSpec:
    seed: int
    days: int
    orders_per_day: int
    skus: int
    locations: int
    start_date: str = DEFAULT_START_DATE.isoformat()

    @property
    def name(self) -> str:
        return (
            f"seed{self.seed}-d{self.days}-o{self.orders_per_day}-s{self.skus}-l{self.locations}-{self.start_date}"
            f"-{package_fingerprint(LANDING_CODE)}"
        )

    @property
    def size(self) -> WorldSize:
        return WorldSize(
            start_date=dt.date.fromisoformat(self.start_date),
            days=self.days,
            orders_per_day=self.orders_per_day,
            skus=self.skus,
            locations=self.locations,
        )


@dataclass(frozen=True)
class Template:
    """A landed template: its lake, the operator's seeds for its world, and the world's counts."""

    spec: TemplateSpec
    root: Path
    dates: list[str]
    locations: list[str]
    counts: dict[str, int]

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"


def land_template(spec: TemplateSpec, cache: Path) -> Template:
    """The template for `spec`, landed now or found in the cache (written atomically: a template
    folder exists whole or not at all)."""
    root = cache / spec.name
    if (root / MANIFEST).exists():
        return _read(spec, root)
    staging = cache / f".tmp-{spec.name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        manifest = _extract(spec, staging)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        shutil.rmtree(root, ignore_errors=True)
        os.rename(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _read(spec, root)


def _read(spec: TemplateSpec, root: Path) -> Template:
    manifest = json.loads((root / MANIFEST).read_text())
    return Template(spec, root, manifest["dates"], manifest["locations"], manifest["counts"])


def _extract(spec: TemplateSpec, root: Path) -> dict:
    """Serve the world and run every extraction asset over its dates through Dagster."""
    ctx = prepare(SimOptions(spec.seed, spec.size, plan="plus", seeds_dir=root / "seeds"))
    dates = [d.isoformat() for d in ctx.world.size.dates]
    running = serve_in_thread(ctx)
    try:
        # The code location reads locations.csv when it loads: this process must not have loaded it yet.
        env = {**simulator_env(ctx), **TEMPLATE_ENV, "INTEGRATION_DATA_DIR": str(root)}
        with _environment(env), dg.DagsterInstance.ephemeral() as instance:
            locations = _run_extraction(instance, dates[0], dates[-1])
    finally:
        running.stop()
    counts = build_manifest(ctx.world)["counts"]
    return {"template": asdict(spec), "dates": dates, "locations": locations, "counts": counts}


def _run_extraction(instance: dg.DagsterInstance, first: str, last: str) -> list[str]:
    """Each location's stock, then every daily extraction asset, as range runs (the main job's order)."""
    from integration_assets.definitions import defs
    from integration_assets.jobs import DATE_LOCATION_ASSETS
    from integration_assets.partitions import location_partitions
    from integration_assets.resources import build_resources

    resources = build_resources()
    locations = location_partitions.get_partition_keys()
    stock = dg.AssetSelection.assets(*DATE_LOCATION_ASSETS)
    daily = dg.AssetSelection.groups(*EXTRACTION_GROUPS) - stock - dg.AssetSelection.assets(*NOT_EXTRACTION)
    ranges = [
        (stock, *(str(dg.MultiPartitionKey({"date": d, "location": loc})) for d in (first, last))) for loc in locations
    ]
    for selection, start, end in [*ranges, (daily, first, last)]:
        result = dg.materialize(
            defs.assets,
            selection=selection,
            instance=instance,
            resources=resources,
            tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
            raise_on_error=False,
        )
        if not result.success:
            raise RuntimeError(f"template extraction failed for {start}..{end}")
    return locations


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
