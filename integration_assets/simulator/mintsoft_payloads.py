"""World objects rendered in Mintsoft's JSON shapes (api.mintsoft.co.uk), for the Mintsoft view.

Pure functions: a `MintsoftView` (the world plus the lookups Mintsoft's records need) and one
object in, a JSON-ready dict out. The conventions clients trip over (api-notes/mintsoft-ip-api.md
section 1): PascalCase keys with Mintsoft's own irregular caps and misspellings (`ID`, `SKU`,
`EAN`, `TrackingURL`, `CLIENT_CODE`, `WAREHOUSE_CODE`, `DisCont`, OrderItem `Commited`), numbers
as JSON numbers, unknown values as null (never a silent 0), and timestamps without an offset in
the shop's local time with at most three fractional digits ("2026-11-20T15:00:00",
"2019-05-23T14:40:00.58"). Field names and their order follow the swagger models (SPEC_FIELDS in
the notes' [SPEC-TS]); nested collections a list page would drag along are left empty.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from integration_assets.simulator.world import (
    InventoryItem,
    Location,
    MintsoftOrder,
    MintsoftOrderLine,
    MintsoftProduct,
    MintsoftReturn,
    MintsoftReturnLine,
    Order,
    Product,
    StockPosition,
    Variant,
    World,
)

JSON = dict[str, Any]

# Mintsoft order status ids that matter to the view (the full list is ORDER_STATUSES below).
STATUS_CANCELLED, STATUS_DESPATCHED, STATUS_INVOICED, STATUS_INVOICEFAILED, STATUS_ONBACKORDER = 3, 4, 5, 6, 9
SHIPPED_STATUSES = frozenset({STATUS_DESPATCHED, STATUS_INVOICED, STATUS_INVOICEFAILED})

# The real `GET /api/Order/Statuses` response (julia-boop/XorosoftMintsoft
# models/mintsoft_order_statuses.json): id, Name, ExternalName, LastUpdated, LastUpdatedByUser.
ORDER_STATUSES: tuple[tuple[int, str, str, str, str], ...] = (
    (1, "NEW", "NEW", "2012-06-19T20:26:50.663", "groveslu"),
    (2, "PRINTED", "PRINTED", "2012-06-19T20:26:50.663", "groveslu"),
    (3, "CANCELLED", "CANCELLED", "2012-06-19T20:26:50.663", "groveslu"),
    (4, "DESPATCHED", "DESPATCHED", "2012-06-19T20:26:50.663", "groveslu"),
    (5, "INVOICED", "DESPATCHED", "2012-06-19T20:26:50.663", "groveslu"),
    (6, "INVOICEFAILED", "DESPATCHED", "2012-06-19T20:26:50.663", "groveslu"),
    (7, "HOLDING", "HOLDING", "2012-06-19T20:26:50.663", "groveslu"),
    (8, "FAILED", "FAILED", "2012-06-19T20:26:50.663", "groveslu"),
    (9, "ONBACKORDER", "ONBACKORDER", "2012-06-19T20:26:50.663", "groveslu"),
    (10, "AWAITINGCONFIRMATION", "AWAITINGCONFIRMATION", "2012-09-04T00:00:00", "groveslu"),
    (11, "AWAITINGDOCUMENTATION", "AWAITINGDOCUMENTATION", "2013-05-12T00:00:00", "groveslu"),
    (12, "AWAITINGPAYMENT", "AWAITINGPAYMENT", "2013-05-12T00:00:00", "groveslu"),
    (13, "QUERYRAISED", "QUERYRAISED", "2013-09-04T00:00:00", "groveslu"),
    (14, "PACKANDHOLD", "PACKANDHOLD", "2015-02-09T00:00:00", "groveslu"),
    (15, "AWAITINGPICKING", "AWAITINGPICKING", "2016-06-14T22:36:30.267", "SYSTEM"),
    (16, "PICKINGSTARTED", "PICKINGSTARTED", "2016-06-14T22:36:53.583", "SYSTEM"),
    (17, "PICKED", "PICKED", "2016-06-14T22:37:01.227", "SYSTEM"),
    (18, "FRAUDRISK", "FRAUDRISK", "2019-05-23T14:40:00.58", "SYSTEM"),
    (19, "PICKINGSKIPPED", "PICKINGSKIPPED", "2019-06-19T22:33:20.89", "SYSTEM"),
    (20, "PACKED", "PACKED", "2020-04-29T22:17:38.837", "SYSTEM"),
    (21, "AWAITINGREPLEN", "AWAITINGREPLEN", "2020-10-22T12:22:45.23", "SYSTEM"),
    (22, "PROCESSING", "PROCESSING", "2023-02-01T08:05:55.923", "richard.stone.super"),
    (23, "REBINNED", "REBINNED", "2023-06-14T07:34:27.907", "SYSTEM"),
)

# ASSUMED: the account's return reasons (the model is ReturnReason {Name, StockAction, Active, ID,
# LastUpdated, LastUpdatedByUser} in [SPEC-PHP]; the names and actions are the merchant's own).
RETURN_REASONS: tuple[tuple[int, str, str], ...] = (
    (1, "Wrong size", "RESTOCK"),
    (2, "Changed mind", "RESTOCK"),
    (3, "Not as described", "RESTOCK"),
    (4, "Faulty", "QUARANTINE"),
    (5, "Damaged in transit", "QUARANTINE"),
)
RETURN_REASONS_UPDATED = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)

# ASSUMED: the merchant is one Mintsoft client of its 3PL; these identify it in every record.
CLIENT_ID = 12
CLIENT_CODE = "NWA"
CHANNEL_ID = 1  # ASSUMED: the one Shopify channel of the client
LAST_UPDATED_BY = "SYSTEM"  # ASSUMED: records the connector or the WMS itself touched last
LOW_STOCK_LEVEL = 10  # ASSUMED: the client's default low-stock alert level

# ASSUMED: Mintsoft's CountryId values are its own table's ids (undocumented); these stand in.
COUNTRIES: dict[str, tuple[int, str, str]] = {
    "GB": (1, "United Kingdom", "GBR"),
    "IE": (2, "Ireland", "IRL"),
    "NL": (3, "Netherlands", "NLD"),
    "DE": (4, "Germany", "DEU"),
    "US": (5, "United States", "USA"),
    "JP": (6, "Japan", "JPN"),
}
# ASSUMED: currency ids of Mintsoft's currency table, likewise undocumented.
CURRENCIES: dict[str, tuple[int, str, str]] = {
    "GBP": (1, "Pound Sterling", "£"),
    "EUR": (2, "Euro", "€"),
    "USD": (3, "US Dollar", "$"),
    "JPY": (4, "Japanese Yen", "¥"),
}
# ASSUMED: courier service ids and service type ids of the 3PL's courier set-up.
COURIER_SERVICES: dict[str, tuple[int, int]] = {
    "Royal Mail": (101, 1),
    "DPD": (102, 2),
    "DHL Express": (103, 3),
}
# ASSUMED: unit weights (kg) per Shopify product type; the world keeps no weights.
WEIGHTS_KG: dict[str, Decimal] = {
    "T-Shirt": Decimal("0.20"),
    "Hoodie": Decimal("0.60"),
    "Cap": Decimal("0.12"),
    "Mug": Decimal("0.35"),
    "Socks": Decimal("0.08"),
    "Tote Bag": Decimal("0.15"),
    "Jacket": Decimal("1.10"),
}
DEFAULT_WEIGHT_KG = Decimal("0.25")


# --- scalars ------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def shop_zone(world: World) -> ZoneInfo:
    return _zone(world.shop.timezone)


def mintsoft_time(world: World, moment: dt.datetime | None) -> str | None:
    """Local shop time without an offset, 0-3 fractional digits, trailing zeros dropped (as .NET).

    ASSUMED (notes 1.1): Mintsoft's undocumented zone is Europe/London local time; the world's shop
    zone is used so a merchant elsewhere gets its own local time.
    """
    if moment is None:
        return None
    local = moment.astimezone(shop_zone(world)).replace(tzinfo=None)
    text = local.replace(microsecond=0).isoformat(timespec="seconds")
    millis = local.microsecond // 1000
    return f"{text}.{millis:03d}".rstrip("0") if millis else text


def number(amount: Decimal | None) -> float | None:
    """A money or weight figure as a JSON number; a 2-dp Decimal's float prints as its digits."""
    return None if amount is None else float(amount)


