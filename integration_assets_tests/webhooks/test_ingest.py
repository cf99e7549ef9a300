"""The ingest asset on the simulator's drops for its days plus every kind of bad file: each file is
accounted for exactly once, the good events land once, and a re-run changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from integration_assets.assets.webhooks import shopify_webhook_events
from integration_assets.resources import LakeResource, WebhooksResource
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.webhook_drops import emit_webhooks, plan_deliveries, webhook_events
from integration_assets.simulator.world import World
from integration_assets.webhooks.envelope import envelope_file_name
from integration_assets.webhooks.landing import landing_dir
from integration_assets_tests.webhooks.deliveries import SECRET, age, drop, inventory_level

BAD_FILES = {
    "bad_signature": 1,
    "bad_json": 1,
    "unknown_topic": 1,
    "oversized": 1,
    "unsafe_name": 1,
    "empty_file": 1,
    "schema_error": 1,
}


@dataclass
class Drops:
    world: World
    root: Path
    landing: Path
    deliveries: int
    events: int
    retries_and_copies: int
    in_progress: Path
    in_progress_whole: bytes

    def materialize(self, instance: dg.DagsterInstance) -> dg.MaterializeResult:
        dates = [d.isoformat() for d in self.world.size.dates]
        result = dg.materialize(
            [shopify_webhook_events],
            instance=instance,
            resources={
                "webhooks": WebhooksResource(data_dir=str(self.root), secret=SECRET, max_bytes=256 * 1024),
                "lake": LakeResource(data_dir=str(self.root), seeds_dir=str(self.root / "seeds")),
            },
            tags={"dagster/asset_partition_range_start": dates[0], "dagster/asset_partition_range_end": dates[-1]},
        )
        assert result.success
        [materialization] = {
            e.event_specific_data.materialization.metadata["files_in"].value: e.event_specific_data.materialization
            for e in result.get_asset_materialization_events()
        }.values()
        return materialization

    def lake_events(self) -> list[dict]:
        pattern = self.root / "lake" / "shopify_webhooks" / "events" / "*" / "*.parquet"
        relation = duckdb.sql(f"select * from read_parquet('{pattern}', hive_partitioning = true)")
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


@pytest.fixture
def drops(small_world: World, tmp_path: Path) -> Drops:
    root = tmp_path / "data"
    write_seeds(small_world.seeds, root / "seeds")
    landing = landing_dir(root)
    written = emit_webhooks(small_world, landing, SECRET)
    plan = plan_deliveries(small_world, webhook_events(small_world))
    first_day = dt.datetime.combine(small_world.size.dates[0], dt.time(12), dt.UTC)
    good = written[0]
    # A copy of a delivery under another name (a bucket sync landing it twice).
    copy = landing / envelope_file_name(first_day, "copy", "again")
    copy.write_bytes(good.read_bytes())
    _add_bad_files(landing, good, first_day)
    for path in landing.iterdir():
        age(path, first_day + dt.timedelta(days=1))  # long settled
    # A file still being written: fresh, and only half there so far.
    in_progress = drop(landing, "inventory_levels/update", inventory_level(1, 2, 3), first_day, event_id="late")
    whole = in_progress.read_bytes()
    in_progress.write_bytes(whole[: len(whole) // 2])
    events = len(webhook_events(small_world))
    assert len(plan) - events == 12  # the world's own retries and second subscriptions (7 + 5)
    return Drops(
        small_world,
        root,
        landing,
        deliveries=len(written),
        events=events,
        retries_and_copies=len(plan) - events + 1,
        in_progress=in_progress,
        in_progress_whole=whole,
    )


def _add_bad_files(landing: Path, good: Path, when: dt.datetime) -> None:
    envelope = json.loads(good.read_bytes())
    stamp = iter(when + dt.timedelta(seconds=n) for n in range(100))

    def named(label: str) -> Path:
        return landing / envelope_file_name(next(stamp), label, label)

    forged = {**envelope, "body": envelope["body"].replace('"id":', '"id": ', 1)}
    named("forged").write_text(json.dumps(forged))
    named("truncated").write_bytes(good.read_bytes()[:40])
    drop(landing, "app/uninstalled", {"id": 1}, next(stamp))
    drop(landing, "orders/create", {"pad": "x" * 300_000}, next(stamp))
    named("empty").write_bytes(b"")
    bad_order = {"id": 42, "name": "#1", "line_items": [{"id": 1, "quantity": "two", "price": "1.00"}]}
    drop(landing, "orders/create", bad_order, next(stamp))
    (landing / "..%2F..%2Fescape.json").write_bytes(good.read_bytes())


def test_every_file_is_accounted_for_and_good_events_land_once(drops: Drops) -> None:
    with dg.instance_for_test() as instance:
        metadata = drops.materialize(instance).metadata
    files_in = drops.deliveries + 1 + sum(BAD_FILES.values())
    assert metadata["files_in"].value == files_in
    assert metadata["events_new"].value == drops.events
    assert metadata["duplicates"].value == drops.retries_and_copies
    assert metadata["quarantined_files"].value == sum(BAD_FILES.values())
    assert metadata["pending_files"].value == 1
    assert metadata["accounted"].value is True
    assert metadata["quarantined_by_reason"].value == BAD_FILES

    events = drops.lake_events()
    assert len(events) == drops.events
    assert len({e["event_id"] for e in events}) == drops.events
    topics = Counter(e["topic"] for e in events)
    assert topics == Counter(e.topic for e in webhook_events(drops.world))

    # On disk: everything moved to exactly one place, the half-written file still waits.
    processed = list((drops.landing / "processed").rglob("*.json"))
    quarantined = [p for p in (drops.landing / "quarantine").rglob("*.json") if not p.name.endswith(".reason.json")]
    reasons = [json.loads(p.read_text()) for p in (drops.landing / "quarantine").rglob("*.reason.json")]
    assert len(processed) == drops.events + drops.retries_and_copies
    assert len(quarantined) == len(reasons) == sum(BAD_FILES.values())
    assert Counter(r["reason"] for r in reasons) == Counter(BAD_FILES)
    unsafe = next(r for r in reasons if r["reason"] == "unsafe_name")
    assert unsafe["original_name"] == "..%2F..%2Fescape.json"
    assert [p.name for p in drops.landing.iterdir() if p.is_file()] == [drops.in_progress.name]


def test_a_file_finished_later_is_ingested_and_reruns_change_nothing(drops: Drops) -> None:
    with dg.instance_for_test() as instance:
        drops.materialize(instance)
        first = sorted(e["webhook_id"] for e in drops.lake_events())
        drops.in_progress.write_bytes(drops.in_progress_whole)
        age(drops.in_progress, dt.datetime.combine(drops.world.size.dates[-1], dt.time(12), dt.UTC))
        metadata = drops.materialize(instance).metadata
        assert (metadata["files_in"].value, metadata["events_new"].value, metadata["pending_files"].value) == (1, 1, 0)
        second = sorted(e["webhook_id"] for e in drops.lake_events())
        assert len(second) == len(first) + 1
        again = drops.materialize(instance).metadata
        assert (again["files_in"].value, again["events_new"].value) == (0, 0)
        assert sorted(e["webhook_id"] for e in drops.lake_events()) == second
