"""Schedules: the nightly batch for the shop day that just ended, in the shop's time zone.

Stock first (00:30, one run per location), then the daily sync (01:00: orders, money, catalogues and
every model and check, which read that stock), then the Inventory Planner export (02:00), which waits
for the day's daily_sync to have succeeded (`export_gate`). Each tick asks for the previous shop day;
its run keys are day-based, so a tick evaluated twice launches once.
Cron strings can be changed through the environment (STOCK_SYNC_CRON, DAILY_SYNC_CRON,
SALES_HISTORY_EXPORT_CRON) without a code change; the times above are the defaults.
"""

from __future__ import annotations

import datetime as dt
import os

import dagster as dg

from integration_assets.export_gate import scheduled_export
from integration_assets.jobs import TRIGGER_TAG, daily_sync, sales_history_export, stock_sync
from integration_assets.partitions import SHOP_TIMEZONE, location_partitions, partition_date, shop_zone


def previous_shop_day(context: dg.ScheduleEvaluationContext) -> str:
    """The daily partition of the shop day before the tick's scheduled time."""
    scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    return partition_date(scheduled.astimezone(shop_zone()).date() - dt.timedelta(days=1))


def per_location_requests(job_name: str, day: str) -> list[dg.RunRequest]:
    return [
        dg.RunRequest(
            run_key=f"{job_name}:{day}|{location}",
            partition_key=str(dg.MultiPartitionKey({"date": day, "location": location})),
            tags={TRIGGER_TAG: "schedule"},
        )
        for location in location_partitions.get_partition_keys()
    ]


@dg.schedule(
    job=stock_sync,
    cron_schedule=os.environ.get("STOCK_SYNC_CRON", "30 0 * * *"),
    execution_timezone=SHOP_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="00:30 shop time: stock_sync for the previous shop day, one run per location in locations.csv.",
)
def stock_sync_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    return per_location_requests(stock_sync.name, previous_shop_day(context))


@dg.schedule(
    job=daily_sync,
    cron_schedule=os.environ.get("DAILY_SYNC_CRON", "0 1 * * *"),
    execution_timezone=SHOP_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "01:00 shop time: daily_sync for the previous shop day (after the 00:30 stock sync): orders, "
        "money, catalogues, webhook events and every model and check."
    ),
)
def daily_sync_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = previous_shop_day(context)
    return dg.RunRequest(run_key=f"{daily_sync.name}:{day}", partition_key=day, tags={TRIGGER_TAG: "schedule"})


@dg.schedule(
    job=sales_history_export,
    cron_schedule=os.environ.get("SALES_HISTORY_EXPORT_CRON", "0 2 * * *"),
    execution_timezone=SHOP_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "02:00 shop time: export the previous shop day's sales history to Inventory Planner, one run per "
        "location not exported yet, once that day's daily_sync has succeeded; until then the tick skips "
        "with the sync's status and sales_history_after_daily_sync exports the day when the sync succeeds."
    ),
)
def sales_history_export_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
    return scheduled_export(context.instance, previous_shop_day(context))


schedules = [stock_sync_schedule, daily_sync_schedule, sales_history_export_schedule]
