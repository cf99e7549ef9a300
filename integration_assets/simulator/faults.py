"""Fault injection for every simulated API: the failures real integrations must survive.

`--faults 429=0.05,500=0.02,timeout=0.01,truncate=0.01` gives each kind a per-request probability.
The draw for a request is a hash of the seed, the request itself (method, path, query, body) and
how many times that same request has been seen, so the same seed faults the same requests whatever
the order or concurrency of the calls, and a retry of a faulted request gets a fresh draw.

`bulk_start_lost=N` is a count, not a rate: the first N Shopify `bulkOperationRunQuery` requests
run (the operation starts) but their reply is lost, held like a timeout and then a 504. A client
that simply sends the mutation again starts a second operation; one that looks first finds its own.
`bulk_start_lag_seconds` makes such a start reach Shopify that long after it was sent, as on a busy
gateway: a client that gives up sooner finds nothing yet when it first looks.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAULT_KINDS = ("429", "500", "timeout", "truncate")
LOST_BULK_START = "bulk_start_lost"
BULK_START_MARKER = b"bulkOperationRunQuery"
FAULTED_PREFIXES = ("/admin/", "/mintsoft/", "/inventory-planner/")


@dataclass(frozen=True)
class FaultPlan:
    seed: int
    rates: dict[str, float]
    timeout_seconds: float = 30.0
    lost_bulk_starts: int = 0  # the first N bulk-query starts run, and their reply is lost
    bulk_start_lag_seconds: float = 0.0  # how late a lost start reaches Shopify

    @classmethod
    def parse(cls, spec: str, seed: int, timeout_seconds: float = 30.0) -> FaultPlan:
        """Parse `kind=rate,...`; a bad kind or rate is an error naming it."""
        rates: dict[str, float] = {}
        lost_bulk_starts = 0
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kind, sep, value = part.partition("=")
            kind = kind.strip()
            if kind == LOST_BULK_START and sep:
                if not value.strip().isdigit():
                    raise ValueError(f"--faults: {LOST_BULK_START} takes a count, got {value!r}")
                lost_bulk_starts = int(value)
                continue
            if not sep or kind not in FAULT_KINDS:
                raise ValueError(f"--faults: unknown fault {part!r}; use {', '.join(k + '=RATE' for k in FAULT_KINDS)}")
            try:
                rate = float(value)
            except ValueError:
                raise ValueError(f"--faults: rate for {kind} must be a number, got {value!r}") from None
            if not 0 <= rate <= 1:
                raise ValueError(f"--faults: rate for {kind} must be between 0 and 1, got {rate}")
            rates[kind] = rate
        if sum(rates.values()) > 1:
            raise ValueError("--faults: the rates add up to more than 1")
        return cls(seed=seed, rates=rates, timeout_seconds=timeout_seconds, lost_bulk_starts=lost_bulk_starts)

    def decide(self, signature: str, occurrence: int) -> str | None:
        """The fault for the `occurrence`-th sighting of a request, or None."""
        digest = hashlib.sha256(f"{self.seed}:{signature}:{occurrence}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        threshold = 0.0
        for kind in FAULT_KINDS:
            threshold += self.rates.get(kind, 0.0)
            if draw < threshold:
                return kind
        return None


def request_signature(scope: Scope, body: bytes) -> str:
    query = urlencode(sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)))
    return f"{scope['method']} {scope['path']}?{query} {hashlib.sha256(body).hexdigest()}"


def _api_family(path: str) -> str:
    if path.startswith("/mintsoft/"):
        return "mintsoft"
    if path.startswith("/inventory-planner/"):
        return "inventory_planner"
    return "shopify"


# Bodies as each service sends them. Mintsoft sits behind Cloudflare, whose rate limit answers in
# HTML with an unhelpful Retry-After: 0 (api-notes/mintsoft-ip-api.md 1.3).
_CLOUDFLARE_1015 = (
    b"<!DOCTYPE html><html><head><title>Access denied | api.mintsoft.co.uk used Cloudflare to restrict access"
    b"</title></head><body><h1>Error 1015</h1><p>You are being rate limited</p></body></html>"
)
_FAULT_RESPONSES: dict[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]] = {
    ("shopify", "429"): (
        429,
        [(b"content-type", b"application/json"), (b"retry-after", b"1.0")],
        b'{"errors":"Exceeded 2 calls per second for api client. '
        b'Reduce request rates to resume uninterrupted service."}',
    ),
    ("shopify", "500"): (500, [(b"content-type", b"application/json")], b'{"errors":"Internal Server Error"}'),
    ("mintsoft", "429"): (
        429,
        [(b"content-type", b"text/html; charset=UTF-8"), (b"retry-after", b"0")],
        _CLOUDFLARE_1015,
    ),
    # ASSUMED: ASP.NET's default error body (api-notes 1.3).
    ("mintsoft", "500"): (500, [(b"content-type", b"application/json")], b'{"Message":"An error has occurred."}'),
    # ASSUMED: Inventory Planner's error envelope and Retry-After (api-notes 2.1).
    ("inventory_planner", "429"): (
        429,
        [(b"content-type", b"application/json"), (b"retry-after", b"1")],
        b'{"result":{"status":"error","message":"Too many requests"}}',
    ),
    ("inventory_planner", "500"): (
        500,
        [(b"content-type", b"application/json")],
        b'{"result":{"status":"error","message":"Internal server error"}}',
    ),
}


class FaultInjector:
    """ASGI middleware that fails a seeded share of API requests; /_sim endpoints are never faulted."""

    def __init__(self, app: ASGIApp, plan: FaultPlan, injected: Counter[str]) -> None:
        self.app = app
        self.plan = plan
        self.seen: Counter[str] = Counter()
        self.injected = injected  # kind -> count, shared with the SimContext for reporting
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(FAULTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        signature = request_signature(scope, body)
        with self._lock:
            self.seen[signature] += 1
            fault = self.plan.decide(signature, self.seen[signature])
            if BULK_START_MARKER in body and self.injected[LOST_BULK_START] < self.plan.lost_bulk_starts:
                fault = LOST_BULK_START
            if fault:
                self.injected[fault] += 1
        replay = _replay(body, receive)
        if fault == LOST_BULK_START:
            # The operation starts (late, with a lag); the reply dies on the way back, as a gateway
            # timeout would end it.
            await asyncio.sleep(self.plan.bulk_start_lag_seconds)
            await buffered_response(self.app, scope, replay)
            await asyncio.sleep(self.plan.timeout_seconds)
            await respond(send, 504, [(b"content-type", b"text/plain")], b"Gateway Timeout")
        elif fault is None:
            await self.app(scope, replay, send)
        elif fault == "truncate":
            await self._truncated(scope, replay, send, signature)
        elif fault == "timeout":
            # Hold the request past any sane client timeout, then give up as a gateway would.
            await asyncio.sleep(self.plan.timeout_seconds)
            await respond(send, 504, [(b"content-type", b"text/plain")], b"Gateway Timeout")
        else:
            status, headers, payload = _FAULT_RESPONSES[(_api_family(scope["path"]), fault)]
            await respond(send, status, headers, payload)

    async def _truncated(self, scope: Scope, receive: Receive, send: Send, signature: str) -> None:
        """Run the real handler, then cut a 200 body mid-JSON and keep the 200 status."""
        status, headers, body = await buffered_response(self.app, scope, receive)
        if status == 200 and len(body) > 2:
            cut = hashlib.sha256(signature.encode()).digest()[0] / 255
            body = body[: max(1, int(len(body) * (0.2 + 0.6 * cut)))]
        await respond(send, status, headers, body)


async def buffered_response(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run `app` and keep its whole response: status, headers (without Content-Length) and body."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    assert start is not None, "the app sent no response"
    headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
    return start["status"], headers, b"".join(chunks)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the already-read body to the app once, then pass through (for disconnect messages)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
