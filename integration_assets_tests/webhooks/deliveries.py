"""Signed envelopes built the way Shopify and our receiver make them, for the webhook tests."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import Any

from integration_assets.webhooks.envelope import envelope_bytes, envelope_file_name
from integration_assets.webhooks.signature import sign

SECRET = "test-app-secret"


def shopify_headers(topic: str, body: bytes, secret: str = SECRET, **ids: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": "demo.myshopify.com",
        "X-Shopify-API-Version": "2026-01",
        "X-Shopify-Webhook-Id": ids.get("webhook_id", str(uuid.uuid4())),
        "X-Shopify-Event-Id": ids.get("event_id", str(uuid.uuid4())),
        "X-Shopify-Triggered-At": ids.get("triggered_at", "2026-11-21T10:00:00.000000Z"),
    }


def drop(folder: Path, topic: str, payload: Any, received_at: dt.datetime, secret: str = SECRET, **ids: str) -> Path:
    """A whole envelope file in the landing folder, named as the receiver names them."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = shopify_headers(topic, body, secret, **ids)
    data = envelope_bytes(received_at, headers, body)
    path = folder / envelope_file_name(received_at, topic, headers["X-Shopify-Webhook-Id"])
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def age(path: Path, moment: dt.datetime) -> None:
    """Set the file's modification time, as a file that arrived then would have."""
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def inventory_level(item_id: int, location_id: int, available: int) -> dict[str, Any]:
    return {
        "inventory_item_id": item_id,
        "location_id": location_id,
        "available": available,
        "updated_at": "2026-11-21T10:00:00+00:00",
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
    }
