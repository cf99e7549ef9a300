"""Inventory Planner's view of the world, rendered in IP's JSON shapes (pure: no HTTP).

IP knows the variant SKUs in `World.inventory_planner_skus` and one warehouse per mapped location
that has an `inventory_planner_warehouse_id`. Its metrics live per warehouse, inside each variant's
`warehouse[]` (api-notes/mintsoft-ip-api.md 2.2), and are computed here from the world so that a
test can recompute them independently:

- `in_stock`: on hand at that warehouse as of "now". A warehouse reads Mintsoft's on-hand at the
  last date (through the location's Mintsoft warehouse id); the store reads Shopify's on_hand.
- `last_7_days_sales` / `last_30_days_sales`: units sold at that warehouse in the days ending with
  the world's last date (shop time). ASSUMED attribution, as IP's Shopify connector would see it:
  POS orders at their retail location, web orders at the location that fulfilled them or, not yet
  fulfilled, the Mintsoft warehouse that holds them. Units are Shopify's current quantity, so
  cancelled, refunded and edited-out units do not count (returns dated to the order, as one IP
  help page says); test orders and orders no location has taken yet (unpaid, gift-card only)
  are not attributed.
- ASSUMED: replenishment follows the textbook formula (IP's own is not published): daily velocity
  from the last 7 days, demand over lead time plus review period, plus minimum stock (the operator's
  safety buffer), less stock on hand and in transit.

Warehouse ids are the world's `inventory_planner_warehouse_id` values, in IP's own style
("c<connection>_<platform location id>"); the operator's seeds repeat them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from integration_assets.simulator.world import (
    InventoryItem,
    Location,
    Order,
    Product,
    Variant,
    World,
    inventory_planner_connection,
    line_current_quantity,
)

JSON = dict[str, Any]

# ASSUMED: lead times (days) per warehouse country and for the store (replenished by transfer);
# IP's defaults are set per account in its UI, the API only reports them.
LEAD_TIME_DAYS_BY_COUNTRY: dict[str, int] = {"GB": 14, "IE": 21, "NL": 28}
DEFAULT_LEAD_TIME_DAYS = 21
STORE_LEAD_TIME_DAYS = 7
# ASSUMED: IP's "days of stock" (review_period) default.
REVIEW_PERIOD_DAYS = 14
VELOCITY_DAYS = 7
SALES_WINDOWS = (7, 30)


def connection_id(world: World) -> str:
    """The id of IP's connection to the shop (see world.inventory_planner_connection)."""
    return inventory_planner_connection(world.seed)


def ip_variant_id(world: World, variant: Variant) -> str:
    """ASSUMED: an IP variant id is the connection prefix plus the platform's (Shopify's) variant id."""
    return f"{connection_id(world)}_{variant.id}"


def fold_sku(sku: str) -> str:
    return sku.strip().casefold()


@dataclass(frozen=True)
class IpWarehouse:
    id: str  # exactly the seeds' inventory_planner_warehouse_id
    location: Location
    lead_time: int

    @property
    def location_key(self) -> str:
        return self.location.location_key or ""


@dataclass(frozen=True)
class IpVariant:
    id: str
    sku: str
    variant: Variant
    product: Product
    item: InventoryItem


def ip_warehouses(world: World) -> list[IpWarehouse]:
    """One IP warehouse per mapped location with an IP warehouse id, in the world's location order."""
    out = []
    for loc in world.locations:
        if loc.location_key is None or not loc.inventory_planner_warehouse_id:
            continue
        if loc.kind == "store":
            lead_time = STORE_LEAD_TIME_DAYS
        else:
            lead_time = LEAD_TIME_DAYS_BY_COUNTRY.get(loc.country_code, DEFAULT_LEAD_TIME_DAYS)
        out.append(IpWarehouse(loc.inventory_planner_warehouse_id, loc, lead_time))
    return out


def ip_variants(world: World) -> list[IpVariant]:
    """One IP variant per SKU IP knows, in catalogue order (ASSUMED: the order IP lists them in)."""
    by_sku: dict[str, Variant] = {}
    for variant in world.variants:
        by_sku.setdefault(variant.sku, variant)
    out = []
    for sku in world.inventory_planner_skus:
        variant = by_sku[sku]
        out.append(
            IpVariant(
                ip_variant_id(world, variant),
                sku,
                variant,
                world.products_by_id[variant.product_id],
                world.items_by_id[variant.inventory_item_id],
            )
        )
    return out


