"""When a day's Inventory Planner export may run: after that day's daily_sync has succeeded, once a
location.

The export reads the sales-history models the daily sync builds. Launched by the clock alone, a sync
that runs past 02:00 (a peak day) would have its day exported from the models of the day before,
and Inventory Planner would plan from stale sales with nothing to show it. So the 02:00 schedule
launches only a day whose newest covering daily_sync run has succeeded (and says why it skipped
otherwise), and the run-status sensor launches the export when that sync succeeds later. Both ask
the instance first which locations already have an export run for the day, so a day is exported
once a location, whichever fires first; a failed or cancelled export may be launched again. A sync
run by `integration-assets run` releases nothing: that command exports its own days right after the
sync, and a sensor tick between the two would export them twice (the 02:00 schedule still covers a
day the command could not finish).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import dagster as dg

from integration_assets.jobs import MAIN_RUN_TRIGGER, TRIGGER_TAG, daily_sync, sales_history_export
from integration_assets.partitions import daily_location_partitions, location_partitions

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
SYNC_RUN_TAG = "integration/after_daily_sync"
RECENT_SYNC_RUNS = 200  # how far back to look for the daily_sync run that covers a day
RECENT_EXPORT_RUNS = 500  # and for the export runs of a day: months of nightly runs at a few locations
RETRYABLE = (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def days_of_run(tags: Mapping[str, str]) -> list[str]:
    """The days a daily run covers: its partition, or every day of its single-run range."""
    if PARTITION_TAG in tags:
        return [tags[PARTITION_TAG]]
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        first = dt.date.fromisoformat(tags[RANGE_START_TAG])
        last = dt.date.fromisoformat(tags[RANGE_END_TAG])
        return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return []


def newest_daily_sync(instance: dg.DagsterInstance, day: str) -> dg.DagsterRun | None:
    """The newest daily_sync run covering the day: a re-run still going means the models are being
    rebuilt, so it is the newest run, not the newest success, that says whether they are ready."""
    records = instance.get_run_records(dg.RunsFilter(job_name=daily_sync.name), limit=RECENT_SYNC_RUNS)
    return next((r.dagster_run for r in records if day in days_of_run(r.dagster_run.tags)), None)


def export_covers(tags: Mapping[str, str], day: str, location: str) -> bool:
    """Whether an export run is for the day at the location: its partition, or a one-location range
    over dates (as `integration-assets run` launches it) that holds the day."""
    if PARTITION_TAG in tags:
        return tags[PARTITION_TAG] == str(dg.MultiPartitionKey({"date": day, "location": location}))
    if RANGE_START_TAG not in tags or RANGE_END_TAG not in tags:
        return False
    first = daily_location_partitions.get_partition_key_from_str(tags[RANGE_START_TAG]).keys_by_dimension
    last = daily_location_partitions.get_partition_key_from_str(tags[RANGE_END_TAG]).keys_by_dimension
    return first["location"] == last["location"] == location and first["date"] <= day <= last["date"]


def locations_not_exported(instance: dg.DagsterInstance, day: str) -> list[str]:
    """Locations with no export run for the day that succeeded, is queued or is still running."""
    records = instance.get_run_records(dg.RunsFilter(job_name=sales_history_export.name), limit=RECENT_EXPORT_RUNS)
    live = [r.dagster_run.tags for r in records if r.dagster_run.status not in RETRYABLE]
    return [
        location
        for location in location_partitions.get_partition_keys()
        if not any(export_covers(tags, day, location) for tags in live)
    ]


def export_requests(
    day: str, locations: Iterable[str], triggered_by: str, sync_run_id: str | None = None
) -> list[dg.RunRequest]:
    """One export run a location; the run key names the day (and the sync run that released it, so
    a later successful re-sync can launch a location whose export failed)."""
    suffix = f":{sync_run_id}" if sync_run_id else ""
    tags = {TRIGGER_TAG: triggered_by, **({SYNC_RUN_TAG: sync_run_id} if sync_run_id else {})}
    return [
        dg.RunRequest(
            run_key=f"{sales_history_export.name}:{day}|{location}{suffix}",
            partition_key=str(dg.MultiPartitionKey({"date": day, "location": location})),
            tags=tags,
        )
        for location in locations
    ]


def scheduled_export(instance: dg.DagsterInstance, day: str) -> list[dg.RunRequest] | dg.SkipReason:
    """The 02:00 decision for the day that just ended."""
    sync = newest_daily_sync(instance, day)
    if sync is None or sync.status != dg.DagsterRunStatus.SUCCESS:
        found = "no daily_sync run" if sync is None else f"daily_sync run {sync.run_id} is {sync.status.value}"
        return dg.SkipReason(
            f"{day} is not exported yet: {found}. sales_history_after_daily_sync exports it when a "
            "daily_sync covering the day succeeds."
        )
    locations = locations_not_exported(instance, day)
    if not locations:
        return dg.SkipReason(f"{day} is already exported for every location.")
    return export_requests(day, locations, "schedule")


def exports_after_sync(
    instance: dg.DagsterInstance, sync: dg.DagsterRun, today: dt.date, catch_up_days: int
) -> list[dg.RunRequest]:
    """The exports a successful daily_sync releases: its days that have ended (an open day's batch
    would miss the rest of the day), within the catch-up window (older days are a backfill for the
    operator), that it is still the newest sync of, and locations not exported yet; none for the
    main run's sync, which exports its days itself."""
    if sync.tags.get(TRIGGER_TAG) == MAIN_RUN_TRIGGER:
        return []
    oldest = today - dt.timedelta(days=catch_up_days)
    requests = []
    for day in days_of_run(sync.tags):
        if not oldest <= dt.date.fromisoformat(day) < today:
            continue
        newest = newest_daily_sync(instance, day)
        if newest is None or newest.run_id != sync.run_id:
            continue
        requests += export_requests(day, locations_not_exported(instance, day), "daily_sync", sync.run_id)
    return requests
