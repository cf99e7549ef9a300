"""The simulator's web application: every simulated API and the /_sim ground-truth endpoints."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.corruption import CorruptRecords
from integration_assets.simulator.faults import FaultInjector
from integration_assets.simulator.inventory_planner_api import inventory_planner_routes
from integration_assets.simulator.manifest import build_manifest, simulator_env
from integration_assets.simulator.mintsoft_api import mintsoft_routes
from integration_assets.simulator.shopify_auth import auth_routes
from integration_assets.simulator.shopify_graphql import graphql_routes
from integration_assets.simulator.shopify_rest import rest_routes


def create_app(ctx: SimContext) -> Starlette:
    manifest = build_manifest(ctx.world)

    async def manifest_endpoint(request: Request) -> JSONResponse:
        return JSONResponse(manifest)

    async def env_endpoint(request: Request) -> JSONResponse:
        return JSONResponse(simulator_env(ctx))

    routes = [
        Route("/_sim/manifest", manifest_endpoint),
        Route("/_sim/env", env_endpoint),
        *auth_routes(ctx),
        *graphql_routes(ctx),
        *rest_routes(ctx),
        *mintsoft_routes(ctx),
        *inventory_planner_routes(ctx),
    ]
    middleware = []
    if ctx.faults:
        middleware.append(Middleware(FaultInjector, plan=ctx.faults, injected=ctx.faults_injected))
    if ctx.corruptions:
        middleware.append(Middleware(CorruptRecords, corruptions=ctx.corruptions))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.ctx = ctx
    return app
