"""Inventory Planner's public API (beta) as the simulator serves it, and its sales-file intake.

Clients use INVENTORY_PLANNER_BASE_URL = `{sim}/inventory-planner`, so the resources sit under
`/inventory-planner/api/v1/` as they sit under `https://app.inventory-planner.com/api/v1/`
(api-notes/mintsoft-ip-api.md 2.1):
- `GET warehouses` (ASSUMED endpoint), `GET variants` and `GET variants/{id}`;
- both `Authorization: <key>` (raw, no "Bearer") and `Account: <id>` are required, else 401
  (ASSUMED: the status and body of the refusal);
- collections under the plural name with `meta`, an entity under the singular name, and a
  `result` document, as errors carry one;
- 0-based `page`, `limit` (default 100, at most 1000), `fields` with dot notation into
  `warehouse[]`, filters as suffixed field names;
- a request over the account's bucket (ctx.inventory_planner_bucket, ASSUMED size and rate) is a 429
  with `Retry-After` in whole seconds (ASSUMED: IP publishes no limit; its clients read the header
  with int()).
Sales history cannot be pushed over the API; IP loads Advanced-CSV files (inventory_planner_intake),
and `GET /_sim/inventory-planner/sales-history` shows what it holds (ground truth, no auth).
Payload shapes and metrics live in inventory_planner_payloads.py.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from integration_assets.simulator.context import SimContext
from integration_assets.simulator.inventory_planner_intake import SalesHistoryIntake
from integration_assets.simulator.inventory_planner_payloads import (
    InventoryPlannerView,
    parse_fields,
    select_fields,
    warehouse_json,
)

JSON = dict[str, Any]
PREFIX = "/inventory-planner/api/v1"
SALES_HISTORY_PATH = "/_sim/inventory-planner/sales-history"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# ASSUMED: error wordings (IP documents only that errors carry result.message).
UNAUTHORIZED_MESSAGE = "Invalid API key or account"
THROTTLED_MESSAGE = "Too many requests"  # the same body the fault injector sends
# Top-level numeric fields a `<field>_gt|_gte|_lt|_lte` filter may name (suffix style: api-notes 2.1).
NUMERIC_FILTER_FIELDS = frozenset(
    {"in_stock", "last_7_days_sales", "last_30_days_sales", "replenishment", "to_order", "regular_price", "cost_price"}
)
_COMPARISON = re.compile(r"^(?P<field>[a-z0-9_]+?)_(?P<op>gt|gte|lt|lte)$")
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


class IpError(Exception):
    """An error answered in IP's `{"result": {"status": "error", "message": ...}}` shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


def error_body(message: str) -> JSON:
    # ASSUMED: result = {"status": "error", "message": ...} (api-notes 2.1).
    return {"result": {"status": "error", "message": message}}


SUCCESS = {"status": "success"}  # ASSUMED result document of a successful reply


def authorized(ctx: SimContext, request: Request) -> bool:
    """Both headers present and right; the key is sent raw, so "Bearer <key>" does not match."""
    key = request.headers.get("authorization")
    account = request.headers.get("account")
    if not key or not account:
        return False
    creds = ctx.credentials
    key_ok = secrets.compare_digest(key.encode(), creds.inventory_planner_api_key.encode())
    account_ok = secrets.compare_digest(account.encode(), creds.inventory_planner_account.encode())
    return key_ok and account_ok


