"""The one HTTP layer every API client uses: timeouts, bounded retries, rate limits, redacted logs.

Why one layer: the failures that lose rows in other connectors (a 429 retried too soon, a 200 whose
body was cut off, a token pasted into a log line) are solved once here and tested once against the
simulator's faults. Clients above it only describe requests and parse results.

Retried: 429 (after Retry-After, or a backoff when the service says 0), 5xx, timeouts, connection
errors and 200 responses whose JSON body is truncated. Not retried: other 4xx, which are the
caller's mistake and raise `ApiError` at once. A 401 gets one chance to renew credentials first.
A request that is not idempotent (it starts something, such as a Shopify bulk operation) is not
resent after a failure that may have come after the service acted on it (a read timeout, a 5xx, a
cut-off reply): `OutcomeUnknown` says so, and the caller looks before it tries again.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

log = logging.getLogger("integration_assets.sources")

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504, 520, 522, 524})
REDACTED = "[redacted]"


class ApiError(RuntimeError):
    """A request that failed for good; the message names the service, method, path and status."""

    def __init__(self, service: str, method: str, path: str, status: int | None, detail: str) -> None:
        self.service = service
        self.status = status
        where = f"{service} {method} {path}"
        super().__init__(f"{where} failed ({status if status is not None else 'no response'}): {detail}")


class OutcomeUnknown(ApiError):
    """A non-idempotent request failed after it may have reached the service: it may have run."""


# Failures after which the request certainly never reached the service: safe to send again.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass
class RequestStats:
    """What a sync cost, for asset metadata: the numbers a data engineer compares across runs."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429s and Shopify THROTTLED responses
    wait_seconds: float = 0.0  # time spent waiting for rate limits and backoff
    cost_points: float = 0.0  # Shopify GraphQL actual query cost
    faults: dict[str, int] = field(default_factory=dict)  # kind -> count of retried failures

    def count_fault(self, kind: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1

    def as_metadata(self) -> dict[str, float | int]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "throttled": self.throttled,
            "wait_seconds": round(self.wait_seconds, 3),
            "cost_points": round(self.cost_points, 1),
            **{f"faults_{k}": v for k, v in sorted(self.faults.items())},
        }


class TokenBucket:
    """Client-side pacing for APIs that publish no limit: `rate` requests a second, bursts of `capacity`."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._clock = clock
        self._stamp = clock()
        self._lock = threading.Lock()

    def delay_for(self, tokens: float = 1.0) -> float:
        """Reserve `tokens` and return how long to wait before using them."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= tokens
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.25
    max_delay: float = 20.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with full jitter (attempt counts from 1)."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


