"""Webhook drops: signed envelopes whose events are the world's, as they stood when they fired.

Expected events are worked out here from the world itself (window, timelines, levels), not from
the emitter's own helpers, so a wrong event list in the emitter cannot hide behind a shared bug.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from integration_assets.simulator.order_history import order_as_of
from integration_assets.simulator.shopify_payloads import order_json
from integration_assets.simulator.webhook_drops import emit_webhooks
from integration_assets.simulator.world import Order, World, line_current_quantity
from integration_assets.webhooks.signature import sign, verify, verify_envelope

SECRET = "whsec-simulated-7"


@dataclass(frozen=True)
class Drop:
    path: Path
    raw: bytes
    envelope: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return self.envelope["headers"]

    @property
    def topic(self) -> str:
        return self.headers["X-Shopify-Topic"]

    @property
    def event_id(self) -> str:
        return self.headers["X-Shopify-Event-Id"]

    @property
    def webhook_id(self) -> str:
        return self.headers["X-Shopify-Webhook-Id"]

    @property
    def triggered_at(self) -> dt.datetime:
        return _utc(self.headers["X-Shopify-Triggered-At"])

    @property
    def received_at(self) -> dt.datetime:
        return _utc(self.envelope["received_at"])

    @property
    def body(self) -> Any:
        return json.loads(self.envelope["body"])


def _utc(text: str) -> dt.datetime:
    assert text.endswith("Z")
    return dt.datetime.fromisoformat(text[:-1] + "+00:00")


def _read(paths: list[Path]) -> list[Drop]:
    return [Drop(p, p.read_bytes(), json.loads(p.read_bytes())) for p in paths]


@pytest.fixture(scope="module")
def emitted(small_world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("landing") / "shopify"
    return folder, emit_webhooks(small_world, folder, SECRET)


@pytest.fixture(scope="module")
def drops(emitted: tuple[Path, list[Path]]) -> list[Drop]:
    return _read(emitted[1])


@pytest.fixture(scope="module")
def events(drops: list[Drop]) -> dict[str, list[Drop]]:
    """One delivery per event (its first), by topic, in the order the events fired."""
    first: dict[str, Drop] = {}
    for drop in drops:
        first.setdefault(drop.event_id, drop)
    by_topic: dict[str, list[Drop]] = collections.defaultdict(list)
    for drop in sorted(first.values(), key=lambda d: d.triggered_at):
        by_topic[drop.topic].append(drop)
    return by_topic


def _window(world: World) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(world.shop.timezone)
    start = dt.datetime.combine(world.size.dates[0], dt.time(0), zone).astimezone(dt.UTC)
    return start, world.now


def _inside(world: World, moment: dt.datetime | None) -> bool:
    start, end = _window(world)
    return moment is not None and start <= moment <= end


def _as_json(payload: Any) -> Any:
    return json.loads(json.dumps(payload))


# --- signatures and envelopes ---------------------------------------------------------------------


def test_every_envelope_verifies_with_the_secret_and_fails_with_another(drops: list[Drop]) -> None:
    assert len(drops) > 300
    for drop in drops:
        assert verify_envelope(drop.envelope, SECRET)
        assert not verify_envelope(drop.envelope, SECRET + "x")
        assert verify_envelope(drop.envelope, ["an-older-secret", SECRET])  # during a rotation


def test_signature_is_base64_hmac_sha256_of_the_raw_body_bytes(drops: list[Drop]) -> None:
    drop = drops[0]
    body = drop.envelope["body"].encode("utf-8")
    expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    assert drop.headers["X-Shopify-Hmac-Sha256"] == expected == sign(body, SECRET)
    assert verify(body, expected, SECRET)
    assert not verify(body + b" ", expected, SECRET)
    assert not verify(body, None, SECRET)
    tampered = {**drop.envelope, "body": drop.envelope["body"].replace('"id":', '"id": ', 1)}
    assert not verify_envelope(tampered, SECRET)
    lower = {**drop.envelope, "headers": {k.lower(): v for k, v in drop.headers.items()}}
    assert verify_envelope(lower, SECRET)  # header names are case-insensitive
    assert not verify_envelope({"headers": drop.headers}, SECRET)


def test_bodies_are_byte_exact_utf8_including_non_ascii(drops: list[Drop]) -> None:
    non_ascii = [d for d in drops if "£" in d.envelope["body"]]
    assert non_ascii, "the free-shipping discount title carries a £"
    raw_body = non_ascii[0].envelope["body"].encode("utf-8")
    assert "£".encode() in raw_body  # sent unescaped, and still verifies
    assert verify(raw_body, non_ascii[0].headers["X-Shopify-Hmac-Sha256"], SECRET)
    for drop in drops:
        assert json.loads(drop.raw.decode("utf-8")) == drop.envelope
        assert set(drop.envelope) == {"received_at", "headers", "body"}
        # Compact JSON as sent, not re-indented.
        assert drop.envelope["body"] == json.dumps(drop.body, ensure_ascii=False, separators=(",", ":"))


def test_headers_are_shopifys(drops: list[Drop], small_world: World) -> None:
    for drop in drops:
        assert list(drop.headers) == [
            "Content-Type",
            "X-Shopify-Topic",
            "X-Shopify-Hmac-Sha256",
            "X-Shopify-Shop-Domain",
            "X-Shopify-API-Version",
            "X-Shopify-Webhook-Id",
            "X-Shopify-Event-Id",
            "X-Shopify-Triggered-At",
        ]
        assert drop.headers["Content-Type"] == "application/json"
        assert drop.headers["X-Shopify-Shop-Domain"] == small_world.shop.domain == "northwind-apparel.myshopify.com"
        assert drop.headers["X-Shopify-API-Version"] == "2026-01"


def test_shop_domain_can_be_overridden(small_world: World, tmp_path: Path) -> None:
    paths = emit_webhooks(small_world, tmp_path, SECRET, shop_domain="other.myshopify.com")
    assert {d.headers["X-Shopify-Shop-Domain"] for d in _read(paths)} == {"other.myshopify.com"}


def test_files_sort_by_arrival_with_unique_names(emitted: tuple[Path, list[Path]], drops: list[Drop]) -> None:
    folder, paths = emitted
    names = [p.name for p in paths]
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    assert [d.received_at for d in drops] == sorted(d.received_at for d in drops)
    for drop in drops:
        stamp = f"{drop.received_at:%Y%m%dT%H%M%S%f}Z"
        assert drop.path.name == f"{stamp}-{drop.topic.replace('/', '_')}-{drop.webhook_id}.json"
        assert drop.path.parent == folder


def test_writes_are_atomic_no_temporary_files_left(emitted: tuple[Path, list[Path]]) -> None:
    folder, paths = emitted
    assert sorted(folder.iterdir()) == sorted(paths)  # iterdir lists hidden files too


def test_same_seed_writes_identical_names_and_bytes(small_world: World, tmp_path: Path) -> None:
    first = emit_webhooks(small_world, tmp_path / "a", SECRET)
    second = emit_webhooks(small_world, tmp_path / "b", SECRET)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    again = emit_webhooks(small_world, tmp_path / "a", SECRET)  # a re-run rewrites, never adds
    assert again == first
    assert len(list((tmp_path / "a").iterdir())) == len(first)


def test_received_after_triggered_and_never_after_now(drops: list[Drop], small_world: World) -> None:
    start, _ = _window(small_world)
    for drop in drops:
        assert start <= drop.triggered_at <= drop.received_at <= small_world.now


# --- delivery quirks ----------------------------------------------------------------------------


def test_retries_repeat_webhook_id_event_id_and_body(drops: list[Drop]) -> None:
    by_webhook: dict[str, list[Drop]] = collections.defaultdict(list)
    for drop in drops:
        by_webhook[drop.webhook_id].append(drop)
    retried = [group for group in by_webhook.values() if len(group) > 1]
    assert 1 <= len(retried) <= len(drops) * 0.06
    for first, retry in retried:
        assert retry.headers == first.headers
        assert retry.envelope["body"] == first.envelope["body"]
        gap = retry.received_at - first.received_at
        assert dt.timedelta(minutes=1) <= gap <= dt.timedelta(minutes=31)


def test_some_events_go_to_two_subscriptions(drops: list[Drop]) -> None:
    by_event: dict[str, set[str]] = collections.defaultdict(set)
    bodies: dict[str, set[str]] = collections.defaultdict(set)
    for drop in drops:
        by_event[drop.event_id].add(drop.webhook_id)
        bodies[drop.event_id].add(drop.envelope["body"])
    doubled = [event for event, hooks in by_event.items() if len(hooks) == 2]
    assert 1 <= len(doubled) <= len(by_event) * 0.05
    assert all(len(by_event[e]) <= 2 and len(bodies[e]) == 1 for e in by_event)


def test_some_deliveries_arrive_after_those_of_later_events(drops: list[Drop]) -> None:
    first_deliveries: dict[str, Drop] = {}
    for drop in drops:
        first_deliveries.setdefault(drop.webhook_id, drop)
    firsts = list(first_deliveries.values())  # retries aside: they are late by nature
    overtaken = [a for i, a in enumerate(firsts) if any(b.triggered_at > a.triggered_at for b in firsts[:i])]
    assert overtaken
    assert any(a.topic.startswith("orders/") or a.topic.endswith("s/create") for a in overtaken)


# --- the events match the world -----------------------------------------------------------------


def test_one_orders_create_per_order_created_in_the_window(events: dict[str, list[Drop]], small_world: World) -> None:
    created = [o for o in small_world.orders if _inside(small_world, o.created_at)]
    assert len(created) >= 40
    bodies = [d.body for d in events["orders/create"]]
    assert sorted(b["id"] for b in bodies) == sorted(o.id for o in created)
    for drop in events["orders/create"]:
        order = small_world.orders_by_id[drop.body["id"]]
        assert drop.triggered_at == order.created_at


def test_orders_create_shows_the_order_as_it_was_created(events: dict[str, list[Drop]], small_world: World) -> None:
    later_changed = 0
    for drop in events["orders/create"]:
        body = drop.body
        order = small_world.orders_by_id[body["id"]]
        assert body["refunds"] == []
        assert body["fulfillments"] == []  # even a POS order's, 30 s later
        assert body["cancelled_at"] is None and body["closed_at"] is None
        assert dt.datetime.fromisoformat(body["updated_at"]) == order.created_at
        assert [li["id"] for li in body["line_items"]] == [li.id for li in order.line_items if li.added_at is None]
        assert all(li["current_quantity"] == li["quantity"] for li in body["line_items"])
        if order.refunds or order.fulfillments or order.edits or order.cancelled_at:
            later_changed += 1
            assert body != _as_json(order_json(small_world, order))
        if any(t.kind == "AUTHORIZATION" for t in order.transactions):
            assert body["financial_status"] == "authorized"
    assert later_changed >= 30


def test_orders_edited_carries_each_edits_deltas(events: dict[str, list[Drop]], small_world: World) -> None:
    expected = {}
    for order in small_world.orders:
        for edit in order.edits:
            if _inside(small_world, edit.committed_at):
                additions = [{"id": c.line_item_id, "delta": c.delta} for c in edit.changes if c.delta > 0]
                removals = [{"id": c.line_item_id, "delta": -c.delta} for c in edit.changes if c.delta < 0]
                expected[edit.id] = (order.id, edit.committed_at, additions, removals)
    assert len(expected) >= 2
    got = {}
    for drop in events["orders/edited"]:
        edit = drop.body["order_edit"]
        got[edit["id"]] = (
            edit["order_id"],
            drop.triggered_at,
            edit["line_items"]["additions"],
            edit["line_items"]["removals"],
        )
        assert dt.datetime.fromisoformat(edit["committed_at"]) == drop.triggered_at
        assert set(edit) >= {"app_id", "created_at", "notify_customer", "staff_note", "user_id", "discounts"}
    assert got == expected
    assert any(removals for *_, removals in expected.values())
    assert any(additions for _, _, additions, _ in expected.values())


def test_one_orders_cancelled_per_cancellation(events: dict[str, list[Drop]], small_world: World) -> None:
    cancelled = {o.id: o for o in small_world.orders if _inside(small_world, o.cancelled_at)}
    assert len(cancelled) >= 2
    assert sorted(d.body["id"] for d in events["orders/cancelled"]) == sorted(cancelled)
    for drop in events["orders/cancelled"]:
        order = cancelled[drop.body["id"]]
        assert drop.triggered_at == order.cancelled_at
        assert drop.body["cancel_reason"] == order.cancel_reason.lower()
        assert dt.datetime.fromisoformat(drop.body["cancelled_at"]) == order.cancelled_at


def test_one_refunds_create_per_refund(events: dict[str, list[Drop]], small_world: World) -> None:
    refunds = {r.id: (o, r) for o in small_world.orders for r in o.refunds if _inside(small_world, r.created_at)}
    assert len(refunds) >= 5
    assert sorted(d.body["id"] for d in events["refunds/create"]) == sorted(refunds)
    for drop in events["refunds/create"]:
        order, refund = refunds[drop.body["id"]]
        assert drop.body["order_id"] == order.id
        assert drop.triggered_at == refund.created_at
        assert [r["id"] for r in drop.body["refund_line_items"]] == [r.id for r in refund.refund_line_items]


def test_one_fulfillments_create_per_fulfillment(events: dict[str, list[Drop]], small_world: World) -> None:
    fulfillments = {
        f.id: (o, f) for o in small_world.orders for f in o.fulfillments if _inside(small_world, f.created_at)
    }
    assert len(fulfillments) >= 30
    assert sorted(d.body["id"] for d in events["fulfillments/create"]) == sorted(fulfillments)
    for drop in events["fulfillments/create"]:
        order, fulfillment = fulfillments[drop.body["id"]]
        assert drop.body["order_id"] == order.id
        assert drop.triggered_at == fulfillment.created_at
        shipped = {fl.line_item_id: fl.quantity for fl in fulfillment.lines}
        assert {li["id"]: li["quantity"] for li in drop.body["line_items"]} == shipped


def _change_times(world: World, order: Order) -> set[dt.datetime]:
    stamps = {t.created_at for t in order.transactions} | {e.committed_at for e in order.edits}
    stamps |= {r.created_at for r in order.refunds} | {f.created_at for f in order.fulfillments}
    stamps |= {order.cancelled_at} if order.cancelled_at else set()
    return {s for s in stamps if s > order.created_at and _inside(world, s)}


def test_orders_updated_after_each_later_change(events: dict[str, list[Drop]], small_world: World) -> None:
    expected = {(o.id, at) for o in small_world.orders for at in _change_times(small_world, o)}
    got = [(d.body["id"], d.triggered_at) for d in events["orders/updated"]]
    assert len(got) == len(set(got))
    assert set(got) == expected
    for drop in events["orders/updated"]:
        assert dt.datetime.fromisoformat(drop.body["updated_at"]) == drop.triggered_at


def test_latest_orders_updated_is_the_order_as_served_now(events: dict[str, list[Drop]], small_world: World) -> None:
    latest: dict[int, Drop] = {}
    for drop in events["orders/updated"]:
        latest[drop.body["id"]] = drop  # events are in firing order
    finished_in_window = [
        o for o in small_world.orders if o.updated_at > o.created_at and _inside(small_world, o.updated_at)
    ]
    assert len(finished_in_window) >= 40
    for order in finished_in_window:
        drop = latest[order.id]
        assert drop.triggered_at == order.updated_at
        assert drop.body == _as_json(order_json(small_world, order))


def test_inventory_levels_update_once_per_level_at_the_stock_sync(
    events: dict[str, list[Drop]], small_world: World
) -> None:
    zone = ZoneInfo(small_world.shop.timezone)
    sync = dt.datetime.combine(small_world.size.dates[-1], dt.time(23, 0), zone).astimezone(dt.UTC)
    levels = {(lv.inventory_item_id, lv.location_id): lv for lv in small_world.inventory_levels}
    drops = events["inventory_levels/update"]
    assert len(drops) == len(levels) == len(small_world.inventory_levels)
    for drop in drops:
        body = drop.body
        level = levels[(body["inventory_item_id"], body["location_id"])]
        item = small_world.items_by_id[level.inventory_item_id]
        assert drop.triggered_at == sync
        assert body["available"] == (level.quantities["available"] if item.tracked else None)
    assert any(d.body["available"] is None for d in drops)


def test_inventory_items_update_for_items_changed_in_the_window(
    events: dict[str, list[Drop]], small_world: World
) -> None:
    changed = {i.id: i for i in small_world.inventory_items if _inside(small_world, i.updated_at)}
    assert changed
    assert sorted(d.body["id"] for d in events["inventory_items/update"]) == sorted(changed)
    for drop in events["inventory_items/update"]:
        item = changed[drop.body["id"]]
        assert drop.triggered_at == item.updated_at
        assert (drop.body["sku"], drop.body["tracked"]) == (item.sku, item.tracked)


# --- the manifest's anomalies are visible in the webhooks ---------------------------------------


def _anomalies(world: World, kind: str) -> list[Any]:
    found = [a for a in world.anomalies if a.type == kind]
    assert found, kind
    return found


def test_webhook_visible_anomalies_are_in_the_events(events: dict[str, list[Drop]], small_world: World) -> None:
    mintsoft = {ms.external_order_reference: ms for ms in small_world.mintsoft_orders}

    for anomaly in _anomalies(small_world, "order_edit_after_pick"):
        picked = mintsoft[anomaly.order_id].picking_started_at
        edits = [d for d in events["orders/edited"] if str(d.body["order_edit"]["order_id"]) == anomaly.order_id]
        assert edits and picked is not None
        assert all(d.triggered_at > picked for d in edits)
        assert edits[0].body["order_edit"]["line_items"]["removals"]

    for anomaly in _anomalies(small_world, "cancelled_but_despatched"):
        despatched = mintsoft[anomaly.order_id].despatch_date
        cancels = [d for d in events["orders/cancelled"] if str(d.body["id"]) == anomaly.order_id]
        assert len(cancels) == 1 and despatched is not None and cancels[0].triggered_at > despatched

    for anomaly in _anomalies(small_world, "restock_mismatch"):
        lines = [
            line
            for d in events["refunds/create"]
            if str(d.body["order_id"]) == anomaly.order_id
            for line in d.body["refund_line_items"]
        ]
        assert any(
            line["restock_type"] == "return" and line["line_item"]["sku"].strip().upper() == anomaly.sku
            for line in lines
        )

    for anomaly in _anomalies(small_world, "tracking_disabled"):
        updates = [d.body for d in events["inventory_items/update"] if d.body["sku"].strip().upper() == anomaly.sku]
        assert updates and all(body["tracked"] is False for body in updates)

    location_ids = {row["location_key"]: int(row["shopify_location_id"]) for row in small_world.seeds["locations"]}
    item_ids = {i.sku: i.id for i in small_world.inventory_items}
    served = {(lv.location_id, lv.inventory_item_id): lv.quantities["available"] for lv in small_world.inventory_levels}
    webhook = {
        (d.body["location_id"], d.body["inventory_item_id"]): d.body["available"]
        for d in events["inventory_levels/update"]
    }
    for anomaly in _anomalies(small_world, "stock_parity_drift"):
        key = (location_ids[anomaly.location_key], item_ids[anomaly.sku])
        assert webhook[key] == served[key]


# --- order_as_of ---------------------------------------------------------------------------------


def test_order_as_of_is_none_before_creation_and_never_changes_the_world(small_world: World) -> None:
    order = next(o for o in small_world.orders if o.edits and o.fulfillments)
    before = repr(order)
    assert order_as_of(order, order.created_at - dt.timedelta(seconds=1)) is None
    at_creation = order_as_of(order, order.created_at)
    assert at_creation is not None and at_creation is not order
    assert not at_creation.edits and not at_creation.fulfillments and not at_creation.refunds
    now = order_as_of(order, small_world.now)
    assert now is not None and _as_json(order_json(small_world, now)) == _as_json(order_json(small_world, order))
    assert repr(order) == before


def test_order_as_of_between_an_edit_and_its_fulfillment(small_world: World) -> None:
    order = next(o for o in small_world.orders if any(c.delta < 0 for e in o.edits for c in e.changes))
    edit = order.edits[0]
    just_before = order_as_of(order, edit.committed_at - dt.timedelta(microseconds=1))
    after = order_as_of(order, edit.committed_at)
    assert just_before is not None and after is not None
    line = next(li for li in order.line_items if li.id == edit.changes[0].line_item_id)
    assert line_current_quantity(just_before, line) == line_current_quantity(after, line) + 1
    assert after.updated_at == edit.committed_at
    assert just_before.updated_at < edit.committed_at
