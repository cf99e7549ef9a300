"""Inventory Planner's REST API and file intake as the simulator serves them (placeholder)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from integration_assets.simulator.context import SimContext


def inventory_planner_routes(ctx: SimContext) -> list[BaseRoute]:
    return []