# --- stock -------------------------------------------------------------------------------------


def _alias_map(world: World) -> dict[str, str]:
    return {fold_sku(row["alias"]): fold_sku(row["sku"]) for row in world.seeds.get("sku_aliases", [])}


def canonical_sku(sku: str, aliases: dict[str, str]) -> str:
    """Trimmed, case-folded, aliases resolved (the operator's sku_aliases seed)."""
    folded = fold_sku(sku)
    return aliases.get(folded, folded)


def mintsoft_on_hand(world: World, variants: list[IpVariant]) -> dict[tuple[int, str], int]:
    """(Mintsoft warehouse id, IP variant id) -> Mintsoft on hand at the world's last date.

    Mintsoft may spell a SKU differently (case, an alias); IP's stock lands on the variant with the
    same canonical SKU. Where two IP variants share one (a duplicate listing), the first in
    catalogue order holds the stock, so no unit is counted twice.
    """
    aliases = _alias_map(world)
    owner: dict[str, str] = {}
    for v in variants:
        owner.setdefault(canonical_sku(v.sku, aliases), v.id)
    last = world.size.dates[-1]
    out: dict[tuple[int, str], int] = defaultdict(int)
    for pos in world.stock_positions:
        if pos.date != last:
            continue
        variant_id = owner.get(canonical_sku(pos.sku, aliases))
        if variant_id is not None:
            out[(pos.mintsoft_warehouse_id, variant_id)] += pos.on_hand
    return out


def shopify_on_hand(world: World) -> dict[tuple[int, int], int]:
    """(Shopify location id, inventory item id) -> Shopify's on_hand quantity."""
    return {(lvl.location_id, lvl.inventory_item_id): lvl.quantities["on_hand"] for lvl in world.inventory_levels}


# --- sales -------------------------------------------------------------------------------------


def order_location_id(world: World, order: Order, mintsoft_warehouse_by_order: dict[str, int]) -> int | None:
    """The Shopify location an order's sales count at, or None while no location has taken it."""
    if order.source_name == "pos":
        return order.retail_location_id
    if order.fulfillment_location_id is not None:
        return order.fulfillment_location_id
    for fulfillment in order.fulfillments:
        if fulfillment.status == "SUCCESS":
            return fulfillment.location_id
    warehouse_id = mintsoft_warehouse_by_order.get(str(order.id))
    if warehouse_id is None:
        return None
    return next((loc.id for loc in world.locations if loc.mintsoft_warehouse_id == warehouse_id), None)


def units_sold(world: World, window_days: int) -> dict[tuple[int, str], int]:
    """(Shopify location id, variant SKU) -> units sold in the `window_days` days ending at the last date."""
    zone = ZoneInfo(world.shop.timezone)
    last = world.size.dates[-1]
    first = last - dt.timedelta(days=window_days - 1)
    warehouse_by_order: dict[str, int] = {}
    for ms in sorted(world.mintsoft_orders, key=lambda m: m.id):
        warehouse_by_order.setdefault(ms.external_order_reference, ms.warehouse_id)
    out: dict[tuple[int, str], int] = defaultdict(int)
    for order in world.orders:
        if order.test or order.cancelled_at is not None:
            continue
        if not first <= order.created_at.astimezone(zone).date() <= last:
            continue
        location_id = order_location_id(world, order, warehouse_by_order)
        if location_id is None:
            continue
        for line in order.line_items:
            variant = world.variants_by_id.get(line.variant_id) if line.variant_id is not None else None
            units = line_current_quantity(order, line)
            if variant is not None and units:
                out[(location_id, variant.sku)] += units
    return out


# --- metrics -----------------------------------------------------------------------------------


def _money(amount: Decimal) -> float:
    # IP sends numbers; a two-place Decimal survives the float round trip as the same short text.
    return float(amount)


def _rounded(value: Fraction) -> float:
    return round(float(value), 2)


