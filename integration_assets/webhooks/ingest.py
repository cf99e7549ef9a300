"""Ingest one day of landed webhook deliveries: verify, parse, dedup, and file every delivery.

Runs inside the ingest asset, but knows nothing of Dagster so it can be tested and called alone.
The signature is verified again here, because files can reach the landing folder by routes other
than our receiver (a bucket sync). Deduplication keeps the first delivery (by arrival) of each
event: `X-Shopify-Event-Id` is shared by a retry and by a second subscription's delivery, and
`X-Shopify-Webhook-Id` stands in where an event id is missing. A re-run of a day re-reads the files
it processed before, so the day's events are rebuilt whole and the result is the same.

The accounting always holds: files in = events + duplicates + quarantined (pending files, still
being written, are not in yet and are counted apart).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integration_assets.webhooks import landing
from integration_assets.webhooks.landing import LandedFile
from integration_assets.webhooks.payloads import SchemaError, UnknownTopic, parse_body, subject_of
from integration_assets.webhooks.signature import HMAC_HEADER, header, verify

REQUIRED_HEADERS = ("X-Shopify-Topic", "X-Shopify-Webhook-Id")


@dataclass(frozen=True)
class WebhookEvent:
    """One accepted delivery: the headers that identify it, the keys it is found by, the raw body."""

    webhook_id: str
    event_id: str | None
    topic: str
    shop_domain: str | None
    api_version: str | None
    triggered_at: dt.datetime
    received_at: dt.datetime
    file_name: str
    order_id: int | None
    inventory_item_id: int | None
    location_id: int | None
    record_id: int
    record_time: dt.datetime | None
    body: str

    @property
    def dedup_key(self) -> str:
        return self.event_id or f"webhook:{self.webhook_id}"

    @property
    def arrival(self) -> tuple[dt.datetime, str]:
        return (self.received_at, self.file_name)


class Rejection(Exception):
    """Why a file cannot be ingested: a short reason (the quarantine's category) and the detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class IngestSettings:
    secrets: Sequence[str]
    max_bytes: int
    settle_seconds: float
    stale_temp_seconds: float


@dataclass
class DayIngest:
    """What one day's ingest found, moved and kept."""

    date: str
    events: list[WebhookEvent] = field(default_factory=list)  # the day's unique events, old and new
    new_events: list[WebhookEvent] = field(default_factory=list)
    files_in: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)  # "retry" | "second_subscription"
    quarantined: Counter[str] = field(default_factory=Counter)  # reason -> files
    pending: int = 0
    quarantine_details: list[dict[str, str]] = field(default_factory=list)

    def accounting(self) -> dict[str, int]:
        return {
            "files_in": self.files_in,
            "events": len(self.new_events),
            "duplicates": sum(self.duplicates.values()),
            "quarantined": sum(self.quarantined.values()),
            "pending": self.pending,
        }


def read_event(path: Path, file_name: str, settings: IngestSettings | None) -> WebhookEvent:
    """Parse an envelope into an event; verifies the signature when `settings` is given.
    Raises Rejection naming what is wrong."""
    raw = path.read_bytes()
    if not raw:
        raise Rejection("empty_file", "the file has no bytes")
    if settings is not None and len(raw) > settings.max_bytes:
        raise Rejection("oversized", f"{len(raw)} bytes, over the {settings.max_bytes}-byte limit")
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Rejection("bad_json", f"the envelope is not JSON: {exc}") from None
    headers, body, received = _envelope_parts(envelope)
    if settings is not None and not verify(body.encode("utf-8"), header(headers, HMAC_HEADER), settings.secrets):
        raise Rejection("bad_signature", f"{HMAC_HEADER} does not match the body under the configured secrets")
    missing = [name for name in REQUIRED_HEADERS if not header(headers, name)]
    if missing:
        raise Rejection("bad_envelope", f"missing header(s) {', '.join(missing)}")
    topic = header(headers, "X-Shopify-Topic") or ""
    try:
        json.loads(body)
    except ValueError as exc:
        raise Rejection("bad_json", f"the {topic} body is not JSON: {exc}") from None
    try:
        payload = parse_body(topic, body)
    except UnknownTopic as exc:
        raise Rejection("unknown_topic", str(exc)) from None
    except SchemaError as exc:
        raise Rejection("schema_error", str(exc)) from None
    subject = subject_of(payload)
    return WebhookEvent(
        webhook_id=header(headers, "X-Shopify-Webhook-Id") or "",
        event_id=header(headers, "X-Shopify-Event-Id"),
        topic=topic,
        shop_domain=header(headers, "X-Shopify-Shop-Domain"),
        api_version=header(headers, "X-Shopify-API-Version"),
        triggered_at=_parse_time(header(headers, "X-Shopify-Triggered-At")) or received,
        received_at=received,
        file_name=file_name,
        body=body,
        **subject,  # type: ignore[arg-type]
    )


