"""Checks on the extraction assets, read straight from the raw Parquet lake (never the DuckDB file,
so they need no pool).

- `no_empty_extraction`: every lake table the asset writes has the partition's file, and the
  tables that can never be empty are not. A missing file (never synced) or an empty catalogue or
  stock snapshot is ERROR and blocking: an API that answers an empty list (a revoked scope, a wrong
  account) looks like success, and models built on it would file hundreds of false exceptions with
  owners and SLAs. A day without orders is possible, so that is a WARN.
- `sync_freshness`: the newest `_synced_at` in the partition is at most LakeResource.sync_max_age_hours
  old (SYNC_MAX_AGE_HOURS, default 26 h: a daily sync plus slack). Stale data is WARN.

Snapshots (catalogues, stock) hold current state filed under a run's last date (DESIGN.md "As-of
time"), so their checks judge the last date of the run, per location; earlier dates of a range hold no
snapshot by design and get no evaluation. Event feeds (orders, payouts, returns) are checked per date.
"""

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pyarrow.compute as pc
import pyarrow.parquet as pq

from integration_assets.assets import inventory_planner, mintsoft, payments, shopify
from integration_assets.assets.lake_catalog import PRODUCERS
from integration_assets.checks.evaluation import ERROR, WARN, Outcome, evaluations, partitioned_check
from integration_assets.lake import PART_FILE, partition_dir
from integration_assets.resources import LakeResource


@dataclass(frozen=True)
class Feed:
    """An extraction asset as its checks see it."""

    asset: dg.AssetsDefinition
    snapshot: bool  # current state, filed under the run's last date
    never_empty: Mapping[str, dg.AssetCheckSeverity] = field(default_factory=dict)  # entity -> severity if empty
    needs_mintsoft_warehouse: bool = False  # a location without one (a store) lands empty on purpose

    @property
    def key(self) -> dg.AssetKey:
        return self.asset.key

    @property
    def tables(self) -> list[tuple[str, str]]:
        return [(t.source, t.entity) for t in PRODUCERS[tuple(self.key.path)]]


FEEDS = [
    Feed(shopify.shopify_orders, snapshot=False, never_empty={"orders": WARN}),
    Feed(shopify.shopify_catalog, snapshot=True, never_empty={"locations": ERROR, "inventory_items": ERROR}),
    Feed(shopify.shopify_inventory_levels, snapshot=True, never_empty={"inventory_levels": ERROR}),
    Feed(payments.shopify_payments_payouts, snapshot=False),  # payouts do not come every day
    Feed(payments.shopify_payments_balance_transactions, snapshot=False, never_empty={"balance_transactions": WARN}),
    Feed(mintsoft.mintsoft_catalog, snapshot=True, never_empty={"warehouses": ERROR, "products": ERROR}),
    Feed(mintsoft.mintsoft_inventory, snapshot=True, never_empty={"inventory": ERROR}, needs_mintsoft_warehouse=True),
    Feed(mintsoft.mintsoft_orders, snapshot=False, never_empty={"orders": WARN}),
    Feed(mintsoft.mintsoft_returns, snapshot=False),  # most days see no returns
    Feed(
        inventory_planner.inventory_planner_variants,
        snapshot=True,
        never_empty={"warehouses": ERROR, "variants": ERROR},
    ),
]


@dataclass(frozen=True)
class Slot:
    """One partition of a feed: its key string, date and (for date x location assets) location."""

    key: str
    date: str
    location: str | None


def slots_to_check(feed: Feed, partition_keys: list[str]) -> list[Slot]:
    """The run's partitions this feed's checks judge: every one for event feeds; for snapshots, the
    last date at each location."""
    slots = [_slot(feed, key) for key in partition_keys]
    if not feed.snapshot:
        return slots
    last: dict[str | None, Slot] = {}
    for slot in slots:
        if slot.location not in last or slot.date > last[slot.location].date:
            last[slot.location] = slot
    return list(last.values())


def _slot(feed: Feed, key: str) -> Slot:
    definition = feed.asset.partitions_def
    if isinstance(definition, dg.MultiPartitionsDefinition):
        parts = definition.get_partition_key_from_str(key).keys_by_dimension
        return Slot(key, parts["date"], parts["location"])
    return Slot(key, key, None)


def _files(root: Path, feed: Feed, slot: Slot) -> dict[str, Path]:
    return {
        f"{source}/{entity}": partition_dir(root, source, entity, slot.date, slot.location) / PART_FILE
        for source, entity in feed.tables
    }


