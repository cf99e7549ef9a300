"""The landing-folder envelope: one JSON file per webhook delivery, written atomically.

`{"received_at": ISO-8601 UTC, "headers": {name: value}, "body": raw body as UTF-8 text}` (DESIGN.md,
Webhooks). The body stays a string so its bytes, and therefore its signature, survive byte-exact.
File names sort by arrival: `{received_at}Z-{topic}-{webhook id}.json`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


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


def write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` to `directory/name` so that a reader sees no file or the whole file.

    The temporary file is hidden (leading dot, `.tmp`) and in the same folder, so `os.replace` is a
    rename on one filesystem; it is removed if the write fails.
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target
