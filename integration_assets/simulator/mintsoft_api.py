"""Mintsoft's REST API as the simulator serves it: `{sim}/mintsoft/api/...`, as on api.mintsoft.co.uk.

Clients set MINTSOFT_BASE_URL = `{sim}/mintsoft` and call `/api/...` exactly as against the real
service. The behaviours that break clients in production are kept (api-notes/mintsoft-ip-api.md
section 1): the key comes from `POST /api/Auth` as a JSON *string* and dies after 24 hours (then
401 with an empty body); it is accepted as header `ms-apikey` or query `APIKey`; query keys bind
case-insensitively; lists are bare JSON arrays paged by a 1-based `PageNo` whose `Limit` is
silently clamped to the endpoint's cap, with `[]` past the end; Cloudflare answers a burst with a
429 whose body is an HTML page and whose `Retry-After` is a useless 0. Payloads live in
mintsoft_payloads.py.

Order of checks for every request but Auth: key (401), then the rate limit (429), then the route
(404 / 405), then the handler.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from integration_assets.simulator import mintsoft_payloads as payloads
from integration_assets.simulator.context import SimContext
from integration_assets.simulator.mintsoft_payloads import CLIENT_ID, MintsoftView, StockFigures
from integration_assets.simulator.rate_limits import Clock
from integration_assets.simulator.world import MintsoftProduct, World

PREFIX = "/mintsoft/api"
API_KEY_TTL_SECONDS = 24 * 3600  # "API keys last 24 hours" ([SPEC-PHP] AuthApi.md)

# (default, cap) of Limit per listing. Product/List and Inventory/Bulk are documented ([SPEC-PHP],
# [DISC]); the Order/List cap is undocumented: ASSUMED 100, as clients use. Return/List is itself
# ASSUMED (DESIGN.md); ASSUMED 100 like the other lists.
PRODUCT_LIMITS = (100, 100)
BULK_INVENTORY_LIMITS = (100, 500)
ORDER_LIMITS = (100, 100)
RETURN_LIMITS = (100, 100)

# ASSUMED: Cloudflare's rate-limit page (error 1015), shortened; the real page carries more markup
# and a Ray ID. What clients meet is the status, the HTML content type and `Retry-After: 0`.
THROTTLED_HTML = """<!DOCTYPE html>
<html lang="en-US">
<head>
<title>Access denied | api.mintsoft.co.uk used Cloudflare to restrict access</title>
<meta charset="UTF-8" />
<meta name="robots" content="noindex, nofollow" />
</head>
<body>
<div id="cf-wrapper">
<div id="cf-error-details">
<h1><span class="cf-error-type">Error</span> <span class="cf-error-code">1015</span></h1>
<h2 class="cf-subheadline">You are being rate limited</h2>
<p>The owner of this website (api.mintsoft.co.uk) has banned you temporarily from accessing this website.</p>
<p>error code: 1015</p>
</div>
</div>
</body>
</html>
"""

JSONBody = Any


class MintsoftError(Exception):
    """An error answered as ASP.NET Web API does: status + `{"Message": ...}` (ASSUMED, notes 1.3)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


# ASSUMED: ASP.NET's wording for a value that does not bind to the parameter's type.
INVALID_REQUEST = "The request is invalid."


