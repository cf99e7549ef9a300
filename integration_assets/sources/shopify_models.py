"""Typed records of the Shopify Admin GraphQL API (2026-01), as `ShopifyClient` returns them.

Conventions (DESIGN.md "Money, time, identity"):
- ids are ints parsed from GIDs (`gid://shopify/Order/123` -> 123), checked against the kind the
  field holds; an inventory level's composite GID gives its location and item ids;
- money amounts are `Decimal` from the API's decimal strings; a JSON number where Shopify sends a
  string is a wrong type (it may already have lost digits), as is a string where it sends an Int;
- timestamps are timezone-aware (Shopify's GraphQL sends UTC with `Z`);
- Shopify's enums are open (`str`): new values arrive without an API version bump;
- fields are snake_case; the camelCase GraphQL names are the aliases they are read from. Nested
  references the lake needs flat (a line's `variant { id }`) are read into `variant_id`.
Unknown fields are ignored, so asking Shopify for more never breaks a model.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasPath,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    computed_field,
    model_validator,
)
from pydantic.alias_generators import to_camel

GID_PATTERN = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<id>\d+)(?:\?(?P<query>.*))?$")

INVENTORY_QUANTITY_NAMES = (
    "available",
    "on_hand",
    "committed",
    "reserved",
    "damaged",
    "safety_stock",
    "quality_control",
    "incoming",
)


def parse_gid(value: Any, kind: str | None = None) -> int:
    """The numeric id of a GID; ValueError if it is not a GID (of `kind`, when given)."""
    if not isinstance(value, str):
        raise ValueError(f"expected a GID string, got {type(value).__name__}")
    match = GID_PATTERN.match(value)
    if match is None:
        raise ValueError(f"not a Shopify GID: {value!r}")
    if kind is not None and match["kind"] != kind:
        raise ValueError(f"expected a {kind} GID, got {value!r}")
    return int(match["id"])


def parse_inventory_level_gid(value: Any) -> tuple[int, int]:
    """(location_id, inventory_item_id) from `gid://shopify/InventoryLevel/{loc}?inventory_item_id={item}`."""
    location_id = parse_gid(value, "InventoryLevel")
    query = GID_PATTERN.match(value)["query"] or ""  # type: ignore[index]
    params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    item = params.get("inventory_item_id", "")
    if not item.isdigit():
        raise ValueError(f"InventoryLevel GID without inventory_item_id: {value!r}")
    return location_id, int(item)


def _gid_of(kind: str) -> Any:
    return BeforeValidator(lambda value: parse_gid(value, kind))


def _decimal_string(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a decimal string, got {type(value).__name__}")
    return value


def _iso_timestamp(value: Any) -> Any:
    if isinstance(value, dt.datetime | str):
        return value
    raise ValueError(f"expected an ISO-8601 timestamp string, got {type(value).__name__}")


def _int_string(value: Any) -> Any:
    """UnsignedInt64/BigInt: a JSON string of digits (an int is accepted too)."""
    if isinstance(value, bool):
        raise ValueError("expected an integer string, got bool")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise ValueError(f"expected an integer string, got {value!r:.40}")


Amount = Annotated[Decimal, BeforeValidator(_decimal_string)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_timestamp)]
BigInt = Annotated[int, BeforeValidator(_int_string)]


def gid(kind: str) -> Any:
    """`Annotated[int, ...]` for a GID of `kind`."""
    return Annotated[int, _gid_of(kind)]


OrderId = gid("Order")
LineItemId = gid("LineItem")
LocationId = gid("Location")
VariantId = gid("ProductVariant")
ProductId = gid("Product")
InventoryItemId = gid("InventoryItem")
TransactionId = gid("OrderTransaction")
ShippingLineId = gid("ShippingLine")
RefundId = gid("Refund")
RefundLineItemId = gid("RefundLineItem")
FulfillmentId = gid("Fulfillment")
FulfillmentLineItemId = gid("FulfillmentLineItem")
PayoutId = gid("ShopifyPaymentsPayout")
BalanceTransactionId = gid("ShopifyPaymentsBalanceTransaction")


class ShopifyModel(BaseModel):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, validate_by_name=True, validate_by_alias=True)


# --- money ---------------------------------------------------------------------------------------


class Money(ShopifyModel):
    """MoneyV2: an amount and its currency."""

    amount: Amount
    currency_code: StrictStr


class MoneyBag(ShopifyModel):
    """An amount in the shop's currency and in the currency the buyer saw."""

    shop_money: Money
    presentment_money: Money