def sku_key(sku: str) -> str:
    """How this project matches SKUs across systems: trimmed and case-folded."""
    return sku.strip().casefold()


# --- the view -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockFigures:
    on_hand: int
    allocated: int
    quarantine: int

    @property
    def level(self) -> int:
        """ASSUMED (notes 1.5): StockLevel.Level = on hand - allocated (free stock incl. quarantine)."""
        return self.on_hand - self.allocated

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated - self.quarantine


class MintsoftView:
    """The world as Mintsoft holds it at "now", with the lookups its records need. Read-only."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.last_date = world.size.dates[-1]
        self.warehouses: list[Location] = sorted(
            (loc for loc in world.locations if loc.mintsoft_warehouse_id is not None),
            key=lambda loc: loc.mintsoft_warehouse_id or 0,
        )
        self.warehouses_by_id = {loc.mintsoft_warehouse_id: loc for loc in self.warehouses}
        self.products: list[MintsoftProduct] = sorted(world.mintsoft_products, key=lambda p: p.id)
        self.products_by_id = {p.id: p for p in self.products}
        self.products_by_sku = {p.sku: p for p in self.products}
        aliases = {sku_key(row["alias"]): sku_key(row["sku"]) for row in world.seeds.get("sku_aliases", [])}
        self._aliases = aliases
        self.products_by_key: dict[str, MintsoftProduct] = {}
        for product in self.products:
            self.products_by_key.setdefault(self.canonical(product.sku), product)
        # The Shopify variant that is the same physical product (first listing wins over a duplicate).
        self._variants_by_key: dict[str, Variant] = {}
        for variant in world.variants:
            self._variants_by_key.setdefault(self.canonical(variant.sku), variant)
        self._items_by_variant: dict[int, InventoryItem] = {i.variant_id: i for i in world.inventory_items}
        self.positions: dict[tuple[int, str], StockPosition] = {
            (p.mintsoft_warehouse_id, p.sku): p for p in world.stock_positions if p.date == self.last_date
        }
        self._stock_touched: dict[tuple[int, str], dt.datetime] = {}
        for movement in world.stock_movements:
            key = (movement.mintsoft_warehouse_id, movement.sku)
            if movement.at <= world.now:
                self._stock_touched[key] = max(movement.at, self._stock_touched.get(key, movement.at))
        self.orders: list[MintsoftOrder] = sorted(world.mintsoft_orders, key=lambda o: o.id)
        self.orders_by_id = {o.id: o for o in self.orders}
        self.returns: list[MintsoftReturn] = sorted(world.mintsoft_returns, key=lambda r: r.id)
        self._back_ordered: dict[tuple[int, str], int] = defaultdict(int)
        for order in self.orders:
            if order.status_id == STATUS_ONBACKORDER:
                for line in order.lines:
                    self._back_ordered[(order.warehouse_id, line.sku)] += line.quantity

    # lookups

    def canonical(self, sku: str) -> str:
        key = sku_key(sku)
        return self._aliases.get(key, key)

    def variant_for(self, product: MintsoftProduct) -> Variant | None:
        return self._variants_by_key.get(self.canonical(product.sku))

    def shopify_product_for(self, product: MintsoftProduct) -> Product | None:
        variant = self.variant_for(product)
        return self.world.products_by_id.get(variant.product_id) if variant else None

    def inventory_item_for(self, product: MintsoftProduct) -> InventoryItem | None:
        variant = self.variant_for(product)
        return self._items_by_variant.get(variant.id) if variant else None

    def is_preorder(self, product: MintsoftProduct) -> bool:
        shopify_product = self.shopify_product_for(product)
        return bool(shopify_product and shopify_product.preorder)

    def components(self, bundle: MintsoftProduct) -> list[tuple[MintsoftProduct, int]]:
        """A bundle's component products (Mintsoft's own records, whatever their spelling)."""
        return [(self.products_by_key[self.canonical(sku)], qty) for sku, qty in bundle.components]

    def shopify_order(self, order: MintsoftOrder) -> Order | None:
        try:
            return self.world.orders_by_id.get(int(order.external_order_reference))
        except ValueError:
            return None

    def weight(self, product: MintsoftProduct) -> Decimal:
        if product.is_bundle:
            return sum((self.weight(c) * q for c, q in self.components(product)), Decimal(0))
        shopify_product = self.shopify_product_for(product)
        return WEIGHTS_KG.get(shopify_product.product_type, DEFAULT_WEIGHT_KG) if shopify_product else DEFAULT_WEIGHT_KG

    # stock

    def inventory_rows(self) -> list[tuple[MintsoftProduct, Location]]:
        """Every inventory record (non-bundle product x warehouse), by warehouse then product."""
        return [
            (product, warehouse)
            for warehouse in self.warehouses
            for product in self.products
            if not product.is_bundle and (warehouse.mintsoft_warehouse_id, product.sku) in self.positions
        ]

    def figures(self, product: MintsoftProduct, warehouse_id: int) -> StockFigures:
        """Physical stock of a product in a warehouse at the end of the last day."""
        if product.is_bundle:
            # ASSUMED (notes 1.5): a bundle's level is how many can be built from the components' free
            # stock (on hand - allocated - quarantine), and it holds no stock of its own.
            buildable = min(
                (max(0, self.figures(c, warehouse_id).available) // q for c, q in self.components(product)),
                default=0,
            )
            return StockFigures(buildable, 0, 0)
        position = self.positions.get((warehouse_id, product.sku))
        if position is None:
            return StockFigures(0, 0, 0)
        return StockFigures(position.on_hand, position.allocated, position.quarantine)

    def stock_updated(self, product: MintsoftProduct, warehouse_id: int | None) -> dt.datetime:
        """ASSUMED: LastUpdated of a stock record = its last stock movement, else the product's creation."""
        skus = [c.sku for c, _ in self.components(product)] if product.is_bundle else [product.sku]
        warehouses = [warehouse_id] if warehouse_id else [w.mintsoft_warehouse_id or 0 for w in self.warehouses]
        touched = [
            self._stock_touched[(wh, sku)] for wh in warehouses for sku in skus if (wh, sku) in self._stock_touched
        ]
        return max([product.created_at, *touched])

    def back_ordered(self, product: MintsoftProduct, warehouse_id: int) -> int:
        return self._back_ordered.get((warehouse_id, product.sku), 0)


