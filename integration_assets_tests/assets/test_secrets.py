"""No credential reaches a log line, the event log or metadata — checked on a Postgres-backed Dagster
instance (the production shape: dagster_home/postgres/dagster.yaml) after a real run."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from dagster._serdes import serialize_value

from integration_assets.main_run import run_main
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.world import World
from integration_assets_tests.assets.test_extraction import _serve

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def postgres_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance on a fresh Postgres database, configured by the repo's postgres dagster.yaml."""
    name = f"ia_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "dagster_home" / "postgres" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_PG_URL", f"postgresql://postgres@127.0.0.1:5432/{name}?keepalives=1&keepalives_idle=30")
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield instance
    finally:
        instance.dispose()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_no_secret_in_logs_event_log_or_metadata(
    tmp_path: Path,
    small_world: World,
    postgres_instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    sim = _serve(small_world, tmp_path)
    env = simulator_env(sim.ctx)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INTEGRATION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MINTSOFT_REQUESTS_PER_SECOND", "200")
    monkeypatch.setenv("INVENTORY_PLANNER_REQUESTS_PER_SECOND", "200")
    caplog.set_level(logging.DEBUG)
    try:
        summary = run_main(small_world.size.dates[0], small_world.size.dates[-1], instance=postgres_instance)
    finally:
        sim.stop()
    assert summary.success, summary.failures
    secrets = {
        "SHOPIFY_ACCESS_TOKEN": env["SHOPIFY_ACCESS_TOKEN"],
        "SHOPIFY_CLIENT_SECRET": env["SHOPIFY_CLIENT_SECRET"],
        "MINTSOFT_PASSWORD": env["MINTSOFT_PASSWORD"],
        "INVENTORY_PLANNER_API_KEY": env["INVENTORY_PLANNER_API_KEY"],
    }
    records = [
        serialize_value(record)
        for run in postgres_instance.get_runs()
        for record in postgres_instance.all_logs(run.run_id)
    ]
    assert len(postgres_instance.get_runs()) == len(summary.runs) == 9  # stock_sync and export x 4, daily_sync
    assert sum("ASSET_MATERIALIZATION" in r for r in records) > 10  # the event log really was read
    run_configs = [serialize_value(run) for run in postgres_instance.get_runs()]
    logs = caplog.text
    printed = capfd.readouterr()
    for name, secret in secrets.items():
        assert not any(secret in r for r in records), f"{name} in the event log"
        assert not any(secret in r for r in run_configs), f"{name} in a run's stored config"
        assert secret not in logs, f"{name} in a log line"
        assert secret not in printed.out and secret not in printed.err, f"{name} printed"
    assert "integration_assets.sources" in logs or "shopify" in logs.lower()  # logging was on, at DEBUG