class TaxLine(ShopifyModel):
    title: StrictStr
    rate: float | None = None  # a fraction (0.2); GraphQL Float, not money
    price_set: MoneyBag


# --- locations -----------------------------------------------------------------------------------


class Location(ShopifyModel):
    id: LocationId
    legacy_resource_id: BigInt
    name: StrictStr
    is_active: StrictBool
    fulfills_online_orders: StrictBool
    ships_inventory: StrictBool | None = None
    has_active_inventory: StrictBool | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    address1: StrictStr | None = Field(None, validation_alias=AliasPath("address", "address1"))
    address2: StrictStr | None = Field(None, validation_alias=AliasPath("address", "address2"))
    city: StrictStr | None = Field(None, validation_alias=AliasPath("address", "city"))
    province: StrictStr | None = Field(None, validation_alias=AliasPath("address", "province"))
    province_code: StrictStr | None = Field(None, validation_alias=AliasPath("address", "provinceCode"))
    zip: StrictStr | None = Field(None, validation_alias=AliasPath("address", "zip"))
    country: StrictStr | None = Field(None, validation_alias=AliasPath("address", "country"))
    country_code: StrictStr | None = Field(None, validation_alias=AliasPath("address", "countryCode"))


# --- orders --------------------------------------------------------------------------------------


class LineItem(ShopifyModel):
    id: LineItemId
    sku: StrictStr | None = None  # may be "" or null, as merchants leave it
    name: StrictStr | None = None
    title: StrictStr | None = None
    variant_title: StrictStr | None = None
    vendor: StrictStr | None = None
    quantity: StrictInt  # as ordered, including refunded and removed units
    current_quantity: StrictInt  # excluding refunded and removed units
    unfulfilled_quantity: StrictInt
    non_fulfillable_quantity: StrictInt | None = None
    refundable_quantity: StrictInt | None = None
    is_gift_card: StrictBool
    requires_shipping: StrictBool
    taxable: StrictBool | None = None
    variant_id: VariantId | None = Field(None, validation_alias=AliasPath("variant", "id"))
    product_id: ProductId | None = Field(None, validation_alias=AliasPath("product", "id"))
    original_unit_price_set: MoneyBag
    discounted_total_set: MoneyBag
    total_discount_set: MoneyBag
    tax_lines: list[TaxLine] = []


class ShippingLine(ShopifyModel):
    id: ShippingLineId | None = None
    title: StrictStr
    code: StrictStr | None = None
    source: StrictStr | None = None
    is_removed: StrictBool | None = None
    original_price_set: MoneyBag
    discounted_price_set: MoneyBag
    tax_lines: list[TaxLine] = []


class OrderTransaction(ShopifyModel):
    id: TransactionId
    kind: StrictStr
    status: StrictStr
    gateway: StrictStr | None = None
    test: StrictBool
    created_at: Timestamp | None = None
    processed_at: Timestamp | None = None
    amount_set: MoneyBag
    parent_transaction_id: TransactionId | None = Field(None, validation_alias=AliasPath("parentTransaction", "id"))


