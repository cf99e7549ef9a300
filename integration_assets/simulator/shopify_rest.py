"""Shopify's legacy REST Admin read endpoints, served from the world.

Our own clients use GraphQL; these exist so third-party REST clients can be tested against the same
world, with the behaviours that break them in production: the leaky bucket (429 + Retry-After), the
call-limit header on every response, cursor pagination through an opaque `page_info` in the `Link`
header (only `limit` and `fields` may accompany it), the default `status=open` filter on
orders (api-notes/shopify-api.md sections 5 and 6), and access scopes: a route the app holds no
scope for answers 403 with Shopify's own body, before any data is read. Payload shapes live in
shopify_payloads.py; the shop and the disputes come from shop_profile.py and disputes.py, which
the GraphQL view renders too.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as dt
import json
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from integration_assets.simulator import shopify_payloads as payloads
from integration_assets.simulator.context import SimContext
from integration_assets.simulator.disputes import Dispute, disputes_of
from integration_assets.simulator.shop_profile import shop_profile
from integration_assets.simulator.shopify_auth import unauthorized
from integration_assets.simulator.world import (
    BalanceTransaction,
    InventoryItem,
    InventoryLevel,
    Location,
    Order,
    Payout,
    Product,
    Variant,
    World,
    financial_status,
)

T = TypeVar("T")
JSON = dict[str, Any]
Filters = dict[str, str]
SortKey = tuple[int, ...]

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
MAX_INVENTORY_ITEM_IDS = 100
PAGE_PARAMS = frozenset({"page_info", "limit", "fields"})
CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"
VERSION_PATTERN = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class RestError(Exception):
    """An error response in Shopify's `{"errors": ...}` shape."""

    def __init__(self, status: int, errors: Any) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


NOT_FOUND = RestError(404, "Not Found")


def _json_bytes(body: Any) -> bytes:
    """Compact, deterministic JSON: same world, same bytes. Ints stay ints at any size."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


# --- query parameters --------------------------------------------------------------------------


def _parse_limit(params: QueryParams) -> int:
    raw = params.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        limit = -1
    if not 1 <= limit <= MAX_LIMIT:
        # ASSUMED: Shopify answers an out-of-range limit with 400; the exact wording is unverified.
        raise RestError(400, {"limit": f"limit must be an integer between 1 and {MAX_LIMIT}"})
    return limit


def _parse_fields(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    return names or None


def _select_fields(record: JSON, fields: list[str] | None) -> JSON:
    if fields is None:
        return record
    wanted = set(fields)
    return {key: value for key, value in record.items() if key in wanted}


def _parse_ids(name: str, raw: str) -> list[int]:
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise RestError(400, {name: f"{name} must be a comma-separated list of integers"}) from exc


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise RestError(400, {name: f"{name} must be an integer"}) from exc


# A "+" in an unencoded query string arrives as a space: "2026-11-20T10:00:00 00:00".
_SPACE_OFFSET = re.compile(r"(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_timestamp(world: World, name: str, raw: str) -> dt.datetime:
    """ISO-8601 with offset (or Z); a date or a naive time is read in the shop's timezone."""
    value = _SPACE_OFFSET.sub(r"\1+\4", raw.strip())
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise RestError(400, {name: f"{name} is not a valid ISO-8601 timestamp"}) from exc
    if parsed.tzinfo is None:
        # ASSUMED: Shopify reads an offset-less time in the shop's timezone.
        parsed = parsed.replace(tzinfo=payloads.shop_zone(world))
    return parsed.astimezone(dt.UTC)


