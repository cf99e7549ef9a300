"""Inventory Planner's public API (app.inventory-planner.com/api/v1), read side: warehouses and variants.

What the client has to get right (api-notes/mintsoft-ip-api.md section 2):
- Two headers on every request: `Authorization: <API key>` (raw, no "Bearer") and `Account: <id>`.
- Collections come under their plural name with a `meta` document (`start`, `total`, ...), paged by
  a 0-based `page` and a `limit` (at most 1000). The client reads pages until one is shorter than the
  limit; `meta.total` confirms it when present: a short page that leaves records unread means the
  server clamped the limit, so reading goes on, and a full page that reaches the total ends it
  without a wasted request. Each record comes back once (by id).
- `fields=id,sku,warehouse.in_stock` selects fields; nested warehouse metrics need the dot notation.
- IP publishes no rate limit; it answers 429 with a `Retry-After` in seconds, which the shared HTTP
  layer honours. The client paces itself with a token bucket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from integration_assets.sources.http import ApiClient, ApiError, HttpApi, RetryPolicy, TokenBucket
from integration_assets.sources.inventory_planner_models import Variant, Warehouse
from integration_assets.sources.validation import Parsed, parse_records

log = logging.getLogger("integration_assets.sources.inventory_planner")

SERVICE = "inventory_planner"
MAX_LIMIT = 1000  # "limit up to 1000 per docs" (notes 2.1)
MAX_PAGES = 100_000

M = TypeVar("M", bound=BaseModel)


def _record_id(raw: Any) -> Any:
    return raw.get("id") if isinstance(raw, dict) else None


class InventoryPlannerClient(ApiClient):
    """A read-only Inventory Planner client. Methods return `Parsed` (typed records + rejected ones)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        account: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
        rate_per_second: float = 2.0,
        burst: int = 4,
        page_size: int = 500,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_key or not account:
            raise ValueError("Inventory Planner needs an API key and an account id")
        if not 1 <= page_size <= MAX_LIMIT:
            raise ValueError(f"page_size must be between 1 and {MAX_LIMIT}")
        self.page_size = page_size
        self._api_key = api_key
        self._account = account
        self.duplicates_dropped = 0
        self._http = HttpApi(
            SERVICE,
            base_url,
            self._auth_headers,
            secrets=lambda: [self._api_key],
            bucket=TokenBucket(rate_per_second, burst, clock),
            retry=retry,
            timeout=timeout,
            sleep=sleep,
            transport=transport,
        )

    def __repr__(self) -> str:  # no key, ever
        return f"InventoryPlannerClient({self._http.base_url!r}, account={self._account!r})"

    def _auth_headers(self) -> Mapping[str, str]:
        return {"Authorization": self._api_key, "Account": self._account, "Accept": "application/json"}

    # --- paging ---------------------------------------------------------------------------------

    def _all_pages(self, path: str, name: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Pages from 0 until a short page (or meta.total reached); each record once, in order."""
        records: list[Any] = []
        seen: set[Any] = set()
        limit = self.page_size
        total: int | None = None
        page_no = 0
        while page_no < MAX_PAGES:
            body = self._http.request("GET", path, params={**(params or {}), "page": page_no, "limit": limit}).body
            if not isinstance(body, dict) or not isinstance(body.get(name), list):
                raise ApiError(SERVICE, "GET", "/" + path, 200, f"expected an object with a {name!r} list")
            page = body[name]
            meta = body.get("meta")
            if isinstance(meta, dict) and isinstance(meta.get("total"), int) and not isinstance(meta["total"], bool):
                total = meta["total"]
            fresh = 0
            for raw in page:
                key = _record_id(raw)
                if key is not None:
                    if key in seen:
                        self.duplicates_dropped += 1
                        continue
                    seen.add(key)
                records.append(raw)
                fresh += 1
            page_no += 1
            if not page:
                break
            if fresh == 0:
                raise ApiError(SERVICE, "GET", "/" + path, 200, f"page {page_no - 1} only repeats records already read")
            if total is not None:
                if len(records) >= total:
                    break
                continue  # a short page with records left: the server clamped the limit
            if len(page) < limit:
                break
        if total is not None and len(records) != total:
            # The collection changed while it was read; the caller sees it in the log and the counts.
            log.warning("inventory_planner %s: read %d records, meta.total says %d", path, len(records), total)
        log.info("inventory_planner %s: %d records in %d pages", path, len(records), page_no)
        return records

    def _parse(self, model: type[M], entity: str, raws: Iterable[Any]) -> Parsed[M]:
        parsed = parse_records(model, entity, raws, _record_id)
        for rejected in parsed.rejected:
            log.warning("inventory_planner: rejected %s", rejected.reason)
        return parsed

    # --- endpoints ------------------------------------------------------------------------------

    def warehouses(self) -> Parsed[Warehouse]:
        """`GET api/v1/warehouses` (ASSUMED endpoint, notes 2.3)."""
        return self._parse(Warehouse, "warehouse", self._all_pages("api/v1/warehouses", "warehouses"))

    def variants(self, fields: list[str] | None = None) -> Parsed[Variant]:
        """`GET api/v1/variants`, every page. `fields` selects (dot notation for `warehouse.*`);
        `id` is always asked for, since records are told apart by it."""
        params: dict[str, Any] = {}
        if fields:
            names = ["id", *(f.strip() for f in fields if f.strip() and f.strip() != "id")]
            params["fields"] = ",".join(names)
        return self._parse(Variant, "variant", self._all_pages("api/v1/variants", "variants", params))