# --- warehouses ---------------------------------------------------------------------------------


def _country_id(code: str) -> int | None:
    entry = COUNTRIES.get(code)
    return entry[0] if entry else None


def warehouse_code(location: Location) -> str:
    # ASSUMED: the warehouse code is the operator's location key in upper case ("NORTHAMPTON").
    return (location.location_key or f"WH{location.mintsoft_warehouse_id}").upper()


def warehouse_json(view: MintsoftView, location: Location) -> JSON:
    world = view.world
    return {
        "Name": location.name,
        "Code": warehouse_code(location),
        "Details": None,
        # ASSUMED: warehouse settings the world does not model, at Mintsoft's usual defaults.
        "AllowTransfersIn": True,
        "AllowAllocatedTransfers": False,
        "AllowUnassignedLocations": False,
        "AllocateBasedOnLocationTypePriority": False,
        "IncludeAllocatedStockInReplenPoint": False,
        "VerifyLocationsWhenPicking": True,
        "Active": location.is_active,
        "Type": "Standard",  # ASSUMED: the value set of Type is undocumented
        "PrependWarehouseName": False,
        "AddressLine1": location.address1,
        "AddressLine2": None,
        "City": location.city,
        "County": None,
        "PostCode": location.zip,
        "CompanyName": location.name,  # ASSUMED: the site operator is named like the site
        "ContactName": None,
        "ContactNumber": None,
        "ContactEmail": None,
        "CountryId": _country_id(location.country_code),
        "ClientId": None,  # ASSUMED: a 3PL's warehouses are shared by its clients
        "ID": location.mintsoft_warehouse_id,
        "LastUpdated": mintsoft_time(world, location.updated_at),
        "LastUpdatedByUser": LAST_UPDATED_BY,
        "WarehouseReferenceFields": [],
    }