def _parse_date(name: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError as exc:
        raise RestError(400, {name: f"{name} must be a date (YYYY-MM-DD)"}) from exc


def _parse_bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise RestError(400, {name: f"{name} must be true or false"})


def _time_window(
    world: World, filters: Filters, field_name: str, moment: Callable[[T], dt.datetime]
) -> Callable[[T], bool]:
    """Inclusive `<field>_min` / `<field>_max` bounds, as Shopify documents them."""
    low_raw = filters.get(f"{field_name}_min")
    high_raw = filters.get(f"{field_name}_max")
    low = parse_timestamp(world, f"{field_name}_min", low_raw) if low_raw else None
    high = parse_timestamp(world, f"{field_name}_max", high_raw) if high_raw else None

    def inside(record: T) -> bool:
        at = moment(record)
        return (low is None or at >= low) and (high is None or at <= high)

    return inside


# --- page_info ---------------------------------------------------------------------------------


def encode_page_info(resource: str, filters: Filters, direction: str, key: SortKey) -> str:
    """An opaque cursor holding the resource, the filters and the boundary record's sort key."""
    raw = _json_bytes({"r": resource, "f": dict(sorted(filters.items())), "d": direction, "k": list(key)})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_info(token: str, resource: str) -> tuple[Filters, str, SortKey]:
    # ASSUMED: the error body for a damaged or foreign page_info (Shopify's wording unverified).
    invalid = RestError(400, {"page_info": "Invalid value."})
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not isinstance(data, dict) or data.get("r") != resource or data.get("d") not in ("next", "prev"):
        raise invalid
    filters, key = data.get("f"), data.get("k")
    if not isinstance(filters, dict) or not isinstance(key, list):
        raise invalid
    if not all(isinstance(v, str) for v in filters.values()) or not all(isinstance(k, int) for k in key):
        raise invalid
    return filters, data["d"], tuple(key)


# --- listings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One paginated collection: which filters it takes, how it selects, sorts and renders."""

    path: str  # after /admin/api/{version}/, e.g. "orders.json"
    root: str  # the JSON key of the list, e.g. "orders"
    filter_names: tuple[str, ...]
    select: Callable[[Filters], list[T]]  # validates the filters (RestError) and filters
    sort_key: Callable[[Filters], Callable[[T], SortKey]]
    render: Callable[[T], JSON]
    # What a page_info belongs to, when the path pins more than the root does (a location's levels).
    resource: str | None = None

    @property
    def cursor_scope(self) -> str:
        return self.resource or self.root


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] | None = None


def list_page(ctx: SimContext, request: Request, version: str, listing: Listing[T]) -> Reply:
    """Serve one page of a listing with Shopify's cursor rules and Link header."""
    params = request.query_params
    limit = _parse_limit(params)
    fields = _parse_fields(params.get("fields"))
    token = params.get("page_info")
    if token is not None:
        extra = sorted(set(params.keys()) - PAGE_PARAMS)
        if extra:
            # ASSUMED: wording modelled on Shopify's {"errors":{"page":"page cannot be passed."}}.
            raise RestError(400, {name: f"{name} cannot be passed with page_info." for name in extra})
        filters, direction, key = decode_page_info(token, listing.cursor_scope)
    else:
        filters = {name: params[name] for name in listing.filter_names if name in params}
        direction, key = "first", ()
    records = listing.select(filters)
    sort_key = listing.sort_key(filters)
    records.sort(key=sort_key)
    keys = [sort_key(record) for record in records]
    if direction == "first":
        start = 0
        end = min(limit, len(records))
    elif direction == "next":
        start = bisect.bisect_right(keys, key)
        end = min(start + limit, len(records))
    else:
        end = bisect.bisect_left(keys, key)
        start = max(0, end - limit)
    page = records[start:end]
    links: list[str] = []
    if page and start > 0:
        links.append(_link(ctx, version, listing, filters, "prev", keys[start], limit, fields))
    if page and end < len(records):
        links.append(_link(ctx, version, listing, filters, "next", keys[end - 1], limit, fields))
    body = {listing.root: [_select_fields(listing.render(record), fields) for record in page]}
    return Reply(body, headers={"Link": ", ".join(links)} if links else None)


def _link(
    ctx: SimContext,
    version: str,
    listing: Listing[Any],
    filters: Filters,
    direction: str,
    key: SortKey,
    limit: int,
    fields: list[str] | None,
) -> str:
    query: dict[str, str] = {"limit": str(limit)}
    if fields:
        query["fields"] = ",".join(fields)
    query["page_info"] = encode_page_info(listing.cursor_scope, filters, direction, key)
    rel = "next" if direction == "next" else "previous"
    return f'<{ctx.base_url}/admin/api/{version}/{listing.path}?{urlencode(query)}>; rel="{rel}"'


# --- orders ------------------------------------------------------------------------------------

ORDER_FILTERS = (
    "ids",
    "since_id",
    "status",
    "financial_status",
    "fulfillment_status",
    "created_at_min",
    "created_at_max",
    "updated_at_min",
    "updated_at_max",
    "processed_at_min",
    "processed_at_max",
)