class RefundLineItem(ShopifyModel):
    id: RefundLineItemId | None = None
    line_item_id: LineItemId = Field(validation_alias=AliasPath("lineItem", "id"))
    sku: StrictStr | None = Field(None, validation_alias=AliasPath("lineItem", "sku"))
    quantity: StrictInt
    restock_type: StrictStr  # CANCEL | RETURN | NO_RESTOCK | LEGACY_RESTOCK
    restocked: StrictBool | None = None
    location_id: LocationId | None = Field(None, validation_alias=AliasPath("location", "id"))
    subtotal_set: MoneyBag
    total_tax_set: MoneyBag


class Refund(ShopifyModel):
    id: RefundId
    created_at: Timestamp | None = None
    processed_at: Timestamp | None = None
    note: StrictStr | None = None
    total_refunded_set: MoneyBag
    refund_line_items: list[RefundLineItem]
    transactions: list[OrderTransaction]


class TrackingInfo(ShopifyModel):
    company: StrictStr | None = None
    number: StrictStr | None = None
    url: StrictStr | None = None


class FulfillmentLineItem(ShopifyModel):
    id: FulfillmentLineItemId
    quantity: StrictInt | None = None
    line_item_id: LineItemId = Field(validation_alias=AliasPath("lineItem", "id"))
    sku: StrictStr | None = Field(None, validation_alias=AliasPath("lineItem", "sku"))


class Fulfillment(ShopifyModel):
    id: FulfillmentId
    name: StrictStr | None = None
    status: StrictStr
    display_status: StrictStr | None = None
    created_at: Timestamp
    updated_at: Timestamp
    location_id: LocationId | None = Field(None, validation_alias=AliasPath("location", "id"))
    tracking_info: list[TrackingInfo] = []
    fulfillment_line_items: list[FulfillmentLineItem]


class Order(ShopifyModel):
    """An order with everything hanging off it, every nested page fetched."""

    id: OrderId
    legacy_resource_id: BigInt
    name: StrictStr
    number: StrictInt
    created_at: Timestamp
    updated_at: Timestamp
    processed_at: Timestamp
    cancelled_at: Timestamp | None = None
    cancel_reason: StrictStr | None = None
    closed_at: Timestamp | None = None
    test: StrictBool
    edited: StrictBool
    currency_code: StrictStr
    presentment_currency_code: StrictStr
    taxes_included: StrictBool
    source_name: StrictStr | None = None
    tags: list[StrictStr] = []
    retail_location_id: LocationId | None = Field(None, validation_alias=AliasPath("retailLocation", "id"))
    display_financial_status: StrictStr | None = None
    display_fulfillment_status: StrictStr
    # As checked out ("original" totals).
    total_price_set: MoneyBag
    subtotal_price_set: MoneyBag | None = None
    total_tax_set: MoneyBag | None = None
    total_discounts_set: MoneyBag | None = None
    total_shipping_price_set: MoneyBag
    total_refunded_set: MoneyBag
    # After edits, refunds and removals.
    current_total_price_set: MoneyBag
    current_subtotal_price_set: MoneyBag
    current_total_tax_set: MoneyBag
    current_total_discounts_set: MoneyBag
    current_shipping_price_set: MoneyBag
    tax_lines: list[TaxLine] = []
    line_items: list[LineItem]
    shipping_lines: list[ShippingLine]
    transactions: list[OrderTransaction]  # all of the order's, the refunds' included
    refunds: list[Refund]
    fulfillments: list[Fulfillment]


# --- inventory -----------------------------------------------------------------------------------


class InventoryVariant(ShopifyModel):
    """A variant sharing an inventory item, with the product facts the SKU master needs."""

    id: VariantId
    sku: StrictStr | None = None
    title: StrictStr | None = None
    display_name: StrictStr | None = None
    product_id: ProductId = Field(validation_alias=AliasPath("product", "id"))
    product_title: StrictStr | None = Field(None, validation_alias=AliasPath("product", "title"))
    product_status: StrictStr | None = Field(None, validation_alias=AliasPath("product", "status"))
    product_type: StrictStr | None = Field(None, validation_alias=AliasPath("product", "productType"))
    # The preorder metafield's raw value (DESIGN: `custom.preorder`, "true" marks a preorder).
    preorder_metafield: StrictStr | None = Field(None, validation_alias=AliasPath("product", "preorder", "value"))

    @property
    def preorder(self) -> bool:
        return (self.preorder_metafield or "").strip().lower() == "true"