# --- products and bundles -----------------------------------------------------------------------


def product_json(view: MintsoftView, product: MintsoftProduct) -> JSON:
    world = view.world
    variant = view.variant_for(product)
    shopify_product = view.shopify_product_for(product)
    item = view.inventory_item_for(product)
    return {
        "SKU": product.sku,
        "Name": product.name,
        "PalletSizes": None,
        "PackingInstructions": None,
        # ASSUMED: descriptions from the name and the Shopify product type; every setting the world does
        # not model (batches, serials, dimensions, categories, ...) is at its default (false, 0 or null).
        "Description": product.name,
        "CustomsDescription": shopify_product.product_type if shopify_product else None,
        "MIDCode": None,
        "CountryOfManufactureId": _country_id(item.country_code_of_origin) if item else None,
        "CountryOfManufacture": None,
        "EAN": variant.barcode if variant and variant.barcode else None,
        "UPC": None,
        "LowStockAlertLevel": LOW_STOCK_LEVEL,
        "Weight": number(view.weight(product)),
        "Height": None,
        "Width": None,
        "Depth": None,
        "Volume": None,
        "BackOrder": view.is_preorder(product),  # ASSUMED: preorder SKUs are set to take back orders
        "Bundle": product.is_bundle,
        "DisCont": False,  # the world has no discontinued flag
        "Price": number(product.price),
        "CostPrice": number(item.cost) if item and not product.is_bundle else None,
        "VatExempt": False,
        "AdditionalParcelsRequired": 0,
        "UnitsPerParcel": None,
        "HasBatchNumber": False,
        "LogBatchInbound": False,
        "LogBatchOutbound": False,
        "HasSerialNumber": False,
        "LogSerialInbound": False,
        "LogSerialOutbound": False,
        "HasExpiryDate": False,
        "LogExpiryDateInbound": False,
        "LogExpiryDateOutbound": False,
        "BestBeforeDateWarningPeriodDays": None,
        "CommodityCode": {"Code": item.harmonized_system_code} if item and item.harmonized_system_code else None,
        "HandlingTime": None,
        "ToteCapacity": None,
        "UnNumber": None,
        "ImageURL": None,
        "SyncStockFrom": None,
        "ProductHazardousGoods": None,
        "ProductPurchasingSettings": None,
        "ProductGrowthRates": [],
        "OrderItems": None,
        "Subscription": False,
        "SubscriptionLength": None,
        "SubscriptionFrequency": None,
        "ProductInCategories": [],
        "ProductPrices": [],
        "ProductSuppliers": [],
        "ProductCustomFields": [],
        "ClientId": CLIENT_ID,
        "ID": product.id,
        # ASSUMED: Mintsoft products are not edited in the window, so LastUpdated is their creation.
        "LastUpdated": mintsoft_time(world, product.created_at),
        "LastUpdatedByUser": LAST_UPDATED_BY,
    }


