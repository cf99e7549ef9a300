"""Mintsoft's records as typed models (api-notes/mintsoft-ip-api.md section 1).

Field aliases are Mintsoft's exact PascalCase spellings, irregular caps and misspellings included
(`ID`, `SKU`, `EAN`, `TrackingURL`, `DisCont`, OrderItem `Commited`): Mintsoft's JSON keys are case
sensitive. Unknown fields are ignored; customer PII (names, e-mail, address) is left out on purpose.

Typing rules, so bad data is rejected (with the record's id and the field) instead of coerced:
- ints, bools and strings are strict: `"5"` is not 5, `1.0` is not 1, `1` is not True;
- money, weights and percentages are `Decimal`, from JSON numbers only (never from strings, never
  through binary float arithmetic: the shortest repr of the parsed float, i.e. the digits sent);
- Mintsoft's timestamps carry no offset ("2019-05-23T14:40:00.58"): they are read as local time in
  the account's zone, passed as validation context `{"timezone": "Europe/London"}` (ASSUMED zone,
  notes 1.1), and stored as timezone-aware UTC. Ambiguous times in the autumn DST overlap read as the
  first (summer-time) occurrence; Mintsoft's strings cannot tell them apart.
- almost every Mintsoft property is optional: a missing number is unknown (None), never 0. The
  fields a record is useless without (its id, and the stock figures of the inventory feed) are
  required.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    computed_field,
)

from integration_assets.sources.decimals import JsonDecimal

DEFAULT_TIMEZONE = "Europe/London"  # ASSUMED (api-notes 1.1): Mintsoft's zone is undocumented

# Order statuses that mean the parcel left the warehouse: DESPATCHED, INVOICED, INVOICEFAILED (notes 1.7).
SHIPPED_STATUS_IDS = frozenset({4, 5, 6})
CANCELLED_STATUS_ID = 3


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _context_zone(info: ValidationInfo) -> ZoneInfo:
    context = info.context if isinstance(info.context, dict) else {}
    return zone(context.get("timezone") or DEFAULT_TIMEZONE)


def _mintsoft_time(value: Any, info: ValidationInfo) -> dt.datetime:
    """An offset-less local time string in the account's zone -> aware UTC. An explicit offset wins."""
    if not isinstance(value, str):
        raise ValueError("expected a Mintsoft date-time string")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("not an ISO-8601 date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_context_zone(info))
    return parsed.astimezone(dt.UTC)


def _trimmed_url(value: Any) -> Any:
    # ImageURL and TrackingURL can carry stray whitespace (notes 1.6, [JSCLI]).
    return value.strip() or None if isinstance(value, str) else value


MintsoftTime = Annotated[dt.datetime, BeforeValidator(_mintsoft_time)]
OptionalUrl = Annotated[StrictStr | None, BeforeValidator(_trimmed_url)]


class MintsoftModel(BaseModel):
    """Unknown fields ignored; populated by Mintsoft's aliases (or by the Python names in tests)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


# --- warehouses ---------------------------------------------------------------------------------


class Warehouse(MintsoftModel):
    """`GET /api/Warehouse`."""

    id: StrictInt = Field(alias="ID")
    name: StrictStr | None = Field(None, alias="Name")
    code: StrictStr | None = Field(None, alias="Code")
    active: StrictBool | None = Field(None, alias="Active")
    type: StrictStr | None = Field(None, alias="Type")
    company_name: StrictStr | None = Field(None, alias="CompanyName")
    address_line1: StrictStr | None = Field(None, alias="AddressLine1")
    city: StrictStr | None = Field(None, alias="City")
    post_code: StrictStr | None = Field(None, alias="PostCode")
    country_id: StrictInt | None = Field(None, alias="CountryId")
    client_id: StrictInt | None = Field(None, alias="ClientId")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")


# --- products and bundles -----------------------------------------------------------------------


class CommodityCode(MintsoftModel):
    code: StrictStr | None = Field(None, alias="Code")


class Product(MintsoftModel):
    """`GET /api/Product/List` ([SPEC-TS] Product; nested collections are not kept)."""

    id: StrictInt = Field(alias="ID")
    sku: StrictStr = Field(alias="SKU")
    name: StrictStr | None = Field(None, alias="Name")
    description: StrictStr | None = Field(None, alias="Description")
    customs_description: StrictStr | None = Field(None, alias="CustomsDescription")
    ean: StrictStr | None = Field(None, alias="EAN")
    upc: StrictStr | None = Field(None, alias="UPC")
    bundle: StrictBool | None = Field(None, alias="Bundle")
    back_order: StrictBool | None = Field(None, alias="BackOrder")
    discontinued: StrictBool | None = Field(None, alias="DisCont")
    price: JsonDecimal | None = Field(None, alias="Price")
    cost_price: JsonDecimal | None = Field(None, alias="CostPrice")
    weight: JsonDecimal | None = Field(None, alias="Weight")
    low_stock_alert_level: StrictInt | None = Field(None, alias="LowStockAlertLevel")
    vat_exempt: StrictBool | None = Field(None, alias="VatExempt")
    commodity_code: CommodityCode | None = Field(None, alias="CommodityCode")
    country_of_manufacture_id: StrictInt | None = Field(None, alias="CountryOfManufactureId")
    image_url: OptionalUrl = Field(None, alias="ImageURL")
    client_id: StrictInt | None = Field(None, alias="ClientId")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")


class BundleComponent(MintsoftModel):
    id: StrictInt | None = Field(None, alias="ID")
    product_id: StrictInt = Field(alias="ProductId")
    sku: StrictStr | None = Field(None, alias="SKU")
    quantity: StrictInt = Field(alias="Quantity")
    percentage_of_sales_value: JsonDecimal | None = Field(None, alias="PercentageOfSalesValue")


class Bundle(MintsoftModel):
    """`GET /api/Product/{id}/Bundle`: a bundle product and its components."""

    id: StrictInt = Field(alias="ID")
    sku: StrictStr | None = Field(None, alias="SKU")
    name: StrictStr | None = Field(None, alias="Name")
    client_id: StrictInt | None = Field(None, alias="ClientId")
    components: list[BundleComponent] = Field(default_factory=list, alias="Components")


# --- stock --------------------------------------------------------------------------------------


class BreakdownRow(MintsoftModel):
    quantity: StrictInt | None = Field(None, alias="Quantity")
    type: StrictStr | None = Field(None, alias="Type")
    batch_no: StrictStr | None = Field(None, alias="BatchNo")
    serial_no: StrictStr | None = Field(None, alias="SerialNo")
    best_before: MintsoftTime | None = Field(None, alias="BestBefore")


class InventoryItem(MintsoftModel):
    """`GET /api/Product/Inventory/Bulk` (BulkInventoryItem): the reconciliation's stock source.

    OnHand, Allocated and InQuarantine are required: a row without them cannot be reconciled, so it
    is rejected (and quarantined by the caller) rather than read as zero.
    """

    id: StrictInt = Field(alias="ID")
    product_id: StrictInt = Field(alias="ProductId")
    sku: StrictStr = Field(alias="SKU")
    warehouse_id: StrictInt = Field(alias="WarehouseId")
    warehouse_name: StrictStr | None = Field(None, alias="WarehouseName")
    client_id: StrictInt | None = Field(None, alias="ClientId")
    on_hand: StrictInt = Field(alias="OnHand")
    allocated: StrictInt = Field(alias="Allocated")
    in_quarantine: StrictInt = Field(alias="InQuarantine")
    stock_level: StrictInt | None = Field(None, alias="StockLevel")
    off_hand: StrictInt | None = Field(None, alias="OffHand")
    awaiting_replen: StrictInt | None = Field(None, alias="AwaitingReplen")
    on_order: StrictInt | None = Field(None, alias="OnOrder")
    required_by_back_order: StrictInt | None = Field(None, alias="RequiredByBackOrder")
    in_transit: StrictInt | None = Field(None, alias="InTransit")
    in_transition: StrictInt | None = Field(None, alias="InTransition")
    scrapped: StrictInt | None = Field(None, alias="Scrapped")
    location_id: StrictInt | None = Field(None, alias="LocationId")
    breakdown: list[BreakdownRow] | None = Field(None, alias="Breakdown")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def available(self) -> int:
        """Mintsoft available = OnHand - Allocated - InQuarantine (DESIGN.md "Stock parity"); may be negative."""
        return self.on_hand - self.allocated - self.in_quarantine


class StockLevel(MintsoftModel):
    """`GET /api/Product/StockLevels`. No Allocated or Quarantine here (notes 1.5): use InventoryItem."""

    product_id: StrictInt = Field(alias="ProductId")
    warehouse_id: StrictInt = Field(alias="WarehouseId")  # 0 = all warehouses summed
    client_id: StrictInt | None = Field(None, alias="ClientId")
    sku: StrictStr | None = Field(None, alias="SKU")
    level: StrictInt | None = Field(None, alias="Level")
    total_stock_level: StrictInt | None = Field(None, alias="TotalStockLevel")
    pre_orderable: StrictBool | None = Field(None, alias="PreOrderable")
    bundle: StrictBool | None = Field(None, alias="Bundle")
    low_stock_level: StrictInt | None = Field(None, alias="LowStockLevel")
    breakdown: list[BreakdownRow] | None = Field(None, alias="Breakdown")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")


# --- orders -------------------------------------------------------------------------------------


class OrderItem(MintsoftModel):
    id: StrictInt = Field(alias="ID")
    order_id: StrictInt | None = Field(None, alias="OrderId")
    product_id: StrictInt | None = Field(None, alias="ProductId")
    sku: StrictStr | None = Field(None, alias="SKU")
    quantity: StrictInt = Field(alias="Quantity")
    allocated: StrictInt | None = Field(None, alias="Allocated")
    committed: StrictInt | None = Field(None, alias="Commited")  # sic: Mintsoft's spelling
    on_back_order: StrictInt | None = Field(None, alias="OnBackOrder")
    price: JsonDecimal | None = Field(None, alias="Price")
    discount: JsonDecimal | None = Field(None, alias="Discount")
    source_line_total: JsonDecimal | None = Field(None, alias="SourceLineTotal")
    details: StrictStr | None = Field(None, alias="Details")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")


class NamedRef(MintsoftModel):
    """A nested `{ID, Name, Code}` object (Channel, Currency, Country)."""

    id: StrictInt | None = Field(None, alias="ID")
    name: StrictStr | None = Field(None, alias="Name")
    code: StrictStr | None = Field(None, alias="Code")


class Order(MintsoftModel):
    """`GET /api/Order/List` ([SPEC-TS] Order, without customer PII).

    ExternalOrderReference = the Shopify order id and OrderNumber = its name without `#`, as
    Mintsoft's Shopify connector fills them (ASSUMED, notes 1.7).
    """

    id: StrictInt = Field(alias="ID")
    order_number: StrictStr = Field(alias="OrderNumber")
    external_order_reference: StrictStr | None = Field(None, alias="ExternalOrderReference")
    order_status_id: StrictInt | None = Field(None, alias="OrderStatusId")
    warehouse_id: StrictInt | None = Field(None, alias="WarehouseId")
    warehouse_code: StrictStr | None = Field(None, alias="WAREHOUSE_CODE")
    client_id: StrictInt | None = Field(None, alias="ClientId")
    order_date: MintsoftTime | None = Field(None, alias="OrderDate")
    despatch_date: MintsoftTime | None = Field(None, alias="DespatchDate")
    source_order_date: MintsoftTime | None = Field(None, alias="SourceOrderDate")
    courier_service_id: StrictInt | None = Field(None, alias="CourierServiceId")
    courier_service_name: StrictStr | None = Field(None, alias="CourierServiceName")
    tracking_number: StrictStr | None = Field(None, alias="TrackingNumber")
    tracking_url: OptionalUrl = Field(None, alias="TrackingURL")
    number_of_parcels: StrictInt | None = Field(None, alias="NumberOfParcels")
    total_items: StrictInt | None = Field(None, alias="TotalItems")
    total_weight: JsonDecimal | None = Field(None, alias="TotalWeight")
    order_value: JsonDecimal | None = Field(None, alias="OrderValue")
    total_order_gross: JsonDecimal | None = Field(None, alias="TotalOrderGross")
    currency_id: StrictInt | None = Field(None, alias="CurrencyId")
    currency: NamedRef | None = Field(None, alias="Currency")
    channel_id: StrictInt | None = Field(None, alias="ChannelId")
    channel: NamedRef | None = Field(None, alias="Channel")
    source: StrictStr | None = Field(None, alias="Source")
    order_lock: StrictBool | None = Field(None, alias="OrderLock")
    tags: StrictStr | None = Field(None, alias="Tags")
    order_items: list[OrderItem] | None = Field(None, alias="OrderItems")  # only with IncludeOrderItems=true
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")

    @property
    def shipped(self) -> bool:
        return self.order_status_id in SHIPPED_STATUS_IDS


class OrderStatus(MintsoftModel):
    """`GET /api/Order/Statuses`."""

    id: StrictInt = Field(alias="ID")
    name: StrictStr = Field(alias="Name")
    external_name: StrictStr | None = Field(None, alias="ExternalName")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")


# --- returns ------------------------------------------------------------------------------------


class ReturnItem(MintsoftModel):
    id: StrictInt = Field(alias="ID")
    return_id: StrictInt | None = Field(None, alias="ReturnId")
    order_item_id: StrictInt | None = Field(None, alias="OrderItemId")
    product_id: StrictInt | None = Field(None, alias="ProductId")
    sku: StrictStr | None = Field(None, alias="SKU")
    quantity: StrictInt = Field(alias="Quantity")
    return_reason_id: StrictInt | None = Field(None, alias="ReturnReasonId")
    return_reason_name: StrictStr | None = Field(None, alias="ReturnReasonName")
    returned_to_stock: StrictBool | None = Field(None, alias="ReturnedToStock")
    stock_action: StrictStr | None = Field(None, alias="StockAction")
    left_to_put_away: StrictInt | None = Field(None, alias="LeftToPutAway")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")


class Return(MintsoftModel):
    """`GET /api/Return/List` (ASSUMED endpoint, DESIGN.md; ToolkitDataClassesReturnsReturn)."""

    id: StrictInt = Field(alias="ID")
    order_id: StrictInt | None = Field(None, alias="OrderId")
    order_number: StrictStr | None = Field(None, alias="OrderNumber")
    reference: StrictStr | None = Field(None, alias="Reference")
    confirmed: StrictBool | None = Field(None, alias="Confirmed")
    refunded: StrictBool | None = Field(None, alias="Refunded")
    exchanged: StrictBool | None = Field(None, alias="Exchanged")
    invoiced: StrictBool | None = Field(None, alias="Invoiced")
    client_id: StrictInt | None = Field(None, alias="ClientId")
    return_items: list[ReturnItem] = Field(default_factory=list, alias="ReturnItems")
    last_updated: MintsoftTime | None = Field(None, alias="LastUpdated")