def inspect_extraction(root: Path, feed: Feed, slot: Slot, empty_expected: bool = False) -> Outcome:
    """Every table's file is there; the tables that must hold rows do."""
    files = _files(root, feed, slot)
    rows = {table: pq.ParquetFile(path).metadata.num_rows for table, path in files.items() if path.exists()}
    missing = sorted(set(files) - set(rows))
    metadata = {
        "rows_by_table": dg.MetadataValue.json(rows),
        "tables_expected": len(files),
        "tables_found": len(rows),
        "missing_tables": dg.MetadataValue.json(missing),
    }
    where = f"{slot.date}" + (f" at {slot.location}" if slot.location else "")
    if missing:
        return Outcome(False, f"never synced for {where}: no file for {', '.join(missing)}", ERROR, metadata)
    if empty_expected:
        return Outcome(
            True, f"{where} has no Mintsoft warehouse: an empty stock partition is expected", metadata=metadata
        )
    labels = {entity: f"{source}/{entity}" for source, entity in feed.tables}
    empty = {labels[entity]: severity for entity, severity in feed.never_empty.items() if not rows[labels[entity]]}
    metadata["min_rows"] = 1
    metadata["empty_tables"] = dg.MetadataValue.json(sorted(empty))
    if empty:
        severity = ERROR if ERROR in empty.values() else WARN
        return Outcome(False, f"{', '.join(sorted(empty))} landed zero rows for {where}", severity, metadata)
    return Outcome(True, f"{sum(rows.values())} rows in {len(rows)} tables for {where}", metadata=metadata)


def inspect_freshness(root: Path, feed: Feed, slot: Slot, now: dt.datetime, max_age_hours: float) -> Outcome:
    """The newest `_synced_at` of the partition (the files' write time if it holds no rows) vs max age."""
    files = [path for path in _files(root, feed, slot).values() if path.exists()]
    synced = [pc.max(pq.read_table(path, columns=["_synced_at"]).column("_synced_at")).as_py() for path in files]
    written = [dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) for path in files]
    newest = max([s for s in synced if s is not None] or written, default=None)
    where = f"{slot.date}" + (f" at {slot.location}" if slot.location else "")
    metadata: dict = {"max_age_hours": max_age_hours}
    if newest is None:
        return Outcome(False, f"never synced for {where}", ERROR, {**metadata, "age_hours": None})
    age_hours = round((now - newest).total_seconds() / 3600, 2)
    metadata.update({"age_hours": age_hours, "last_synced_at": newest.isoformat()})
    if age_hours > max_age_hours:
        return Outcome(False, f"last synced {age_hours} h ago (max {max_age_hours} h) for {where}", WARN, metadata)
    return Outcome(True, f"synced {age_hours} h ago (max {max_age_hours} h) for {where}", metadata=metadata)


def _no_empty_extraction(feed: Feed) -> dg.AssetChecksDefinition:
    @partitioned_check(
        asset=feed.asset,
        name="no_empty_extraction",
        partitions_def=feed.asset.partitions_def,
        blocking=True,
        description=(
            f"Every lake table {feed.key.to_user_string()} writes has the partition's Parquet file"
            + (
                f"; {', '.join(sorted(feed.never_empty))} never empty"
                f" ({', '.join(f'{e}: {s.value}' for e, s in sorted(feed.never_empty.items()))})"
                if feed.never_empty
                else ""
            )
            + ". Blocking: an empty snapshot stops the models before they file false exceptions."
        ),
    )
    def check(context: dg.AssetCheckExecutionContext, lake: LakeResource) -> Iterator:
        location_map = lake.location_map() if feed.needs_mintsoft_warehouse else None
        outcomes = {}
        for slot in slots_to_check(feed, list(context.partition_keys)):
            empty_expected = bool(
                location_map and slot.location and location_map.by_key(slot.location).mintsoft_warehouse_id is None
            )
            outcomes[slot.key] = inspect_extraction(lake.root, feed, slot, empty_expected)
        yield from evaluations(context, outcomes)

    return check


def _sync_freshness(feed: Feed) -> dg.AssetChecksDefinition:
    @partitioned_check(
        asset=feed.asset,
        name="sync_freshness",
        partitions_def=feed.asset.partitions_def,
        blocking=False,
        description=(
            f"The newest _synced_at in {feed.key.to_user_string()}'s partition is at most SYNC_MAX_AGE_HOURS "
            "(default 26) old; WARN when older"
            + (" (checked at the run's last date: snapshots are filed there)." if feed.snapshot else ".")
        ),
    )
    def check(context: dg.AssetCheckExecutionContext, lake: LakeResource) -> Iterator:
        now = dt.datetime.now(dt.UTC)
        outcomes = {
            slot.key: inspect_freshness(lake.root, feed, slot, now, lake.sync_max_age_hours)
            for slot in slots_to_check(feed, list(context.partition_keys))
        }
        yield from evaluations(context, outcomes)

    return check


checks = [check for feed in FEEDS for check in (_no_empty_extraction(feed), _sync_freshness(feed))]
