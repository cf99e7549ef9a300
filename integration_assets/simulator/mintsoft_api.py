"""Mintsoft's REST API as the simulator serves it (placeholder until the Mintsoft view lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from integration_assets.simulator.context import SimContext


def mintsoft_routes(ctx: SimContext) -> list[BaseRoute]:
    return []