class _QueryStringRedaction(logging.Filter):
    """httpx logs every request's full URL at INFO; signed download URLs (Shopify's bulk results)
    and some APIs carry credentials in the query string, so the query string is dropped there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) and a.query for a in record.args):
            record.args = tuple(
                f"{a.copy_with(query=None)}?{REDACTED}" if isinstance(a, httpx.URL) and a.query else a
                for a in record.args
            )
        return True


_QUERY_STRING_REDACTION = _QueryStringRedaction()


def _redact_httpx_logs() -> None:
    httpx_log = logging.getLogger("httpx")
    if _QUERY_STRING_REDACTION not in httpx_log.filters:
        httpx_log.addFilter(_QUERY_STRING_REDACTION)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


@dataclass
class Reply:
    status: int
    headers: httpx.Headers
    body: Any  # parsed JSON


class HttpApi:
    """A JSON API behind one base URL, with auth headers from a callable (so keys can be renewed)."""

    def __init__(
        self,
        service: str,
        base_url: str,
        auth_headers: Callable[[], Mapping[str, str]],
        *,
        secrets: Callable[[], Iterable[str]] = lambda: (),
        bucket: TokenBucket | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        renew_auth: Callable[[], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        seed: int | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self._auth_headers = auth_headers
        self._secrets = secrets
        self.bucket = bucket
        self.retry = retry or RetryPolicy()
        self._renew_auth = renew_auth
        self._sleep = sleep
        self._rng = random.Random(seed)
        self.stats = RequestStats()
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)
        _redact_httpx_logs()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait(self, seconds: float) -> None:
        if seconds > 0:
            self.stats.wait_seconds += seconds
            self._sleep(seconds)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        authenticated: bool = True,
        accept: Callable[[Reply], str | None] | None = None,
        pace: Callable[[], float] | None = None,
        idempotent: bool = True,
    ) -> Reply:
        """Send until a good reply or the retry budget runs out.

        `form` sends a form-encoded body instead of JSON (OAuth token endpoints want one).
        `accept` lets a client classify a 200 as retryable (returns a fault name, e.g. Shopify's
        THROTTLED) after the shared checks pass. `pace` is asked before every attempt, retries
        included, how long to wait first: a limiter that knows what this request costs (Shopify's
        point bucket) plans each attempt with it, as `bucket` does for a flat request rate.
        `idempotent=False` raises `OutcomeUnknown` instead of resending after a failure the service
        may have acted on; 429s, THROTTLED and connection failures are still retried (nothing ran).
        """
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        shown = self._shown_path(url)
        renewed = False
        last_detail = ""
        status: int | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            if self.bucket is not None:
                self.wait(self.bucket.delay_for())
            if pace is not None:
                self.wait(pace())
            headers = dict(self._auth_headers()) if authenticated else {}
            self.stats.requests += 1
            started = time.monotonic()
            try:
                response = self._client.request(method, url, params=params, json=json_body, data=form, headers=headers)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                status, last_detail = None, type(exc).__name__
                if not idempotent and not isinstance(exc, NOT_SENT):
                    raise self._outcome_unknown(method, shown, None, last_detail) from exc
                self._retry_later(
                    attempt, "timeout" if isinstance(exc, httpx.TimeoutException) else "connection", shown
                )
                continue
            status = response.status_code
            elapsed = time.monotonic() - started
            if status == 401 and authenticated and self._renew_auth is not None and not renewed:
                renewed = True
                log.info("%s %s %s: 401, renewing credentials", self.service, method, shown)
                self._renew_auth()
                continue
            if status in RETRYABLE_STATUS:
                last_detail = f"HTTP {status}"
                if status != 429 and not idempotent:
                    raise self._outcome_unknown(method, shown, status, last_detail)
                if status == 429:
                    self.stats.throttled += 1
                    self._retry_later(attempt, "429", shown, _retry_after(response))
                else:
                    self._retry_later(attempt, str(status), shown)
                continue
            if status >= 400:
                raise ApiError(self.service, method, shown, status, self._safe_detail(response))
            try:
                body = response.json() if response.content else None
            except (json.JSONDecodeError, UnicodeDecodeError):
                last_detail = f"truncated or invalid JSON body ({len(response.content)} bytes)"
                if not idempotent:
                    raise self._outcome_unknown(method, shown, status, last_detail) from None
                self._retry_later(attempt, "truncated", shown)
                continue
            reply = Reply(status, response.headers, body)
            fault = accept(reply) if accept else None
            if fault:
                last_detail = fault
                continue  # the accept hook (or the pace hook, next attempt) waits as the service asked
            log.debug("%s %s %s -> %s in %.3fs", self.service, method, shown, status, elapsed)
            return reply
        raise ApiError(
            self.service, method, shown, status, f"gave up after {self.retry.max_attempts} attempts: {last_detail}"
        )

    def stream_lines(self, url: str, *, authenticated: bool = False) -> Iterator[str]:
        """The lines of a large text download (a JSONL export), read as they arrive.

        A download cut off part-way (connection reset, timeout, a 5xx) starts again from the top
        and skips the lines already handed out, so the caller sees every line once; this assumes
        the file does not change, which holds for export files such as Shopify's bulk results.
        Signed storage URLs carry their credential in the query string: never logged, and by
        default no auth header is sent (the file lives on another host than the API).
        """
        shown = self._shown_path(url)
        delivered = 0
        last_detail = ""
        status: int | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            headers = dict(self._auth_headers()) if authenticated else {}
            self.stats.requests += 1
            seen = 0
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status in RETRYABLE_STATUS:
                        last_detail = f"HTTP {status}"
                        self._retry_later(attempt, str(status), shown, _retry_after(response))
                        continue
                    if status >= 400:
                        response.read()
                        raise ApiError(self.service, "GET", shown, status, self._safe_detail(response))
                    for line in response.iter_lines():
                        seen += 1
                        if seen > delivered:
                            delivered = seen
                            yield line
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                status, last_detail = None, type(exc).__name__
                kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
                log.info("%s GET %s: download cut after %d lines", self.service, shown, seen)
                self._retry_later(attempt, kind, shown)
                continue
            log.debug("%s GET %s -> %s, %d lines", self.service, shown, status, delivered)
            return
        raise ApiError(
            self.service, "GET", shown, status, f"gave up after {self.retry.max_attempts} attempts: {last_detail}"
        )

    def _outcome_unknown(self, method: str, shown: str, status: int | None, detail: str) -> OutcomeUnknown:
        self.stats.count_fault("outcome_unknown")
        log.warning("%s %s %s: %s after it may have run; not resent", self.service, method, shown, detail)
        return OutcomeUnknown(self.service, method, shown, status, f"{detail}; it may have run")

    def _retry_later(self, attempt: int, kind: str, shown: str, retry_after: float | None = None) -> None:
        self.stats.count_fault(kind)
        if attempt >= self.retry.max_attempts:
            return
        self.stats.retries += 1
        delay = retry_after if retry_after else self.retry.backoff(attempt, self._rng)
        log.info("%s %s: %s, retry %d in %.2fs", self.service, shown, kind, attempt, delay)
        self.wait(delay)

    def _shown_path(self, url: str) -> str:
        """The path for logs and errors: no query string (keys travel there) and no secrets."""
        return redact(urlsplit(url).path, self._secrets())

    def _safe_detail(self, response: httpx.Response) -> str:
        text = response.text[:300].replace("\n", " ")
        return redact(text, self._secrets()) or response.reason_phrase


class ApiClient:
    """What every client shares over its HttpApi: the request statistics and closing the connection."""

    _http: HttpApi

    @property
    def stats(self) -> RequestStats:
        return self._http.stats

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds and seconds > 0 else None
