"""The landing-folder envelope: one JSON file per webhook delivery, written atomically.

`{"received_at": ISO-8601 UTC, "headers": {name: value}, "body": raw body as UTF-8 text}` (DESIGN.md,
Webhooks). The body stays a string so its bytes, and therefore its signature, survive byte-exact.
File names sort by arrival: `{received_at}Z-{topic}-{webhook id}.json`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping


def utc_iso(moment: dt.datetime) -> str:
    """ISO-8601 in UTC with microseconds and a `Z`, e.g. 2026-11-20T09:10:03.120000Z."""
    return f"{moment.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%f}Z"


def envelope_file_name(received_at: dt.datetime, topic: str, webhook_id: str) -> str:
    stamp = f"{received_at.astimezone(dt.UTC):%Y%m%dT%H%M%S%f}Z"
    return f"{stamp}-{topic.replace('/', '_')}-{webhook_id}.json"


def envelope_bytes(received_at: dt.datetime, headers: Mapping[str, str], body: bytes) -> bytes:
    """The envelope file's content; raises UnicodeDecodeError for a body that is not UTF-8."""
    envelope = {"received_at": utc_iso(received_at), "headers": dict(headers), "body": body.decode("utf-8")}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
