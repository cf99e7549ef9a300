"""Signed Shopify webhook deliveries for the world's window, dropped as landing-folder envelopes.

Every event of the window's dates (shop time, up to the simulator's "now") becomes one envelope
file per delivery, in the format the webhook receiver writes (`integration_assets.webhooks.envelope`).
Payloads are the REST shapes of `shopify_payloads`, rendered from the order as it stood when the
event fired (`order_history.order_as_of`), so an orders/create body shows no later refund or edit.

Deliveries behave as Shopify's do (api-notes/shopify-api.md section 7): at least once and unordered.
A few are retried (a second file with the same Webhook-Id, Event-Id and body, minutes later), a few
arrive late (after deliveries of later events), and a few events go to two subscriptions (same
Event-Id, different Webhook-Ids). All of it is drawn from one stream seeded by the world's seed,
so the same seed writes byte-identical files under identical names.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integration_assets.atomic_files import write_bytes
from integration_assets.simulator.manifest import API_VERSION
from integration_assets.simulator.order_history import order_as_of, order_change_times
from integration_assets.simulator.shopify_payloads import (
    fulfillment_json,
    inventory_item_json,
    inventory_level_json,
    order_json,
    refund_json,
    rest_time,
    shop_zone,
)
from integration_assets.simulator.world import Order, OrderEdit, World
from integration_assets.webhooks.envelope import envelope_bytes, envelope_file_name, utc_iso
from integration_assets.webhooks.signature import sign

# Delivery quirks, per delivery (retries, lateness) or per event (a second subscription).
RETRY_RATE = 0.03
LATE_RATE = 0.04
SECOND_SUBSCRIPTION_RATE = 0.02
DELAY_MICROSECONDS = (150_000, 6_000_000)  # an ordinary delivery: a fraction of a second to 6 s
LATE_DELAY_SECONDS = (90, 20 * 60)  # a late one: after deliveries of the next events
RETRY_GAP_SECONDS = (60, 30 * 60)  # the retry after a delivery that failed (timeout, non-2xx)
STOCK_SYNC_TIME = dt.time(23, 0)  # shop time on the window's last date (stock.py syncs then)

# Events at the same moment for the same subject fire in this order.
TOPIC_RANK = {
    "orders/create": 0,
    "orders/edited": 1,
    "fulfillments/create": 2,
    "refunds/create": 3,
    "orders/cancelled": 4,
    "orders/updated": 5,
    "inventory_items/update": 6,
    "inventory_levels/update": 7,
}


@dataclass(frozen=True)
class WebhookEvent:
    """One thing that happened in the shop, with the raw body every delivery of it carries."""

    topic: str
    triggered_at: dt.datetime
    subject: tuple[int, ...]  # the order id, or the inventory item (and location) ids
    body: bytes

    @property
    def sort_key(self) -> tuple[dt.datetime, tuple[int, ...], int]:
        return (self.triggered_at, self.subject, TOPIC_RANK[self.topic])


@dataclass(frozen=True)
class Delivery:
    """One POST of an event to one subscription (a retry repeats its webhook id)."""

    event: WebhookEvent
    event_id: str
    webhook_id: str
    received_at: dt.datetime
    attempt: int  # 1 for the first delivery, 2 for its retry

    def headers(self, secret: str, shop_domain: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": self.event.topic,
            "X-Shopify-Hmac-Sha256": sign(self.event.body, secret),
            "X-Shopify-Shop-Domain": shop_domain,
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Webhook-Id": self.webhook_id,
            "X-Shopify-Event-Id": self.event_id,
            "X-Shopify-Triggered-At": utc_iso(self.event.triggered_at),
        }

    @property
    def file_name(self) -> str:
        return envelope_file_name(self.received_at, self.event.topic, self.webhook_id)


def body_bytes(payload: Any) -> bytes:
    """Compact, deterministic JSON (key order as rendered), UTF-8 without escaping (e.g. "£")."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def window(world: World) -> tuple[dt.datetime, dt.datetime]:
    """The window's first moment (midnight before the first date, shop time) and its last
    (the end of the last date, or "now" if that is earlier), both UTC and both inclusive."""
    zone = shop_zone(world)
    dates = world.size.dates
    start = dt.datetime.combine(dates[0], dt.time(0), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time(0), zone).astimezone(dt.UTC)
    return start, min(end, world.now)


def stock_sync_time(world: World) -> dt.datetime:
    """When the last stock sync pushed Shopify's available quantities: 23:00 shop time on the
    last date, or "now" if that is earlier."""
    last = world.size.dates[-1]
    return min(world.now, dt.datetime.combine(last, STOCK_SYNC_TIME, shop_zone(world)).astimezone(dt.UTC))


