"""`integration-assets bench --ingest`: Shopify extraction against the Plus plan's point bucket.

Shopify meters its Admin GraphQL API in cost points: a bucket of 20 000 on Plus that refills at
1 000 points a second. A sync of a Black-Friday window is bound by that refill, so the question
the benchmark answers is how much of it the product actually spends: the points consumed per
second against the restore rate, and how often Shopify had to refuse a query (THROTTLED), each
refusal a wasted round trip and a wait.

It builds a seeded world with the simulator's generator, serves it on loopback with the Plus
plan's limits, and runs the product's own client (`ShopifyClient`, as the extraction assets use
it) over the world's window:
- orders updated in the window, by **cursor paging**, with everything the assets land (line
  items, shipping lines, refunds, fulfillments and their follow-up queries). Not the bulk
  operation: a bulk query runs on Shopify's side without spending bucket points per object, so it
  says nothing about pacing, and the assets page every window of up to `bulk_after_days`;
- locations, inventory items and the inventory levels of every location;
- payouts issued and balance transactions processed in the window.

Points are the `actualQueryCost` of every GraphQL answer. The bucket starts full, so the first
20 000 points are a loan, not throughput: over a 20 s run they alone would read as 1 000 points a
second. `points_per_second` is therefore net of the bucket's drawdown (points consumed minus what
the bucket held less at the end than at the start), which can exceed the restore rate by no more
than rounding; `points_per_second_raw` keeps the plain quotient for comparison. The net rate is
the restore rate times the share of the run the bucket was not full: it falls short exactly when
the client lets the bucket sit full (too slow to spend the refill, or idle between queries), which
is the waste the benchmark is after.

The simulator runs in this process and shares the machine (and the GIL) with the client, so its
CPU is not Shopify's: `client_cpu_seconds` is the product's own, `process_cpu_seconds` both.
One client runs at a time, as one extraction asset does; several clients on one shop at once
(assets in parallel processes) each pace themselves blind to the others' spending.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.merchant import DEFAULT_START_DATE, build_world
from integration_assets.simulator.rate_limits import PointBucket
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World, WorldSize
from integration_assets.sources.shopify import ShopifyClient

PLAN = "plus"
# The default size: about 90 s of extraction on a 2-core machine, long enough that the starting
# bucket (20 s of restore) is a small part of the run.
DEFAULT_ORDERS_PER_DAY = 200
DEFAULT_DAYS = 4
DEFAULT_SKUS = 400
DEFAULT_LOCATIONS = 4


@dataclass(frozen=True)
class Window:
    """The shop days the extraction covers, as the UTC instants and dates the API filters on."""

    start: dt.datetime
    end: dt.datetime
    first_day: dt.date
    last_day: dt.date

    @classmethod
    def of(cls, world: World) -> Window:
        """The world's trading days (its history before them is what earlier syncs would have landed)."""
        zone = ZoneInfo(world.shop.timezone)
        dates = world.size.dates
        start = dt.datetime.combine(dates[0], dt.time(0), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time(0), zone).astimezone(dt.UTC)
        return cls(start, end, dates[0], dates[-1])


def world_size(orders_per_day: int, days: int, skus: int, locations: int) -> WorldSize:
    """The simulator's size for these parameters, starting on the demo merchant's first day."""
    return WorldSize(
        start_date=DEFAULT_START_DATE, days=days, orders_per_day=orders_per_day, skus=skus, locations=locations
    )