def bundle_json(view: MintsoftView, bundle: MintsoftProduct) -> JSON:
    """`GET /api/Product/{id}/Bundle` (ToolkitDataClassesStockAPIBundle)."""
    world = view.world
    components = view.components(bundle)
    total_value = sum((c.price * q for c, q in components), Decimal(0))
    rows = []
    for position, (component, quantity) in enumerate(components, start=1):
        share = component.price * quantity * 100 / total_value if total_value else Decimal(0)
        rows.append(
            {
                "ProductId": component.id,
                "SKU": component.sku,
                "Product": None,  # ASSUMED: the nested product is not expanded
                "Quantity": quantity,
                # ASSUMED: each component's share of the components' list value.
                "PercentageOfSalesValue": float(round(share, 2)),
                # ASSUMED: component row ids; the world keeps none, so they derive from the bundle's.
                "ID": bundle.id * 10 + position,
                "LastUpdated": mintsoft_time(world, bundle.created_at),
                "LastUpdatedByUser": LAST_UPDATED_BY,
            }
        )
    return {
        "ID": bundle.id,
        "SKU": bundle.sku,
        "Name": bundle.name,
        "PackingInstructions": None,
        "ClientId": CLIENT_ID,
        "Components": rows,
    }


# --- stock --------------------------------------------------------------------------------------


def _quarantine_breakdown(quarantine: int) -> list[JSON]:
    # ASSUMED (notes 1.5): quarantined units appear as one Breakdown row of Type "Quarantine"; the
    # full set of Type values is unknown and the world has no batches, serials or best-before dates.
    if quarantine <= 0:
        return []
    return [{"Quantity": quarantine, "BatchNo": None, "SerialNo": None, "BestBefore": None, "Type": "Quarantine"}]


def stock_level_json(
    view: MintsoftView,
    product: MintsoftProduct,
    warehouse_id: int,
    figures: StockFigures,
    last_updated: dt.datetime,
    breakdown: bool,
) -> JSON:
    """One `GET /api/Product/StockLevels` row; warehouse_id 0 is the all-warehouses sum."""
    return {
        "ProductId": product.id,
        "WarehouseId": warehouse_id,
        "ClientId": CLIENT_ID,
        "SKU": product.sku,
        "Level": figures.level,
        "TotalStockLevel": figures.on_hand,  # ASSUMED (notes 1.5): total on hand
        "PreOrderable": view.is_preorder(product),
        "Bundle": product.is_bundle,
        "LowStockLevel": LOW_STOCK_LEVEL,
        "LastUpdated": mintsoft_time(view.world, last_updated),
        # ASSUMED: without Breakdown=true the property is null rather than absent (ASP.NET default).
        "Breakdown": _quarantine_breakdown(figures.quarantine) if breakdown else None,
    }