def _envelope_parts(envelope: Any) -> tuple[dict[str, Any], str, dt.datetime]:
    if not isinstance(envelope, dict):
        raise Rejection("bad_envelope", "the envelope is not a JSON object")
    headers, body = envelope.get("headers"), envelope.get("body")
    if not isinstance(headers, dict) or not isinstance(body, str):
        raise Rejection("bad_envelope", "the envelope needs 'headers' (an object) and 'body' (text)")
    received = _parse_time(envelope.get("received_at"))
    if received is None:
        raise Rejection("bad_envelope", f"received_at is not an ISO-8601 time: {envelope.get('received_at')!r:.60}")
    return headers, body, received


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def ingest_day(
    folder: Path,
    date: str,
    waiting: Sequence[LandedFile],
    settings: IngestSettings,
    now: dt.datetime,
    seen_elsewhere: Mapping[str, str] | None = None,
) -> DayIngest:
    """Ingest the day's waiting files (already chosen for `date`) and rebuild its event list.

    `seen_elsewhere` maps the dedup keys of events already landed under other days to their
    webhook ids (a retry that arrived after midnight is still a duplicate).
    """
    seen_elsewhere = seen_elsewhere or {}
    result = DayIngest(date)
    earlier = _processed_events(folder, date)
    fresh: list[tuple[LandedFile, WebhookEvent]] = []
    for file in waiting:
        if not file.settled(now, settings.settle_seconds, settings.stale_temp_seconds):
            result.pending += 1
            continue
        result.files_in += 1
        try:
            if file.is_temp:
                raise Rejection("abandoned_partial_write", "a writer's temp file left untouched past the limit")
            if not file.has_safe_name:
                raise Rejection("unsafe_name", f"the file name {file.name!r} is not one the receiver would write")
            fresh.append((file, read_event(file.path, file.name, settings)))
        except Rejection as rejection:
            _quarantine(folder, file, date, rejection, now, result)
    kept: dict[str, WebhookEvent] = {}
    new_names = {event.file_name for _, event in fresh}
    for event in sorted([*earlier, *(e for _, e in fresh)], key=lambda e: e.arrival):
        first = kept.get(event.dedup_key)
        first_webhook_id = first.webhook_id if first else seen_elsewhere.get(event.dedup_key)
        if first_webhook_id is None:
            kept[event.dedup_key] = event
            if event.file_name in new_names:
                result.new_events.append(event)
        elif event.file_name in new_names:
            result.duplicates["retry" if event.webhook_id == first_webhook_id else "second_subscription"] += 1
    for file, _ in fresh:
        landing.move_to_processed(folder, file.path, date)
    result.events = sorted(kept.values(), key=lambda e: e.arrival)
    return result


def _processed_events(folder: Path, date: str) -> list[WebhookEvent]:
    """The day's files ingested before; their signatures were checked then (a secret rotated away
    since must not turn accepted events into rejects)."""
    return [read_event(path, path.name, None) for path in landing.processed_files(folder, date)]


def _quarantine(
    folder: Path, file: LandedFile, date: str, rejection: Rejection, now: dt.datetime, result: DayIngest
) -> None:
    moved = landing.move_to_quarantine(folder, file, date, rejection.reason, rejection.detail, now)
    result.quarantined[rejection.reason] += 1
    result.quarantine_details.append({"file": moved.name, "reason": rejection.reason, "detail": rejection.detail})
