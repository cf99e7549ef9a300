"""Shopify Admin GraphQL client: orders with everything nested, inventory, locations, payouts.

What it takes care of, so callers only ask for a window or a location:

- **Auth.** A static Admin token, or the client-credentials grant (`POST /admin/oauth/access_token`,
  form-encoded), fetched when first needed, fetched again shortly before it expires (on `clock`)
  and on a 401. Tokens and the client secret are redacted from every log line and error.
- **Cost.** Shopify charges each query its *requested* cost up front (objects 1, connections
  2 + `first` x node, scalars 0) and refunds the unused part. Every request is planned from the
  last `extensions.cost.throttleStatus` seen: the client waits on `sleep` until the bucket should
  hold the query's requested cost (known from Shopify's answer to the same query text, estimated
  by the same rules before that), so THROTTLED stays rare; one that comes anyway waits
  (requested - available) / restoreRate and goes again. Page sizes are chosen so that every
  query's requested cost stays under Shopify's 1000-point limit. Should Shopify price a query
  higher than the estimate (MAX_COST_EXCEEDED), the page is halved, remembered and asked again.
- **Completeness.** Nested connections beyond their first page are fetched with follow-up queries
  (`node(id:) { ... on Order { lineItems(first:, after:) } }`), so an order with 300 lines comes
  back whole. Refund lines, refund transactions and fulfillment lines hang off *lists*
  (`Order.refunds`, `Order.fulfillments`), where bulk operations allow no connection, so both
  the paged and the bulk path fetch them the same way afterwards: `nodes(ids:)` in batches,
  then follow-up pages for any that have more. The two paths therefore return the same records.
- **Bulk.** Windows longer than `bulk_after_days`, or holding at least `bulk_after_orders` orders
  (asked first with `ordersCount`, one point: a peak day pages for many minutes at the restore
  rate, while a bulk operation is not paced by it), go through `bulkOperationRunQuery`; the client
  polls `bulkOperation(id:)` with backoff and streams the JSONL result line by line, joining
  children to their order by `__parentId`. Starting is careful, because a start is not
  idempotent: a running operation of the same query is reused (extra copies cancelled); a start
  whose reply was lost (timeout, 5xx) is looked for among the operations begun since, and only
  sent again if none is ours; "already in progress" (the shop's bulk slots are full) waits.

The client is not thread-safe: use one per thread (the bucket is per shop, so several would
also compete for the same points).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

import httpx
from graphql import GraphQLError

from integration_assets.sources.http import ApiClient, ApiError, HttpApi, OutcomeUnknown, Reply, RetryPolicy, redact
from integration_assets.sources.shopify_models import (
    INVENTORY_QUANTITY_NAMES,
    BalanceTransaction,
    InventoryItem,
    InventoryLevel,
    Location,
    Order,
    Payout,
    parse_gid,
)
from integration_assets.sources.shopify_queries import (
    BALANCE_TRANSACTIONS,
    BULK_ORDERS,
    CANCEL_BULK,
    FRAGMENTS,
    FULFILLMENT_DETAILS,
    INVENTORY_ITEMS,
    INVENTORY_LEVELS,
    LOCATIONS,
    MAX_QUERY_COST,
    NESTED_FRAGMENTS,
    NESTED_PAGE,
    ORDERS_COUNT,
    ORDERS_PAGE,
    PAYOUTS,
    POLL_BULK,
    RECENT_BULK,
    REFUND_DETAILS,
    RUN_BULK_QUERY,
    document,
    estimate_cost,
    graphql_string,
)
from integration_assets.sources.validation import Parsed, parse_records

log = logging.getLogger("integration_assets.sources.shopify")

SERVICE = "shopify"
COST_BUDGET = 990  # what our queries aim for: headroom for rounding between our estimate and Shopify's
SAFETY_POINTS = 1.0  # a wait for points aims this far above the cost
MAX_PAGE_SIZE = 250
MAX_NODES_IDS = 250
TOKEN_REFRESH_MARGIN_SECONDS = 300.0  # refresh this long before expiry (at most a tenth of the lifetime)
BULK_POLL_FIRST_DELAY = 0.5
# A start whose reply was lost may not have reached Shopify yet when the client gives up on it: it is
# looked for this many times, with the poll's backoff between, before the start is sent again.
LOST_START_LOOKS = 3
BULK_POLL_MAX_DELAY = 15.0
BULK_WAIT_LIMIT_SECONDS = 6 * 3600.0
BULK_FAILED = frozenset({"FAILED", "CANCELED", "CANCELING", "EXPIRED"})
BULK_LIVE = frozenset({"CREATED", "RUNNING"})
BULK_SLOTS_TAKEN = frozenset({"LIMIT_REACHED", "OPERATION_IN_PROGRESS"})


class QueryTooCostly(ApiError):
    """Shopify priced the query above its single-query limit (MAX_COST_EXCEEDED)."""


# --- the point bucket, as last seen ---------------------------------------------------------------


class CostBucket:
    """Shopify's GraphQL point bucket, projected from the last throttleStatus seen.

    `reserve(cost)` answers how long to wait before a query of that requested cost may go, and
    books the points as spent from then on; the next throttleStatus replaces the projection. A
    request whose answer never came (timeout, truncated body) stays booked, which errs on the
    side of waiting.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.maximum: float | None = None
        self.restore_rate: float | None = None
        self._available = 0.0
        self._stamp = 0.0

    def observe(self, status: Any) -> None:
        try:
            maximum = float(status["maximumAvailable"])
            available = float(status["currentlyAvailable"])
            restore = float(status["restoreRate"])
        except (KeyError, TypeError, ValueError):
            return
        self.maximum, self._available, self.restore_rate = maximum, available, restore
        self._stamp = self._clock()

    def available(self) -> float | None:
        if self.maximum is None or self.restore_rate is None:
            return None
        elapsed = max(0.0, self._clock() - self._stamp)
        return min(self.maximum, self._available + elapsed * self.restore_rate)

    def reserve(self, cost: float) -> float:
        have = self.available()
        if have is None or not self.restore_rate or self.maximum is None:
            return 0.0  # nothing known yet: the first answer tells us
        need = min(cost, self.maximum)
        # Aim a point above the cost: the two clocks' arithmetic must not leave it 0.0001 short.
        delay = 0.0 if have >= need else (need + SAFETY_POINTS - have) / self.restore_rate
        self._available = have + delay * self.restore_rate - cost
        self._stamp = self._clock() + delay
        return delay