def inventory_record_id(product: MintsoftProduct, warehouse_id: int) -> int:
    # ASSUMED: inventory record ids; the world keeps none, so they derive from product and warehouse.
    return warehouse_id * 1_000_000 + product.id


def inventory_item_json(view: MintsoftView, product: MintsoftProduct, warehouse_id: int, breakdown: bool) -> JSON:
    """`GET /api/Product/{id}/Inventory` row (InventoryItem) for one warehouse."""
    figures = view.figures(product, warehouse_id)
    return {
        "ProductId": product.id,
        "StockLevel": figures.level,  # ASSUMED: the same free-stock figure as StockLevel.Level
        "Allocated": figures.allocated,
        "OnHand": figures.on_hand,
        "OffHand": 0,
        "AwaitingReplen": 0,
        "OnOrder": 0,  # ASSUMED: the world models no open ASNs
        "RequiredByBackOrder": view.back_ordered(product, warehouse_id),
        "InQuarantine": figures.quarantine,
        "InTransit": 0,
        "InTransition": 0,
        "Scrapped": 0,
        "SKU": product.sku,
        "WarehouseId": warehouse_id,
        "LocationId": None,  # ASSUMED: warehouse totals, not one bin location
        "Breakdown": _quarantine_breakdown(figures.quarantine) if breakdown else None,
        "ID": inventory_record_id(product, warehouse_id),
        "LastUpdated": mintsoft_time(view.world, view.stock_updated(product, warehouse_id)),
        "LastUpdatedByUser": LAST_UPDATED_BY,
    }


def bulk_inventory_item_json(
    view: MintsoftView, product: MintsoftProduct, warehouse: Location, breakdown: bool
) -> JSON:
    """`GET /api/Product/Inventory/Bulk` row (BulkInventoryItem = InventoryItem + client/warehouse names)."""
    warehouse_id = warehouse.mintsoft_warehouse_id or 0
    item = inventory_item_json(view, product, warehouse_id, breakdown)
    return {
        "ID": item["ID"],
        "LastUpdated": item["LastUpdated"],
        "LastUpdatedByUser": item["LastUpdatedByUser"],
        **{k: v for k, v in item.items() if k not in ("ID", "LastUpdated", "LastUpdatedByUser", "Breakdown")},
        "ClientId": CLIENT_ID,
        "ClientName": view.world.shop.name,
        "WarehouseName": warehouse.name,
        "Breakdown": item["Breakdown"],
    }


# --- orders -------------------------------------------------------------------------------------


def _line_allocated(order: MintsoftOrder, line: MintsoftOrderLine) -> int:
    """Units of a line holding stock: every line of an order waiting in the warehouse.

    Matches the world's StockPosition.allocated (stock.py): allocation starts when the order is
    downloaded and ends at despatch or cancellation; back-ordered lines hold none.
    """
    if order.status_id in SHIPPED_STATUSES or order.status_id in (STATUS_CANCELLED, STATUS_ONBACKORDER):
        return 0
    return line.quantity


def order_item_json(view: MintsoftView, order: MintsoftOrder, line: MintsoftOrderLine) -> JSON:
    product = view.products_by_sku.get(line.sku)
    allocated = _line_allocated(order, line)
    line_total = line.price * line.quantity
    return {
        "OrderId": order.id,
        "ProductId": product.id if product else None,
        "Quantity": line.quantity,
        "Allocated": allocated,
        "Commited": allocated,  # sic: Mintsoft's spelling; ASSUMED equal to Allocated
        "OnBackOrder": line.quantity if order.status_id == STATUS_ONBACKORDER else 0,
        # ASSUMED: a line carries its unit price in the shop currency, tax-inclusive; the tax and
        # discount split of Mintsoft's copy is not modelled, so those figures are null.
        "SourceLineSubTotal": number(line_total),
        "SourceLineTotalTax": None,
        "SourceLineTotalDiscount": None,
        "SourceLineTotal": number(line_total),
        "Price": number(line.price),
        "Vat": None,
        "Discount": 0.0,
        "PriceNet": None,
        "Tax": None,
        "DiscountGross": None,
        "TaxRate": None,
        "DiscountNet": None,
        "DiscountTax": None,
        "NetPaid": None,
        "TaxPaid": None,
        "TotalTax": None,
        "Details": product.name if product else None,  # ASSUMED: the product name
        "SKU": line.sku,
        "OrderItemNameValues": [],
        "ID": line.id,
        "LastUpdated": mintsoft_time(view.world, order.last_updated),
        "LastUpdatedByUser": LAST_UPDATED_BY,
    }


