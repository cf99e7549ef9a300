"""Mintsoft's REST API (api.mintsoft.co.uk), read side: warehouses, products, bundles, stock, orders, returns.

What the client has to get right (api-notes/mintsoft-ip-api.md section 1):
- The API key comes from `POST /api/Auth` (`{"Username", "Password"}` in, the key as a JSON *string*
  out) and lasts 24 hours; after that Mintsoft answers 401. The client logs in lazily, renews the
  key an hour before its 24 hours are up, and again on any 401 (a key revoked early). A fixed
  `api_key` is used as given and cannot be renewed without a username and password.
- The key travels only in the `ms-apikey` header, never as the `APIKey` query parameter Mintsoft
  also accepts: URLs end up in access logs, proxies and exception texts, headers do not.
- Mintsoft publishes no rate limit, but Cloudflare in front of it answers bursts with a 429 HTML page
  and a useless `Retry-After: 0`. The shared HTTP layer retries that with jittered backoff; this
  client paces with a token bucket and halves its pace after each throttled request (back up after
  a long clean run), so a too-eager setting corrects itself instead of hammering.
- Lists are bare JSON arrays paged by a 1-based `PageNo` and a `Limit` that Mintsoft silently clamps
  to the endpoint's cap (100 or 500), so a page shorter than the asked limit proves nothing: the
  client reads pages until one is `[]`. Every record comes back once (a record seen on an earlier
  page is dropped and counted in `duplicates_dropped`); a page of nothing but repeats is an error,
  not an endless loop.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from integration_assets.sources.http import ApiClient, ApiError, HttpApi, RetryPolicy, TokenBucket
from integration_assets.sources.mintsoft_models import (
    DEFAULT_TIMEZONE,
    Bundle,
    InventoryItem,
    Order,
    OrderStatus,
    Product,
    Return,
    StockLevel,
    Warehouse,
    zone,
)
from integration_assets.sources.validation import Parsed, parse_records

log = logging.getLogger("integration_assets.sources.mintsoft")

SERVICE = "mintsoft"
KEY_LIFETIME_SECONDS = 24 * 3600  # "API keys last 24 hours" ([SPEC-PHP] AuthApi.md)
KEY_RENEW_AFTER_SECONDS = KEY_LIFETIME_SECONDS - 3600  # renew with an hour to spare
MIN_RATE_PER_SECOND = 1.0  # the floor the pace halves down to after throttling
CLEAN_RUN_TO_SPEED_UP = 50  # unthrottled requests before the pace doubles back towards the setting
MAX_PAGES = 100_000  # a guard against a server that never answers `[]`

M = TypeVar("M", bound=BaseModel)
Raw = dict[str, Any]


def _record_id(raw: Any) -> Any:
    return raw.get("ID") if isinstance(raw, dict) else None


def _stock_level_id(raw: Any) -> str:
    return f"product {raw.get('ProductId')} warehouse {raw.get('WarehouseId')}"


class MintsoftClient(ApiClient):
    """A read-only Mintsoft client. Every method returns `Parsed` (typed records + rejected ones)."""

    def __init__(
        self,
        base_url: str,
        username: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
        rate_per_second: float = 4.0,
        burst: int = 8,
        page_size: int = 100,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._can_log_in = bool(username) and bool(password)
        if not api_key and not self._can_log_in:
            raise ValueError("Mintsoft needs a username and password, or an API key")
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        zone(timezone)  # an unknown zone fails here, not in the middle of a sync
        self.timezone = timezone
        self.page_size = page_size
        self._username = username
        self._password = password
        self._fixed_key = api_key
        self._key: str | None = api_key or None
        self._key_issued_at: float | None = None  # unknown for a key we were given
        self._clock = clock
        self._lock = threading.Lock()
        self._context = {"timezone": timezone}
        self._base_rate = rate_per_second
        self._clean_run = 0
        self.logins = 0  # keys obtained from /api/Auth
        self.duplicates_dropped = 0  # records a later page repeated
        self._http = HttpApi(
            SERVICE,
            base_url,
            self._auth_headers,
            secrets=self._secrets,
            bucket=TokenBucket(rate_per_second, burst, clock),
            retry=retry,
            timeout=timeout,
            renew_auth=self._renew_key if self._can_log_in else None,
            sleep=sleep,
            transport=transport,
        )

    # --- lifecycle ------------------------------------------------------------------------------

    def __repr__(self) -> str:  # no credentials, ever
        return f"MintsoftClient({self._http.base_url!r})"

    # --- the API key ----------------------------------------------------------------------------

    def _secrets(self) -> list[str]:
        return [s for s in (self._password, self._key, self._fixed_key) if s]

    def _auth_headers(self) -> Mapping[str, str]:
        with self._lock:
            if self._key is None or self._key_is_old():
                self._log_in()
            assert self._key is not None
            return {"ms-apikey": self._key}

    def _key_is_old(self) -> bool:
        if not self._can_log_in or self._key_issued_at is None:
            return False
        return self._clock() - self._key_issued_at >= KEY_RENEW_AFTER_SECONDS

    def _renew_key(self) -> None:
        """The shared layer's 401 hook: the key expired or was revoked."""
        with self._lock:
            self._log_in()

    def _log_in(self) -> None:
        try:
            reply = self._http.request(
                "POST",
                "api/Auth",
                json_body={"Username": self._username, "Password": self._password},
                authenticated=False,
            )
        except ApiError as error:
            if error.status in (400, 401, 403):
                # Said plainly, and without the credentials or the reply body.
                raise ApiError(SERVICE, "POST", "/api/Auth", error.status, "username or password refused") from None
            raise
        key = reply.body
        if not isinstance(key, str) or not key.strip():
            raise ApiError(SERVICE, "POST", "/api/Auth", reply.status, "the reply is not an API key (a JSON string)")
        self._key = key.strip()
        self._key_issued_at = self._clock()
        self.logins += 1
        log.info("mintsoft: new API key obtained (login %d)", self.logins)

    # --- requests and paging --------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        throttled_before = self.stats.throttled
        reply = self._http.request("GET", path, params=params)
        self._adapt_pace(self.stats.throttled - throttled_before)
        return reply.body

    def _adapt_pace(self, throttled: int) -> None:
        """Halve the pace after a throttled request; double it back after a long clean run."""
        bucket = self._http.bucket
        assert bucket is not None
        if throttled:
            self._clean_run = 0
            slower = max(min(MIN_RATE_PER_SECOND, self._base_rate), bucket.rate / 2)
            if slower < bucket.rate:
                log.info("mintsoft: throttled, pacing down to %.2f requests/s", slower)
                bucket.rate = slower
            return
        self._clean_run += 1
        if self._clean_run >= CLEAN_RUN_TO_SPEED_UP and bucket.rate < self._base_rate:
            self._clean_run = 0
            bucket.rate = min(self._base_rate, bucket.rate * 2)

    def _get_list(self, path: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        body = self._get(path, params)
        if not isinstance(body, list):
            raise ApiError(SERVICE, "GET", "/" + path, 200, f"expected a JSON array, got {type(body).__name__}")
        return body

    def _all_pages(
        self, path: str, params: Mapping[str, Any] | None = None, key: Callable[[Any], Any] = _record_id
    ) -> list[Any]:
        """Pages from PageNo 1 until `[]`; each record once (by `key`), in the order served."""
        records: list[Any] = []
        seen: set[Any] = set()
        limit = self.page_size
        page_no = 1
        while True:
            page = self._get_list(path, {**(params or {}), "PageNo": page_no, "Limit": limit})
            if not page:
                break
            fresh = 0
            for raw in page:
                record_key = key(raw)
                if record_key is not None:
                    if record_key in seen:
                        self.duplicates_dropped += 1
                        continue
                    seen.add(record_key)
                records.append(raw)
                fresh += 1
            if fresh == 0:
                raise ApiError(SERVICE, "GET", "/" + path, 200, f"page {page_no} only repeats records already read")
            if len(page) < limit:
                # Mintsoft clamps Limit silently: a short page may be its cap, so the next page decides.
                log.debug("mintsoft %s: page %d has %d < %d records; reading on", path, page_no, len(page), limit)
            page_no += 1
            if page_no > MAX_PAGES:
                raise ApiError(SERVICE, "GET", "/" + path, 200, f"no empty page after {MAX_PAGES} pages")
        log.info("mintsoft %s: %d records from %d pages (the last one empty)", path, len(records), page_no)
        return records

    def _parse(self, model: type[M], entity: str, raws: Iterable[Any], record_id: Callable[[Any], Any]) -> Parsed[M]:
        parsed = parse_records(model, entity, raws, record_id, context=self._context)
        for rejected in parsed.rejected:
            log.warning("mintsoft: rejected %s", rejected.reason)
        return parsed

    def _since(self, moment: dt.datetime | None) -> dict[str, str]:
        """A `Since*` bound as Mintsoft writes times: local, without offset, floored to the second
        (so the inclusive bound only ever widens)."""
        if moment is None:
            return {}
        if moment.tzinfo is None:
            raise ValueError("since_last_updated must be timezone-aware")
        local = moment.astimezone(zone(self.timezone)).replace(tzinfo=None, microsecond=0)
        return {"SinceLastUpdated": local.isoformat()}

    # --- endpoints ------------------------------------------------------------------------------

    def warehouses(self) -> Parsed[Warehouse]:
        """`GET /api/Warehouse` (not paged)."""
        return self._parse(Warehouse, "warehouse", self._get_list("api/Warehouse"), _record_id)

    def products(self, since_last_updated: dt.datetime | None = None) -> Parsed[Product]:
        """`GET /api/Product/List`, every page (Limit cap 100)."""
        raws = self._all_pages("api/Product/List", self._since(since_last_updated))
        return self._parse(Product, "product", raws, _record_id)

    def bundle(self, product_id: int) -> Parsed[Bundle]:
        """`GET /api/Product/{id}/Bundle`: one bundle and its components."""
        body = self._get(f"api/Product/{int(product_id)}/Bundle")
        return self._parse(Bundle, "bundle", [body], _record_id)

    def bundles(self, products: Iterable[Product] | None = None) -> Parsed[Bundle]:
        """The components of every bundle product (of `products`, or of a fresh product list)."""
        if products is None:
            products = self.products().records
        parsed: Parsed[Bundle] = Parsed()
        for product in products:
            if product.bundle:
                parsed.extend(self.bundle(product.id))
        return parsed

    def inventory(self, warehouse_id: int | None = None) -> Parsed[InventoryItem]:
        """`GET /api/Product/Inventory/Bulk`: OnHand, Allocated, InQuarantine per product and warehouse,
        every page (Limit cap 500). `warehouse_id` None = every warehouse."""
        params = {} if warehouse_id is None else {"WarehouseId": int(warehouse_id)}

        def key(raw: Any) -> Any:
            if not isinstance(raw, dict):
                return None
            return raw.get("ID") or (raw.get("ProductId"), raw.get("WarehouseId"))

        raws = self._all_pages("api/Product/Inventory/Bulk", params, key=key)
        return self._parse(InventoryItem, "inventory", raws, _record_id)

    def stock_levels(self, warehouse_id: int | None = None, *, breakdown: bool = False) -> Parsed[StockLevel]:
        """`GET /api/Product/StockLevels` (not paged). `warehouse_id`: N = that warehouse, 0 = all
        warehouses summed, None = one row per warehouse (Mintsoft's own convention)."""
        params: dict[str, Any] = {"Breakdown": "true" if breakdown else "false"}
        if warehouse_id is not None:
            params["WarehouseId"] = int(warehouse_id)
        raws = self._get_list("api/Product/StockLevels", params)
        return self._parse(StockLevel, "stock_level", raws, _stock_level_id)

    def orders(self, since_last_updated: dt.datetime | None = None, include_items: bool = True) -> Parsed[Order]:
        """`GET /api/Order/List`, every page (Limit cap ASSUMED 100), with lines when `include_items`."""
        params = {"IncludeOrderItems": "true" if include_items else "false", **self._since(since_last_updated)}
        raws = self._all_pages("api/Order/List", params)
        return self._parse(Order, "order", raws, _record_id)

    def returns(self, since_last_updated: dt.datetime | None = None) -> Parsed[Return]:
        """`GET /api/Return/List` (ASSUMED endpoint, DESIGN.md), every page, with ReturnItems."""
        raws = self._all_pages("api/Return/List", self._since(since_last_updated))
        return self._parse(Return, "return", raws, _record_id)

    def order_statuses(self) -> Parsed[OrderStatus]:
        """`GET /api/Order/Statuses`: the id -> name table (Order carries only OrderStatusId)."""
        return self._parse(OrderStatus, "order_status", self._get_list("api/Order/Statuses"), _record_id)