def warehouse_metrics(
    world: World,
    warehouse: IpWarehouse,
    variant: IpVariant,
    in_stock: int,
    sales: dict[int, int],
    minimum_stock: int,
) -> JSON:
    """One entry of a variant's `warehouse[]`."""
    velocity = Fraction(sales[VELOCITY_DAYS], VELOCITY_DAYS)
    in_transit = 0  # ASSUMED field name (api-notes 2.2); the simulator has no open purchase orders
    horizon = warehouse.lead_time + REVIEW_PERIOD_DAYS
    replenishment = max(0, math.ceil(velocity * horizon + minimum_stock - in_stock - in_transit))
    if not replenishable(variant):
        replenishment = 0
    days_of_stock = math.floor(Fraction(max(in_stock, 0)) / velocity) if velocity else None
    last = world.size.dates[-1]
    replenish_date = (
        (last + dt.timedelta(days=max(0, days_of_stock - warehouse.lead_time))).isoformat()
        if days_of_stock is not None
        else None
    )
    cost = variant.item.cost
    return {
        "warehouse": warehouse.id,
        # ASSUMED: `in_stock` is on hand (one real client asks for it; api-notes 2.2).
        "in_stock": in_stock,
        "in_transit": in_transit,
        "lead_time": warehouse.lead_time,
        "review_period": REVIEW_PERIOD_DAYS,
        "minimum_stock": minimum_stock,
        "last_7_days_sales": sales[7],
        "last_30_days_sales": sales[30],
        # ASSUMED: cur_sales is the current daily sales rate (units a day over the last 7 days).
        "cur_sales": _rounded(velocity),
        "forecast_description": {
            # ASSUMED: the method label and the meaning of the two velocities.
            "method": "sales_velocity_7_days",
            "sales_velocity1": _rounded(velocity),
            "sales_velocity30": _rounded(Fraction(sales[30], 30)),
            "total_days_oos": 0,
        },
        "oos": days_of_stock,  # forecasted days to sell out (null without sales)
        "replenishment": replenishment,
        "replenish_date": replenish_date,
        "to_order": replenishment,  # no open purchase orders, so all of it is still to order
        "to_order_cost": _money(cost * replenishment),
        "regular_price": _money(variant.variant.price),
        "cost_price": _money(cost),
        "landing_cost_price": _money(cost),
    }


def replenishable(variant: IpVariant) -> bool:
    """Services and gift cards are never bought in, and bundles are bought as their components.

    ASSUMED: IP lets a merchant mark such items as not replenished; this merchant has.
    """
    return variant.item.requires_shipping and not variant.product.is_bundle and not variant.product.is_gift_card


def _minimum_stock(world: World) -> dict[tuple[str, str], int]:
    """(location key, SKU) -> the operator's safety buffer, which IP holds as minimum stock."""
    return {(row["location_key"], row["sku"]): int(row["buffer_units"]) for row in world.seeds.get("safety_stock", [])}