def order_edit_json(world: World, order: Order, edit: OrderEdit) -> dict[str, Any]:
    """The orders/edited payload: the edit's delta, not the order (the receiver re-fetches it).

    Removals carry the units removed as a positive delta, as in Shopify's example payload.
    ASSUMED: the world keeps only the commit time, so created_at (when the edit began) equals it.
    """
    additions = [{"id": c.line_item_id, "delta": c.delta} for c in edit.changes if c.delta > 0]
    removals = [{"id": c.line_item_id, "delta": -c.delta} for c in edit.changes if c.delta < 0]
    return {
        "order_edit": {
            "id": edit.id,
            "app_id": None,
            "created_at": rest_time(world, edit.committed_at),
            "committed_at": rest_time(world, edit.committed_at),
            "notify_customer": False,
            "order_id": order.id,
            "staff_note": edit.staff_note,
            "user_id": None,
            "line_items": {"additions": additions, "removals": removals},
            "discounts": {"line_item": {"additions": [], "removals": []}},
            "shipping_lines": {"additions": [], "removals": []},
        }
    }


def _order_events(world: World, order: Order, inside: Callable[[dt.datetime], bool]) -> list[WebhookEvent]:
    subject = (order.id,)

    def as_of(at: dt.datetime) -> Order:
        past = order_as_of(order, at)
        assert past is not None  # every event time is at or after the order's creation
        return past

    def event(topic: str, at: dt.datetime, payload: Any) -> WebhookEvent:
        return WebhookEvent(topic, at, subject, body_bytes(payload))

    events: list[WebhookEvent] = []
    if inside(order.created_at):
        events.append(event("orders/create", order.created_at, order_json(world, as_of(order.created_at))))
    for edit in order.edits:
        if inside(edit.committed_at):
            events.append(event("orders/edited", edit.committed_at, order_edit_json(world, order, edit)))
    for fulfillment in order.fulfillments:
        at = fulfillment.created_at
        if inside(at):
            events.append(event("fulfillments/create", at, fulfillment_json(world, as_of(at), fulfillment)))
    for refund in order.refunds:
        at = refund.created_at
        if inside(at):
            events.append(event("refunds/create", at, refund_json(world, as_of(at), refund)))
    if order.cancelled_at is not None and inside(order.cancelled_at):
        events.append(event("orders/cancelled", order.cancelled_at, order_json(world, as_of(order.cancelled_at))))
    for at in order_change_times(order):
        if inside(at):
            events.append(event("orders/updated", at, order_json(world, as_of(at))))
    return events


def webhook_events(world: World) -> list[WebhookEvent]:
    """Every event of the window, in the order Shopify fired them."""
    start, end = window(world)

    def inside(moment: dt.datetime) -> bool:
        return start <= moment <= end

    events: list[WebhookEvent] = []
    for order in world.orders:
        events.extend(_order_events(world, order, inside))
    for item in world.inventory_items:
        if inside(item.updated_at):
            payload = inventory_item_json(world, item)
            events.append(WebhookEvent("inventory_items/update", item.updated_at, (item.id,), body_bytes(payload)))
    synced_at = stock_sync_time(world)
    if inside(synced_at):
        for level in world.inventory_levels:
            payload = inventory_level_json(world, level)
            subject = (level.inventory_item_id, level.location_id)
            events.append(WebhookEvent("inventory_levels/update", synced_at, subject, body_bytes(payload)))
    return sorted(events, key=lambda e: e.sort_key)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _after(moment: dt.datetime, microseconds: int) -> dt.datetime:
    return moment + dt.timedelta(microseconds=microseconds)


def plan_deliveries(world: World, events: list[WebhookEvent]) -> list[Delivery]:
    """Deliveries of `events` with the quirks drawn, sorted by arrival (then file name).

    Nothing arrives after the world's "now": a delivery that would is received at "now", and a
    retry that would is dropped (it has not happened yet).
    """
    rng = random.Random(f"{world.seed}:webhooks")
    deliveries: list[Delivery] = []
    for event in events:
        event_id = _uuid(rng)
        subscriptions = 2 if rng.random() < SECOND_SUBSCRIPTION_RATE else 1
        for _ in range(subscriptions):
            webhook_id = _uuid(rng)
            if rng.random() < LATE_RATE:
                delay = rng.randint(*LATE_DELAY_SECONDS) * 1_000_000 + rng.randint(0, 999_999)
            else:
                delay = rng.randint(*DELAY_MICROSECONDS)
            received = min(_after(event.triggered_at, delay), world.now)
            deliveries.append(Delivery(event, event_id, webhook_id, received, 1))
            if rng.random() < RETRY_RATE:
                gap = rng.randint(*RETRY_GAP_SECONDS) * 1_000_000 + rng.randint(0, 999_999)
                retried = _after(received, gap)
                if retried <= world.now:
                    deliveries.append(Delivery(event, event_id, webhook_id, retried, 2))
    return sorted(deliveries, key=lambda d: (d.received_at, d.file_name))


def emit_webhooks(world: World, directory: Path, secret: str, shop_domain: str | None = None) -> list[Path]:
    """Write every delivery of the window into `directory`, one envelope file each, atomically.

    Returns the paths in the order the deliveries were received. Re-running with the same world
    rewrites the same names with the same bytes.
    """
    domain = shop_domain or world.shop.domain
    written: list[Path] = []
    for delivery in plan_deliveries(world, webhook_events(world)):
        data = envelope_bytes(delivery.received_at, delivery.headers(secret, domain), delivery.event.body)
        written.append(write_bytes(directory, delivery.file_name, data))
    return written