def _json_bytes(body: JSONBody) -> bytes:
    """Compact, deterministic JSON: same world, same bytes."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _json_response(body: JSONBody, status: int = 200) -> Response:
    return Response(_json_bytes(body), status_code=status, media_type="application/json; charset=utf-8")


def _unauthorized() -> Response:
    # ASSUMED (notes 1.2): the 401 body is undocumented; empty.
    return Response(b"", status_code=401)


def _throttled() -> Response:
    # ASSUMED: Cloudflare's response headers beyond Retry-After (notes 1.3, [JSCLI]).
    return Response(
        THROTTLED_HTML.encode(),
        status_code=429,
        headers={"Retry-After": "0", "Server": "cloudflare"},
        media_type="text/html; charset=UTF-8",
    )


# --- API keys -----------------------------------------------------------------------------------


class ApiKeys:
    """Keys issued by /api/Auth, each valid for 24 hours on the simulator's clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        key = str(uuid.uuid4())  # ASSUMED (notes 1.2): an opaque GUID
        with self._lock:
            self._expiry[key] = self._clock() + API_KEY_TTL_SECONDS
        return key

    def is_valid(self, key: str | None) -> bool:
        if not key:
            return False
        with self._lock:
            expiry = self._expiry.get(key.strip())
        return expiry is not None and self._clock() < expiry


# --- query parameters ---------------------------------------------------------------------------

# A "+" in an unencoded query string arrives as a space: "2026-11-20T10:00:00 01:00".
_SPACE_OFFSET = re.compile(r"(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?) (\d{2}:?\d{2})$")


class Query:
    """Query parameters bound case-insensitively (ASSUMED, notes 1.1: ASP.NET's default)."""

    def __init__(self, params: QueryParams, world: World) -> None:
        self._world = world
        self._values: dict[str, str] = {}
        for key, value in params.multi_items():
            self._values.setdefault(key.lower(), value)

    def text(self, name: str) -> str | None:
        value = self._values.get(name.lower())
        return value if value is not None and value.strip() != "" else None

    def int(self, name: str, default: int | None = None) -> int | None:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            return int(raw.strip())
        except ValueError as exc:
            raise MintsoftError(400, INVALID_REQUEST) from exc

    def bool(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise MintsoftError(400, INVALID_REQUEST)

    def time(self, name: str) -> dt.datetime | None:
        """A date or date-time; ASSUMED: without an offset it is the shop's local time, like the output."""
        raw = self.text(name)
        if raw is None:
            return None
        value = _SPACE_OFFSET.sub(r"\1+\4", raw.strip())
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise MintsoftError(400, INVALID_REQUEST) from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=payloads.shop_zone(self._world))
        return parsed.astimezone(dt.UTC)

    def page(self, records: list[Any], limits: tuple[int, int]) -> list[Any]:
        """PageNo (1-based) and Limit, clamped silently to the cap; past the end is `[]`."""
        default, cap = limits
        page_no = self.int("PageNo", 1) or 1
        limit = self.int("Limit", default) or default
        # ASSUMED: PageNo below 1 reads as page 1 and a Limit below 1 as the default, not an error.
        page_no = max(page_no, 1)
        limit = min(limit if limit > 0 else default, cap)
        start = (page_no - 1) * limit
        return records[start : start + limit]

    def client_matches(self) -> bool:
        """An admin key may pin ClientId; another client's id sees nothing (ASSUMED)."""
        client_id = self.int("ClientId")
        return client_id is None or client_id == CLIENT_ID


# --- routing ------------------------------------------------------------------------------------

Handler = Callable[[Query, list[int]], JSONBody]


@dataclass(frozen=True)
class Endpoint:
    method: str
    pattern: tuple[str, ...]  # lower-case literals; "{id}" matches an integer
    handler: Handler


def _match(pattern: tuple[str, ...], segments: list[str]) -> list[int] | None:
    if len(pattern) != len(segments):
        return None
    ids: list[int] = []
    for part, segment in zip(pattern, segments, strict=True):
        if part == "{id}":
            if not segment.isdigit():
                return None
            ids.append(int(segment))
        elif part != segment.lower():
            return None
    return ids


def _not_found_route(request: Request) -> MintsoftError:
    # ASSUMED: ASP.NET Web API's wording for a path no controller matches.
    return MintsoftError(404, f"No HTTP resource was found that matches the request URI '{request.url}'.")


# --- the view's handlers ------------------------------------------------------------------------


