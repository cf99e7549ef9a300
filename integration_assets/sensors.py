"""Sensors: webhook drops become ingest runs, ingested events become re-syncs and re-checks, a
successful daily sync releases its days' Inventory Planner exports, and failed check evaluations
become alerts.

No sensor opens the DuckDB file or parses a body: a tick lists a folder or reads the event log.
Cursors hold what was seen (file names and versions, event-log storage ids), never the clock, and
every run request has a run key, so a tick that is retried after a crash launches nothing twice.

Reactions are a sensor rather than declarative automation on purpose: a stock re-check must wait
for the stock re-sync runs of its date (date x location runs before a daily run), and a sensor
states that order plainly and can be tested tick by tick.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections import defaultdict
from dataclasses import asdict
from typing import Any

import dagster as dg

from integration_assets.alerts import AlertDeliveryError, CheckAlert, deliver
from integration_assets.assets.webhooks import EVENTS_KEY, file_partition
from integration_assets.export_gate import exports_after_sync
from integration_assets.jobs import (
    TRIGGER_TAG,
    daily_sync,
    order_recheck,
    sales_history_export,
    stock_recheck,
    stock_sync,
    webhook_ingest,
)
from integration_assets.partitions import shop_zone
from integration_assets.resources import WebhooksResource
from integration_assets.webhooks.landing import LandedFile, waiting_files
from integration_assets.webhooks.reactions import Reactions

REACTION_TAG = "integration/reaction"
TERMINAL = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
REACTION_PATIENCE_SECONDS = 3600  # a reaction whose runs never appeared is given up after this
MATERIALIZATIONS_PER_TICK = 200


def _interval(variable: str = "WEBHOOK_SENSOR_INTERVAL_SECONDS", default: int = 30) -> int:
    return int(os.environ.get(variable, str(default)))


@dg.sensor(
    job=webhook_ingest,
    minimum_interval_seconds=_interval(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches landing/shopify/ for webhook envelope files and requests a webhook_ingest run per "
        "shop day that has new ones. Files still being written wait for the next tick; a file is "
        "requested once per version (run key = day + names and content hashes)."
    ),
)
def shopify_webhook_drops(context: dg.SensorEvaluationContext, webhooks: WebhooksResource) -> dg.SensorResult:
    requested: dict[str, str] = json.loads(context.cursor or "{}").get("requested", {})
    files = waiting_files(webhooks.landing)
    now = dt.datetime.now(dt.UTC)
    new = [
        f
        for f in files
        if requested.get(f.name) != f.version and f.settled(now, webhooks.settle_seconds, webhooks.stale_temp_seconds)
    ]
    present = {f.name: f.version for f in files}
    # Names that left the folder were ingested: forgetting them keeps the cursor as small as the backlog.
    cursor = {name: version for name, version in requested.items() if present.get(name) == version}
    cursor.update({f.name: f.version for f in new})
    by_day: dict[str, list[LandedFile]] = defaultdict(list)
    for file in new:
        by_day[file_partition(file)].append(file)
    run_requests = [_ingest_request(day, day_files) for day, day_files in sorted(by_day.items())]
    skip = None if run_requests else f"no new settled files in {webhooks.landing} ({len(files)} waiting)"
    return dg.SensorResult(run_requests=run_requests, skip_reason=skip, cursor=json.dumps({"requested": cursor}))


def _ingest_request(day: str, files: list[LandedFile]) -> dg.RunRequest:
    fingerprint = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.name):
        fingerprint.update(f"{file.name}:{file.content_hash()}\n".encode())
    return dg.RunRequest(
        run_key=f"webhooks:{day}:{fingerprint.hexdigest()[:24]}",
        partition_key=day,
        tags={TRIGGER_TAG: "shopify_webhook_drops", "integration/landing_files": str(len(files))},
    )


@dg.sensor(
    jobs=[stock_sync, stock_recheck, order_recheck],
    minimum_interval_seconds=_interval(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Turns ingested webhook events into re-checks: inventory events re-sync the location's stock "
        "(stock_sync) and, once those runs end, rebuild and re-check stock parity (stock_recheck); "
        "order, refund and fulfilment events re-sync the day's orders and re-check the order lifecycle "
        "(order_recheck). Reads the event log only."
    ),
)
def webhook_reactions(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    state: dict[str, Any] = json.loads(context.cursor) if context.cursor else {}
    instance = context.instance
    if "after" not in state:
        # First tick: react to what is ingested from now on, not to the instance's whole history.
        latest = instance.fetch_materializations(EVENTS_KEY, limit=1).records
        state = {"after": latest[0].storage_id if latest else 0, "waiting": {}}
    waiting: dict[str, dict[str, Any]] = state["waiting"]
    run_requests = _finished_stock_reactions(instance, waiting)
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=EVENTS_KEY, after_storage_id=state["after"]),
        limit=MATERIALIZATIONS_PER_TICK,
        ascending=True,
    ).records
    reacted_runs: set[str] = set()
    for record in records:
        state["after"] = record.storage_id
        materialization = record.asset_materialization
        if record.run_id in reacted_runs or materialization is None or "reactions" not in materialization.metadata:
            continue  # a range run repeats its metadata once per partition
        reacted_runs.add(record.run_id)
        reactions = Reactions.from_json(materialization.metadata["reactions"].value)  # type: ignore[arg-type]
        run_requests += _reaction_requests(record.run_id, reactions, waiting)
    skip = None if run_requests else "no new webhook events to react to"
    return dg.SensorResult(run_requests=run_requests, skip_reason=skip, cursor=json.dumps(state, sort_keys=True))


def _reaction_requests(ingest_run_id: str, reactions: Reactions, waiting: dict[str, dict[str, Any]]) -> list:
    requests = []
    for date, locations in sorted(reactions.stock.items()):
        reaction = f"{ingest_run_id}:{date}"
        waiting[reaction] = {"date": date, "since": time.time()}
        for location in sorted(locations):
            requests.append(
                dg.RunRequest(
                    job_name=stock_sync.name,
                    run_key=f"stock_sync:{reaction}:{location}",
                    partition_key=str(dg.MultiPartitionKey({"date": date, "location": location})),
                    tags={TRIGGER_TAG: "webhook_reactions", REACTION_TAG: reaction},
                )
            )
    for date in sorted(reactions.orders):
        requests.append(
            dg.RunRequest(
                job_name=order_recheck.name,
                run_key=f"order_recheck:{ingest_run_id}:{date}",
                partition_key=date,
                tags={TRIGGER_TAG: "webhook_reactions", REACTION_TAG: f"{ingest_run_id}:{date}"},
            )
        )
    return requests


def _finished_stock_reactions(instance: dg.DagsterInstance, waiting: dict[str, dict[str, Any]]) -> list:
    """A stock_recheck for each reaction whose stock_sync runs have all ended (and one succeeded)."""
    requests = []
    for reaction, entry in sorted(waiting.items()):
        runs = instance.get_run_records(dg.RunsFilter(job_name=stock_sync.name, tags={REACTION_TAG: reaction}))
        if not runs:
            if time.time() - entry["since"] > REACTION_PATIENCE_SECONDS:
                del waiting[reaction]
            continue
        if any(r.dagster_run.status not in TERMINAL for r in runs):
            continue
        del waiting[reaction]
        if any(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in runs):
            requests.append(
                dg.RunRequest(
                    job_name=stock_recheck.name,
                    run_key=f"stock_recheck:{reaction}",
                    partition_key=entry["date"],
                    tags={TRIGGER_TAG: "webhook_reactions", REACTION_TAG: reaction},
                )
            )
    return requests


CHECK_EVALUATION = dg.DagsterEventType.ASSET_CHECK_EVALUATION
FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
ALERT_RETRY_TICKS = 10  # an alert the receiver refused this many ticks running is given up (and logged)
WATERMARK_OVERLAP_SECONDS = 60.0  # runs finishing within this of the watermark are re-read, deduplicated


@dg.sensor(
    minimum_interval_seconds=_interval("ALERT_SENSOR_INTERVAL_SECONDS", 60),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "POSTs each failed asset-check evaluation (WARN or ERROR) to ALERT_WEBHOOK_URL once, as Slack-"
        "compatible JSON with the check, asset, partition, severity, counts and a link to the run; "
        "retries a receiver that is down. Reads finished runs' evaluations; off while the URL is unset."
    ),
)
def check_failure_alerts(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """Runs are the cursor's unit (the default SQLite event log is sharded by run, so there is no
    global evaluation order): a watermark on the runs' finish times, plus the runs already read near it."""
    instance = context.instance
    state: dict[str, Any] = json.loads(context.cursor) if context.cursor else {}
    ui_url = os.environ.get("DAGSTER_UI_URL", "http://127.0.0.1:3000")
    if "after" not in state:
        # First tick: alert on runs that finish from now on, not on the instance's whole history.
        state = {"after": time.time(), "seen": {}, "retry": {}}
        _new_failed_evaluations(instance, state, ui_url)
    alerts = [CheckAlert(**entry["alert"]) for entry in state["retry"].values()]
    alerts += _new_failed_evaluations(instance, state, ui_url)
    url = os.environ.get("ALERT_WEBHOOK_URL")
    if not url:
        state["retry"] = {}
        return dg.SensorResult(skip_reason="alerts are off: ALERT_WEBHOOK_URL is not set", cursor=json.dumps(state))
    sent = 0
    for alert in alerts:
        try:
            deliver(url, alert)
            state["retry"].pop(alert.alert_id, None)
            sent += 1
        except AlertDeliveryError as exc:
            tries = state["retry"].get(alert.alert_id, {}).get("tries", 0) + 1
            if tries >= ALERT_RETRY_TICKS:
                context.log.error(f"{exc}; giving up after {tries} ticks")
                state["retry"].pop(alert.alert_id, None)
            else:
                context.log.warning(f"{exc}; will retry next tick")
                state["retry"][alert.alert_id] = {"alert": asdict(alert), "tries": tries}
    skip = f"{sent} alert(s) sent, {len(state['retry'])} to retry" if alerts else "no failed check evaluations"
    return dg.SensorResult(skip_reason=skip, cursor=json.dumps(state, sort_keys=True))