class InventoryItem(ShopifyModel):
    id: InventoryItemId
    legacy_resource_id: BigInt
    sku: StrictStr | None = None
    tracked: StrictBool
    requires_shipping: StrictBool
    created_at: Timestamp | None = None
    updated_at: Timestamp
    variants: list[InventoryVariant]

    @property
    def variant(self) -> InventoryVariant | None:
        """The item's variant (2026-01 lets several share an item; the first is the usual one)."""
        return self.variants[0] if self.variants else None


def _composite_level_gid(value: str) -> str:
    parse_inventory_level_gid(value)
    return value


def _quantities_by_name(value: Any) -> Any:
    if isinstance(value, list):
        if not all(isinstance(q, dict) and "name" in q for q in value):
            raise ValueError("expected a list of {name, quantity}")
        return {q["name"]: q.get("quantity") for q in value}
    return value


class InventoryLevel(ShopifyModel):
    """One item's quantities at one location; ids come from the level's composite GID."""

    id: Annotated[str, AfterValidator(_composite_level_gid)]
    updated_at: Timestamp
    sku: StrictStr | None = Field(None, validation_alias=AliasPath("item", "sku"))
    item_id: InventoryItemId = Field(validation_alias=AliasPath("item", "id"))
    quantities: Annotated[dict[str, StrictInt], BeforeValidator(_quantities_by_name)]

    @model_validator(mode="after")
    def _item_matches_id(self) -> InventoryLevel:
        if self.inventory_item_id != self.item_id:
            raise ValueError(f"id {self.id!r} names item {self.inventory_item_id}, its item is {self.item_id}")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def location_id(self) -> int:
        return parse_inventory_level_gid(self.id)[0]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def inventory_item_id(self) -> int:
        return parse_inventory_level_gid(self.id)[1]

    def quantity(self, name: str) -> int | None:
        return self.quantities.get(name)


# --- Shopify Payments ----------------------------------------------------------------------------


class PayoutSummary(ShopifyModel):
    adjustments_fee: Money
    adjustments_gross: Money
    advance_fees: Money
    advance_gross: Money
    charges_fee: Money
    charges_gross: Money
    refunds_fee: Money
    refunds_fee_gross: Money  # Shopify's name for gross refunds
    reserved_funds_fee: Money
    reserved_funds_gross: Money
    retried_payouts_fee: Money
    retried_payouts_gross: Money
    usdc_rebate_credit_amount: Money | None = None


class Payout(ShopifyModel):
    id: PayoutId
    legacy_resource_id: BigInt
    issued_at: Timestamp
    status: StrictStr
    transaction_type: StrictStr  # DEPOSIT | WITHDRAWAL
    external_trace_id: StrictStr | None = None
    net: Money
    summary: PayoutSummary


class BalanceTransaction(ShopifyModel):
    id: BalanceTransactionId
    type: StrictStr
    source_type: StrictStr | None = None
    test: StrictBool
    amount: Money
    fee: Money
    net: Money
    source_id: BigInt | None = None
    source_order_transaction_id: BigInt | None = None
    adjustment_reason: StrictStr | None = None
    transaction_date: Timestamp
    associated_order_id: OrderId | None = Field(None, validation_alias=AliasPath("associatedOrder", "id"))
    associated_order_name: StrictStr | None = Field(None, validation_alias=AliasPath("associatedOrder", "name"))
    associated_payout_id: PayoutId | None = Field(None, validation_alias=AliasPath("associatedPayout", "id"))
    associated_payout_status: StrictStr | None = Field(None, validation_alias=AliasPath("associatedPayout", "status"))
