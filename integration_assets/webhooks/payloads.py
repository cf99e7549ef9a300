"""Typed webhook bodies, one model per topic we subscribe to (REST payload shapes, api-notes section 7).

Only the fields the reconciliation needs are declared; every other field is ignored, so Shopify
adding fields never quarantines a delivery. Ids are plain ints (Python ints are exact above 2^53,
where a JavaScript client would lose digits), money is Decimal from Shopify's strings or numbers
(refund lines send numbers), and a zero-decimal currency such as JPY parses as a whole amount.
Bodies are parsed from the raw bytes with `model_validate_json`, so a JSON number never passes
through a float on its way to Decimal.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, StrictBool, StrictInt, ValidationError

from integration_assets.sources.validation import describe


def _exact_decimal(value: Any) -> Any:
    """Money arrives as a string ("10.00", "1000" for JPY) or, on refund lines, as a number."""
    if isinstance(value, bool):
        raise ValueError("expected a decimal amount, got a boolean")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


Money = Annotated[Decimal, BeforeValidator(_exact_decimal)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LineItem(Payload):
    id: StrictInt
    sku: str | None = None
    quantity: StrictInt
    current_quantity: StrictInt | None = None
    price: Money


class OrderPayload(Payload):
    """orders/create, orders/updated, orders/cancelled: the whole REST order."""

    id: StrictInt
    name: str
    created_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled_at: AwareDatetime | None = None
    currency: str
    total_price: Money
    line_items: list[LineItem]

    @property
    def order_id(self) -> int:
        return self.id


class EditedLine(Payload):
    id: StrictInt
    delta: StrictInt


class EditedLines(Payload):
    additions: list[EditedLine]
    removals: list[EditedLine]


class OrderEdit(Payload):
    id: StrictInt
    order_id: StrictInt
    created_at: AwareDatetime
    committed_at: AwareDatetime | None = None
    line_items: EditedLines


class OrderEditPayload(Payload):
    """orders/edited: the edit's delta, not the order (the order is re-read from the API)."""

    order_edit: OrderEdit

    @property
    def order_id(self) -> int:
        return self.order_edit.order_id


class RefundLine(Payload):
    id: StrictInt
    line_item_id: StrictInt
    quantity: StrictInt
    restock_type: str
    location_id: StrictInt | None = None
    subtotal: Money


class RefundTransaction(Payload):
    id: StrictInt
    amount: Money
    currency: str
    kind: str


class RefundPayload(Payload):
    """refunds/create."""

    id: StrictInt
    order_id: StrictInt
    created_at: AwareDatetime
    refund_line_items: list[RefundLine]
    transactions: list[RefundTransaction]


class FulfillmentLine(Payload):
    id: StrictInt
    quantity: StrictInt
    sku: str | None = None


class FulfillmentPayload(Payload):
    """fulfillments/create and fulfillments/update."""

    id: StrictInt
    order_id: StrictInt
    status: str
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    location_id: StrictInt | None = None
    tracking_number: str | None = None
    line_items: list[FulfillmentLine]


class InventoryLevelPayload(Payload):
    """inventory_levels/update: Shopify's available quantity at one location."""

    inventory_item_id: StrictInt
    location_id: StrictInt
    available: StrictInt | None
    updated_at: AwareDatetime


class InventoryItemPayload(Payload):
    """inventory_items/update: catches a `tracked` switched off."""

    id: StrictInt
    sku: str | None = None
    tracked: StrictBool
    updated_at: AwareDatetime
    cost: Money | None = None


MODELS: dict[str, type[Payload]] = {
    "orders/create": OrderPayload,
    "orders/updated": OrderPayload,
    "orders/cancelled": OrderPayload,
    "orders/edited": OrderEditPayload,
    "refunds/create": RefundPayload,
    "fulfillments/create": FulfillmentPayload,
    "fulfillments/update": FulfillmentPayload,
    "inventory_levels/update": InventoryLevelPayload,
    "inventory_items/update": InventoryItemPayload,
}
STOCK_TOPICS = frozenset({"inventory_levels/update", "inventory_items/update"})
ORDER_TOPICS = frozenset(MODELS) - STOCK_TOPICS


class UnknownTopic(ValueError):
    pass


class SchemaError(ValueError):
    pass


def parse_body(topic: str, body: str) -> Payload:
    """The body as its topic's model; UnknownTopic or SchemaError (naming the record and field)."""
    model = MODELS.get(topic)
    if model is None:
        raise UnknownTopic(f"unknown topic {topic!r}")
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise SchemaError(f"{topic} {_record_id(body)}: {describe(error)}") from None


def _record_id(body: str) -> str:
    """The record's id for the error message, found without trusting the body's shape."""
    try:
        data = json.loads(body)
    except ValueError:
        return "(unparseable body)"
    if isinstance(data, dict):
        inner = data.get("order_edit") if isinstance(data.get("order_edit"), dict) else data
        for key in ("id", "inventory_item_id"):
            if key in inner:
                return f"id {inner[key]}"
    return "(no id)"


def subject_of(payload: Payload) -> dict[str, int | dt.datetime | None]:
    """The keys an event row is found by: order, inventory item, location, the record's own id and time."""
    match payload:
        case OrderPayload():
            return _subject(order_id=payload.id, record_id=payload.id, record_time=payload.updated_at)
        case OrderEditPayload():
            edit = payload.order_edit
            return _subject(order_id=edit.order_id, record_id=edit.id, record_time=edit.committed_at or edit.created_at)
        case RefundPayload():
            return _subject(order_id=payload.order_id, record_id=payload.id, record_time=payload.created_at)
        case FulfillmentPayload():
            return _subject(
                order_id=payload.order_id,
                record_id=payload.id,
                record_time=payload.updated_at or payload.created_at,
                location_id=payload.location_id,
            )
        case InventoryLevelPayload():
            return _subject(
                inventory_item_id=payload.inventory_item_id,
                location_id=payload.location_id,
                record_id=payload.inventory_item_id,
                record_time=payload.updated_at,
            )
        case InventoryItemPayload():
            return _subject(inventory_item_id=payload.id, record_id=payload.id, record_time=payload.updated_at)
    raise TypeError(f"no subject for {type(payload).__name__}")


def _subject(
    *,
    record_id: int,
    record_time: dt.datetime | None,
    order_id: int | None = None,
    inventory_item_id: int | None = None,
    location_id: int | None = None,
) -> dict[str, int | dt.datetime | None]:
    return {
        "order_id": order_id,
        "inventory_item_id": inventory_item_id,
        "location_id": location_id,
        "record_id": record_id,
        "record_time": record_time,
    }
