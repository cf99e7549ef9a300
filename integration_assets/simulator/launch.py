"""Build a world, write what its operator keeps, and serve it (the `simulate` and `demo` commands)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.corruption import Corruption
from integration_assets.simulator.faults import FaultPlan
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.merchant import build_world
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.server import serve_forever
from integration_assets.simulator.world import WorldSize


@dataclass(frozen=True)
class SimOptions:
    seed: int
    size: WorldSize
    plan: str = "standard"
    seeds_dir: Path | None = None
    ip_drop_dir: Path | None = None
    faults: str | None = None
    fault_timeout_seconds: float = 30.0
    emit_webhooks: Path | None = None
    webhook_secret: str | None = None
    corrupt: tuple[str, ...] = ()


def prepare(options: SimOptions) -> SimContext:
    """The world and everything around it: seeds CSVs, the IP drop folder, faults, webhook drops."""
    ctx = SimContext.build(build_world(options.seed, options.size, options.plan), plan=options.plan)
    if options.webhook_secret:
        ctx.credentials.webhook_secret = options.webhook_secret
    if options.seeds_dir is not None:
        ctx.seeds_dir = write_seeds(ctx.world.seeds, options.seeds_dir)
    if options.ip_drop_dir is not None:
        options.ip_drop_dir.mkdir(parents=True, exist_ok=True)
        ctx.ip_drop_dir = options.ip_drop_dir.resolve()
    if options.faults:
        ctx.faults = FaultPlan.parse(options.faults, options.seed, options.fault_timeout_seconds)
    ctx.corruptions = [Corruption.parse(spec) for spec in options.corrupt]
    if options.emit_webhooks is not None:
        from integration_assets.simulator.webhook_drops import emit_webhooks

        written = emit_webhooks(ctx.world, options.emit_webhooks, ctx.credentials.webhook_secret)
        print(f"wrote {len(written)} signed webhook deliveries to {options.emit_webhooks}")
    return ctx


def simulate(options: SimOptions, host: str, port: int) -> None:
    ctx = prepare(options)
    ctx.base_url = f"http://{host}:{port}"
    world = ctx.world
    print(
        f"simulating {world.shop.domain}: seed {options.seed}, {len(world.orders)} orders, "
        f"{len(world.variants)} SKUs, {len(world.locations)} locations, plan {options.plan}"
        + (f", faults {options.faults}" if options.faults else "")
    )
    print(f"listening on {ctx.base_url}; point clients at it with:")
    print(json.dumps(simulator_env(ctx), indent=2))
    serve_forever(ctx, host, port)
