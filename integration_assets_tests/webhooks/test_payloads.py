"""Every topic we subscribe to parses from payloads in Shopify's documented shapes: ids above 2^53
stay exact, money stays Decimal (JPY whole, refund-line numbers exact), a bad field is named."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from integration_assets.webhooks.payloads import (
    MODELS,
    FulfillmentPayload,
    InventoryItemPayload,
    InventoryLevelPayload,
    OrderEditPayload,
    OrderPayload,
    RefundPayload,
    SchemaError,
    UnknownTopic,
    parse_body,
    subject_of,
)

BIG = 2**53 + 12345  # a JavaScript number would round this
ORDER = {
    "id": BIG,
    "admin_graphql_api_id": f"gid://shopify/Order/{BIG}",
    "name": "#1001",
    "created_at": "2026-11-21T10:00:00+09:00",
    "updated_at": "2026-11-21T10:05:00+09:00",
    "cancelled_at": None,
    "currency": "JPY",
    "presentment_currency": "JPY",
    "total_price": "10800",
    "line_items": [
        {"id": BIG + 1, "sku": "MUG-1", "quantity": 2, "current_quantity": 1, "price": "5400", "variant_id": 1},
    ],
    "refunds": [],
    "fulfillments": [],
    "some_future_field": {"nested": True},
}
EXAMPLES = {
    "orders/create": ORDER,
    "orders/updated": ORDER,
    "orders/cancelled": {**ORDER, "cancelled_at": "2026-11-21T11:00:00+09:00", "cancel_reason": "customer"},
    "orders/edited": {
        "order_edit": {
            "id": BIG + 2,
            "app_id": None,
            "created_at": "2026-11-21T10:10:00-05:00",
            "committed_at": "2026-11-21T10:11:00-05:00",
            "notify_customer": False,
            "order_id": BIG,
            "staff_note": "",
            "user_id": None,
            "line_items": {"additions": [{"id": BIG + 3, "delta": 1}], "removals": [{"id": BIG + 1, "delta": 1}]},
            "discounts": {"line_item": {"additions": [], "removals": []}},
            "shipping_lines": {"additions": [], "removals": []},
        }
    },
    "refunds/create": {
        "id": BIG + 4,
        "order_id": BIG,
        "created_at": "2026-11-22T09:00:00+00:00",
        "note": "damaged",
        "restock": True,
        "refund_line_items": [
            {
                "id": BIG + 5,
                "line_item_id": BIG + 1,
                "quantity": 1,
                "restock_type": "return",
                "location_id": 655441491,
                "subtotal": 1999.99,
                "total_tax": 333.33,
            }
        ],
        "transactions": [{"id": BIG + 6, "amount": "1999.99", "currency": "GBP", "kind": "refund"}],
        "order_adjustments": [],
    },
    "fulfillments/create": {
        "id": BIG + 7,
        "order_id": BIG,
        "status": "success",
        "created_at": "2026-11-21T12:00:00+00:00",
        "updated_at": "2026-11-21T12:00:00+00:00",
        "location_id": 655441491,
        "tracking_number": "RM123456789GB",
        "line_items": [{"id": BIG + 1, "quantity": 1, "sku": "MUG-1"}],
    },
    "fulfillments/update": {
        "id": BIG + 7,
        "order_id": BIG,
        "status": "cancelled",
        "created_at": "2026-11-21T12:00:00+00:00",
        "updated_at": "2026-11-21T13:00:00+00:00",
        "location_id": None,
        "tracking_number": None,
        "line_items": [],
    },
    "inventory_levels/update": {
        "inventory_item_id": BIG + 8,
        "location_id": 655441491,
        "available": -3,
        "updated_at": "2026-11-21T12:00:00-05:00",
        "admin_graphql_api_id": "gid://shopify/InventoryLevel/655441491?inventory_item_id=1",
    },
    "inventory_items/update": {
        "id": BIG + 8,
        "sku": "MUG-1",
        "created_at": "2026-01-01T00:00:00-05:00",
        "updated_at": "2026-11-21T12:00:00-05:00",
        "requires_shipping": True,
        "cost": "2.50",
        "tracked": False,
        "country_code_of_origin": None,
    },
}


def test_every_subscribed_topic_has_an_example() -> None:
    assert set(EXAMPLES) == set(MODELS)


@pytest.mark.parametrize("topic", sorted(EXAMPLES))
def test_example_parses_with_exact_ids(topic: str) -> None:
    payload = parse_body(topic, json.dumps(EXAMPLES[topic]))
    subject = subject_of(payload)
    assert subject["record_id"] is not None and subject["record_id"] >= BIG
    if topic.startswith(("orders/", "refunds/", "fulfillments/")):
        assert subject["order_id"] == BIG


def test_money_is_exact_for_zero_decimal_and_numbers() -> None:
    order = parse_body("orders/create", json.dumps(ORDER))
    assert isinstance(order, OrderPayload)
    assert order.total_price == Decimal("10800") and order.line_items[0].price == Decimal("5400")
    refund = parse_body("refunds/create", json.dumps(EXAMPLES["refunds/create"]))
    assert isinstance(refund, RefundPayload)
    assert refund.refund_line_items[0].subtotal == Decimal("1999.99")
    assert refund.transactions[0].amount == Decimal("1999.99")


def test_each_topic_reads_into_its_model() -> None:
    kinds = {topic: type(parse_body(topic, json.dumps(body))) for topic, body in EXAMPLES.items()}
    assert kinds["orders/edited"] is OrderEditPayload
    assert kinds["fulfillments/create"] is FulfillmentPayload
    assert kinds["inventory_levels/update"] is InventoryLevelPayload
    assert kinds["inventory_items/update"] is InventoryItemPayload
    level = parse_body("inventory_levels/update", json.dumps(EXAMPLES["inventory_levels/update"]))
    assert subject_of(level)["location_id"] == 655441491 and subject_of(level)["inventory_item_id"] == BIG + 8


def test_a_bad_field_is_named_with_the_record() -> None:
    bad = {**ORDER, "line_items": [{**ORDER["line_items"][0], "quantity": "two"}]}
    with pytest.raises(SchemaError, match=rf"orders/create id {BIG}: field line_items\.0\.quantity"):
        parse_body("orders/create", json.dumps(bad))
    with pytest.raises(SchemaError, match="field tracked"):
        parse_body("inventory_items/update", json.dumps({**EXAMPLES["inventory_items/update"], "tracked": "no"}))


def test_unknown_topic() -> None:
    with pytest.raises(UnknownTopic, match="app/uninstalled"):
        parse_body("app/uninstalled", "{}")
