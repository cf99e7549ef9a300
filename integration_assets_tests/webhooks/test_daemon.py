"""Webhooks end to end on one reconciled world.

First the main job runs with the simulator's drops for its days waiting in the landing folder: they
are ingested in the same run, and every exception's evidence names the webhook deliveries about it
(the order_edit_after_pick names its orders/edited delivery). Then the real `dagster-daemon` runs
against the same instance: a signed envelope dropped into the landing folder is picked up by the
shopify_webhook_drops sensor, ingested, its location's stock re-synced and its stock_parity check
re-evaluated for the date, all launched by the daemon on its own."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from integration_assets.main_run import DAGSTER_YAML, RunSummary, run_main
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.server import RunningSimulator
from integration_assets.simulator.webhook_drops import Delivery, emit_webhooks, plan_deliveries, webhook_events
from integration_assets.simulator.world import World
from integration_assets.webhooks.landing import landing_dir
from integration_assets.webhooks.payloads import ORDER_TOPICS
from integration_assets_tests.alert_receiver import AlertReceiver
from integration_assets_tests.webhooks.deliveries import age, drop, inventory_level

REPO = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
DEADLINE_SECONDS = 360
T = TypeVar("T")


def _wait_for(what: str, probe: Callable[[], T | None], timeout: float = DEADLINE_SECONDS) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Reconciled:
    world: World
    env: dict[str, str]
    root: Path
    home: Path
    secret: str
    summary: RunSummary

    def exceptions(self) -> list[dict]:
        with duckdb.connect(str(self.root / "warehouse.duckdb"), read_only=True) as con:
            relation = con.sql("select * from reconciliation.exceptions where resolved_at is null")
            return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


@pytest.fixture(scope="module")
def reconciled(simulator: RunningSimulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reconciled]:
    """The main job over the world's days with all of their webhook drops waiting to be ingested."""
    tmp = tmp_path_factory.mktemp("webhooks-e2e")
    home = tmp / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    root = tmp / "data"
    world = simulator.ctx.world
    env = {
        **simulator_env(simulator.ctx),
        "DAGSTER_HOME": str(home),
        "INTEGRATION_DATA_DIR": str(root),
        "INTEGRATION_SEEDS_DIR": str(write_seeds(world.seeds, root / "seeds")),
        "MINTSOFT_REQUESTS_PER_SECOND": "200",
        "INVENTORY_PLANNER_REQUESTS_PER_SECOND": "200",
        "WEBHOOK_SENSOR_INTERVAL_SECONDS": "2",
        "WEBHOOK_SETTLE_SECONDS": "1",
    }
    secret = env["SHOPIFY_WEBHOOK_SECRET"]
    for path in emit_webhooks(world, landing_dir(root), secret):
        age(path, dt.datetime.fromtimestamp(path.stat().st_mtime - 60, dt.UTC))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with dg.DagsterInstance.get() as instance:
            summary = run_main(world.size.dates[0], world.size.dates[-1], instance=instance)
        assert summary.success, summary.failures
        yield Reconciled(world, env, root, home, secret, summary)


