"""The nightly schedules, evaluated with Dagster's schedule test API: each tick asks for the shop day
that just ended, in the shop's time zone, with day-based run keys. The export schedule's wait for
the day's sync is tested in test_export_gate."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from integration_assets.definitions import defs
from integration_assets.schedules import daily_sync_schedule, stock_sync_schedule

LONDON = ZoneInfo("Europe/London")
LOCATIONS = ["northampton", "leeds", "dublin", "london"]


def _context(at: dt.datetime) -> dg.ScheduleEvaluationContext:
    return dg.build_schedule_context(scheduled_execution_time=at)


def test_stock_sync_asks_for_every_location_of_the_previous_shop_day() -> None:
    requests = stock_sync_schedule(_context(dt.datetime(2026, 11, 21, 0, 30, tzinfo=LONDON)))
    assert [r.partition_key for r in requests] == [f"2026-11-20|{location}" for location in LOCATIONS]
    assert [r.run_key for r in requests] == [f"stock_sync:2026-11-20|{location}" for location in LOCATIONS]


def test_daily_sync_asks_for_the_previous_shop_day_even_across_utc_midnight() -> None:
    # 01:00 in London on 1 Dec is 01:00 UTC; in New York's evening the UTC date has already moved on.
    request = daily_sync_schedule(_context(dt.datetime(2026, 12, 1, 1, 0, tzinfo=LONDON)))
    assert (request.partition_key, request.run_key) == ("2026-11-30", "daily_sync:2026-11-30")
    utc_tick = dt.datetime(2026, 11, 21, 0, 59, tzinfo=dt.UTC)
    assert daily_sync_schedule(_context(utc_tick)).partition_key == "2026-11-20"


def test_schedules_are_on_with_descriptions_in_shop_time() -> None:
    repository = defs.get_repository_def()
    found = {
        s.name: (s.job_name, s.cron_schedule, s.execution_timezone, s.default_status) for s in repository.schedule_defs
    }
    running = dg.DefaultScheduleStatus.RUNNING
    assert found == {
        "stock_sync_schedule": ("stock_sync", "30 0 * * *", "Europe/London", running),
        "daily_sync_schedule": ("daily_sync", "0 1 * * *", "Europe/London", running),
        "sales_history_export_schedule": ("sales_history_export", "0 2 * * *", "Europe/London", running),
    }
    assert all(s.description and len(s.description) > 40 for s in repository.schedule_defs)