def _int_param(params: QueryParams, name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        # ASSUMED: IP's answer to a bad page or limit is unpublished; a 400 makes a client bug loud.
        raise IpError(400, f"{name} must be an integer {bound}")
    return value


def page_of(name: str, records: list[JSON], params: QueryParams) -> tuple[list[JSON], JSON]:
    """One 0-based page of `records` and its meta."""
    page = _int_param(params, "page", 0, 0, None)
    limit = _int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    start = page * limit
    chunk = records[start : start + limit]
    # ASSUMED: meta keys beyond start and total (api-notes 2.1).
    meta = {"name": name, "start": start, "limit": limit, "count": len(chunk), "total": len(records)}
    return chunk, meta


def variant_filter(params: QueryParams) -> Callable[[JSON], bool]:
    """`sku` (ASSUMED: exact equality), `sku_eqi` (ASSUMED: case-insensitive equality) and numeric
    comparisons such as `replenishment_gt=0` (the suffix style real clients use); other parameters
    are ignored (ASSUMED)."""
    checks: list[Callable[[JSON], bool]] = []
    if "sku" in params:
        sku = params["sku"]
        checks.append(lambda r: r["sku"] == sku)
    if "sku_eqi" in params:
        folded = params["sku_eqi"].casefold()
        checks.append(lambda r: r["sku"].casefold() == folded)
    for name, raw in params.multi_items():
        match = _COMPARISON.match(name)
        if not match or match["field"] not in NUMERIC_FILTER_FIELDS:
            continue
        try:
            bound = float(raw)
        except ValueError:
            raise IpError(400, f"{name} must be a number") from None
        compare = _OPERATORS[match["op"]]
        field_name = match["field"]
        checks.append(lambda r, f=field_name, c=compare, b=bound: c(r[f], b))
    return lambda record: all(check(record) for check in checks)


Handler = Callable[[Request], JSON]


def inventory_planner_routes(ctx: SimContext) -> list[BaseRoute]:
    view = InventoryPlannerView(ctx.world)
    intake = SalesHistoryIntake(view, lambda: ctx.ip_drop_dir)
    warehouses = [warehouse_json(view, w) for w in view.warehouses]

    def respond(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not authorized(ctx, request):
                return _response(error_body(UNAUTHORIZED_MESSAGE), 401)
            accepted, _used, wait = ctx.inventory_planner_bucket.try_add()
            if not accepted:
                # Whole seconds, rounded up: IP clients parse Retry-After with int().
                retry_after = str(max(1, math.ceil(wait)))
                return _response(error_body(THROTTLED_MESSAGE), 429, {"Retry-After": retry_after})
            try:
                return _response(handler(request))
            except IpError as error:
                return _response(error_body(error.message), error.status)

        return endpoint

    def list_warehouses(request: Request) -> JSON:
        chunk, meta = page_of("warehouses", warehouses, request.query_params)
        return {"warehouses": chunk, "meta": meta, "result": SUCCESS}

    def list_variants(request: Request) -> JSON:
        params = request.query_params
        wanted = variant_filter(params)
        fields = parse_fields(params.get("fields"))
        chunk, meta = page_of("variants", [r for r in view.records if wanted(r)], params)
        return {"variants": [select_fields(r, fields) for r in chunk], "meta": meta, "result": SUCCESS}

    def one_variant(request: Request) -> JSON:
        record = view.records_by_id.get(request.path_params["variant_id"])
        if record is None:
            raise IpError(404, "Variant not found")
        fields = parse_fields(request.query_params.get("fields"))
        return {"variant": select_fields(record, fields), "result": SUCCESS}

    def unknown(request: Request) -> JSON:
        raise IpError(404, "Not found")

    async def sales_history(request: Request) -> Response:
        await run_in_threadpool(intake.scan)
        return _response(intake.snapshot())

    return [
        Route(f"{PREFIX}/warehouses", respond(list_warehouses), methods=["GET"]),
        Route(f"{PREFIX}/variants", respond(list_variants), methods=["GET"]),
        Route(f"{PREFIX}/variants/{{variant_id}}", respond(one_variant), methods=["GET"]),
        # Last: anything else under the API is IP's JSON 404, after auth and the bucket.
        Route(f"{PREFIX}/{{rest:path}}", respond(unknown), methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route(SALES_HISTORY_PATH, sales_history, methods=["GET"]),
    ]
