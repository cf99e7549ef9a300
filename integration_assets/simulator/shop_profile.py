"""The shop's own settings, as both Shopify views show them (REST `shop.json`, GraphQL `shop`).

Connectors read the shop first (a connection check: name, domain, currency, timezone, plan), so
both views render one `ShopProfile` and cannot disagree. What the world does not hold is derived
from it deterministically: the shop id from the domain, the address from the primary location,
the presentment currencies from the orders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from integration_assets.simulator.world import Shop, World

# REST `plan_name` / GraphQL `plan.publicDisplayName` per simulated plan. The REST names are the
# ones seen in real shop.json bodies ("basic", "professional", "unlimited", "shopify_plus");
# ASSUMED: which display name goes with which, and "Enterprise" as Plus's for the 2000-point tier.
PLAN_NAMES: dict[str, tuple[str, str]] = {
    "standard": ("basic", "Basic"),
    "advanced": ("unlimited", "Advanced"),
    "plus": ("shopify_plus", "Shopify Plus"),
    "enterprise": ("shopify_plus", "Shopify Plus"),
}

MONEY_FORMATS: dict[str, tuple[str, str]] = {
    "GBP": ("£{{amount}}", "£{{amount}} GBP"),
    "EUR": ("€{{amount_with_comma_separator}}", "€{{amount_with_comma_separator}} EUR"),
    "USD": ("${{amount}}", "${{amount}} USD"),
    "JPY": ("¥{{amount_no_decimals}}", "¥{{amount_no_decimals}} JPY"),
}


def shop_id(shop: Shop) -> int:
    """A stable numeric shop id derived from the domain (the world does not carry one)."""
    return 10_000_000 + int(hashlib.sha256(shop.domain.encode()).hexdigest()[:8], 16) % 89_999_999


@dataclass(frozen=True)
class ShopProfile:
    id: int
    name: str
    email: str
    myshopify_domain: str
    currency: str
    iana_timezone: str
    plan_name: str
    plan_display_name: str
    shopify_plus: bool
    enabled_presentment_currencies: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    address1: str
    city: str
    zip: str
    country_code: str
    primary_location_id: int | None
    taxes_included: bool
    weight_unit: str
    money_format: str
    money_with_currency_format: str


def shop_profile(world: World) -> ShopProfile:
    shop = world.shop
    warehouses = [loc for loc in world.locations if loc.kind == "warehouse" and loc.is_active]
    primary = warehouses[0] if warehouses else (world.locations[0] if world.locations else None)
    created = min((loc.created_at for loc in world.locations), default=world.now) - dt.timedelta(days=90)
    presentment = {shop.currency} | {order.presentment_currency for order in world.orders}
    plan_name, display = PLAN_NAMES.get(shop.plan, (shop.plan, shop.plan.title()))
    formats = MONEY_FORMATS.get(shop.currency, ("{{amount}}", "{{amount}} " + shop.currency))
    return ShopProfile(
        id=shop_id(shop),
        name=shop.name,
        email=f"owner@{shop.domain}",
        myshopify_domain=shop.domain,
        currency=shop.currency,
        iana_timezone=shop.timezone,
        plan_name=plan_name,
        plan_display_name=display,
        shopify_plus=plan_name == "shopify_plus",
        enabled_presentment_currencies=tuple(sorted(presentment)),
        created_at=created,
        # ASSUMED: the shop's settings last changed when its newest location was added.
        updated_at=max((loc.updated_at for loc in world.locations), default=created),
        address1=primary.address1 if primary else "",
        city=primary.city if primary else "",
        zip=primary.zip if primary else "",
        country_code=primary.country_code if primary else "GB",
        primary_location_id=primary.id if primary else None,
        taxes_included=True,  # a UK shop shows VAT-inclusive prices
        weight_unit="KILOGRAMS",
        money_format=formats[0],
        money_with_currency_format=formats[1],
    )