class InventoryPlannerView:
    """Everything the simulated IP account serves, computed once from a (read-only) world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.connection = connection_id(world)
        self.warehouses = ip_warehouses(world)
        self.warehouses_by_id = {w.id: w for w in self.warehouses}
        self.variants = ip_variants(world)
        self.variants_by_id = {v.id: v for v in self.variants}
        self._by_sku = {v.sku: v for v in self.variants}
        self._by_shopify_id = {str(v.variant.id): v for v in self.variants}
        self._by_folded: dict[str, list[IpVariant]] = defaultdict(list)
        for v in self.variants:
            self._by_folded[fold_sku(v.sku)].append(v)
        mintsoft = mintsoft_on_hand(world, self.variants)
        shopify = shopify_on_hand(world)
        sold = {days: units_sold(world, days) for days in SALES_WINDOWS}
        minimum = _minimum_stock(world)
        self.records = [self._render(v, mintsoft, shopify, sold, minimum) for v in self.variants]
        self.records_by_id = {r["id"]: r for r in self.records}

    def _render(
        self,
        v: IpVariant,
        mintsoft: dict[tuple[int, str], int],
        shopify: dict[tuple[int, int], int],
        sold: dict[int, dict[tuple[int, str], int]],
        minimum: dict[tuple[str, str], int],
    ) -> JSON:
        entries = []
        for wh in self.warehouses:
            loc = wh.location
            if loc.mintsoft_warehouse_id is not None:
                in_stock = mintsoft.get((loc.mintsoft_warehouse_id, v.id), 0)
            else:
                in_stock = shopify.get((loc.id, v.item.id), 0)
            sales = {days: sold[days].get((loc.id, v.sku), 0) for days in SALES_WINDOWS}
            entries.append(
                warehouse_metrics(self.world, wh, v, in_stock, sales, minimum.get((wh.location_key, v.sku), 0))
            )
        title = v.product.title if v.variant.title == "Default Title" else f"{v.product.title} - {v.variant.title}"
        cost = _money(v.item.cost)
        return {
            "id": v.id,
            "sku": v.sku,
            "title": title,
            "barcode": v.variant.barcode,
            "tags": list(v.product.tags),
            "connections": [
                {
                    "sku": v.sku,
                    "removed": False,
                    "vendors": [
                        {
                            "vendor": v.product.vendor.lower(),  # IP's vendor ids are lower-cased names
                            "cost_price": cost,
                            "cost_price_currency": self.world.shop.currency,
                            "landing_cost_price": cost,
                        }
                    ],
                }
            ],
            "merged": [],
            "regular_price": _money(v.variant.price),
            "cost_price": cost,
            # ASSUMED: variant-level figures are the warehouses' totals, as IP's UI shows them.
            "in_stock": sum(e["in_stock"] for e in entries),
            "last_7_days_sales": sum(e["last_7_days_sales"] for e in entries),
            "last_30_days_sales": sum(e["last_30_days_sales"] for e in entries),
            "replenishment": sum(e["replenishment"] for e in entries),
            "to_order": sum(e["to_order"] for e in entries),
            "warehouse": entries,
        }

    def resolve_variant(self, reference: str) -> tuple[IpVariant | None, str | None]:
        """The IP variant a sales file's VARIANT_ID names, or None and why.

        Accepted, in this order: IP's variant id, the Shopify variant id (the platform id IP's
        connection carries), the SKU exactly as IP holds it, then the SKU trimmed and
        case-folded when that names a single variant.
        """
        found = self.variants_by_id.get(reference) or self._by_shopify_id.get(reference.strip())
        found = found or self._by_sku.get(reference)
        if found is not None:
            return found, None
        candidates = self._by_folded.get(fold_sku(reference), [])
        if len(candidates) == 1:
            return candidates[0], None
        if candidates:
            return None, f"{reference!r} matches several variants ({', '.join(c.sku for c in candidates)})"
        return None, f"unknown variant {reference!r}"


def warehouse_json(view: InventoryPlannerView, warehouse: IpWarehouse) -> JSON:
    """ASSUMED shape (api-notes 2.3): GET api/v1/warehouses is not confirmed."""
    return {
        "id": warehouse.id,
        "name": warehouse.location.name,
        "display_name": warehouse.location.name,
        "disabled": False,
        "connection": view.connection,
        "currency": view.world.shop.currency,
        "type": warehouse.location.kind,
    }


# --- fields selection --------------------------------------------------------------------------


@dataclass
class FieldNode:
    """One level of a `fields=` selection: `whole` for a bare name, `children` for dotted ones."""

    whole: bool = False
    children: dict[str, FieldNode] | None = None


def parse_fields(raw: str | None) -> FieldNode | None:
    """`fields=id,sku,warehouse.in_stock` as a tree; None selects everything."""
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    if not names:
        return None
    root = FieldNode(children={})
    for name in names:
        node = root
        for part in name.split("."):
            assert node.children is not None
            node = node.children.setdefault(part, FieldNode(children={}))
        node.whole = True
    return root


def select_fields(record: JSON, fields: FieldNode | None) -> JSON:
    """Apply a selection to a variant. `id` always comes back (ASSUMED); a bare `warehouse` gives
    only the warehouse-id stubs, as IP does (api-notes 2.1); unknown names are ignored (ASSUMED)."""
    if fields is None:
        return record
    selected = _select(record, fields, stub_key=None)
    return {"id": record["id"], **{k: v for k, v in selected.items() if k != "id"}}


def _select(value: Any, node: FieldNode, stub_key: str | None) -> Any:
    if isinstance(value, list):
        return [_select(item, node, stub_key) for item in value]
    if not isinstance(value, dict):
        return value
    if node.whole and stub_key is None:
        return value
    out: JSON = {stub_key: value[stub_key]} if stub_key and stub_key in value else {}
    children = node.children or {}
    for key, item in value.items():
        if key in children and key != stub_key:
            out[key] = _select(item, children[key], "warehouse" if key == "warehouse" else None)
    return out
