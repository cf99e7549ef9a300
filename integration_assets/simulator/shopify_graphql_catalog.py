"""Resolvers for the shop's catalog and stock: locations, products, variants, inventory items and
inventory levels, plus the product metafield that flags preorders and the Shop object.

Sources are the world's own dataclasses (Location, Product, Variant, InventoryItem,
InventoryLevel, Shop); connections are sorted by id unless a sort key says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from integration_assets.simulator.shop_profile import ShopProfile
from integration_assets.simulator.shopify_graphql_paging import paginate
from integration_assets.simulator.shopify_graphql_state import RequestState, WorldIndex
from integration_assets.simulator.shopify_graphql_values import (
    count,
    gid,
    inventory_level_gid,
    money_v2,
    parse_gid,
    parse_inventory_level_gid,
)
from integration_assets.simulator.shopify_payloads import COUNTRY_NAMES
from integration_assets.simulator.shopify_search import SearchCatalog, SearchField
from integration_assets.simulator.world import (
    QUANTITY_NAMES,
    InventoryItem,
    InventoryLevel,
    Location,
    Product,
    Variant,
)

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo

# The product metafield that marks a preorder (DESIGN.md: PREORDER_METAFIELD default).
PREORDER_NAMESPACE = "custom"
PREORDER_KEY = "preorder"


TYPE_NAMES: dict[type, str] = {
    Location: "Location",
    Product: "Product",
    Variant: "ProductVariant",
    InventoryItem: "InventoryItem",
    InventoryLevel: "InventoryLevel",
    ShopProfile: "Shop",
}


def index(info: Info) -> WorldIndex:
    state: RequestState = info.context
    return state.index


# --- search catalogs ----------------------------------------------------------------------------

INVENTORY_ITEM_SEARCH = SearchCatalog(
    fields={
        "sku": SearchField("string", lambda i: i.sku),
        "id": SearchField("int", lambda i: i.id),
        "created_at": SearchField("datetime", lambda i: i.created_at),
        "updated_at": SearchField("datetime", lambda i: i.updated_at),
        "tracked": SearchField("bool", lambda i: i.tracked),
    },
    default_fields=("sku",),
)

LOCATION_SEARCH = SearchCatalog(
    fields={
        "name": SearchField("string", lambda loc: loc.name),
        "id": SearchField("int", lambda loc: loc.id),
        "active": SearchField("bool", lambda loc: loc.is_active),
        "created_at": SearchField("datetime", lambda loc: loc.created_at),
        "updated_at": SearchField("datetime", lambda loc: loc.updated_at),
    },
    default_fields=("name",),
)

INVENTORY_LEVEL_SEARCH = SearchCatalog(
    fields={
        "updated_at": SearchField("datetime", lambda lv: lv.updated_at),
        "location_id": SearchField("int", lambda lv: lv.location_id),
        "inventory_item_id": SearchField("int", lambda lv: lv.inventory_item_id),
    }
)


def _filtered(
    info: Info, catalog: SearchCatalog, items: list[Any], keys: list[Any], query: str | None
) -> tuple[list[Any], list[Any]]:
    search = catalog.compile(query, index(info).zone)
    info.context.note_search(info.path.as_list(), search)
    if search.is_empty:
        return items, keys
    kept = [n for n, item in enumerate(items) if search.matches(item)]
    return [items[n] for n in kept], [keys[n] for n in kept]


# --- root fields --------------------------------------------------------------------------------


def _sorted_locations(info: Info, sort_key: str) -> tuple[list[Location], list[Any]]:
    idx = index(info)
    if sort_key == "NAME":
        return idx.sorted_by("locations", "NAME", idx.world.locations, lambda loc: (loc.name.casefold(), loc.id))
    return idx.sorted_by("locations", "ID", idx.world.locations, lambda loc: (loc.id, loc.id))


def _visible_locations(info: Info, args: dict[str, Any]) -> tuple[list[Location], list[Any]]:
    locations, keys = _sorted_locations(info, args.get("sortKey") or "NAME")
    if not args.get("includeInactive"):
        kept = [n for n, loc in enumerate(locations) if loc.is_active]
        locations, keys = [locations[n] for n in kept], [keys[n] for n in kept]
    return _filtered(info, LOCATION_SEARCH, locations, keys, args.get("query"))


def resolve_locations(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    locations, keys = _visible_locations(info, args)
    return paginate(info, locations, keys, args)


def resolve_locations_count(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    locations, _ = _visible_locations(info, {"query": args.get("query")})
    return count(len(locations), args.get("limit"))


def resolve_location(_root: Any, info: Info, id: str | None = None) -> Location | None:
    idx = index(info)
    if id is None:
        primary = idx.primary_location_id
        return idx.world.locations_by_id.get(primary) if primary is not None else None
    _, location_id, _ = parse_gid(id, "Location")
    return idx.world.locations_by_id.get(location_id)


def resolve_inventory_items(_root: Any, info: Info, **args: Any) -> dict[str, Any]:
    idx = index(info)
    items, keys = idx.sorted_by("inventory_items", "ID", idx.world.inventory_items, lambda it: (it.id, it.id))
    items, keys = _filtered(info, INVENTORY_ITEM_SEARCH, items, keys, args.get("query"))
    return paginate(info, items, keys, args)


def resolve_inventory_item(_root: Any, info: Info, id: str) -> InventoryItem | None:
    _, item_id, _ = parse_gid(id, "InventoryItem")
    return index(info).world.items_by_id.get(item_id)


def resolve_inventory_level(_root: Any, info: Info, id: str) -> InventoryLevel | None:
    location_id, item_id = parse_inventory_level_gid(id)
    return index(info).level_by_key.get((location_id, item_id))


def node_for(info: Info, kind: str, id_: int, query: str | None) -> Any:
    """The source object behind a catalog-side GID, or None."""
    world = index(info).world
    if kind == "Location":
        return world.locations_by_id.get(id_)
    if kind == "Product":
        return world.products_by_id.get(id_)
    if kind == "ProductVariant":
        return world.variants_by_id.get(id_)
    if kind == "InventoryItem":
        return world.items_by_id.get(id_)
    if kind == "InventoryLevel":
        try:
            location_id, item_id = parse_inventory_level_gid(f"gid://shopify/{kind}/{id_}?{query}")
        except GraphQLError:
            return None
        return index(info).level_by_key.get((location_id, item_id))
    if kind == "Shop" and id_ == index(info).shop.id:
        return index(info).shop
    return None


# --- locations ----------------------------------------------------------------------------------


def _address(loc: Location) -> dict[str, Any]:
    country = COUNTRY_NAMES.get(loc.country_code, loc.country_code)
    return {
        "address1": loc.address1,
        "address2": None,
        "city": loc.city,
        "country": country,
        "countryCode": loc.country_code,
        "formatted": [loc.address1, f"{loc.city} {loc.zip}".strip(), country],
        "latitude": None,
        "longitude": None,
        "phone": None,
        "province": None,
        "provinceCode": None,
        "zip": loc.zip,
    }


def _levels_page(info: Info, levels: list[InventoryLevel], by_item: bool, args: dict[str, Any]) -> dict[str, Any]:
    """A page of levels: a location's are keyed by item id, an item's by location id."""
    keys = [
        (lv.inventory_item_id, lv.inventory_item_id) if by_item else (lv.location_id, lv.location_id) for lv in levels
    ]
    levels, keys = _filtered(info, INVENTORY_LEVEL_SEARCH, levels, keys, args.get("query"))
    return paginate(info, levels, keys, args)


def _location_level(loc: Location, info: Info, inventoryItemId: str) -> InventoryLevel | None:
    _, item_id, _ = parse_gid(inventoryItemId, "InventoryItem")
    return index(info).level_by_key.get((loc.id, item_id))


LOCATION: dict[str, Resolver] = {
    "id": lambda loc, i: gid("Location", loc.id),
    "legacyResourceId": lambda loc, i: loc.id,
    "name": lambda loc, i: loc.name,
    "address": lambda loc, i: _address(loc),
    "addressVerified": lambda loc, i: True,
    "isActive": lambda loc, i: loc.is_active,
    "activatable": lambda loc, i: not loc.is_active,
    "deactivatable": lambda loc, i: loc.is_active,
    "deactivatedAt": lambda loc, i: None,
    "deletable": lambda loc, i: False,
    "fulfillsOnlineOrders": lambda loc, i: loc.fulfills_online_orders,
    "hasActiveInventory": lambda loc, i: any(
        lv.quantities.get("on_hand", 0) > 0 for lv in index(i).levels_by_location.get(loc.id, [])
    ),
    "hasUnfulfilledOrders": lambda loc, i: loc.id in index(i).unfulfilled_locations,
    "isFulfillmentService": lambda loc, i: False,
    "shipsInventory": lambda loc, i: loc.kind == "warehouse",
    "isPrimary": lambda loc, i: loc.id == index(i).primary_location_id,
    "createdAt": lambda loc, i: loc.created_at,
    "updatedAt": lambda loc, i: loc.updated_at,
    "inventoryLevel": _location_level,
    "inventoryLevels": lambda loc, i, **a: _levels_page(i, index(i).levels_by_location.get(loc.id, []), True, a),
    "metafield": lambda loc, i, **a: None,
    "metafields": lambda loc, i, **a: paginate(i, [], [], a),
}


# --- products and variants ----------------------------------------------------------------------


def _preorder_metafield(product: Product) -> dict[str, Any]:
    return {
        "__typename": "Metafield",
        "id": gid("Metafield", product.id),
        "legacyResourceId": product.id,
        "namespace": PREORDER_NAMESPACE,
        "key": PREORDER_KEY,
        "value": "true",
        "type": "boolean",
        "description": None,
        "createdAt": product.created_at,
        "updatedAt": product.updated_at,
    }


def _product_metafield(product: Product, info: Info, key: str, namespace: str | None = None) -> dict[str, Any] | None:
    if namespace is None and "." in key:
        namespace, key = key.split(".", 1)
    if product.preorder and namespace == PREORDER_NAMESPACE and key == PREORDER_KEY:
        return _preorder_metafield(product)
    return None


def _product_metafields(product: Product, info: Info, **args: Any) -> dict[str, Any]:
    fields = [_preorder_metafield(product)] if product.preorder else []
    namespace, keys = args.get("namespace"), args.get("keys")
    fields = [
        f
        for f in fields
        if (namespace is None or f["namespace"] == namespace)
        and (keys is None or f"{f['namespace']}.{f['key']}" in keys)
    ]
    return paginate(info, fields, [(f["legacyResourceId"], f["legacyResourceId"]) for f in fields], args)


def _available(info: Info, item_id: int) -> int:
    return sum(lv.quantities.get("available", 0) for lv in index(info).levels_by_item.get(item_id, []))


def _tracked_variants(info: Info, product: Product) -> list[Variant]:
    items = index(info).world.items_by_id
    return [
        v
        for v in index(info).variants_by_product.get(product.id, [])
        if (item := items.get(v.inventory_item_id)) is not None and item.tracked
    ]


def _variants_page(info: Info, variants: list[Variant], args: dict[str, Any]) -> dict[str, Any]:
    return paginate(info, variants, [(v.position, v.id) for v in variants], args)


PRODUCT: dict[str, Resolver] = {
    "id": lambda p, i: gid("Product", p.id),
    "legacyResourceId": lambda p, i: p.id,
    "title": lambda p, i: p.title,
    "handle": lambda p, i: p.handle,
    "vendor": lambda p, i: p.vendor,
    "productType": lambda p, i: p.product_type,
    "status": lambda p, i: p.status,
    "tracksInventory": lambda p, i: bool(_tracked_variants(i, p)),
    "totalInventory": lambda p, i: sum(_available(i, v.inventory_item_id) for v in _tracked_variants(i, p)),
    "createdAt": lambda p, i: p.created_at,
    "updatedAt": lambda p, i: p.updated_at,
    "variants": lambda p, i, **a: _variants_page(i, index(i).variants_by_product.get(p.id, []), a),
    "metafield": _product_metafield,
    "metafields": _product_metafields,
}


def _variant_display_name(variant: Variant, info: Info) -> str:
    product = index(info).world.products_by_id.get(variant.product_id)
    title = product.title if product is not None else ""
    return f"{title} - {variant.title}" if variant.title else title


VARIANT: dict[str, Resolver] = {
    "id": lambda v, i: gid("ProductVariant", v.id),
    "legacyResourceId": lambda v, i: v.id,
    "title": lambda v, i: v.title,
    "displayName": _variant_display_name,
    "sku": lambda v, i: v.sku,
    "price": lambda v, i: v.price,
    "inventoryQuantity": lambda v, i: _available(i, v.inventory_item_id),
    "inventoryItem": lambda v, i: index(i).world.items_by_id.get(v.inventory_item_id),
    "product": lambda v, i: index(i).world.products_by_id.get(v.product_id),
    "createdAt": lambda v, i: v.created_at,
    "updatedAt": lambda v, i: v.updated_at,
    "metafield": lambda v, i, **a: None,
    "metafields": lambda v, i, **a: paginate(i, [], [], a),
}


# --- inventory ----------------------------------------------------------------------------------


def _country_of_origin(item: InventoryItem, info: Info) -> str | None:
    code = item.country_code_of_origin
    enum = info.schema.get_type("CountryCode")
    return code if code and code in getattr(enum, "values", {}) else None


def _item_level(item: InventoryItem, info: Info, locationId: str) -> InventoryLevel | None:
    _, location_id, _ = parse_gid(locationId, "Location")
    return index(info).level_by_key.get((location_id, item.id))


def _item_variants(item: InventoryItem, info: Info, **args: Any) -> dict[str, Any]:
    variant = index(info).variant_by_item.get(item.id)
    return _variants_page(info, [variant] if variant is not None else [], args)


INVENTORY_ITEM: dict[str, Resolver] = {
    "id": lambda it, i: gid("InventoryItem", it.id),
    "legacyResourceId": lambda it, i: it.id,
    "sku": lambda it, i: it.sku,
    "tracked": lambda it, i: it.tracked,
    "requiresShipping": lambda it, i: it.requires_shipping,
    "createdAt": lambda it, i: it.created_at,
    "updatedAt": lambda it, i: it.updated_at,
    "unitCost": lambda it, i: money_v2(it.cost, index(i).world.shop.currency),
    "countryCodeOfOrigin": _country_of_origin,
    "provinceCodeOfOrigin": lambda it, i: None,
    "harmonizedSystemCode": lambda it, i: it.harmonized_system_code or None,
    "countryHarmonizedSystemCodes": lambda it, i, **a: paginate(i, [], [], a),
    "duplicateSkuCount": lambda it, i: index(i).sku_counts.get(it.sku, 1) - 1,
    "inventoryHistoryUrl": lambda it, i: None,
    "locationsCount": lambda it, i: count(len(index(i).levels_by_item.get(it.id, []))),
    "measurement": lambda it, i: {"id": gid("InventoryItemMeasurement", it.id), "weight": None},
    "inventoryLevel": _item_level,
    "inventoryLevels": lambda it, i, **a: _levels_page(i, index(i).levels_by_item.get(it.id, []), False, a),
    "variants": _item_variants,
    "variant": lambda it, i: index(i).variant_by_item.get(it.id),
}


def _quantities(level: InventoryLevel, info: Info, names: list[str]) -> list[dict[str, Any]]:
    unknown = [n for n in names if n not in QUANTITY_NAMES]
    if unknown:
        raise GraphQLError(
            f"Invalid quantity names: {', '.join(unknown)}. Valid names are: {', '.join(QUANTITY_NAMES)}."
        )
    level_gid = inventory_level_gid(level.location_id, level.inventory_item_id)
    return [
        {
            "id": f"{level_gid}&name={name}".replace("InventoryLevel", "InventoryQuantity", 1),
            "name": name,
            "quantity": level.quantities.get(name, 0),
            "updatedAt": level.updated_at,
        }
        for name in names
    ]


def _level_created_at(level: InventoryLevel, info: Info) -> Any:
    world = index(info).world
    item = world.items_by_id.get(level.inventory_item_id)
    location = world.locations_by_id.get(level.location_id)
    stamps = [x.created_at for x in (item, location) if x is not None]
    return max(stamps) if stamps else level.updated_at


INVENTORY_LEVEL: dict[str, Resolver] = {
    "id": lambda lv, i: inventory_level_gid(lv.location_id, lv.inventory_item_id),
    "item": lambda lv, i: index(i).world.items_by_id.get(lv.inventory_item_id),
    "location": lambda lv, i: index(i).world.locations_by_id.get(lv.location_id),
    "quantities": _quantities,
    "canDeactivate": lambda lv, i: lv.quantities.get("on_hand", 0) == 0 and lv.quantities.get("committed", 0) == 0,
    "deactivationAlert": lambda lv, i: None,
    "createdAt": _level_created_at,
    "updatedAt": lambda lv, i: lv.updated_at,
}


def _utc_offset(profile: ShopProfile, info: Info) -> dt.timedelta:
    """The shop zone's offset at the world's "now" (what Shopify shows for the current moment)."""
    now = index(info).world.now
    return now.astimezone(index(info).zone).utcoffset() or dt.timedelta(0)


def _offset_text(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _shop_address(profile: ShopProfile) -> dict[str, Any]:
    country = COUNTRY_NAMES.get(profile.country_code, profile.country_code)
    return {
        "id": gid("ShopAddress", profile.id),
        "address1": profile.address1,
        "address2": None,
        "city": profile.city,
        "company": None,
        "country": country,
        "countryCodeV2": profile.country_code,
        "formatted": [profile.address1, f"{profile.city} {profile.zip}".strip(), country],
        "phone": None,
        "province": None,
        "provinceCode": None,
        "zip": profile.zip,
    }


SHOP: dict[str, Resolver] = {
    "id": lambda s, i: gid("Shop", s.id),
    "name": lambda s, i: s.name,
    "email": lambda s, i: s.email,
    "contactEmail": lambda s, i: s.email,
    "myshopifyDomain": lambda s, i: s.myshopify_domain,
    "url": lambda s, i: f"https://{s.myshopify_domain}",
    "primaryDomain": lambda s, i: {
        "id": gid("Domain", s.id),
        "host": s.myshopify_domain,
        "url": f"https://{s.myshopify_domain}",
        "sslEnabled": True,
    },
    "currencyCode": lambda s, i: s.currency,
    "enabledPresentmentCurrencies": lambda s, i: list(s.enabled_presentment_currencies),
    "ianaTimezone": lambda s, i: s.iana_timezone,
    "timezoneAbbreviation": lambda s, i: index(i).world.now.astimezone(index(i).zone).tzname() or "UTC",
    "timezoneOffset": lambda s, i: _offset_text(_utc_offset(s, i)),
    "timezoneOffsetMinutes": lambda s, i: int(_utc_offset(s, i).total_seconds() // 60),
    "plan": lambda s, i: {
        "partnerDevelopment": False,
        "publicDisplayName": s.plan_display_name,
        "shopifyPlus": s.shopify_plus,
        "displayName": s.plan_display_name,
    },
    "billingAddress": lambda s, i: _shop_address(s),
    "createdAt": lambda s, i: s.created_at,
    "updatedAt": lambda s, i: s.updated_at,
    "taxesIncluded": lambda s, i: s.taxes_included,
    "taxShipping": lambda s, i: False,
    "weightUnit": lambda s, i: s.weight_unit,
    "shopOwnerName": lambda s, i: s.name,
    "currencyFormats": lambda s, i: {
        "moneyFormat": s.money_format,
        "moneyWithCurrencyFormat": s.money_with_currency_format,
        "moneyInEmailsFormat": s.money_format,
        "moneyWithCurrencyInEmailsFormat": s.money_with_currency_format,
    },
    "setupRequired": lambda s, i: False,
    "checkoutApiSupported": lambda s, i: False,
    "description": lambda s, i: None,
}


RESOLVERS: dict[str, dict[str, Resolver]] = {
    "QueryRoot": {
        "locations": resolve_locations,
        "locationsCount": resolve_locations_count,
        "location": resolve_location,
        "inventoryItems": resolve_inventory_items,
        "inventoryItem": resolve_inventory_item,
        "inventoryLevel": resolve_inventory_level,
        "shop": lambda _root, info: index(info).shop,
    },
    "Location": LOCATION,
    "Product": PRODUCT,
    "ProductVariant": VARIANT,
    "InventoryItem": INVENTORY_ITEM,
    "InventoryLevel": INVENTORY_LEVEL,
    "Shop": SHOP,
}


def type_name(value: Any) -> str | None:
    return TYPE_NAMES.get(type(value))