def order_json(view: MintsoftView, order: MintsoftOrder, include_items: bool) -> JSON:
    world = view.world
    shopify = view.shopify_order(order)
    customer = shopify.customer if shopify else None
    country_code = shopify.country_code if shopify else "GB"
    country = COUNTRIES.get(country_code)
    warehouse = view.warehouses_by_id.get(order.warehouse_id)
    currency_code = world.shop.currency  # ASSUMED: lines are priced in the shop currency
    currency = CURRENCIES.get(currency_code, (None, currency_code, None))
    courier = COURIER_SERVICES.get(order.courier or "")
    total_items = sum(line.quantity for line in order.lines)
    order_value = sum((line.price * line.quantity for line in order.lines), Decimal(0))
    weight = sum(
        (
            view.weight(view.products_by_sku[line.sku]) * line.quantity
            for line in order.lines
            if line.sku in view.products_by_sku
        ),
        Decimal(0),
    )
    shipped = order.status_id in SHIPPED_STATUSES
    return {
        "ClientId": CLIENT_ID,
        "CLIENT_CODE": CLIENT_CODE,
        "OrderNumber": order.order_number,
        "ExternalOrderReference": order.external_order_reference,
        "OrderDate": mintsoft_time(world, order.order_date),
        "DespatchDate": mintsoft_time(world, order.despatch_date),
        "AtNewDate": mintsoft_time(world, order.order_date),  # ASSUMED: NEW on download
        "SLAWarningDate": None,
        "SLADespatchDate": None,
        "RequiredDespatchDate": None,
        "RequiredDeliveryDate": None,
        "Title": None,
        "FirstName": customer.first_name if customer else None,
        "LastName": customer.last_name if customer else None,
        "CompanyName": None,
        # ASSUMED: the world keeps no shipping addresses, so the address lines are null.
        "Address1": None,
        "Address2": None,
        "Address3": None,
        "Town": None,
        "County": None,
        "PostCode": None,
        "Phone": None,
        "Mobile": None,
        "Email": customer.email if customer else None,
        "CountryId": country[0] if country else None,
        "Country": {"Name": country[1], "Code": country_code, "Code3": country[2], "ID": country[0]}
        if country
        else None,
        "Source": "Shopify",  # ASSUMED: the connector's source name
        "Comments": None,
        "GiftMessages": None,
        "DeliveryNotes": None,
        "VATNumber": None,
        "EORINumber": None,
        "UKIMSNumber": None,
        "RFCNumber": None,
        "PIDNumber": None,
        "OrderStatusId": order.status_id,
        "NumberOfParcels": 1 if shipped else 0,  # ASSUMED: one parcel per despatch
        "TotalItems": total_items,
        "TotalWeight": number(weight),
        # ASSUMED: OrderValue and TotalOrderGross are the lines' value in the shop currency.
        "OrderValue": number(order_value),
        "Part": 1,
        "NumberOfParts": 1,
        "CourierServiceTypeId": courier[1] if courier else None,
        "CourierServiceId": courier[0] if courier else None,
        "CourierServiceName": order.courier,
        "TrackingNumber": order.tracking_number,
        "TrackingURL": order.tracking_url,
        "ShippingTotalExVat": None,
        "ShippingTotalVat": None,
        "DiscountTotalExVat": None,
        "DiscountTotalVat": None,
        "TotalVat": None,
        "PIIRemoved": False,
        "ShippingNet": None,
        "ShippingTax": None,
        "ShippingGross": None,
        "DiscountNet": None,
        "DiscountTax": None,
        "TotalOrderNet": None,
        "TotalOrderTax": None,
        "TotalOrderGross": number(order_value),
        "DiscountGross": None,
        "WarehouseId": order.warehouse_id,
        "WAREHOUSE_CODE": warehouse_code(warehouse) if warehouse else None,
        "ChannelId": CHANNEL_ID,
        # ASSUMED (notes 1.7): Channel.Name is the Shopify store.
        "Channel": {"Name": world.shop.name, "ID": CHANNEL_ID},
        "CurrencyId": currency[0],
        "Currency": {"Name": currency[1], "Code": currency_code, "Symbol": currency[2], "ID": currency[0]},
        "DespatchedByUser": LAST_UPDATED_BY if shipped else None,  # ASSUMED
        # Lines only with IncludeOrderItems=true (notes 1.7); ASSUMED null otherwise.
        "OrderItems": [order_item_json(view, order, line) for line in order.lines] if include_items else None,
        "OrderNameValues": [],
        "OrderLock": False,
        "RecipientType": None,
        "Tags": None,
        "SourceOrderDate": mintsoft_time(world, shopify.created_at) if shopify else None,
        "ID": order.id,
        "LastUpdated": mintsoft_time(world, order.last_updated),
        "LastUpdatedByUser": LAST_UPDATED_BY,
    }