# REST `fulfillment_status` filter value -> the order's REST fulfillment_status values it matches.
FULFILLMENT_FILTER: dict[str, set[str | None]] = {
    "shipped": {"fulfilled"},
    "fulfilled": {"fulfilled"},
    "partial": {"partial"},
    "unshipped": {None},
    "unfulfilled": {None, "partial"},
    "restocked": {"restocked"},
}

FINANCIAL_FILTER: dict[str, set[str]] = {
    "unpaid": {"authorized", "partially_paid"},
    **{
        s: {s}
        for s in (
            "authorized",
            "pending",
            "paid",
            "partially_paid",
            "refunded",
            "voided",
            "partially_refunded",
            "expired",
        )
    },
}


def order_status(order: Order) -> str:
    """The REST order status filter's view of an order.

    ASSUMED: one state per order with cancelled before closed (Shopify's Order#status), so
    status=closed excludes cancelled orders and status=open means neither cancelled nor closed.
    """
    if order.cancelled_at is not None:
        return "cancelled"
    if order.closed_at is not None:
        return "closed"
    return "open"


def select_orders(world: World, filters: Filters) -> list[Order]:
    """The orders a REST orders.json / count.json call with these filters returns."""
    status = filters.get("status", "open")
    # ASSUMED: unknown filter values are a 400 here (Shopify's handling is unverified), so a
    # client's typo fails loudly instead of silently returning every order.
    if status not in ("open", "closed", "cancelled", "any"):
        raise RestError(400, {"status": "status must be one of open, closed, cancelled, any"})
    financial = filters.get("financial_status", "any")
    if financial != "any" and financial not in FINANCIAL_FILTER:
        raise RestError(400, {"financial_status": f"unknown financial_status {financial!r}"})
    fulfillment = filters.get("fulfillment_status", "any")
    if fulfillment != "any" and fulfillment not in FULFILLMENT_FILTER:
        raise RestError(400, {"fulfillment_status": f"unknown fulfillment_status {fulfillment!r}"})
    ids = set(_parse_ids("ids", filters["ids"])) if "ids" in filters else None
    since_id = _parse_int("since_id", filters["since_id"]) if "since_id" in filters else None
    windows = [
        _time_window(world, filters, "created_at", lambda o: o.created_at),
        _time_window(world, filters, "updated_at", lambda o: o.updated_at),
        _time_window(world, filters, "processed_at", lambda o: o.processed_at),
    ]

    def wanted(order: Order) -> bool:
        if status != "any" and order_status(order) != status:
            return False
        if ids is not None and order.id not in ids:
            return False
        if since_id is not None and order.id <= since_id:
            return False
        if not all(inside(order) for inside in windows):
            return False
        if financial != "any" and financial_status(order).lower() not in FINANCIAL_FILTER[financial]:
            return False
        return fulfillment == "any" or (payloads.rest_fulfillment_status(order) in FULFILLMENT_FILTER[fulfillment])

    return [order for order in world.orders if wanted(order)]


def _order_sort(filters: Filters) -> Callable[[Order], SortKey]:
    if "since_id" in filters:
        # ASSUMED: since_id walks ids upwards, as the pre-cursor clients expect.
        return lambda o: (o.id,)
    # ASSUMED: newest first (created_at desc, id desc), REST orders.json's default order.
    return lambda o: (-_micros(o.created_at), -o.id)


# --- routes ------------------------------------------------------------------------------------

Handler = Callable[[Request, str], Reply]

# Scopes per REST resource family (Shopify's REST reference: "Requires ... access scope").
ORDERS, INVENTORY, LOCATIONS, PRODUCTS = "read_orders", "read_inventory", "read_locations", "read_products"
PAYMENTS = "read_shopify_payments_payouts"  # disputes too, on REST ("shopify_payments_payouts")


def missing_scope(scope: str) -> RestError:
    """Shopify's answer to a call the app holds no scope for (the body seen in real 403s)."""
    return RestError(403, f"[API] This action requires merchant approval for {scope} scope.")


def holds(ctx: SimContext, scope: str | None) -> bool:
    """A read scope is held directly or through its write scope."""
    return scope is None or scope in ctx.scopes or scope.replace("read_", "write_", 1) in ctx.scopes


