"""The Inventory Planner export waits for its data: the 02:00 schedule launches a day only once that
day's newest daily_sync run has succeeded, the run-status sensor launches it when the sync succeeds
later, and neither launches a location whose export already ran. Runs are recorded in a real
temporary Dagster instance, as the daemon would find them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from integration_assets.export_gate import RANGE_END_TAG, RANGE_START_TAG, exports_after_sync
from integration_assets.jobs import MAIN_RUN_TRIGGER, TRIGGER_TAG
from integration_assets.schedules import sales_history_export_schedule
from integration_assets.sensors import sales_history_after_daily_sync

LONDON = ZoneInfo("Europe/London")
LOCATIONS = ["northampton", "leeds", "dublin", "london"]
TWO_AM_22_NOV = dt.datetime(2026, 11, 22, 2, 0, tzinfo=LONDON)  # the tick that exports 21 Nov


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def _run(instance: dg.DagsterInstance, job: str, status: dg.DagsterRunStatus, **tags: str) -> dg.DagsterRun:
    run = dg.DagsterRun(job_name=job, run_id=str(uuid.uuid4()), status=status, tags=tags)
    instance.add_run(run)
    return run


def _sync(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, day: str = "2026-11-21") -> dg.DagsterRun:
    return _run(instance, "daily_sync", status, **{"dagster/partition": day})


def _tick(instance: dg.DagsterInstance) -> list[dg.RunRequest] | dg.SkipReason:
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=TWO_AM_22_NOV)
    return sales_history_export_schedule(context)


def test_the_schedule_skips_a_day_whose_sync_has_not_succeeded(instance: dg.DagsterInstance) -> None:
    skipped = _tick(instance)
    assert isinstance(skipped, dg.SkipReason)
    assert skipped.skip_message.startswith("2026-11-21 is not exported yet: no daily_sync run.")
    running = _sync(instance, dg.DagsterRunStatus.STARTED)
    skipped = _tick(instance)
    assert isinstance(skipped, dg.SkipReason)
    assert f"daily_sync run {running.run_id} is STARTED" in (skipped.skip_message or "")


def test_the_schedule_exports_every_location_once_the_sync_succeeded(instance: dg.DagsterInstance) -> None:
    _sync(instance, dg.DagsterRunStatus.SUCCESS, day="2026-11-20")  # another day's success does not count
    assert isinstance(_tick(instance), dg.SkipReason)
    _sync(instance, dg.DagsterRunStatus.SUCCESS)
    requests = _tick(instance)
    assert [r.partition_key for r in requests] == [f"2026-11-21|{location}" for location in LOCATIONS]
    assert [r.run_key for r in requests] == [f"sales_history_export:2026-11-21|{location}" for location in LOCATIONS]
    assert {r.tags["integration/triggered_by"] for r in requests} == {"schedule"}


def test_a_re_sync_still_running_holds_the_export_back(instance: dg.DagsterInstance) -> None:
    _sync(instance, dg.DagsterRunStatus.SUCCESS)
    rerun = _run(
        instance,
        "daily_sync",
        dg.DagsterRunStatus.STARTING,
        **{RANGE_START_TAG: "2026-11-19", RANGE_END_TAG: "2026-11-21"},  # a range run covers the day too
    )
    skipped = _tick(instance)
    assert isinstance(skipped, dg.SkipReason) and rerun.run_id in (skipped.skip_message or "")


def test_only_locations_without_a_live_export_are_launched(instance: dg.DagsterInstance) -> None:
    _sync(instance, dg.DagsterRunStatus.SUCCESS)
    export = "sales_history_export"
    _run(instance, export, dg.DagsterRunStatus.SUCCESS, **{"dagster/partition": "2026-11-21|london"})
    _run(instance, export, dg.DagsterRunStatus.STARTED, **{"dagster/partition": "2026-11-21|dublin"})
    _run(instance, export, dg.DagsterRunStatus.FAILURE, **{"dagster/partition": "2026-11-21|leeds"})
    _run(instance, export, dg.DagsterRunStatus.SUCCESS, **{"dagster/partition": "2026-11-20|northampton"})
    requests = _tick(instance)
    assert [r.partition_key for r in requests] == ["2026-11-21|northampton", "2026-11-21|leeds"]
    for location in ("northampton", "leeds"):
        _run(instance, export, dg.DagsterRunStatus.SUCCESS, **{"dagster/partition": f"2026-11-21|{location}"})
    done = _tick(instance)
    assert isinstance(done, dg.SkipReason) and done.skip_message == "2026-11-21 is already exported for every location."


def test_an_export_range_run_counts_for_each_of_its_days(instance: dg.DagsterInstance) -> None:
    # `integration-assets run` exports one range run a location: 19..21 Nov at leeds covers 21 Nov.
    _sync(instance, dg.DagsterRunStatus.SUCCESS)
    leeds = {RANGE_START_TAG: "2026-11-19|leeds", RANGE_END_TAG: "2026-11-21|leeds"}
    _run(instance, "sales_history_export", dg.DagsterRunStatus.SUCCESS, **leeds)
    earlier = {RANGE_START_TAG: "2026-11-18|dublin", RANGE_END_TAG: "2026-11-20|dublin"}  # ends the day before
    _run(instance, "sales_history_export", dg.DagsterRunStatus.SUCCESS, **earlier)
    requests = _tick(instance)
    assert [r.partition_key for r in requests] == ["2026-11-21|northampton", "2026-11-21|dublin", "2026-11-21|london"]


def test_a_sync_that_succeeds_late_releases_its_ended_days_within_the_catch_up_window(
    instance: dg.DagsterInstance,
) -> None:
    # A 12-day range run finishing on 22 Nov: 15..21 Nov are released (7 days back), 22 Nov is still
    # open (its batch would miss the rest of the day) and 10..14 Nov are left to a backfill.
    sync = _run(
        instance,
        "daily_sync",
        dg.DagsterRunStatus.SUCCESS,
        **{RANGE_START_TAG: "2026-11-10", RANGE_END_TAG: "2026-11-22"},
    )
    _run(instance, "sales_history_export", dg.DagsterRunStatus.SUCCESS, **{"dagster/partition": "2026-11-21|leeds"})
    _sync(instance, dg.DagsterRunStatus.STARTED, day="2026-11-20")  # a newer sync of 20 Nov: it will release it
    requests = exports_after_sync(instance, sync, today=dt.date(2026, 11, 22), catch_up_days=7)
    days = sorted({r.partition_key.split("|")[0] for r in requests})
    assert days == ["2026-11-15", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-21"]
    assert len(requests) == 5 * 4 + 3  # every location, but leeds on 21 Nov
    assert all(r.run_key.endswith(f":{sync.run_id}") for r in requests)
    assert {r.tags["integration/after_daily_sync"] for r in requests} == {sync.run_id}


def test_the_sensor_exports_yesterday_when_its_sync_succeeds(instance: dg.DagsterInstance) -> None:
    yesterday = (dt.datetime.now(LONDON).date() - dt.timedelta(days=1)).isoformat()
    sync = _sync(instance, dg.DagsterRunStatus.SUCCESS, day=yesterday)
    context = dg.build_run_status_sensor_context(
        sensor_name=sales_history_after_daily_sync.name,
        dagster_instance=instance,
        dagster_run=sync,
        dagster_event=dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_SUCCESS.value, job_name="daily_sync"),
    )
    requests = sales_history_after_daily_sync(context)
    assert [r.partition_key for r in requests] == [f"{yesterday}|{location}" for location in LOCATIONS]


def test_a_sync_by_the_main_run_is_left_to_it(instance: dg.DagsterInstance) -> None:
    # `integration-assets run` exports right after its sync: a sensor tick in between must not export
    # the same days again. The same sync launched any other way releases every location.
    day = {"dagster/partition": "2026-11-21"}
    by_main_run = _run(instance, "daily_sync", dg.DagsterRunStatus.SUCCESS, **day, **{TRIGGER_TAG: MAIN_RUN_TRIGGER})
    assert exports_after_sync(instance, by_main_run, today=dt.date(2026, 11, 22), catch_up_days=7) == []
    by_schedule = _run(instance, "daily_sync", dg.DagsterRunStatus.SUCCESS, **day, **{TRIGGER_TAG: "schedule"})
    requests = exports_after_sync(instance, by_schedule, today=dt.date(2026, 11, 22), catch_up_days=7)
    assert [r.partition_key for r in requests] == [f"2026-11-21|{location}" for location in LOCATIONS]
