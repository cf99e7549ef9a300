"""The signed webhook receiver: `integration-assets webhooks serve`.

Shopify gives a delivery 5 seconds and retries anything but a 2xx, so the receiver does the least
that makes a delivery safe: bound the size (413), verify the HMAC over the raw bytes (401, with the
previous secret accepted during a rotation), and write one envelope file atomically into the
landing folder (200). Parsing, dedup and quarantine happen later, in the ingest run. File names
come from the server (arrival time, a known topic or `unknown`, a random id), never from anything
the request says, so no header can steer a write.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from integration_assets.atomic_files import write_bytes
from integration_assets.webhooks.envelope import envelope_bytes, envelope_file_name
from integration_assets.webhooks.signature import HMAC_HEADER, verify

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
TOPIC_PATTERN = re.compile(r"^[a-z_]{1,40}/[a-z_]{1,40}$")
PATH = "/webhooks/shopify"


@dataclass(frozen=True)
class ReceiverSettings:
    landing: Path
    secrets: Sequence[str]
    max_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        if not [s for s in self.secrets if s]:
            raise ValueError("the webhook receiver needs SHOPIFY_WEBHOOK_SECRET (the app's client secret)")


class BodyTooLarge(Exception):
    pass


async def _read_bounded(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def server_file_name(received_at: dt.datetime, topic: str | None) -> str:
    safe_topic = topic if topic and TOPIC_PATTERN.match(topic) else "unknown"
    return envelope_file_name(received_at, safe_topic, uuid.uuid4().hex)


def create_receiver(settings: ReceiverSettings) -> Starlette:
    secrets = [s for s in settings.secrets if s]

    async def receive(request: Request) -> Response:
        received_at = dt.datetime.now(dt.UTC)
        try:
            body = await _read_bounded(request, settings.max_bytes)
        except BodyTooLarge:
            return JSONResponse({"error": f"body over {settings.max_bytes} bytes"}, status_code=413)
        if not verify(body, request.headers.get(HMAC_HEADER), secrets):
            return JSONResponse({"error": "invalid or missing X-Shopify-Hmac-Sha256"}, status_code=401)
        headers = {name: value for name, value in request.headers.items() if name.lower().startswith("x-shopify-")}
        headers["Content-Type"] = request.headers.get("content-type", "")
        try:
            data = envelope_bytes(received_at, _canonical(headers), body)
        except UnicodeDecodeError:
            return JSONResponse({"error": "body is not UTF-8"}, status_code=400)
        name = server_file_name(received_at, request.headers.get("x-shopify-topic"))
        await run_in_threadpool(write_bytes, settings.landing, name, data)
        return Response(status_code=200)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "landing": str(settings.landing)})

    return Starlette(routes=[Route(PATH, receive, methods=["POST"]), Route("/health", health, methods=["GET"])])


def _canonical(headers: dict[str, str]) -> dict[str, str]:
    """Shopify's capitalisation (X-Shopify-Webhook-Id), whatever the proxy in front lower-cased."""
    return {
        "-".join(part.capitalize() for part in name.split("-")).replace("Api-", "API-"): v
        for name, v in headers.items()
    }


def settings_from_env(data_dir: Path) -> ReceiverSettings:
    """SHOPIFY_WEBHOOK_SECRET (and SHOPIFY_WEBHOOK_SECRET_PREVIOUS during a rotation), WEBHOOK_MAX_BYTES."""
    from integration_assets.webhooks.landing import landing_dir

    return ReceiverSettings(
        landing=landing_dir(data_dir),
        secrets=webhook_secrets_from_env(),
        max_bytes=int(os.environ.get("WEBHOOK_MAX_BYTES", DEFAULT_MAX_BYTES)),
    )


def webhook_secrets_from_env() -> list[str]:
    return [s for s in (os.environ.get(n) for n in ("SHOPIFY_WEBHOOK_SECRET", "SHOPIFY_WEBHOOK_SECRET_PREVIOUS")) if s]


def serve_receiver(settings: ReceiverSettings, host: str, port: int) -> None:
    import uvicorn

    print(f"Shopify webhooks: POST http://{host}:{port}{PATH} -> {settings.landing}")
    uvicorn.run(create_receiver(settings), host=host, port=port, log_level="warning", access_log=False)
