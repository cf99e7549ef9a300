"""Partitions: the shop's calendar day, and that day at each mapped location.

Days are in the shop's timezone (SHOP_TIMEZONE, default Europe/London); locations are the keys of
the operator's locations.csv (INTEGRATION_SEEDS_DIR). Both are read when the code location loads,
because Dagster needs partition keys before any run.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import dagster as dg

from integration_assets.location_map import load_location_map

SHOP_TIMEZONE = os.environ.get("SHOP_TIMEZONE", "Europe/London")
START_DATE = os.environ.get("INTEGRATION_START_DATE", "2026-11-01")

# end_offset=1: today is a partition too, so webhook events re-check the day they happen on
# (a plain daily definition only lists days that have ended).
daily_partitions = dg.DailyPartitionsDefinition(start_date=START_DATE, timezone=SHOP_TIMEZONE, end_offset=1)
location_partitions = dg.StaticPartitionsDefinition(load_location_map().keys)
daily_location_partitions = dg.MultiPartitionsDefinition({"date": daily_partitions, "location": location_partitions})


def shop_zone() -> ZoneInfo:
    return ZoneInfo(SHOP_TIMEZONE)


def day_bounds(day: str | dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a shop day, in UTC."""
    date = dt.date.fromisoformat(day) if isinstance(day, str) else day
    zone = shop_zone()
    start = dt.datetime.combine(date, dt.time(0), zone)
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def partition_date(day: dt.date) -> str:
    """The daily partition a shop day is filed under: itself, or the nearest end of the range for
    a day outside it (a delivery stamped before START_DATE, or by a clock running ahead)."""
    first = daily_partitions.get_first_partition_key()
    last = daily_partitions.get_last_partition_key()
    return min(max(day.isoformat(), first), last or first)


def dates_of(context: dg.AssetExecutionContext) -> list[str]:
    """The run's dates, oldest first, for a single-run range or one partition, daily or date x location."""
    keys = context.partition_keys
    dates = {k.keys_by_dimension["date"] if isinstance(k, dg.MultiPartitionKey) else k for k in _as_keys(context, keys)}
    return sorted(dates)


def locations_of(context: dg.AssetExecutionContext) -> list[str]:
    keys = _as_keys(context, context.partition_keys)
    return sorted({k.keys_by_dimension["location"] for k in keys if isinstance(k, dg.MultiPartitionKey)})


def _as_keys(context: dg.AssetExecutionContext, keys: list[str]) -> list[str | dg.MultiPartitionKey]:
    definition = context.assets_def.partitions_def
    if isinstance(definition, dg.MultiPartitionsDefinition):
        return [definition.get_partition_key_from_str(k) for k in keys]
    return list(keys)
