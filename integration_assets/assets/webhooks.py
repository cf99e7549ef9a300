"""Shopify webhook deliveries, ingested from the landing folder into the raw lake.

Each daily partition holds the unique events received that shop day. A run ingests the day's
waiting files (verify, parse, dedup), moves every file to processed/ or quarantine/, and rewrites
the day's partition from everything the day has processed, so a re-run is never a duplicate. Its
metadata is the accounting a data engineer checks (files in = events + duplicates + quarantined)
and the re-checks the new events ask for, which the `webhook_reactions` sensor turns into runs.
"""

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow.parquet as pq

from integration_assets.assets.landing import Landing, extraction_asset, markdown_preview
from integration_assets.assets.webhooks_tables import EVENTS, SOURCE
from integration_assets.partitions import daily_partitions, dates_of, partition_date, shop_zone
from integration_assets.resources import LakeResource, WebhooksResource
from integration_assets.webhooks.ingest import DayIngest, IngestSettings, ingest_day
from integration_assets.webhooks.landing import LandedFile, waiting_files
from integration_assets.webhooks.reactions import plan_reactions

EVENTS_KEY = dg.AssetKey([SOURCE, "events"])
QUARANTINE_SHOWN = 20


def file_partition(file: LandedFile) -> str:
    """The daily partition a waiting file belongs to; the sensor and the asset share this rule."""
    return partition_date(file.shop_date(shop_zone()))


@extraction_asset(
    [SOURCE, "events"],
    daily_partitions,
    group="webhooks",
    owners=["team:data-engineering"],
    kinds={"python", "parquet", "shopify"},
)
def shopify_webhook_events(
    context: dg.AssetExecutionContext, webhooks: WebhooksResource, lake: LakeResource
) -> dg.MaterializeResult:
    """Shopify webhook deliveries received each shop day (orders, edits, cancellations, refunds,
    fulfilments, inventory levels and items), verified, deduplicated by event and webhook id, one
    row per event with the raw body. Bad files are quarantined with a reason file, never dropped."""
    dates = dates_of(context)
    folder = webhooks.landing
    waiting = waiting_files(folder)
    if waiting and not webhooks.secrets:
        raise dg.Failure("webhook files are waiting but SHOPIFY_WEBHOOK_SECRET is not set: nothing can be verified")
    settings = IngestSettings(
        webhooks.secrets, webhooks.max_bytes, webhooks.settle_seconds, webhooks.stale_temp_seconds
    )
    now = dt.datetime.now(dt.UTC)
    seen_elsewhere = _landed_event_keys(Path(lake.root), exclude=set(dates))
    landing = Landing(lake, SOURCE)
    days: list[DayIngest] = []
    for date in dates:
        day = ingest_day(folder, date, [f for f in waiting if file_partition(f) == date], settings, now, seen_elsewhere)
        landing.write(EVENTS.entity, date, None, EVENTS.rows(day.events), EVENTS.schema)
        days.append(day)
        context.log.info(f"webhooks {date}: {day.accounting()}")
    location_map = lake.location_map()
    reactions = plan_reactions(
        [event for day in days for event in day.new_events],
        shop_zone(),
        location_map.key_for_shopify,
        location_map.keys,
        partition_date,
    )
    return landing.result(extra=_accounting_metadata(days) | {"reactions": dg.MetadataValue.json(reactions.as_json())})


def _accounting_metadata(days: list[DayIngest]) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    duplicates: Counter[str] = Counter()
    quarantined: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    details = []
    for day in days:
        totals.update(day.accounting())
        duplicates.update(day.duplicates)
        quarantined.update(day.quarantined)
        topics.update(event.topic for event in day.new_events)
        details += [{"date": day.date, **detail} for detail in day.quarantine_details]
    metadata: dict[str, Any] = {
        "files_in": totals["files_in"],
        "events_new": totals["events"],
        "duplicates": totals["duplicates"],
        "quarantined_files": totals["quarantined"],
        "pending_files": totals["pending"],
        "accounted": totals["files_in"] == totals["events"] + totals["duplicates"] + totals["quarantined"],
        "duplicates_by_kind": dg.MetadataValue.json(dict(sorted(duplicates.items()))),
        "quarantined_by_reason": dg.MetadataValue.json(dict(sorted(quarantined.items()))),
        "events_by_topic": dg.MetadataValue.json(dict(sorted(topics.items()))),
    }
    if details:
        metadata["quarantine_preview"] = dg.MetadataValue.md(markdown_preview(details[:QUARANTINE_SHOWN]))
    return metadata


def _landed_event_keys(root: Path, exclude: set[str]) -> dict[str, str]:
    """Dedup key -> webhook id of the events landed under days other than this run's."""
    keys: dict[str, str] = {}
    for part in sorted((root / "lake" / SOURCE / EVENTS.entity).glob("date=*/*.parquet")):
        if part.parent.name.removeprefix("date=") in exclude:
            continue
        table = pq.read_table(part, columns=["event_id", "webhook_id"])
        for event_id, webhook_id in zip(table["event_id"].to_pylist(), table["webhook_id"].to_pylist(), strict=True):
            keys.setdefault(event_id or f"webhook:{webhook_id}", webhook_id)
    return keys


assets = [shopify_webhook_events]