# --- the client -----------------------------------------------------------------------------------


class ShopifyClient(ApiClient):
    """One shop's Admin GraphQL API. Every method returns `Parsed[Model]`: records plus rejects."""

    def __init__(
        self,
        shop_url: str,
        api_version: str = "2026-01",
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
        page_size: int = 50,
        bulk_after_days: int = 7,
        bulk_after_orders: int = 1000,
        retry: RetryPolicy | None = None,
        nested_page_size: int = 10,
        cost_budget: int = COST_BUDGET,
        preorder_metafield: str = "custom.preorder",
        transport: httpx.BaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        if not access_token and not (client_id and client_secret):
            raise ValueError("ShopifyClient needs an access_token, or a client_id and client_secret")
        if not 1 <= page_size <= MAX_PAGE_SIZE or not 1 <= nested_page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page sizes must be between 1 and {MAX_PAGE_SIZE}")
        namespace, dot, key = preorder_metafield.partition(".")
        if not dot or not namespace or not key:
            raise ValueError(f"preorder_metafield must be 'namespace.key', got {preorder_metafield!r}")
        self.shop_url = shop_url.rstrip("/")
        self.api_version = api_version
        self.page_size = page_size
        self.nested_page_size = nested_page_size
        self.bulk_after_days = bulk_after_days
        self.bulk_after_orders = bulk_after_orders
        self.cost_budget = cost_budget
        self._static_token = access_token or None
        self._client_id = client_id
        self._client_secret = client_secret
        self._token: str | None = None
        self._token_expires_at: float | None = None
        self._clock = clock
        self._bucket = CostBucket(clock)
        self._fragments = dict(FRAGMENTS)
        self._fragments["InventoryVariantFields"] = FRAGMENTS["InventoryVariantFields"] % {
            "namespace": graphql_string(namespace),
            "key": graphql_string(key),
        }
        self._requested_cost: dict[tuple[str, tuple[int, ...]], int] = {}
        self._fitted: dict[tuple[str, int], int] = {}
        self.query_costs: dict[str, int] = {}  # operation -> largest requested cost Shopify reported
        self.graphql_requests = 0  # GraphQL attempts sent, retries included
        self._graphql_path = f"admin/api/{api_version}/graphql.json"
        self._http = HttpApi(
            SERVICE,
            self.shop_url,
            self._auth_headers,
            secrets=self._secrets,
            retry=retry,
            timeout=timeout,
            renew_auth=None if self._static_token else self._renew_token,
            sleep=sleep,
            transport=transport,
            seed=seed,
        )

    # --- lifecycle ------------------------------------------------------------------------------

    def __repr__(self) -> str:
        auth = "access token" if self._static_token else "client credentials"
        return f"ShopifyClient({self.shop_url!r}, api_version={self.api_version!r}, auth={auth})"

    # --- auth -----------------------------------------------------------------------------------

    def _secrets(self) -> list[str]:
        return [s for s in (self._static_token, self._client_secret, self._token) if s]

    def _auth_headers(self) -> dict[str, str]:
        return {"X-Shopify-Access-Token": self._access_token()}

    def _access_token(self) -> str:
        if self._static_token:
            return self._static_token
        expired = self._token_expires_at is not None and self._clock() >= self._token_expires_at
        if self._token is None or expired:
            self._fetch_token("expiring" if expired else "first use")
        assert self._token is not None
        return self._token

    def _renew_token(self) -> None:
        self._fetch_token("401")

    def _fetch_token(self, reason: str) -> None:
        """The client-credentials grant; the token lives `expires_in` seconds (24 h today)."""
        self._token = None
        reply = self._http.request(
            "POST",
            "admin/oauth/access_token",
            form={
                "grant_type": "client_credentials",
                "client_id": self._client_id or "",
                "client_secret": self._client_secret or "",
            },
            authenticated=False,
        )
        body = reply.body if isinstance(reply.body, dict) else {}
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise ApiError(SERVICE, "POST", "/admin/oauth/access_token", reply.status, "no access_token in the reply")
        self._token = token
        expires_in = body.get("expires_in")
        if isinstance(expires_in, int | float) and expires_in > 0:
            margin = min(TOKEN_REFRESH_MARGIN_SECONDS, expires_in / 10)
            self._token_expires_at = self._clock() + expires_in - margin
        else:
            self._token_expires_at = None  # no stated lifetime: renewed on a 401 only
        _event(logging.INFO, "token_fetched", reason=reason, expires_in=expires_in)

    # --- GraphQL --------------------------------------------------------------------------------

    def document(self, operation: str) -> str:
        """`operation` with the fragments it uses, this client's preorder metafield filled in."""
        return document(operation, self._fragments)

    def graphql(
        self, operation: str, query: str, variables: Mapping[str, Any] | None = None, *, idempotent: bool = True
    ) -> dict[str, Any]:
        """Run one query (paced by the point bucket) and return its `data`; errors raise ApiError
        (QueryTooCostly for MAX_COST_EXCEEDED; OutcomeUnknown when a mutation may have run)."""
        variables = dict(variables or {})
        key = (query, _list_sizes(variables))

        def requested() -> int:
            known = self._requested_cost.get(key)
            if known:
                return known
            try:
                return estimate_cost(query, variables)
            except GraphQLError:
                return MAX_QUERY_COST  # Shopify will word the syntax error; plan for the dearest query

        def pace() -> float:
            self.graphql_requests += 1
            delay = self._bucket.reserve(requested())
            if delay > 0:
                _event(logging.DEBUG, "pace", operation=operation, cost=requested(), wait=round(delay, 3))
            return delay

        def accept(reply: Reply) -> str | None:
            cost = _cost_extension(reply.body)
            if "throttleStatus" in cost:
                self._bucket.observe(cost["throttleStatus"])
            if isinstance(cost.get("requestedQueryCost"), int):
                self._requested_cost[key] = cost["requestedQueryCost"]
            if _error_codes(reply.body) & {"THROTTLED"}:
                self.stats.throttled += 1
                self.stats.count_fault("THROTTLED")
                status = cost.get("throttleStatus") or {}
                _event(
                    logging.INFO,
                    "throttled",
                    operation=operation,
                    requested=cost.get("requestedQueryCost"),
                    available=status.get("currentlyAvailable"),
                )
                return "THROTTLED"
            return None

        reply = self._http.request(
            "POST",
            self._graphql_path,
            json_body={"query": query, "variables": variables},
            accept=accept,
            pace=pace,
            idempotent=idempotent,
        )
        body = reply.body
        if not isinstance(body, dict):
            raise ApiError(SERVICE, "POST", "/" + self._graphql_path, reply.status, f"{operation}: not a JSON object")
        cost = _cost_extension(body)
        actual = cost.get("actualQueryCost")
        if isinstance(actual, int | float):
            self.stats.cost_points += actual
        errors = body.get("errors")
        if errors:
            kind = QueryTooCostly if "MAX_COST_EXCEEDED" in _error_codes(body) else ApiError
            detail = f"{operation}: {self._error_text(errors)}"
            raise kind(SERVICE, "POST", "/" + self._graphql_path, reply.status, detail)
        data = body.get("data")
        if not isinstance(data, dict):
            raise ApiError(SERVICE, "POST", "/" + self._graphql_path, reply.status, f"{operation}: no data")
        if isinstance(cost.get("requestedQueryCost"), int):  # a query Shopify ran
            self.query_costs[operation] = max(self.query_costs.get(operation, 0), cost["requestedQueryCost"])
        _event(
            logging.DEBUG,
            "graphql",
            operation=operation,
            requested=cost.get("requestedQueryCost"),
            actual=actual,
            available=(cost.get("throttleStatus") or {}).get("currentlyAvailable"),
        )
        return data

    def _failure(self, detail: str) -> ApiError:
        """A GraphQL answer that came back (HTTP 200) but cannot be used."""
        return ApiError(SERVICE, "POST", "/" + self._graphql_path, 200, redact(detail, self._secrets()))

    def _error_text(self, errors: Any) -> str:
        if isinstance(errors, list):
            parts = []
            for error in errors:
                if isinstance(error, dict):
                    code = (error.get("extensions") or {}).get("code")
                    message = str(error.get("message", error)).strip()
                    parts.append(f"{message} [{code}]" if code else message)
                else:
                    parts.append(str(error))
            text = "; ".join(parts)
        else:
            text = str(errors)
        return redact(text[:1000], self._secrets())

    def _fit(self, build: Callable[[int], str], cap: int) -> int:
        """The largest page size up to `cap` whose query stays within the cost budget."""
        cache_key = (build(1), cap)
        if cache_key in self._fitted:
            return self._fitted[cache_key]
        low, high = 1, cap
        if estimate_cost(build(1)) > self.cost_budget:
            raise ValueError("even a page of one exceeds the query cost limit")
        while low < high:
            middle = (low + high + 1) // 2
            if estimate_cost(build(middle)) <= self.cost_budget:
                low = middle
            else:
                high = middle - 1
        self._fitted[cache_key] = low
        return low

    def _fit_batch(self, query: str) -> int:
        """How many ids a `nodes(ids:)` query may take within the cost budget."""
        cache_key = (query, -1)
        if cache_key not in self._fitted:
            low, high = 1, MAX_NODES_IDS
            while low < high:
                middle = (low + high + 1) // 2
                if estimate_cost(query, {"ids": [""] * middle}) <= self.cost_budget:
                    low = middle
                else:
                    high = middle - 1
            self._fitted[cache_key] = low
        return self._fitted[cache_key]

    def _shrink(self, key: tuple[str, int], size: int, operation: str) -> None:
        """Shopify priced a query of `size` above its limit: remember half of it for this query."""
        if size <= 1:
            raise self._failure(f"{operation}: even one record a page exceeds the query cost limit")
        self._fitted[key] = size // 2
        self.stats.count_fault("max_cost_exceeded")
        _event(logging.WARNING, "max_cost_exceeded", operation=operation, first=size, retry_with=size // 2)

    def _sized(
        self,
        operation: str,
        build: Callable[[int], str],
        cap: int,
        variables: Mapping[str, Any],
        want: int | None = None,
    ) -> tuple[dict[str, Any], int]:
        """Run `build(size)` for the largest size that fits the budget (at most `want`), and the
        size used; MAX_COST_EXCEEDED halves the size, remembered for the rest of the sync."""
        while True:
            size = self._fit(build, cap)
            if want is not None:
                size = min(size, max(1, want))
            try:
                return self.graphql(operation, build(size), variables), size
            except QueryTooCostly:
                self._shrink((build(1), cap), size, operation)

    def _pages(
        self,
        operation: str,
        build: Callable[[int], str],
        variables: Mapping[str, Any],
        path: Sequence[str],
        cap: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """The node lists of a connection at `path` in the data, page after page (none if its parent is null)."""
        cursor: str | None = None
        while True:
            data, _ = self._sized(operation, build, cap or self.page_size, {**variables, "cursor": cursor})
            connection: Any = data
            for step in path:
                connection = connection.get(step) if isinstance(connection, dict) else None
            if connection is None:
                return
            yield _nodes(connection, operation)
            has_next, cursor = _next_page(connection, operation)
            if not has_next:
                return

    # --- nested connections ---------------------------------------------------------------------

    def _take_connection(self, parent_type: str, node: dict[str, Any], field: str) -> None:
        """Replace a first-page connection on `node` with the full list of its nodes."""
        connection = node.get(field)
        if connection is None:
            node[field] = []
            return
        items = _nodes(connection, f"{parent_type}.{field}")
        has_next, cursor = _next_page(connection, f"{parent_type}.{field}")
        if has_next:
            items = items + self._rest_of(parent_type, node["id"], field, cursor, len(items))
        node[field] = items

    def _rest_of(
        self, parent_type: str, parent_id: str, field: str, cursor: str | None, previous: int
    ) -> list[dict[str, Any]]:
        """Every node of `parent.field` after `cursor`.

        Pages double from the first page's size up to what the cost limit allows: a query is
        charged for the `first` it asks, not for what comes back, so a page of 60 for the 12th
        line of an order would make the bucket hold 60 lines' worth of points for nothing.
        """
        fragment = NESTED_FRAGMENTS[(parent_type, field)]

        def build(first: int) -> str:
            return self.document(
                NESTED_PAGE % {"type": parent_type, "field": field, "first": first, "fragment": fragment}
            )

        size = max(1, previous)
        items: list[dict[str, Any]] = []
        while cursor:
            variables = {"id": parent_id, "cursor": cursor}
            data, size = self._sized(f"{parent_type}.{field}", build, MAX_PAGE_SIZE, variables, want=size * 2)
            parent = data.get("node")
            if not isinstance(parent, dict) or not isinstance(parent.get(field), dict):
                raise self._failure(f"{parent_id} vanished while paging {field}")
            items += _nodes(parent[field], field)
            has_next, cursor = _next_page(parent[field], field)
            if not has_next:
                break
        return items

    def _fill_details(
        self, operation: str, query: str, parents: list[dict[str, Any]], parent_type: str, fields: Sequence[str]
    ) -> None:
        """Fetch each parent's connections (first pages by `nodes(ids:)` in batches, then the rest)."""
        by_id = {parent["id"]: parent for parent in parents}
        ids = list(by_id)
        start = 0
        while start < len(ids):
            chunk = ids[start : start + self._fit_batch(query)]
            try:
                nodes = self.graphql(operation, query, {"ids": chunk}).get("nodes")
            except QueryTooCostly:
                self._shrink((query, -1), len(chunk), operation)
                continue
            start += len(chunk)
            if not isinstance(nodes, list) or len(nodes) != len(chunk):
                raise self._failure(f"{operation}: nodes do not match ids")
            for wanted, node in zip(chunk, nodes, strict=True):
                if not isinstance(node, dict) or node.get("id") != wanted:
                    raise self._failure(f"{operation}: {wanted} not found")
                for field in fields:
                    self._take_connection(parent_type, node, field)
                    by_id[wanted][field] = node[field]

    def _complete_orders(self, orders: list[dict[str, Any]]) -> None:
        """Refund lines, refund transactions and fulfillment lines, the same for paged and bulk orders."""
        items = self.nested_page_size
        refunds = [r for o in orders for r in o.get("refunds") or [] if isinstance(r, dict)]
        fulfillments = [f for o in orders for f in o.get("fulfillments") or [] if isinstance(f, dict)]
        if refunds:
            # Refunds rarely carry more than a couple of transactions; a small first page keeps batches big.
            query = self.document(REFUND_DETAILS % {"items": items, "transactions": min(items, 2)})
            self._fill_details("RefundDetails", query, refunds, "Refund", ("refundLineItems", "transactions"))
        if fulfillments:
            query = self.document(FULFILLMENT_DETAILS % {"items": items})
            self._fill_details("FulfillmentDetails", query, fulfillments, "Fulfillment", ("fulfillmentLineItems",))

    # --- orders ---------------------------------------------------------------------------------

    def orders_updated(
        self, start: dt.datetime, end: dt.datetime, *, method: Literal["auto", "paged", "bulk"] = "auto"
    ) -> Parsed[Order]:
        """Every order with updated_at in [start, end), with all nested data.

        `auto` uses a bulk operation for windows longer than `bulk_after_days` or holding at least
        `bulk_after_orders` orders, paging otherwise;
        both give the same records, ordered by (updated_at, id). An order updated while the sync
        runs may be seen twice; it is kept once, as last seen.
        """
        start_text, end_text = _window_bound(start), _window_bound(end)
        if start_text >= end_text:
            return Parsed()
        search = f"updated_at:>='{start_text}' AND updated_at:<'{end_text}'"
        if method == "auto":
            method = "bulk" if self._worth_bulk(start, end, search) else "paged"
        raws = self._orders_bulk(search) if method == "bulk" else self._orders_paged(search)
        latest: dict[str, dict[str, Any]] = {}
        for raw in raws:
            latest.pop(raw.get("id"), None)
            latest[raw.get("id")] = raw
        orders = sorted(latest.values(), key=lambda o: (str(o.get("updatedAt")), _safe_numeric_id(o)))
        self._complete_orders(orders)
        _event(logging.INFO, "orders_fetched", method=method, orders=len(orders), start=start_text, end=end_text)
        return parse_records(Order, "order", orders, _record_id)

    def orders_by_id(self, order_ids: Sequence[int], *, batch: int = 50) -> Parsed[Order]:
        """These orders as they stand now, with all nested data, whenever they were last updated: what a
        payout's transactions name must be reconcilable whatever dates a sync covered. Ids Shopify does
        not have are simply absent."""
        ids = sorted(dict.fromkeys(int(order_id) for order_id in order_ids))
        raws: list[dict[str, Any]] = []
        for start in range(0, len(ids), batch):
            raws += self._orders_paged(" OR ".join(f"id:{order_id}" for order_id in ids[start : start + batch]))
        latest = {raw.get("id"): raw for raw in raws}
        orders = sorted(latest.values(), key=lambda o: (str(o.get("updatedAt")), _safe_numeric_id(o)))
        self._complete_orders(orders)
        _event(logging.INFO, "orders_fetched_by_id", asked=len(ids), orders=len(orders))
        return parse_records(Order, "order", orders, _record_id)

    def _orders_paged(self, search: str) -> list[dict[str, Any]]:
        lines = self.nested_page_size
        shipping = min(lines, 2)  # orders have one shipping line, rarely two

        def build(first: int) -> str:
            return self.document(ORDERS_PAGE % {"first": first, "lines": lines, "shipping": shipping})

        orders: list[dict[str, Any]] = []
        for page in self._pages("OrdersPage", build, {"query": search}, ("orders",)):
            for order in page:
                self._take_connection("Order", order, "lineItems")
                self._take_connection("Order", order, "shippingLines")
                orders.append(order)
        return orders

    def _orders_bulk(self, search: str) -> list[dict[str, Any]]:
        bulk_query = self.document(BULK_ORDERS % {"search": graphql_string(search)})
        url = self._run_bulk(bulk_query)
        orders: dict[str, dict[str, Any]] = {}
        children: list[tuple[str, dict[str, Any]]] = []
        for text in self._http.stream_lines(url) if url else ():
            if not text.strip():
                continue
            try:
                line = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ApiError(SERVICE, "GET", "bulk result", 200, f"a line is not JSON: {exc}") from None
            parent = line.pop("__parentId", None)
            if parent is None:
                line["lineItems"], line["shippingLines"] = [], []
                orders[line["id"]] = line
            else:
                children.append((parent, line))
        fields = {"LineItem": "lineItems", "ShippingLine": "shippingLines"}
        for parent, child in children:  # children follow their parent, but not always right after it
            kind = child.pop("__typename", None)
            if parent not in orders or kind not in fields:
                raise ApiError(SERVICE, "GET", "bulk result", 200, f"a {kind} line without its order {parent}")
            orders[parent][fields[kind]].append(child)
        return list(orders.values())

    def _recent_bulk(self) -> list[dict[str, Any]]:
        """The shop's recent bulk queries, newest first (id, status, query, createdAt)."""
        data = self.graphql("RecentBulkOperations", RECENT_BULK)
        return [op for op in _nodes(data.get("bulkOperations"), "bulkOperations") if isinstance(op, dict)]

    def _adopt(self, candidates: list[dict[str, Any]], why: str) -> str:
        """Take over one operation of our query (the furthest along, then the oldest) and cancel the
        other copies, which would only spend the shop's bulk slots on the same work."""
        rank = {"COMPLETED": 0, "RUNNING": 1, "CREATED": 2}
        ordered = sorted(candidates, key=lambda op: (rank.get(op.get("status"), 3), str(op.get("createdAt"))))
        kept, extras = ordered[0], ordered[1:]
        for extra in extras:
            if extra.get("status") in BULK_LIVE:
                self.graphql("CancelBulk", CANCEL_BULK, {"id": extra["id"]})
                _event(logging.INFO, "bulk_cancelled", operation=extra["id"], reason="duplicate")
        _event(logging.INFO, "bulk_reused", operation=kept["id"], status=kept.get("status"), reason=why)
        return str(kept["id"])

    def _worth_bulk(self, start: dt.datetime, end: dt.datetime, search: str) -> bool:
        """A long window, or a short one with many orders (a peak day), is read in bulk."""
        if end - start > dt.timedelta(days=self.bulk_after_days):
            return True
        counted = self.graphql("OrdersCount", ORDERS_COUNT, {"query": search, "limit": self.bulk_after_orders})
        found = (counted.get("ordersCount") or {}).get("count") or 0
        return int(found) >= self.bulk_after_orders

    def _find_lost_start(self, known: set[Any], bulk_query: str) -> list[dict[str, Any]]:
        """Operations running `bulk_query` begun since `known` was listed (and not failed), looked
        for now and then LOST_START_LOOKS more times with backoff: a start given up on may still be
        on its way through Shopify."""
        wait = BULK_POLL_FIRST_DELAY
        for look in range(LOST_START_LOOKS + 1):
            begun = [op for op in self._recent_bulk() if op.get("id") not in known]
            mine = [op for op in begun if op.get("query") == bulk_query and op.get("status") not in BULK_FAILED]
            if mine or look == LOST_START_LOOKS:
                return mine
            self._http.wait(wait)
            wait = min(wait * 2, BULK_POLL_MAX_DELAY)
        return []

    def _start_bulk(self, bulk_query: str) -> str:
        """The id of a bulk operation running `bulk_query`: a live one reused, or a new one.

        The start mutation is not idempotent, so it is never resent blindly: after a reply that
        did not come back, the operations begun since are listed and one with our query is taken;
        the list is read again a few times, with backoff, before the start is sent again, since a
        start given up on may still be on its way through Shopify.
        "Already in progress" (every bulk slot of the shop taken) waits with backoff.
        """
        recent = self._recent_bulk()
        live = [op for op in recent if op.get("query") == bulk_query and op.get("status") in BULK_LIVE]
        if live:
            return self._adopt(live, "already running")
        known = {op.get("id") for op in recent}
        delay = BULK_POLL_FIRST_DELAY
        deadline = self._clock() + BULK_WAIT_LIMIT_SECONDS
        while True:
            try:
                data = self.graphql("RunBulkQuery", RUN_BULK_QUERY, {"query": bulk_query}, idempotent=False)
            except OutcomeUnknown as exc:
                _event(logging.WARNING, "bulk_start_reply_lost", detail=str(exc))
                mine = self._find_lost_start(known, bulk_query)
                if mine:
                    return self._adopt(mine, "start reply lost")
            else:
                started = data.get("bulkOperationRunQuery")
                if not isinstance(started, dict):
                    raise self._failure(f"bulk query refused: {started}")
                errors = started.get("userErrors") or []
                if started.get("bulkOperation") and not errors:
                    operation_id = str(started["bulkOperation"]["id"])
                    _event(logging.INFO, "bulk_started", operation=operation_id)
                    return operation_id
                if not any(isinstance(e, dict) and e.get("code") in BULK_SLOTS_TAKEN for e in errors):
                    raise self._failure(f"bulk query refused: {errors}")
                _event(logging.INFO, "bulk_slots_taken", wait=delay, detail=errors[0].get("message"))
            if self._clock() > deadline:
                raise self._failure("bulk query could not start before the wait limit")
            self._http.wait(delay)
            delay = min(delay * 2, BULK_POLL_MAX_DELAY)

    def _run_bulk(self, bulk_query: str) -> str | None:
        """Start (or reuse) a bulk query, wait for it, and return its result URL (None when it found nothing)."""
        operation_id = self._start_bulk(bulk_query)
        delay = BULK_POLL_FIRST_DELAY
        deadline = self._clock() + BULK_WAIT_LIMIT_SECONDS
        while True:
            operation = self.graphql("BulkOperation", POLL_BULK, {"id": operation_id}).get("bulkOperation") or {}
            status = operation.get("status")
            if status == "COMPLETED":
                _event(logging.INFO, "bulk_completed", operation=operation_id, objects=operation.get("objectCount"))
                return operation.get("url")
            if status in BULK_FAILED or status is None:
                detail = f"bulk operation {operation_id} {status} ({operation.get('errorCode')})"
                raise self._failure(detail)
            if self._clock() > deadline:
                raise ApiError(
                    SERVICE, "POST", "/" + self._graphql_path, 200, f"bulk operation {operation_id} timed out"
                )
            self._http.wait(delay)
            delay = min(delay * 2, BULK_POLL_MAX_DELAY)

    # --- locations and inventory ----------------------------------------------------------------

    def locations(self) -> Parsed[Location]:
        """Every location, inactive and fulfillment-service ("legacy") ones included."""
        build = self._page_query(lambda n: LOCATIONS % {"first": n})
        raws = [node for page in self._pages("Locations", build, {}, ("locations",)) for node in page]
        return parse_records(Location, "location", raws, _record_id)

    def inventory_items(self) -> Parsed[InventoryItem]:
        """Every inventory item with its variants, their products and the preorder metafield."""
        variants = min(self.nested_page_size, 3)  # an item has one variant, rarely a few (2026-01)
        build = self._page_query(lambda n: INVENTORY_ITEMS % {"first": n, "variants": variants})
        raws: list[dict[str, Any]] = []
        for page in self._pages("InventoryItems", build, {}, ("inventoryItems",)):
            for item in page:
                self._take_connection("InventoryItem", item, "variants")
                raws.append(item)
        return parse_records(InventoryItem, "inventory_item", raws, _record_id)

    def inventory_levels(self, location_id: int) -> Parsed[InventoryLevel]:
        """One location's levels: every named quantity, its item and when it changed."""
        names = json.dumps(list(INVENTORY_QUANTITY_NAMES))
        build = self._page_query(lambda n: INVENTORY_LEVELS % {"first": n, "names": names})
        location = f"gid://shopify/Location/{int(location_id)}"
        data_path = ("location", "inventoryLevels")
        raws: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            data, _ = self._sized("InventoryLevels", build, self.page_size, {"location": location, "cursor": cursor})
            if data.get("location") is None:
                raise self._failure(f"no location {location_id}")
            connection = data[data_path[0]][data_path[1]]
            raws += _nodes(connection, "InventoryLevels")
            has_next, cursor = _next_page(connection, "InventoryLevels")
            if not has_next:
                break
        return parse_records(InventoryLevel, "inventory_level", raws, lambda raw: raw.get("id"))

    # --- Shopify Payments -----------------------------------------------------------------------

    def payouts(self, start: dt.date, end: dt.date) -> Parsed[Payout]:
        """Payouts dated in [start, end] (both inclusive); none when the shop has no Shopify Payments."""
        build = self._page_query(lambda n: PAYOUTS % {"first": n})
        search = f"date:>={start.isoformat()} date:<={end.isoformat()}"
        path = ("shopifyPaymentsAccount", "payouts")
        raws = [node for page in self._pages("Payouts", build, {"query": search}, path) for node in page]
        return parse_records(Payout, "payout", raws, _record_id)

    def balance_transactions(self, start: dt.datetime, end: dt.datetime) -> Parsed[BalanceTransaction]:
        """Balance transactions processed in [start, end)."""
        search = f"processed_at:>='{_window_bound(start)}' AND processed_at:<'{_window_bound(end)}'"
        return self._balance_transactions(search, "PROCESSED_AT")

    def balance_transactions_for_payouts(
        self, payout_ids: Sequence[int], *, batch: int = 25
    ) -> Parsed[BalanceTransaction]:
        """Every balance transaction of these payouts (the payout rows themselves included)."""
        parsed: Parsed[BalanceTransaction] = Parsed()
        ids = list(dict.fromkeys(int(p) for p in payout_ids))
        for start in range(0, len(ids), batch):
            search = " OR ".join(f"payout_id:{payout_id}" for payout_id in ids[start : start + batch])
            parsed.extend(self._balance_transactions(search, "ID"))
        return parsed

    def _balance_transactions(self, search: str, sort: str) -> Parsed[BalanceTransaction]:
        build = self._page_query(lambda n: BALANCE_TRANSACTIONS % {"first": n, "sort": sort})
        path = ("shopifyPaymentsAccount", "balanceTransactions")
        raws = [node for page in self._pages("BalanceTransactions", build, {"query": search}, path) for node in page]
        return parse_records(BalanceTransaction, "balance_transaction", raws, _record_id)

    def _page_query(self, operation: Callable[[int], str]) -> Callable[[int], str]:
        """The full document (fragments included) for a page of `first` records."""

        def build(first: int) -> str:
            return self.document(operation(first))

        return build


# --- helpers --------------------------------------------------------------------------------------


def _event(level: int, event: str, **fields: Any) -> None:
    """A structured log line: `shopify <event> k=v ...`, the fields also on the record as `shopify`."""
    if log.isEnabledFor(level):
        text = " ".join(f"{k}={v}" for k, v in fields.items())
        log.log(level, "shopify %s %s", event, text, extra={"event": f"shopify.{event}", "shopify": fields})


def _cost_extension(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        return {}
    extensions = body.get("extensions")
    cost = extensions.get("cost") if isinstance(extensions, dict) else None
    return cost if isinstance(cost, dict) else {}


def _error_codes(body: Any) -> set[str]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return set()
    return {
        str((e.get("extensions") or {}).get("code"))
        for e in errors
        if isinstance(e, dict) and isinstance(e.get("extensions"), dict)
    }


def _list_sizes(variables: Mapping[str, Any]) -> tuple[int, ...]:
    """What in the variables changes a query's cost: the length of list arguments (`ids`)."""
    return tuple(len(v) for _, v in sorted(variables.items()) if isinstance(v, list))


def _nodes(connection: Any, where: str) -> list[dict[str, Any]]:
    nodes = connection.get("nodes") if isinstance(connection, dict) else None
    if not isinstance(nodes, list):
        raise ApiError(SERVICE, "POST", "graphql", 200, f"{where}: a connection without nodes")
    return list(nodes)


def _next_page(connection: dict[str, Any], where: str) -> tuple[bool, str | None]:
    info = connection.get("pageInfo")
    if not isinstance(info, dict):
        raise ApiError(SERVICE, "POST", "graphql", 200, f"{where}: a connection without pageInfo")
    if not info.get("hasNextPage"):
        return False, None
    cursor = info.get("endCursor")
    if not cursor:
        raise ApiError(SERVICE, "POST", "graphql", 200, f"{where}: hasNextPage without an endCursor")
    return True, cursor


def _window_bound(moment: dt.datetime) -> str:
    """A window edge for Shopify's search, in UTC whole seconds; a fraction rounds up, since
    Shopify's timestamps are whole seconds and the bounds are `>=` start and `<` end."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"window bounds must be timezone-aware, got {moment!r}")
    utc = moment.astimezone(dt.UTC)
    if utc.microsecond:
        utc = utc.replace(microsecond=0) + dt.timedelta(seconds=1)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _record_id(raw: Any) -> Any:
    value = raw.get("id") if isinstance(raw, dict) else None
    try:
        return parse_gid(value)
    except ValueError:
        return value


def _safe_numeric_id(raw: dict[str, Any]) -> int:
    try:
        return parse_gid(raw.get("id"))
    except ValueError:
        return -1
