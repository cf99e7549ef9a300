"""The simulate command, the /_sim endpoints, the client-credentials grant and the demo tour."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from integration_assets.demo import run_demo
from integration_assets.simulator.context import SimContext
from integration_assets.simulator.launch import SimOptions
from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.server import free_port, serve_in_thread
from integration_assets.simulator.world import World
from integration_assets.webhooks.signature import verify_envelope
from integration_assets_tests.clocks import FakeClock


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"simulate exited early: {process.stdout.read() if process.stdout else ''}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("simulator did not start")


def test_simulate_command_serves_manifest_env_and_writes_seeds(tmp_path: Path) -> None:
    port = free_port()
    seeds = tmp_path / "seeds"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "integration_assets.cli",
            "simulate",
            "--port",
            str(port),
            "--seed",
            "5",
            "--days",
            "1",
            "--orders-per-day",
            "20",
            "--skus",
            "45",
            "--seeds-dir",
            str(seeds),
            "--ip-drop",
            str(tmp_path / "ip-drop"),
            "--emit-webhooks",
            str(tmp_path / "landing"),
            "--webhook-secret",
            "s3cret",
            "--faults",
            "500=0.0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "INTEGRATION_DATA_DIR": str(tmp_path)},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/_sim/manifest", process)
        manifest = httpx.get(f"{base}/_sim/manifest").json()
        assert manifest["seed"] == 5 and manifest["dates"] == ["2026-11-20"]
        assert manifest["size"]["skus"] == 45 and manifest["counts"]["skus"] == 45
        env = httpx.get(f"{base}/_sim/env").json()
        assert env["SHOPIFY_SHOP_URL"] == base
        assert env["INTEGRATION_SEEDS_DIR"] == str(seeds)
        assert env["SHOPIFY_ACCESS_TOKEN"].startswith("shpat_")
        assert env["SHOPIFY_WEBHOOK_SECRET"] == "s3cret"
        assert env["INVENTORY_PLANNER_DROP_DIR"] == str(tmp_path / "ip-drop")
        assert env["MINTSOFT_BASE_URL"] == f"{base}/mintsoft"
        landed = sorted((tmp_path / "landing").glob("*.json"))
        assert landed and all(verify_envelope(json.loads(p.read_text()), "s3cret") for p in landed)
        with (seeds / "locations.csv").open() as handle:
            keys = [row["location_key"] for row in csv.DictReader(handle)]
        assert keys == ["northampton", "leeds", "dublin", "london"]
        response = httpx.get(
            f"{base}/admin/api/2026-01/locations.json", headers={"X-Shopify-Access-Token": env["SHOPIFY_ACCESS_TOKEN"]}
        )
        assert response.status_code == 200
        # The unmapped pop-up is a Shopify location the seeds do not list.
        served = {str(loc["id"]) for loc in response.json()["locations"]}
        with (seeds / "locations.csv").open() as handle:
            mapped = {row["shopify_location_id"] for row in csv.DictReader(handle)}
        assert len(served - mapped) == 1 and mapped <= served
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_bad_size_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "integration_assets.cli", "simulate", "--locations", "2", "--seeds-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--locations must be between 4" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture()
def clocked(small_world: World):
    clock = FakeClock()
    running = serve_in_thread(SimContext.build(small_world, plan="plus", clock=clock))
    yield running, clock
    running.stop()


def test_client_credentials_grant_issues_expiring_tokens(clocked) -> None:
    running, clock = clocked
    creds = running.ctx.credentials
    token_url = f"{running.url}/admin/oauth/access_token"
    bad = httpx.post(
        token_url, data={"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": "nope"}
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    granted = httpx.post(
        token_url,
        data={"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret},
    )
    assert granted.status_code == 200
    body = granted.json()
    assert body["expires_in"] == 86400 and body["access_token"] != creds.access_token
    locations = f"{running.url}/admin/api/2026-01/locations.json"
    assert httpx.get(locations, headers={"X-Shopify-Access-Token": body["access_token"]}).status_code == 200
    clock.advance(86400 + 1)
    expired = httpx.get(locations, headers={"X-Shopify-Access-Token": body["access_token"]})
    assert expired.status_code == 401 and "Invalid API key or access token" in expired.json()["errors"]
    # The static token does not expire.
    assert httpx.get(locations, headers={"X-Shopify-Access-Token": creds.access_token}).status_code == 200


def test_demo_tours_every_entity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = SimOptions(seed=7, size=small_size(days=1, orders_per_day=15), seeds_dir=tmp_path / "seeds")
    assert run_demo(options) == 0
    out = capsys.readouterr().out
    world = build_world(7, small_size(days=1, orders_per_day=15))
    assert f"orders                 {len(world.orders):>7}" in out
    for entity in (
        "Shopify orders (GraphQL)",
        "Shopify inventory items (GraphQL)",
        "Shopify payouts (REST)",
        "Shopify balance transactions (REST)",
        "Mintsoft warehouses",
        "Mintsoft bulk inventory",
        "Mintsoft orders",
        "Mintsoft returns",
        "Inventory Planner warehouses",
        "Inventory Planner variants",
    ):
        line = next(line for line in out.splitlines() if entity in line)
        assert int(line.split()[-2]) > 0, line
    assert "stock_parity_drift" in out and "payout_unmatched_charge" in out
    assert (tmp_path / "seeds" / "bundles.csv").exists()
