"""The webhook sensors tick by tick (Dagster's sensor test API): the drop sensor's cursor never
skips a late file or requests one twice; the reaction sensor turns ingested events into re-sync and
re-check runs, the stock re-check only once its re-sync runs have ended."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pytest

from integration_assets.assets.webhooks import shopify_webhook_events
from integration_assets.definitions import defs
from integration_assets.resources import LakeResource, WebhooksResource, build_resources
from integration_assets.sensors import REACTION_TAG, shopify_webhook_drops, webhook_reactions
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.server import RunningSimulator
from integration_assets.webhooks.landing import landing_dir
from integration_assets_tests.webhooks.deliveries import SECRET, age, drop, inventory_level

DAY1 = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
DAY2 = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)


def _tick(root: Path, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"webhooks": WebhooksResource(data_dir=str(root), secret=SECRET)}
    )
    return shopify_webhook_drops(context)


def _settled_drop(landing: Path, received: dt.datetime, **ids: str) -> Path:
    path = drop(landing, "inventory_levels/update", inventory_level(1, 2, 3), received, **ids)
    age(path, received)
    return path


def test_drop_sensor_requests_each_file_once_per_day(tmp_path: Path) -> None:
    landing = landing_dir(tmp_path)
    _settled_drop(landing, DAY1)
    _settled_drop(landing, DAY1 + dt.timedelta(hours=1))
    _settled_drop(landing, DAY2)
    first = _tick(tmp_path, None)
    assert [r.partition_key for r in first.run_requests] == ["2026-11-20", "2026-11-21"]
    assert all(r.run_key and r.run_key.startswith(f"webhooks:{r.partition_key}:") for r in first.run_requests)
    assert [r.tags["integration/landing_files"] for r in first.run_requests] == ["2", "1"]
    assert len(json.loads(first.cursor)["requested"]) == 3

    again = _tick(tmp_path, first.cursor)
    assert again.run_requests == [] and "3 waiting" in again.skip_reason.skip_message


def test_drop_sensor_never_skips_a_late_or_unsettled_file(tmp_path: Path) -> None:
    landing = landing_dir(tmp_path)
    _settled_drop(landing, DAY2)
    cursor = _tick(tmp_path, None).cursor
    # Arrives after the tick, stamped and modified earlier than everything seen so far.
    _settled_drop(landing, DAY1)
    late = _tick(tmp_path, cursor)
    assert [r.partition_key for r in late.run_requests] == ["2026-11-20"]
    # Still being written (modified just now): waits for a later tick, then goes.
    fresh = drop(landing, "inventory_levels/update", inventory_level(1, 2, 3), DAY1 + dt.timedelta(minutes=5))
    waiting = _tick(tmp_path, late.cursor)
    assert waiting.run_requests == []
    age(fresh, DAY1 + dt.timedelta(minutes=5))
    settled = _tick(tmp_path, waiting.cursor)
    assert [r.partition_key for r in settled.run_requests] == ["2026-11-20"]
    assert settled.run_requests[0].tags["integration/landing_files"] == "1"


def test_drop_sensor_forgets_ingested_files_and_sees_rewrites(tmp_path: Path) -> None:
    landing = landing_dir(tmp_path)
    kept = _settled_drop(landing, DAY1)
    gone = _settled_drop(landing, DAY2)
    first = _tick(tmp_path, None)
    gone.unlink()  # the ingest moved it away
    rewritten = kept.read_bytes().replace(b'\\"available\\": 3', b'\\"available\\": 4')
    assert rewritten != kept.read_bytes()
    kept.write_bytes(rewritten)
    age(kept, DAY1 + dt.timedelta(minutes=1))
    second = _tick(tmp_path, first.cursor)
    assert list(json.loads(second.cursor)["requested"]) == [kept.name]
    [request] = second.run_requests
    assert request.partition_key == "2026-11-20"
    assert request.run_key not in {r.run_key for r in first.run_requests}


@pytest.fixture
def reacting_env(simulator: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "data"
    write_seeds(simulator.ctx.world.seeds, root / "seeds")
    for name, value in simulator_env(simulator.ctx).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INTEGRATION_DATA_DIR", str(root))
    monkeypatch.setenv("INTEGRATION_SEEDS_DIR", str(root / "seeds"))
    monkeypatch.setenv("MINTSOFT_REQUESTS_PER_SECOND", "200")
    monkeypatch.setenv("INVENTORY_PLANNER_REQUESTS_PER_SECOND", "200")
    return root


def test_reactions_resync_then_recheck(reacting_env: Path, simulator: RunningSimulator) -> None:
    root = reacting_env
    world = simulator.ctx.world
    leeds = next(loc for loc in world.seeds["locations"] if loc["location_key"] == "leeds")
    landing = landing_dir(root)
    trigger = {"triggered_at": "2026-11-21T09:00:00.000000Z"}
    level = inventory_level(world.inventory_items[0].id, int(leeds["shopify_location_id"]), 5)
    age(drop(landing, "inventory_levels/update", level, DAY2, **trigger), DAY2)
    unmapped = inventory_level(world.inventory_items[0].id, 999_999, 5)
    age(drop(landing, "inventory_levels/update", unmapped, DAY2 + dt.timedelta(seconds=1), **trigger), DAY2)
    edit = {
        "order_edit": {
            "id": 9,
            "order_id": world.orders[0].id,
            "created_at": "2026-11-20T10:00:00Z",
            "committed_at": "2026-11-20T10:00:00Z",
            "line_items": {"additions": [], "removals": []},
        }
    }
    edit_trigger = {"triggered_at": "2026-11-20T10:00:00.000000Z"}
    age(drop(landing, "orders/edited", edit, DAY1, **edit_trigger), DAY1)
    resources = build_resources()
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [shopify_webhook_events],
            instance=instance,
            resources={
                "webhooks": WebhooksResource(data_dir=str(root), secret=SECRET),
                "lake": LakeResource(data_dir=str(root), seeds_dir=str(root / "seeds")),
            },
            tags={
                "dagster/asset_partition_range_start": "2026-11-20",
                "dagster/asset_partition_range_end": "2026-11-21",
            },
        )
        [metadata] = {
            json.dumps(e.event_specific_data.materialization.metadata["reactions"].value)
            for e in result.get_asset_materialization_events()
        }
        assert json.loads(metadata) == {
            "stock": {"2026-11-21": ["leeds"]},
            "orders": ["2026-11-20"],
            "unmapped_location_ids": [999_999],
        }

        tick = webhook_reactions(
            dg.build_sensor_context(instance=instance, cursor=json.dumps({"after": 0, "waiting": {}}))
        )
        requests = {(r.job_name, r.partition_key): r for r in tick.run_requests}
        assert set(requests) == {("stock_sync", "2026-11-21|leeds"), ("order_recheck", "2026-11-20")}
        reaction = requests[("stock_sync", "2026-11-21|leeds")].tags[REACTION_TAG]
        assert reaction == f"{result.run_id}:2026-11-21"
        # Nothing to re-check before the re-sync has run.
        assert webhook_reactions(dg.build_sensor_context(instance=instance, cursor=tick.cursor)).run_requests == []

        resync = defs.resolve_job_def("stock_sync").execute_in_process(
            instance=instance, partition_key="2026-11-21|leeds", tags={REACTION_TAG: reaction}, resources=resources
        )
        assert resync.success
        after = webhook_reactions(dg.build_sensor_context(instance=instance, cursor=tick.cursor))
        [recheck] = after.run_requests
        assert (recheck.job_name, recheck.partition_key, recheck.run_key) == (
            "stock_recheck",
            "2026-11-21",
            f"stock_recheck:{reaction}",
        )
        assert json.loads(after.cursor)["waiting"] == {}
        # The next tick has nothing left to do.
        assert webhook_reactions(dg.build_sensor_context(instance=instance, cursor=after.cursor)).run_requests == []