def _new_failed_evaluations(instance: dg.DagsterInstance, state: dict[str, Any], ui_url: str) -> list[CheckAlert]:
    """Failed evaluations of runs finished since the watermark; moves the watermark on."""
    since = dt.datetime.fromtimestamp(state["after"] - WATERMARK_OVERLAP_SECONDS, dt.UTC)
    runs = instance.get_run_records(
        dg.RunsFilter(statuses=FINISHED, updated_after=since), order_by="update_timestamp", ascending=True, limit=100
    )
    seen: dict[str, float] = state["seen"]
    alerts = []
    for record in runs:
        run_id = record.dagster_run.run_id
        if run_id in seen:
            continue
        seen[run_id] = record.update_timestamp.timestamp()
        for event in instance.get_records_for_run(run_id, of_type=CHECK_EVALUATION).records:
            evaluation = event.event_log_entry.dagster_event.event_specific_data  # type: ignore[union-attr]
            if not evaluation.passed:
                alerts.append(_check_alert(run_id, event.storage_id, evaluation, ui_url))
    if seen:
        state["after"] = max(state["after"], *seen.values())
    state["seen"] = {run: at for run, at in seen.items() if at >= state["after"] - 2 * WATERMARK_OVERLAP_SECONDS}
    return alerts


def _check_alert(run_id: str, storage_id: int, evaluation: Any, ui_url: str) -> CheckAlert:
    values = {name: entry.value for name, entry in evaluation.metadata.items()}
    return CheckAlert(
        alert_id=f"{run_id}:{storage_id}",
        check=evaluation.check_name,
        asset=evaluation.asset_key.to_user_string(),
        partition=evaluation.partition,
        severity=evaluation.severity.value,
        description=evaluation.description,
        counts={name.removeprefix("count_"): int(v) for name, v in values.items() if name.startswith("count_")},
        observed={
            name: v
            for name, v in values.items()
            if isinstance(v, int | float | str | bool) and not name.startswith("count_")
        },
        run_id=run_id,
        run_url=f"{ui_url.rstrip('/')}/runs/{run_id}",
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_sync],
    request_job=sales_history_export,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When a daily_sync run succeeds, exports its ended days' sales history to Inventory Planner, one "
        "run per location not exported yet: a sync that finishes after the 02:00 export schedule is "
        "exported then, not a day late or from stale models. Days older than SALES_HISTORY_CATCH_UP_DAYS "
        "(7) are left to a backfill; a sync by `integration-assets run` is left to that command, which "
        "exports its own days."
    ),
)
def sales_history_after_daily_sync(context: dg.RunStatusSensorContext) -> list[dg.RunRequest] | dg.SkipReason:
    today = dt.datetime.now(shop_zone()).date()
    catch_up = int(os.environ.get("SALES_HISTORY_CATCH_UP_DAYS", "7"))
    requests = exports_after_sync(context.instance, context.dagster_run, today, catch_up)
    return requests or dg.SkipReason(
        f"daily_sync run {context.dagster_run.run_id} released no export: its days are exported already, "
        "still open, older than the catch-up window or exported by the integration-assets run that synced them"
    )


sensors = [shopify_webhook_drops, webhook_reactions, sales_history_after_daily_sync, check_failure_alerts]
