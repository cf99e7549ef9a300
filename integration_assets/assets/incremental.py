"""Which dates of a run's range are already complete in the lake, so a re-run need not read them.

Mintsoft orders and returns are filed under the shop day of their LastUpdated, and Mintsoft filters
by `SinceLastUpdated` only (a lower bound). Reading from the range start on every run re-reads days
whose versions were all landed already. A date is complete when its latest materialization read the
API after the day ended (its `synced_at`, taken before the read, is past the day's end plus a
settling margin): nothing can still arrive with a LastUpdated on that day. A run then reads from
its first incomplete date and leaves the complete ones before it as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from integration_assets.partitions import day_bounds

# ASSUMED: Mintsoft stamps LastUpdated when a change commits; an hour covers clock skew and late writes.
SETTLING = dt.timedelta(hours=1)


def complete_prefix(context: dg.AssetExecutionContext, dates: Sequence[str]) -> int:
    """How many dates at the front of the range were landed complete by an earlier run."""
    for n, date in enumerate(dates):
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=context.asset_key, asset_partitions=[date]), limit=1
        ).records
        materialization = records[0].asset_materialization if records else None
        synced = materialization.metadata.get("synced_at") if materialization is not None else None
        if synced is None or dt.datetime.fromisoformat(str(synced.value)) < day_bounds(date)[1] + SETTLING:
            return n
    return len(dates)
