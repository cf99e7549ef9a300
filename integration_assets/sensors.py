"""Sensors: webhook drops become ingest runs, and ingested events become re-syncs and re-checks.

Neither sensor opens the DuckDB file or parses a body: a tick lists a folder or reads the event log.
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
from typing import Any

import dagster as dg

from integration_assets.assets.webhooks import EVENTS_KEY, file_partition
from integration_assets.jobs import order_recheck, stock_recheck, stock_resync, webhook_ingest
from integration_assets.resources import WebhooksResource
from integration_assets.webhooks.landing import LandedFile, waiting_files
from integration_assets.webhooks.reactions import Reactions

REACTION_TAG = "integration/reaction"
TRIGGER_TAG = "integration/triggered_by"
TERMINAL = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
REACTION_PATIENCE_SECONDS = 3600  # a reaction whose runs never appeared is given up after this
MATERIALIZATIONS_PER_TICK = 200


def _interval() -> int:
    return int(os.environ.get("WEBHOOK_SENSOR_INTERVAL_SECONDS", "30"))


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
    jobs=[stock_resync, stock_recheck, order_recheck],
    minimum_interval_seconds=_interval(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Turns ingested webhook events into re-checks: inventory events re-sync the location's stock "
        "(stock_resync) and, once those runs end, rebuild and re-check stock parity (stock_recheck); "
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
                    job_name=stock_resync.name,
                    run_key=f"stock_resync:{reaction}:{location}",
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
    """A stock_recheck for each reaction whose stock_resync runs have all ended (and one succeeded)."""
    requests = []
    for reaction, entry in sorted(waiting.items()):
        runs = instance.get_run_records(dg.RunsFilter(job_name=stock_resync.name, tags={REACTION_TAG: reaction}))
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


sensors = [shopify_webhook_drops, webhook_reactions]
