"""Fault injection: seeded, per request, at the requested rates, in each service's own style."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.server import RunningSimulator, serve_in_thread
from integration_assets.simulator.world import World
from integration_assets_tests.clocks import TickingClock

RATES = {"429": 0.05, "500": 0.02, "timeout": 0.01, "truncate": 0.01}
HOLD_SECONDS = 0.4
CLIENT_TIMEOUT = 0.2


def _serve(world: World, seed: int, rates: dict[str, float]) -> RunningSimulator:
    # A ticking clock keeps the rate limiters out of the way: every 429 seen here is injected.
    ctx = SimContext.build(world, clock=TickingClock())
    ctx.faults = FaultPlan(seed=seed, rates=rates, timeout_seconds=HOLD_SECONDS)
    return serve_in_thread(ctx)


@pytest.fixture()
def faulty(small_world: World) -> Iterator[RunningSimulator]:
    running = _serve(small_world, 7, RATES)
    yield running
    running.stop()


def _outcome(client: httpx.Client, path: str) -> str:
    try:
        response = client.get(path, timeout=CLIENT_TIMEOUT)
    except httpx.TimeoutException:
        return "timeout"
    if response.status_code in (429, 500):
        return str(response.status_code)
    assert response.status_code == 200, response.text[:200]
    try:
        json.loads(response.content)
    except json.JSONDecodeError:
        return "truncate"
    return "ok"


def _client(running: RunningSimulator) -> httpx.Client:
    return httpx.Client(base_url=running.url, headers={"X-Shopify-Access-Token": running.ctx.credentials.access_token})


def test_observed_fault_rates_match_the_requested_ones(faulty: RunningSimulator) -> None:
    n = 1500
    with _client(faulty) as client:
        observed = Counter(_outcome(client, f"/admin/api/2026-01/locations.json?probe={i}") for i in range(n))
    for kind, rate in RATES.items():
        expected = n * rate
        bound = 4 * math.sqrt(n * rate * (1 - rate)) + 1
        assert abs(observed[kind] - expected) <= bound, (kind, observed[kind], expected)
        assert observed[kind] == faulty.ctx.faults_injected[kind], kind  # what the client saw is what was sent
    assert observed["ok"] == n - sum(faulty.ctx.faults_injected.values())


def test_same_seed_faults_the_same_requests(small_world: World) -> None:
    paths = [f"/admin/api/2026-01/locations.json?probe={i}" for i in range(300)]
    rates = {"429": 0.1, "500": 0.1, "truncate": 0.1}
    patterns = []
    for seed in (3, 3, 4):
        running = _serve(small_world, seed, rates)
        try:
            with _client(running) as client:
                patterns.append([_outcome(client, p) for p in paths])
        finally:
            running.stop()
    assert patterns[0] == patterns[1]
    assert patterns[0] != patterns[2]
    assert 30 < sum(o != "ok" for o in patterns[0]) < 150


def test_a_retried_request_gets_a_fresh_draw_and_a_truncated_body_is_a_prefix(small_world: World) -> None:
    clean = _serve(small_world, 9, {})
    running = _serve(small_world, 9, {"truncate": 0.5})
    try:
        with _client(clean) as plain, _client(running) as client:
            path = "/admin/api/2026-01/orders.json?status=any&limit=20"
            full = plain.get(path).content
            bodies = [client.get(path).content for _ in range(12)]
        truncated = [b for b in bodies if b != full]
        assert truncated and len(truncated) < len(bodies)  # some retries succeed
        for body in truncated:
            assert full.startswith(body) and len(body) < len(full)
    finally:
        clean.stop()
        running.stop()


def test_each_service_fails_in_its_own_style_and_sim_endpoints_never_fail(small_world: World) -> None:
    running = _serve(small_world, 1, {"429": 1.0})
    try:
        with _client(running) as client:
            mintsoft = client.get("/mintsoft/api/Warehouse")
            assert mintsoft.status_code == 429 and mintsoft.headers["retry-after"] == "0"
            assert mintsoft.headers["content-type"].startswith("text/html") and b"1015" in mintsoft.content
            planner = client.get("/inventory-planner/api/v1/variants")
            assert planner.status_code == 429 and planner.json()["result"]["status"] == "error"
            shopify = client.get("/admin/api/2026-01/orders.json")
            assert shopify.status_code == 429 and "Exceeded 2 calls per second" in shopify.json()["errors"]
            assert client.get("/_sim/manifest").status_code == 200
    finally:
        running.stop()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("430=0.1", "unknown fault '430=0.1'"),
        ("429=abc", "rate for 429 must be a number"),
        ("500=1.5", "between 0 and 1"),
        ("429=0.6,500=0.6", "more than 1"),
        ("bulk_start_lost=0.5", "bulk_start_lost takes a count"),
    ],
)
def test_bad_fault_specs_are_clear_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultPlan.parse(spec, seed=1)


def test_fault_spec_parses() -> None:
    plan = FaultPlan.parse("429=0.05, 500=0.02,timeout=0.01,truncate=0.01", seed=2, timeout_seconds=5)
    assert plan.rates == RATES and plan.timeout_seconds == 5 and plan.lost_bulk_starts == 0
    lost = FaultPlan.parse("429=0.05,bulk_start_lost=2", seed=2)
    assert lost.rates == {"429": 0.05} and lost.lost_bulk_starts == 2