class MintsoftApi:
    """The read endpoints over one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.view = MintsoftView(world)

    def endpoints(self) -> list[Endpoint]:
        get = "GET"
        # Literal paths before the {id} ones, so /Product/List is never read as a product id.
        return [
            Endpoint(get, ("warehouse",), self.warehouses),
            Endpoint(get, ("product", "list"), self.products),
            Endpoint(get, ("product", "search"), self.product_search),
            Endpoint(get, ("product", "stocklevels"), self.stock_levels),
            Endpoint(get, ("product", "inventory", "bulk"), self.bulk_inventory),
            Endpoint(get, ("product", "{id}"), self.product),
            Endpoint(get, ("product", "{id}", "bundle"), self.bundle),
            Endpoint(get, ("product", "{id}", "inventory"), self.product_inventory),
            Endpoint(get, ("order", "list"), self.orders),
            Endpoint(get, ("order", "search"), self.order_search),
            Endpoint(get, ("order", "statuses"), self.order_statuses),
            Endpoint(get, ("order", "{id}"), self.order),
            Endpoint(get, ("order", "{id}", "items"), self.order_items),
            Endpoint(get, ("return", "list"), self.returns),
            Endpoint(get, ("return", "reasons"), self.return_reasons),
        ]

    # lookups

    def _product(self, product_id: int) -> MintsoftProduct:
        product = self.view.products_by_id.get(product_id)
        if product is None:
            # ASSUMED: 404 with a Message for an unknown id (notes 1.3).
            raise MintsoftError(404, f"Product not found: {product_id}")
        return product

    # warehouses

    def warehouses(self, query: Query, ids: list[int]) -> JSONBody:
        return [payloads.warehouse_json(self.view, loc) for loc in self.view.warehouses]

    # products

    def products(self, query: Query, ids: list[int]) -> JSONBody:
        if not query.client_matches():
            return []
        since = query.time("SinceLastUpdated")
        records = [p for p in self.view.products if since is None or p.created_at >= since]
        return [payloads.product_json(self.view, p) for p in query.page(records, PRODUCT_LIMITS)]

    def product(self, query: Query, ids: list[int]) -> JSONBody:
        return payloads.product_json(self.view, self._product(ids[0]))

    def product_search(self, query: Query, ids: list[int]) -> JSONBody:
        # ASSUMED: a loose, case-insensitive substring match on SKU or Name (notes 1.6: "by SKU/Name",
        # clients re-filter exact SKUs), bundles included unless IncludeBundles=false, no paging.
        term = (query.text("Search") or "").strip().casefold()
        include_bundles = query.bool("IncludeBundles", True)
        query.bool("IncludeDiscontinued", False)  # validated; no product in the world is discontinued
        found = [
            p
            for p in self.view.products
            if (include_bundles or not p.is_bundle) and (term in p.sku.casefold() or term in p.name.casefold())
        ]
        return [payloads.product_json(self.view, p) for p in found]

    def bundle(self, query: Query, ids: list[int]) -> JSONBody:
        product = self._product(ids[0])
        if not product.is_bundle:
            raise MintsoftError(404, f"Product {product.id} is not a bundle")  # ASSUMED status and wording
        return payloads.bundle_json(self.view, product)

    # stock

    def stock_levels(self, query: Query, ids: list[int]) -> JSONBody:
        """StockLevel[]: WarehouseId 3 = that warehouse, 0 = all warehouses summed, blank = one row
        per warehouse (notes 1.5). No paging."""
        view = self.view
        if not query.client_matches():
            return []
        warehouse_id = query.int("WarehouseId")
        product_id = query.int("ProductId")
        sku = query.text("SKU")
        breakdown = query.bool("Breakdown", False)
        query.bool("IncludeSubclients", False)
        products = [
            p
            for p in view.products
            if (product_id is None or p.id == product_id)
            # ASSUMED: SQL Server's default case-insensitive collation for the SKU filter.
            and (sku is None or p.sku.casefold() == sku.strip().casefold())
        ]
        all_ids = [w.mintsoft_warehouse_id or 0 for w in view.warehouses]
        rows = []
        for product in products:
            if warehouse_id == 0:
                per_warehouse = [view.figures(product, wh) for wh in all_ids]
                summed = StockFigures(
                    sum(f.on_hand for f in per_warehouse),
                    sum(f.allocated for f in per_warehouse),
                    sum(f.quarantine for f in per_warehouse),
                )
                rows.append(
                    payloads.stock_level_json(view, product, 0, summed, view.stock_updated(product, None), breakdown)
                )
                continue
            for wh in all_ids if warehouse_id is None else [w for w in all_ids if w == warehouse_id]:
                rows.append(
                    payloads.stock_level_json(
                        view, product, wh, view.figures(product, wh), view.stock_updated(product, wh), breakdown
                    )
                )
        return rows

    def bulk_inventory(self, query: Query, ids: list[int]) -> JSONBody:
        view = self.view
        if not query.client_matches():
            return []
        warehouse_id = query.int("WarehouseId")
        breakdown = query.bool("Breakdown", False)
        rows = [
            (product, warehouse)
            for product, warehouse in view.inventory_rows()
            # ASSUMED: WarehouseId 0 or blank means every warehouse.
            if not warehouse_id or warehouse.mintsoft_warehouse_id == warehouse_id
        ]
        return [
            payloads.bulk_inventory_item_json(view, product, warehouse, breakdown)
            for product, warehouse in query.page(rows, BULK_INVENTORY_LIMITS)
        ]

    def product_inventory(self, query: Query, ids: list[int]) -> JSONBody:
        product = self._product(ids[0])
        breakdown = query.bool("Breakdown", False)
        view = self.view
        # A bundle has no inventory record of its own (StockLevelsByWarehouse: "Bundles not supported").
        return [
            payloads.inventory_item_json(view, product, warehouse.mintsoft_warehouse_id or 0, breakdown)
            for p, warehouse in view.inventory_rows()
            if p.id == product.id
        ]

    # orders

    def orders(self, query: Query, ids: list[int]) -> JSONBody:
        if not query.client_matches():
            return []
        status_id = query.int("OrderStatusId")
        warehouse_id = query.int("WarehouseId")
        since_date = query.time("SinceDate")
        since_updated = query.time("SinceLastUpdated")
        since_despatch = query.time("SinceDespatchDate")
        include_items = query.bool("IncludeOrderItems", False)
        records = [
            o
            for o in self.view.orders
            # ASSUMED: 0 is "any" for the id filters, and the Since* bounds are inclusive.
            if (not status_id or o.status_id == status_id)
            and (not warehouse_id or o.warehouse_id == warehouse_id)
            and (since_date is None or o.order_date >= since_date)
            and (since_updated is None or o.last_updated >= since_updated)
            and (since_despatch is None or (o.despatch_date is not None and o.despatch_date >= since_despatch))
        ]
        return [payloads.order_json(self.view, o, include_items) for o in query.page(records, ORDER_LIMITS)]

    def _order(self, order_id: int) -> Any:
        order = self.view.orders_by_id.get(order_id)
        if order is None:
            raise MintsoftError(404, f"Order not found: {order_id}")  # ASSUMED wording
        return order

    def order(self, query: Query, ids: list[int]) -> JSONBody:
        # ASSUMED: the single-order GET carries its OrderItems.
        return payloads.order_json(self.view, self._order(ids[0]), include_items=True)

    def order_items(self, query: Query, ids: list[int]) -> JSONBody:
        order = self._order(ids[0])
        return [payloads.order_item_json(self.view, order, line) for line in order.lines]

    def order_search(self, query: Query, ids: list[int]) -> JSONBody:
        # ASSUMED: a partial match unless exactMatch=true (notes 1.7: [DISC] adds exactMatch=true).
        number = (query.text("OrderNumber") or "").strip()
        if not number:
            return []
        exact = query.bool("exactMatch", False)
        found = [
            o
            for o in self.view.orders
            if (
                o.order_number.casefold() == number.casefold()
                if exact
                else number.casefold() in o.order_number.casefold()
            )
        ]
        return [payloads.order_json(self.view, o, include_items=False) for o in found]

    def order_statuses(self, query: Query, ids: list[int]) -> JSONBody:
        return payloads.order_statuses_json()

    # returns

    def returns(self, query: Query, ids: list[int]) -> JSONBody:
        # ASSUMED (DESIGN.md, notes 1.8): GET /api/Return/List?PageNo&Limit&SinceLastUpdated.
        if not query.client_matches():
            return []
        since = query.time("SinceLastUpdated")
        records = [r for r in self.view.returns if since is None or r.received_at >= since]
        return [payloads.return_json(self.view, r) for r in query.page(records, RETURN_LIMITS)]

    def return_reasons(self, query: Query, ids: list[int]) -> JSONBody:
        return payloads.return_reasons_json(self.world)


# --- routes -------------------------------------------------------------------------------------


async def _credentials(request: Request, query: Query) -> tuple[str | None, str | None]:
    """Username and password from the JSON body (POST) or the legacy query string (GET)."""
    if request.method == "GET":
        return query.text("UserName"), query.text("Password")
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MintsoftError(400, INVALID_REQUEST) from exc
    if not isinstance(body, dict):
        raise MintsoftError(400, INVALID_REQUEST)
    # ASSUMED: Json.NET binds property names case-insensitively.
    fields = {str(k).lower(): v for k, v in body.items()}
    username, password = fields.get("username"), fields.get("password")
    return (
        username if isinstance(username, str) else None,
        password if isinstance(password, str) else None,
    )


def mintsoft_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every Mintsoft endpoint, behind one route that dispatches case-insensitively as ASP.NET does."""
    api = MintsoftApi(ctx.world)
    endpoints = api.endpoints()
    keys = ApiKeys(ctx.clock)
    creds = ctx.credentials

    async def auth(request: Request, query: Query) -> Response:
        if request.method not in ("GET", "POST"):
            raise MintsoftError(405, f"The requested resource does not support http method '{request.method}'.")
        username, password = await _credentials(request, query)
        valid = (
            username is not None
            and password is not None
            and secrets.compare_digest(username.encode(), creds.mintsoft_username.encode())
            and secrets.compare_digest(password.encode(), creds.mintsoft_password.encode())
        )
        if not valid:
            return _unauthorized()
        accepted, _, _ = ctx.mintsoft_bucket.try_add()
        if not accepted:
            return _throttled()
        return _json_response(keys.issue())  # the key as a JSON string: "\"6f1c...\""

    async def dispatch(request: Request) -> Response:
        segments = [s for s in request.path_params["path"].split("/") if s]
        query = Query(request.query_params, ctx.world)
        try:
            if [s.lower() for s in segments] == ["auth"]:
                return await auth(request, query)
            key = request.headers.get("ms-apikey") or query.text("APIKey")
            if not keys.is_valid(key):
                return _unauthorized()
            accepted, _, _ = ctx.mintsoft_bucket.try_add()
            if not accepted:
                return _throttled()
            matched = [(e, ids) for e in endpoints if (ids := _match(e.pattern, segments)) is not None]
            if not matched:
                raise _not_found_route(request)
            for endpoint, ids in matched:
                if endpoint.method == request.method:
                    return _json_response(endpoint.handler(query, ids))
            # ASSUMED: ASP.NET Web API's 405 wording.
            raise MintsoftError(405, f"The requested resource does not support http method '{request.method}'.")
        except MintsoftError as error:
            return _json_response({"Message": error.message}, error.status)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    return [Route(PREFIX + "/{path:path}", dispatch, methods=methods)]