def test_every_exception_names_the_webhooks_about_it(reconciled: Reconciled) -> None:
    world = reconciled.world
    deliveries = plan_deliveries(world, webhook_events(world))
    first_deliveries: dict[str, Delivery] = {}
    for delivery in deliveries:
        first_deliveries.setdefault(delivery.event_id, delivery)
    assert reconciled.summary.webhooks == {
        "files_in": len(deliveries),
        "events_new": len(first_deliveries),
        "duplicates": len(deliveries) - len(first_deliveries),
        "quarantined_files": 0,
        "pending_files": 0,
    }
    by_order: dict[str, set[str]] = defaultdict(set)
    for delivery in first_deliveries.values():
        if delivery.event.topic in ORDER_TOPICS:
            by_order[str(delivery.event.subject[0])].add(delivery.webhook_id)
    exceptions = reconciled.exceptions()
    order_keyed = [e for e in exceptions if e["order_id"] is not None]
    assert order_keyed
    for exception in order_keyed:
        evidence = json.loads(exception["evidence"])
        assert set(evidence["webhook_ids"]) == by_order[exception["order_id"]], exception["type"]
    [edited] = [e for e in exceptions if e["type"] == "order_edit_after_pick"]
    edits = {
        d.webhook_id
        for d in first_deliveries.values()
        if d.event.topic == "orders/edited" and str(d.event.subject[0]) == edited["order_id"]
    }
    assert edits and edits <= set(json.loads(edited["evidence"])["webhook_ids"])
    drifts = [json.loads(e["evidence"]) for e in exceptions if e["type"] == "stock_parity_drift"]
    assert drifts and all(len(evidence["webhook_ids"]) == 1 for evidence in drifts)  # the 23:00 level update
    assert all("shopify_snapshot_synced_at" in evidence for evidence in drifts)


def _start_daemon(env: dict[str, str], tmp_path: Path) -> subprocess.Popen:
    log = (tmp_path / "daemon.log").open("wb")
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-m", "integration_assets.definitions"],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    """Stop the daemon and every run process it started (one session)."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _sensor_has_ticked(instance: dg.DagsterInstance, name: str) -> bool:
    states = [s for s in instance.all_instigator_state() if s.name == name]
    return any(instance.get_ticks(s.instigator_origin_id, s.selector_id, limit=1) for s in states)


def _finished_run(instance: dg.DagsterInstance, job: str, partition: str) -> dg.DagsterRun | None:
    records = instance.get_run_records(dg.RunsFilter(job_name=job, tags={"dagster/partition": partition}))
    for record in records:
        assert record.dagster_run.status != dg.DagsterRunStatus.FAILURE, f"{job} {partition} failed"
        if record.dagster_run.status == dg.DagsterRunStatus.SUCCESS:
            return record.dagster_run
    return None