def rest_routes(ctx: SimContext) -> list[BaseRoute]:
    """The REST read endpoints under /admin/api/{version}/."""
    world = ctx.world
    oldest_version = min(ctx.api_versions)
    leak_rate = ctx.plan.rest_leak_rate
    rate_text = str(int(leak_rate)) if leak_rate == int(leak_rate) else str(leak_rate)
    throttled_message = (
        f"Exceeded {rate_text} calls per second for api client. Reduce request rates to resume uninterrupted service."
    )

    def admit(request: Request) -> tuple[Response | None, dict[str, str]]:
        """What every REST call meets first: the token, then the leaky bucket (with its header)."""
        denied = unauthorized(ctx, request)
        if denied is not None:
            return denied, {}
        accepted, used, wait = ctx.rest_bucket.try_add()
        headers = {CALL_LIMIT_HEADER: f"{used}/{ctx.rest_bucket.size}"}
        if not accepted:
            # Round up to a tenth of a second so a client that waits exactly this long fits.
            headers["Retry-After"] = f"{max(math.ceil(wait * 10) / 10, 0.1):.1f}"
            return _response({"errors": throttled_message}, 429, headers), headers
        return None, headers

    def respond(handler: Handler, scope: str | None) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            refused, headers = admit(request)
            if refused is not None:
                return refused
            version = request.path_params["version"]
            if not VERSION_PATTERN.match(version):
                return _response({"errors": "Not Found"}, 404, headers)
            # Unknown versions fall forward to the oldest supported one (api-notes section 1).
            served = version if version in ctx.api_versions or version == "unstable" else oldest_version
            headers["X-Shopify-API-Version"] = served
            try:
                if not holds(ctx, scope):
                    # ASSUMED: a refused call still counts against the bucket (it reached the API).
                    raise missing_scope(scope or "")
                reply = handler(request, version)
            except RestError as error:
                return _response({"errors": error.errors}, error.status, headers)
            headers.update(reply.headers or {})
            return _response(reply.body, reply.status, headers)

        return endpoint

    def single(request: Request, root: str, record: JSON | None) -> Reply:
        if record is None:
            raise NOT_FOUND
        return Reply({root: _select_fields(record, _parse_fields(request.query_params.get("fields")))})

    def path_id(request: Request, name: str) -> int:
        return int(request.path_params[name])

    def find_order(request: Request) -> Order:
        order = world.orders_by_id.get(path_id(request, "order_id"))
        if order is None:
            raise NOT_FOUND
        return order

    # orders

    orders_listing: Listing[Order] = Listing(
        path="orders.json",
        root="orders",
        filter_names=ORDER_FILTERS,
        select=lambda f: select_orders(world, f),
        sort_key=_order_sort,
        render=lambda o: payloads.order_json(world, o),
    )

    def orders(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, orders_listing)

    def orders_count(request: Request, version: str) -> Reply:
        params = request.query_params
        filters = {name: params[name] for name in ORDER_FILTERS if name in params}
        return Reply({"count": len(select_orders(world, filters))})

    def order_one(request: Request, version: str) -> Reply:
        return single(request, "order", payloads.order_json(world, find_order(request)))

    def order_refunds(request: Request, version: str) -> Reply:
        order = find_order(request)
        refunds = sorted(order.refunds, key=lambda r: (r.created_at, r.id))
        fields = _parse_fields(request.query_params.get("fields"))
        return Reply({"refunds": [_select_fields(payloads.refund_json(world, order, r), fields) for r in refunds]})

    def order_fulfillments(request: Request, version: str) -> Reply:
        order = find_order(request)
        params = request.query_params
        fulfillments = sorted(order.fulfillments, key=lambda f: (f.created_at, f.id))
        if "since_id" in params:
            since_id = _parse_int("since_id", params["since_id"])
            fulfillments = [f for f in fulfillments if f.id > since_id]
        fields = _parse_fields(params.get("fields"))
        rendered = [_select_fields(payloads.fulfillment_json(world, order, f), fields) for f in fulfillments]
        return Reply({"fulfillments": rendered})

    def order_transactions(request: Request, version: str) -> Reply:
        order = find_order(request)
        params = request.query_params
        transactions = payloads.order_transactions(order)
        if "since_id" in params:
            since_id = _parse_int("since_id", params["since_id"])
            transactions = [t for t in transactions if t.id > since_id]
        fields = _parse_fields(params.get("fields"))
        rendered = [_select_fields(payloads.transaction_json(world, order, t), fields) for t in transactions]
        return Reply({"transactions": rendered})

    # tender transactions: money that moved, across orders

    tender_rows = [(order, txn) for order in world.orders for txn in payloads.tenders(order)]

    def select_tenders(filters: Filters) -> list[tuple[Order, Any]]:
        order_by = filters.get("order", "processed_at DESC").strip().lower()
        if order_by not in ("processed_at desc", "processed_at asc"):
            raise RestError(400, {"order": "order must be processed_at ASC or processed_at DESC"})  # ASSUMED
        since_id = _parse_int("since_id", filters["since_id"]) if "since_id" in filters else None
        day = _parse_date("processed_at", filters["processed_at"]) if "processed_at" in filters else None
        window = _time_window(world, filters, "processed_at", lambda row: row[1].processed_at)
        zone = payloads.shop_zone(world)
        return [
            row
            for row in tender_rows
            if (since_id is None or row[1].id > since_id)
            and (day is None or row[1].processed_at.astimezone(zone).date() == day)
            and window(row)
        ]

    def tender_sort(filters: Filters) -> Callable[[tuple[Order, Any]], SortKey]:
        if "since_id" in filters:
            return lambda row: (row[1].id,)
        sign = 1 if filters.get("order", "").strip().lower() == "processed_at asc" else -1
        # ASSUMED: newest first by default ("order" defaults to processed_at DESC).
        return lambda row: (sign * _micros(row[1].processed_at), sign * row[1].id)

    tenders_listing: Listing[tuple[Order, Any]] = Listing(
        path="tender_transactions.json",
        root="tender_transactions",
        filter_names=("since_id", "processed_at", "processed_at_min", "processed_at_max", "order"),
        select=select_tenders,
        sort_key=tender_sort,
        render=lambda row: payloads.tender_transaction_json(world, row[0], row[1]),
    )

    def tender_transactions(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, tenders_listing)

    # products and variants (REST deprecated them in 2024-04, but connectors still read them)

    available: dict[int, int] = {}
    for level in world.inventory_levels:
        available[level.inventory_item_id] = available.get(level.inventory_item_id, 0) + level.quantities.get(
            "available", 0
        )
    variants_of: dict[int, list[Variant]] = {}
    for variant in sorted(world.variants, key=lambda v: (v.position, v.id)):
        variants_of.setdefault(variant.product_id, []).append(variant)

    def render_product(product: Product) -> JSON:
        return payloads.product_json(world, product, variants_of.get(product.id, []), available)

    def select_products(filters: Filters) -> list[Product]:
        ids = set(_parse_ids("ids", filters["ids"])) if "ids" in filters else None
        since_id = _parse_int("since_id", filters["since_id"]) if "since_id" in filters else None
        status = {part.strip().upper() for part in filters.get("status", "").split(",") if part.strip()}
        exact = {name: filters[name] for name in ("title", "vendor", "handle", "product_type") if name in filters}
        windows = [
            _time_window(world, filters, "created_at", lambda p: p.created_at),
            _time_window(world, filters, "updated_at", lambda p: p.updated_at),
        ]
        fields = {"title": "title", "vendor": "vendor", "handle": "handle", "product_type": "product_type"}
        return [
            p
            for p in world.products
            if (ids is None or p.id in ids)
            and (since_id is None or p.id > since_id)
            and (not status or p.status in status)
            and all(getattr(p, fields[name]) == value for name, value in exact.items())
            and all(inside(p) for inside in windows)
        ]

    product_filters = (
        "ids",
        "since_id",
        "status",
        "title",
        "vendor",
        "handle",
        "product_type",
        "created_at_min",
        "created_at_max",
        "updated_at_min",
        "updated_at_max",
    )
    products_listing: Listing[Product] = Listing(
        path="products.json",
        root="products",
        filter_names=product_filters,
        select=select_products,
        # ASSUMED: by id, the order REST product listings come in.
        sort_key=lambda f: lambda p: (p.id,),
        render=render_product,
    )

    def products(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, products_listing)

    def products_count(request: Request, version: str) -> Reply:
        params = request.query_params
        return Reply({"count": len(select_products({n: params[n] for n in product_filters if n in params}))})

    def find_product(request: Request) -> Product:
        product = world.products_by_id.get(path_id(request, "product_id"))
        if product is None:
            raise NOT_FOUND
        return product

    def product_one(request: Request, version: str) -> Reply:
        return single(request, "product", render_product(find_product(request)))

    def product_variants(request: Request, version: str) -> Reply:
        product = find_product(request)
        fields = _parse_fields(request.query_params.get("fields"))
        rendered = [
            _select_fields(payloads.variant_json(world, v, available.get(v.inventory_item_id, 0)), fields)
            for v in variants_of.get(product.id, [])
        ]
        return Reply({"variants": rendered})

    def variant_one(request: Request, version: str) -> Reply:
        variant = world.variants_by_id.get(path_id(request, "variant_id"))
        record = payloads.variant_json(world, variant, available.get(variant.inventory_item_id, 0)) if variant else None
        return single(request, "variant", record)

    # locations

    locations_listing: Listing[Location] = Listing(
        path="locations.json",
        root="locations",
        filter_names=(),
        select=lambda f: list(world.locations),
        sort_key=lambda f: lambda loc: (loc.id,),
        render=lambda loc: payloads.location_json(world, loc),
    )

    def locations(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, locations_listing)

    def location_one(request: Request, version: str) -> Reply:
        location = world.locations_by_id.get(path_id(request, "location_id"))
        record = payloads.location_json(world, location) if location is not None else None
        return single(request, "location", record)

    def locations_count(request: Request, version: str) -> Reply:
        return Reply({"count": len(world.locations)})

    def location_levels(request: Request, version: str) -> Reply:
        location_id = path_id(request, "location_id")
        if location_id not in world.locations_by_id:
            raise NOT_FOUND
        listing: Listing[InventoryLevel] = Listing(
            path=f"locations/{location_id}/inventory_levels.json",
            root="inventory_levels",
            filter_names=(),
            select=lambda f: [lvl for lvl in world.inventory_levels if lvl.location_id == location_id],
            # ASSUMED: by inventory item id (Shopify does not document the order).
            sort_key=lambda f: lambda lvl: (lvl.inventory_item_id,),
            render=lambda lvl: payloads.inventory_level_json(world, lvl),
            resource=f"locations/{location_id}/inventory_levels",
        )
        return list_page(ctx, request, version, listing)

    # inventory

    def select_levels(filters: Filters) -> list[InventoryLevel]:
        if "inventory_item_ids" not in filters and "location_ids" not in filters:
            # ASSUMED: Shopify's 422 wording for a call with neither id list.
            raise RestError(422, ["inventory_item_ids, location_ids, or both are required"])
        item_ids = (
            set(_parse_ids("inventory_item_ids", filters["inventory_item_ids"]))
            if "inventory_item_ids" in filters
            else None
        )
        location_ids = set(_parse_ids("location_ids", filters["location_ids"])) if "location_ids" in filters else None
        since = (
            parse_timestamp(world, "updated_at_min", filters["updated_at_min"])
            if filters.get("updated_at_min")
            else None
        )
        return [
            level
            for level in world.inventory_levels
            if (item_ids is None or level.inventory_item_id in item_ids)
            and (location_ids is None or level.location_id in location_ids)
            and (since is None or level.updated_at >= since)
        ]

    levels_listing: Listing[InventoryLevel] = Listing(
        path="inventory_levels.json",
        root="inventory_levels",
        filter_names=("inventory_item_ids", "location_ids", "updated_at_min"),
        select=select_levels,
        # ASSUMED: item then location order (Shopify does not document the order of levels).
        sort_key=lambda f: lambda lvl: (lvl.inventory_item_id, lvl.location_id),
        render=lambda lvl: payloads.inventory_level_json(world, lvl),
    )

    def inventory_levels(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, levels_listing)

    def select_items(filters: Filters) -> list[InventoryItem]:
        raw = filters.get("ids", "")
        ids = _parse_ids("ids", raw) if raw else []
        if not ids:
            # ASSUMED: status and wording for a call without ids (Shopify requires them).
            raise RestError(400, {"ids": "ids is required"})
        if len(set(ids)) > MAX_INVENTORY_ITEM_IDS:
            raise RestError(400, {"ids": f"ids cannot contain more than {MAX_INVENTORY_ITEM_IDS} ids"})
        return [world.items_by_id[i] for i in sorted(set(ids)) if i in world.items_by_id]

    items_listing: Listing[InventoryItem] = Listing(
        path="inventory_items.json",
        root="inventory_items",
        filter_names=("ids",),
        select=select_items,
        sort_key=lambda f: lambda item: (item.id,),
        render=lambda item: payloads.inventory_item_json(world, item),
    )

    def inventory_items(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, items_listing)

    def inventory_item_one(request: Request, version: str) -> Reply:
        item = world.items_by_id.get(path_id(request, "item_id"))
        record = payloads.inventory_item_json(world, item) if item is not None else None
        return single(request, "inventory_item", record)

    # Shopify Payments

    def select_payouts(filters: Filters) -> list[Payout]:
        status = filters.get("status", "").lower()
        date_min = _parse_date("date_min", filters["date_min"]) if "date_min" in filters else None
        date_max = _parse_date("date_max", filters["date_max"]) if "date_max" in filters else None
        date_eq = _parse_date("date", filters["date"]) if "date" in filters else None
        since_id = _parse_int("since_id", filters["since_id"]) if "since_id" in filters else None
        last_id = _parse_int("last_id", filters["last_id"]) if "last_id" in filters else None
        return [
            p
            for p in world.payouts
            if (not status or p.status.lower() == status)
            and (date_min is None or p.date >= date_min)
            and (date_max is None or p.date <= date_max)
            and (date_eq is None or p.date == date_eq)
            and (since_id is None or p.id > since_id)
            and (last_id is None or p.id < last_id)
        ]

    payouts_listing: Listing[Payout] = Listing(
        path="shopify_payments/payouts.json",
        root="payouts",
        filter_names=("status", "date_min", "date_max", "date", "since_id", "last_id"),
        select=select_payouts,
        # ASSUMED: newest payout first, as the REST fixtures list them.
        sort_key=lambda f: lambda p: (-p.date.toordinal(), -p.id),
        render=lambda p: payloads.payout_json(world, p),
    )

    def payouts(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, payouts_listing)

    def payout_one(request: Request, version: str) -> Reply:
        payout = world.payouts_by_id.get(path_id(request, "payout_id"))
        record = payloads.payout_json(world, payout) if payout is not None else None
        return single(request, "payout", record)

    def select_balance(filters: Filters) -> list[BalanceTransaction]:
        payout_id = _parse_int("payout_id", filters["payout_id"]) if "payout_id" in filters else None
        payout_status = filters.get("payout_status", "").lower()
        test = _parse_bool("test", filters["test"]) if "test" in filters else None
        since_id = _parse_int("since_id", filters["since_id"]) if "since_id" in filters else None
        last_id = _parse_int("last_id", filters["last_id"]) if "last_id" in filters else None
        return [
            t
            for t in world.balance_transactions
            if (payout_id is None or t.payout_id == payout_id)
            and (not payout_status or t.payout_status.lower() == payout_status)
            and (test is None or t.test == test)
            and (since_id is None or t.id > since_id)
            and (last_id is None or t.id < last_id)
        ]

    balance_listing: Listing[BalanceTransaction] = Listing(
        path="shopify_payments/balance/transactions.json",
        root="transactions",
        filter_names=("payout_id", "payout_status", "test", "since_id", "last_id"),
        select=select_balance,
        # ASSUMED: newest first, like payouts.
        sort_key=lambda f: lambda t: (-_micros(t.processed_at), -t.id),
        render=lambda t: payloads.balance_transaction_json(world, t),
    )

    def balance_transactions(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, balance_listing)

    def balance(request: Request, version: str) -> Reply:
        return Reply(payloads.balance_json(world))

    disputes = disputes_of(world)
    disputes_by_id = {d.id: d for d in disputes}

    def select_disputes(filters: Filters) -> list[Dispute]:
        status = filters.get("status", "").lower()
        initiated = _parse_date("initiated_at", filters["initiated_at"]) if "initiated_at" in filters else None
        since_id = _parse_int("since_id", filters["since_id"]) if "since_id" in filters else None
        last_id = _parse_int("last_id", filters["last_id"]) if "last_id" in filters else None
        zone = payloads.shop_zone(world)
        return [
            d
            for d in disputes
            if (not status or d.status.lower() == status)
            # ASSUMED: initiated_at matches the day the dispute opened, in the shop's timezone.
            and (initiated is None or d.initiated_at.astimezone(zone).date() == initiated)
            and (since_id is None or d.id > since_id)
            and (last_id is None or d.id < last_id)
        ]

    disputes_listing: Listing[Dispute] = Listing(
        path="shopify_payments/disputes.json",
        root="disputes",
        filter_names=("status", "initiated_at", "since_id", "last_id"),
        select=select_disputes,
        # ASSUMED: newest (highest id) first, as Shopify's disputes fixture lists them.
        sort_key=lambda f: lambda d: (-d.id,),
        render=lambda d: payloads.dispute_json(world, d),
    )

    def dispute_list(request: Request, version: str) -> Reply:
        return list_page(ctx, request, version, disputes_listing)

    def dispute_one(request: Request, version: str) -> Reply:
        dispute = disputes_by_id.get(path_id(request, "dispute_id"))
        record = payloads.dispute_json(world, dispute) if dispute is not None else None
        return single(request, "dispute", record)

    profile = shop_profile(world)

    def shop(request: Request, version: str) -> Reply:
        return single(request, "shop", payloads.shop_json(world, profile))

    def unknown(request: Request, version: str) -> Reply:
        raise NOT_FOUND

    prefix = "/admin/api/{version}"
    table: Sequence[tuple[str, Handler, str | None]] = (
        ("/shop.json", shop, None),
        ("/orders.json", orders, ORDERS),
        ("/orders/count.json", orders_count, ORDERS),
        ("/orders/{order_id:int}.json", order_one, ORDERS),
        ("/orders/{order_id:int}/refunds.json", order_refunds, ORDERS),
        ("/orders/{order_id:int}/fulfillments.json", order_fulfillments, ORDERS),
        ("/orders/{order_id:int}/transactions.json", order_transactions, ORDERS),
        ("/tender_transactions.json", tender_transactions, ORDERS),
        ("/products.json", products, PRODUCTS),
        ("/products/count.json", products_count, PRODUCTS),
        ("/products/{product_id:int}.json", product_one, PRODUCTS),
        ("/products/{product_id:int}/variants.json", product_variants, PRODUCTS),
        ("/variants/{variant_id:int}.json", variant_one, PRODUCTS),
        ("/locations.json", locations, LOCATIONS),
        ("/locations/count.json", locations_count, LOCATIONS),
        ("/locations/{location_id:int}.json", location_one, LOCATIONS),
        ("/locations/{location_id:int}/inventory_levels.json", location_levels, INVENTORY),
        ("/inventory_levels.json", inventory_levels, INVENTORY),
        ("/inventory_items.json", inventory_items, INVENTORY),
        ("/inventory_items/{item_id:int}.json", inventory_item_one, INVENTORY),
        ("/shopify_payments/payouts.json", payouts, PAYMENTS),
        ("/shopify_payments/payouts/{payout_id:int}.json", payout_one, PAYMENTS),
        ("/shopify_payments/balance/transactions.json", balance_transactions, PAYMENTS),
        ("/shopify_payments/balance.json", balance, PAYMENTS),
        ("/shopify_payments/disputes.json", dispute_list, PAYMENTS),
        ("/shopify_payments/disputes/{dispute_id:int}.json", dispute_one, PAYMENTS),
        # Resources connectors also read that the simulated app holds no scope for: Shopify's 403.
        *((f"/{resource}{{rest:path}}", unknown, scope) for resource, scope in UNGRANTED_RESOURCES),
        # Last: any other GET under the prefix is Shopify's JSON 404, after auth and the bucket.
        ("/{resource:path}", unknown, None),
    )

    async def access_scopes(request: Request) -> Response:
        """`GET /admin/oauth/access_scopes.json`: the scopes the token holds (connectors check them
        before choosing streams). Unversioned; ASSUMED to share the REST bucket and its header."""
        refused, headers = admit(request)
        if refused is not None:
            return refused
        return _response({"access_scopes": [{"handle": scope} for scope in ctx.scopes]}, 200, headers)

    routes: list[BaseRoute] = [Route("/admin/oauth/access_scopes.json", access_scopes, methods=["GET"])]
    routes += [Route(prefix + path, respond(handler, scope), methods=["GET"]) for path, handler, scope in table]
    return routes


# REST resources (path prefixes) widely used connectors read, whose scope the simulated app was not
# granted, so they answer 403 as Shopify would; grant the scope in SimContext.scopes and they 404.
UNGRANTED_RESOURCES: tuple[tuple[str, str], ...] = (
    ("customers", "read_customers"),
    ("draft_orders", "read_draft_orders"),
    ("gift_cards", "read_gift_cards"),
    ("price_rules", "read_price_rules"),
)


def _response(body: Any, status: int, headers: dict[str, str]) -> Response:
    return Response(
        _json_bytes(body),
        status_code=status,
        headers=headers,
        media_type="application/json; charset=utf-8",
    )
