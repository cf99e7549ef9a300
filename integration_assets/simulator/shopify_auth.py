"""Shopify app authentication: the access-token header and the client-credentials grant."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integration_assets.simulator.context import CLIENT_CREDENTIALS_TTL_SECONDS, SimContext

# Shopify's body for a missing or wrong token (REST and GraphQL alike).
INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def unauthorized(ctx: SimContext, request: Request) -> Response | None:
    """A 401 response when the request lacks a valid X-Shopify-Access-Token, else None."""
    if ctx.tokens.is_valid(request.headers.get("x-shopify-access-token")):
        return None
    return JSONResponse({"errors": INVALID_TOKEN_MESSAGE}, status_code=401)


async def _read_grant(request: Request) -> dict[str, str]:
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            parsed = json.loads(body or b"{}")
        except json.JSONDecodeError:
            return {}
        return {k: str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
    # Form-encoded, parsed here so the simulator needs no multipart package.
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", errors="replace")).items()}


def auth_routes(ctx: SimContext) -> list[Route]:
    async def access_token(request: Request) -> Response:
        grant = await _read_grant(request)
        creds = ctx.credentials
        if grant.get("grant_type") != "client_credentials":
            return JSONResponse(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be client_credentials",
                },
                status_code=400,
            )
        if grant.get("client_id") != creds.client_id or grant.get("client_secret") != creds.client_secret:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client authentication failed"},
                status_code=401,
            )
        return JSONResponse(
            {
                "access_token": ctx.tokens.issue(),
                "scope": ",".join(ctx.scopes),
                "expires_in": CLIENT_CREDENTIALS_TTL_SECONDS,
            }
        )

    return [Route("/admin/oauth/access_token", access_token, methods=["POST"])]