def test_daemon_ingests_a_drop_and_rechecks_the_partition(reconciled: Reconciled, tmp_path: Path) -> None:
    world = reconciled.world
    last = world.size.dates[-1].isoformat()
    landing = landing_dir(reconciled.root)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in reconciled.env.items():
            patch.setenv(name, value)
        instance = dg.DagsterInstance.get()
    receiver = AlertReceiver().__enter__()
    alerting = {"ALERT_WEBHOOK_URL": receiver.url, "ALERT_SENSOR_INTERVAL_SECONDS": "2"}
    daemon = _start_daemon({**reconciled.env, **alerting}, tmp_path)
    try:
        _wait_for(
            "the sensors' first ticks",
            lambda: all(
                _sensor_has_ticked(instance, n)
                for n in ("shopify_webhook_drops", "webhook_reactions", "check_failure_alerts")
            ),
        )
        leeds = next(loc for loc in world.seeds["locations"] if loc["location_key"] == "leeds")
        level = inventory_level(world.inventory_items[0].id, int(leeds["shopify_location_id"]), 5)
        received = dt.datetime.combine(world.size.dates[-1], dt.time(12), dt.UTC)
        dropped_at = time.time()
        envelope = drop(
            landing,
            "inventory_levels/update",
            level,
            received,
            secret=reconciled.secret,
            triggered_at=f"{last}T11:59:00.000000Z",
        )
        age(envelope, received)

        ingest = _wait_for("the ingest run", lambda: _finished_run(instance, "webhook_ingest", last))
        assert ingest.tags["integration/triggered_by"] == "shopify_webhook_drops"
        assert ingest.tags["integration/landing_files"] == "1"
        resync = _wait_for("the stock re-sync", lambda: _finished_run(instance, "stock_sync", f"{last}|leeds"))
        recheck = _wait_for("the stock re-check", lambda: _finished_run(instance, "stock_recheck", last))
        assert resync.tags["integration/reaction"] == recheck.tags["integration/reaction"] == f"{ingest.run_id}:{last}"
        records = instance.get_records_for_run(recheck.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        parity = [
            (r.event_log_entry.dagster_event.event_specific_data, r.timestamp)
            for r in records.records
            if r.event_log_entry.dagster_event.event_specific_data.check_name == "stock_parity"
        ]
        assert [evaluation.partition for evaluation, _ in parity] == [last]
        print(f"drop to stock_parity re-check: {parity[0][1] - dropped_at:.1f} s")  # for the issue note
        assert not list(landing.glob("*.json"))
        assert envelope.name in {p.name for p in (landing / "processed").rglob("*.json")}
        # A stock event asks for no order re-check.
        assert instance.get_run_records(dg.RunsFilter(job_name="order_recheck")) == []

        # Every failed evaluation of the runs the daemon launched is alerted, once.
        failed = [
            (run.run_id, e.check_name, e.partition)
            for run in (ingest, resync, recheck)
            for e in _evaluations(instance, run.run_id)
            if not e.passed
        ]
        assert ("stock_parity", last) in {(check, partition) for _, check, partition in failed}
        _wait_for("the alerts", lambda: len(receiver.received) >= len(failed))
        time.sleep(5)  # two more alert ticks: nothing is sent twice
        assert sorted((a["run_id"], a["check"], a["partition"]) for a in receiver.received) == sorted(failed)
    finally:
        _stop(daemon)
        receiver.__exit__()
        instance.dispose()


def _evaluations(instance: dg.DagsterInstance, run_id: str) -> list:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    return [r.event_log_entry.dagster_event.event_specific_data for r in records]


def test_daemon_ticks_the_sales_history_export_schedule(reconciled: Reconciled, tmp_path: Path) -> None:
    """The real scheduler ticks sales_history_export_schedule (its cron set to every minute here) and
    launches one export per location for the previous shop day, each succeeding. The export waits
    for the day's daily_sync, so the instance first records that sync as succeeded (for the two days
    a tick near midnight may ask for): the world's own sync ran for its November dates."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in reconciled.env.items():
            patch.setenv(name, value)
        instance = dg.DagsterInstance.get()
    locations = sorted(loc["location_key"] for loc in reconciled.world.seeds["locations"] if loc["location_key"])
    today = dt.datetime.now(LONDON).date()
    for days_back in (1, 2):
        day = (today - dt.timedelta(days=days_back)).isoformat()
        tags = {"dagster/partition": day}
        instance.add_run(dg.DagsterRun("daily_sync", str(uuid.uuid4()), status=dg.DagsterRunStatus.SUCCESS, tags=tags))

    def exported() -> list[dg.DagsterRun] | None:
        done = [
            r.dagster_run
            for r in instance.get_run_records(
                dg.RunsFilter(
                    job_name="sales_history_export",
                    statuses=[dg.DagsterRunStatus.SUCCESS],
                    tags={"dagster/schedule_name": "sales_history_export_schedule"},
                )
            )
        ]
        return done if len(done) >= len(locations) else None

    daemon = _start_daemon({**reconciled.env, "SALES_HISTORY_EXPORT_CRON": "* * * * *"}, tmp_path)
    try:
        runs = _wait_for("the scheduled exports", exported, timeout=300)
    finally:
        _stop(daemon)
        instance.dispose()
    first_tick = runs[: len(locations)]
    assert all(r.tags["dagster/schedule_name"] == "sales_history_export_schedule" for r in runs)
    days = {r.tags["dagster/partition"].split("|")[0] for r in first_tick}
    assert len(days) == 1
    [day] = days
    assert dt.date.fromisoformat(day) in (today - dt.timedelta(days=1), today - dt.timedelta(days=2))
    assert sorted(r.tags["dagster/partition"].split("|")[1] for r in first_tick) == locations
