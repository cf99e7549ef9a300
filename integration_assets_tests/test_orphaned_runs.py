"""A run left unfinished by a killed `integration-assets run` is marked failed and gives back its
`duckdb` pool slot, so the next run's DuckDB steps do not wait for ever; a run whose process is
alive, or that another launcher made, is left alone."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from integration_assets.main_run import DAGSTER_YAML
from integration_assets.orphaned_runs import HOST_TAG, PID_TAG, fail_orphaned_runs


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    (tmp_path / "dagster.yaml").write_text(DAGSTER_YAML)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="daily_sync", run_id=run_id, status=dg.DagsterRunStatus.STARTED, tags=tags))
    return run_id


def _holds_duckdb_slot(instance: dg.DagsterInstance, run_id: str) -> bool:
    info = instance.event_log_storage.get_concurrency_info("duckdb")
    return any(slot.run_id == run_id for slot in info.claimed_slots)


def test_a_killed_runs_run_is_failed_and_its_slot_freed(instance: dg.DagsterInstance) -> None:
    host = socket.gethostname()
    dead = _started_run(instance, {HOST_TAG: host, PID_TAG: str(_dead_pid())})
    alive = _started_run(instance, {HOST_TAG: host, PID_TAG: "1"})  # pid 1 is always running
    foreign = _started_run(instance, {})  # launched from the UI or the daemon: Dagster's to watch
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default("duckdb")  # as a run's first claim does: the limit of 1
    assert storage.claim_concurrency_slot("duckdb", dead, "reconciliation__sku_consistency").is_claimed
    assert _holds_duckdb_slot(instance, dead)

    assert fail_orphaned_runs(instance) == [dead]

    assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
    assert not _holds_duckdb_slot(instance, dead)
    assert storage.claim_concurrency_slot("duckdb", str(uuid.uuid4()), "staging__shopify_orders").is_claimed
    for untouched in (alive, foreign):
        assert instance.get_run_by_id(untouched).status == dg.DagsterRunStatus.STARTED
    assert fail_orphaned_runs(instance) == []