def order_statuses_json() -> list[JSON]:
    return [
        {"Name": name, "ExternalName": external, "ID": id_, "LastUpdated": updated, "LastUpdatedByUser": user}
        for id_, name, external, updated, user in ORDER_STATUSES
    ]


# --- returns ------------------------------------------------------------------------------------


def _return_reason(ret: MintsoftReturn, position: int) -> tuple[int, str, str]:
    # ASSUMED: reasons spread over the lines deterministically; the world records none.
    return RETURN_REASONS[(ret.id + position) % len(RETURN_REASONS)]


def return_item_json(view: MintsoftView, ret: MintsoftReturn, line: MintsoftReturnLine, position: int) -> JSON:
    order = view.orders_by_id.get(ret.order_id)
    product = view.products_by_sku.get(line.sku)
    order_line = next((ol for ol in order.lines if ol.sku == line.sku), None) if order else None
    reason_id, reason_name, stock_action = _return_reason(ret, position)
    return {
        "OrderItemId": order_line.id if order_line else None,
        "ProductId": product.id if product else None,
        "Quantity": line.quantity,
        "ReturnReasonId": reason_id,
        "Action": None,
        "Comments": None,
        "ExpiryDate": None,
        "BatchNo": None,
        "SerialNo": None,
        "ReturnedToStock": True,  # the world's returns go back on hand (stock.py "return" movements)
        "StockAction": stock_action,
        "ReturnId": ret.id,
        "SKU": line.sku,
        "ReturnReasonName": reason_name,
        "Name": product.name if product else None,
        "LeftToPutAway": 0,
        "ID": ret.id * 100 + position,  # ASSUMED: return item ids derive from the return's
        "LastUpdated": mintsoft_time(view.world, ret.received_at),
        "LastUpdatedByUser": LAST_UPDATED_BY,
    }


def return_json(view: MintsoftView, ret: MintsoftReturn) -> JSON:
    """A received return (ToolkitDataClassesReturnsReturn); the model has no WarehouseId."""
    order = view.orders_by_id.get(ret.order_id)
    return {
        "OrderId": ret.order_id,
        "AdvancedExternalReturn": False,
        "Confirmed": True,
        "Exchanged": False,
        "Refunded": False,  # ASSUMED: the refund happens in Shopify, not in Mintsoft
        "ExchangedOrderId": None,
        "Invoiced": False,
        "Reference": f"RET-{ret.id}",  # ASSUMED: reference format
        "ReturnItems": [return_item_json(view, ret, line, n) for n, line in enumerate(ret.lines, start=1)],
        "ReturnNameValues": [],
        "OrderNumber": order.order_number if order else None,
        "ClientId": CLIENT_ID,
        "ID": ret.id,
        "LastUpdated": mintsoft_time(view.world, ret.received_at),
        "LastUpdatedByUser": LAST_UPDATED_BY,
    }


def return_reasons_json(world: World) -> list[JSON]:
    return [
        {
            "Name": name,
            "StockAction": action,
            "Active": True,
            "ID": id_,
            "LastUpdated": mintsoft_time(world, RETURN_REASONS_UPDATED),
            "LastUpdatedByUser": LAST_UPDATED_BY,
        }
        for id_, name, action in RETURN_REASONS
    ]
