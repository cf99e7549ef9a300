"""Build a world, write its operator seeds, and serve it (the `simulate` command)."""

from __future__ import annotations

import json
from pathlib import Path

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.manifest import simulator_env
from integration_assets.simulator.merchant import build_world
from integration_assets.simulator.seeds import write_seeds
from integration_assets.simulator.server import serve_forever
from integration_assets.simulator.world import WorldSize


def prepare(seed: int, size: WorldSize, plan: str, seeds_dir: Path | None) -> SimContext:
    ctx = SimContext.build(build_world(seed, size, plan), plan=plan)
    if seeds_dir is not None:
        ctx.seeds_dir = write_seeds(ctx.world.seeds, seeds_dir)
    return ctx


def simulate(seed: int, size: WorldSize, plan: str, host: str, port: int, seeds_dir: Path | None) -> None:
    ctx = prepare(seed, size, plan, seeds_dir)
    ctx.base_url = f"http://{host}:{port}"
    world = ctx.world
    print(
        f"simulating {world.shop.domain}: seed {seed}, {len(world.orders)} orders, "
        f"{len(world.variants)} SKUs, {len(world.locations)} locations, plan {plan}"
    )
    print(f"listening on {ctx.base_url}; point clients at it with:")
    print(json.dumps(simulator_env(ctx), indent=2))
    serve_forever(ctx, host, port)