def measure_ingest(
    seed: int = 7,
    orders_per_day: int = DEFAULT_ORDERS_PER_DAY,
    days: int = DEFAULT_DAYS,
    skus: int = DEFAULT_SKUS,
    locations: int = DEFAULT_LOCATIONS,
) -> dict[str, Any]:
    """Extract a seeded world's window from a Plus-plan simulator and report the point rate.

    Keys: points_per_second (net of the starting bucket), points_per_second_raw, restore_rate,
    restore_share (the first over the second), throttled_share (THROTTLED answers over GraphQL
    requests), records (per entity and total), seconds (extraction only: not the world build or
    the server start), requests, throttled, points, bucket_size, bucket_start, bucket_end,
    wait_seconds (the client's sleeps for the bucket), client_cpu_seconds, process_cpu_seconds and
    params. A restore share near 1 with most of the run spent waiting means the bucket, not the
    product, set the pace.
    """
    params = {"seed": seed, "orders_per_day": orders_per_day, "days": days, "skus": skus, "locations": locations}
    world = build_world(seed, world_size(orders_per_day, days, skus, locations), plan=PLAN)
    running = serve_in_thread(SimContext.build(world, plan=PLAN))
    try:
        return {**_measure(world, running), "params": params}
    finally:
        running.stop()


@dataclass(frozen=True)
class Reading:
    """The clocks and the simulator's bucket at one instant, taken either side of the extraction.

    CPU time is read twice: the extracting thread's alone (the product's client) and the whole
    process's (the client plus the simulator serving it), so a report shows whether Python CPU,
    rather than the bucket, was what limited the rate.
    """

    wall: float
    client_cpu: float
    process_cpu: float
    bucket: int

    @classmethod
    def take(cls, bucket: PointBucket) -> Reading:
        return cls(time.perf_counter(), time.thread_time(), time.process_time(), bucket.currently_available())


def _measure(world: World, running: RunningSimulator) -> dict[str, Any]:
    """Time one extraction pass and read the simulator's bucket either side of it."""
    bucket = running.ctx.graphql_bucket
    with ShopifyClient(running.url, access_token=running.ctx.credentials.access_token) as client:
        before = Reading.take(bucket)
        records = extract(client, world)
        after = Reading.take(bucket)
    return _report(client, records, bucket, before, after)


def _report(
    client: ShopifyClient, records: dict[str, int], bucket: PointBucket, before: Reading, after: Reading
) -> dict[str, Any]:
    """The benchmark's figures from the client's counters and the two readings."""
    stats, requests = client.stats, client.graphql_requests
    seconds = after.wall - before.wall
    lent = before.bucket - after.bucket  # the part of the starting bucket the run used up
    net_rate = (stats.cost_points - lent) / seconds
    return {
        "points_per_second": net_rate,
        "points_per_second_raw": stats.cost_points / seconds,
        "restore_rate": bucket.restore_rate,
        "restore_share": net_rate / bucket.restore_rate,
        "throttled_share": stats.throttled / requests if requests else 0.0,
        "records": {**records, "total": sum(records.values())},
        "seconds": seconds,
        "requests": requests,
        "throttled": stats.throttled,
        "points": stats.cost_points,
        "bucket_size": bucket.maximum,
        "bucket_start": before.bucket,
        "bucket_end": after.bucket,
        "wait_seconds": stats.wait_seconds,
        "client_cpu_seconds": after.client_cpu - before.client_cpu,
        "process_cpu_seconds": after.process_cpu - before.process_cpu,
    }


def extract(client: ShopifyClient, world: World) -> dict[str, int]:
    """One pass over everything the Shopify and payments extraction assets read; records per entity.

    A record the client rejected (validation) counts as not extracted, so a count that matches the
    world's means every record arrived whole.
    """
    window = Window.of(world)
    records: Counter[str] = Counter()
    records["orders"] = len(client.orders_updated(window.start, window.end, method="paged").records)
    locations = client.locations().records
    records["locations"] = len(locations)
    records["inventory_items"] = len(client.inventory_items().records)
    for location in locations:
        records["inventory_levels"] += len(client.inventory_levels(location.id).records)
    records["payouts"] = len(client.payouts(window.first_day, window.last_day).records)
    records["balance_transactions"] = len(client.balance_transactions(window.start, window.end).records)
    return dict(records)
