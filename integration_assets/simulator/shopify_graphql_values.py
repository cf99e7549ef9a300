"""Value conventions of the simulated Admin GraphQL API, shared by every resolver module.

- Ids are GIDs (`gid://shopify/Order/123`); inventory levels use Shopify's composite form
  `gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}`.
- Money (`Decimal` and `Money` scalars) is a decimal string without forced scale: trailing zeros
  are dropped but one fractional digit is kept ("10.0", "-41.9", "1200.0", "44.52"), the way
  Shopify's GraphQL responses show amounts (api-notes/shopify-api.md section 6). "-0" is "0.0".
- DateTime is UTC with a `Z` suffix at whole seconds (2026-11-20T10:15:00Z).
- UnsignedInt64 and BigInt serialize as JSON strings, so ids above 2**53 survive JavaScript.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from graphql import GraphQLError

from integration_assets.simulator.world import MoneyBag

GID_PATTERN = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<id>\d+)(?:\?(?P<query>.*))?$")


def gid(kind: str, id_: int) -> str:
    return f"gid://shopify/{kind}/{id_}"


def inventory_level_gid(location_id: int, inventory_item_id: int) -> str:
    return f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={inventory_item_id}"


def parse_gid(value: str, expected_kind: str | None = None) -> tuple[str, int, str | None]:
    """Split a GID into (kind, numeric id, query string); GraphQLError if it is not one."""
    match = GID_PATTERN.match(value or "")
    if match is None:
        raise GraphQLError(f"Invalid global id '{value}'")
    kind = match["kind"]
    if expected_kind is not None and kind != expected_kind:
        raise GraphQLError(f"Invalid id: {value} is not a {expected_kind} id")
    return kind, int(match["id"]), match["query"]


def parse_inventory_level_gid(value: str) -> tuple[int, int]:
    """(location_id, inventory_item_id) from a composite InventoryLevel GID."""
    _, location_id, query = parse_gid(value, "InventoryLevel")
    params = dict(part.split("=", 1) for part in (query or "").split("&") if "=" in part)
    try:
        return location_id, int(params["inventory_item_id"])
    except (KeyError, ValueError) as exc:
        raise GraphQLError(f"Invalid id: {value} has no inventory_item_id") from exc


def format_decimal(amount: Decimal) -> str:
    """Shopify's GraphQL decimal string: no trailing zeros, at least one fractional digit."""
    if amount == 0:
        return "0.0"
    text = format(amount.normalize(), "f")
    return text if "." in text else text + ".0"


def format_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def serialize_decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, int | float):
        return format_decimal(Decimal(str(value)))
    return str(value)


def serialize_datetime(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    return str(value)


def serialize_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def serialize_int_string(value: Any) -> str:
    return str(int(value))


def money_v2(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currencyCode": currency}


def money_bag(bag: MoneyBag, shop_currency: str, presentment_currency: str) -> dict[str, Any]:
    return {
        "shopMoney": {"amount": bag.shop, "currencyCode": shop_currency},
        "presentmentMoney": {"amount": bag.presentment, "currencyCode": presentment_currency},
    }


def count(value: int, limit: int | None = None) -> dict[str, Any]:
    """A Count object; a result capped by `limit` is AT_LEAST, as Shopify reports it."""
    if limit is not None and value > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": value, "precision": "EXACT"}
