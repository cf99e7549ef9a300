"""Inventory Planner's Advanced-CSV sales-order file, rendered from reconciliation.sales_history_lines.

The layout is IP's "Sales order data file specification" (api-notes/mintsoft-ip-api.md 2.5): one row per
sales-order line; ORDER_ID unique to the line (IP replaces a line it holds when a later file carries
the same ORDER_ID, so a re-export never doubles), ID shared by the lines of one sale, returns as
negative quantities, cancelled lines flagged CANCELLED=true. A missing required column or an unsupported
one makes IP drop the whole file without telling anyone, so the columns are fixed here and nowhere else.
Timestamps are TIMESTAMP_NTZ: written as the shop's wall-clock time, so IP files each line under the
shop day it belongs to. Money is written as the exact decimal text, never through a float.

The simulator's IP intake reads the same specification on its own (simulator/inventory_planner_intake.py);
the two lists of columns are kept apart on purpose, so a test through the simulator checks this file
against a second reading of IP's rules rather than against itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

REQUIRED_COLUMNS = (
    "ORDER_ID",
    "ID",
    "VARIANT_ID",
    "WAREHOUSE",
    "CURRENCY",
    "QUANTITY",
    "PRICE",
    "CREATED_AT",
    "REMOVED",
    "UPDATED_AT",
)
COLUMNS = (*REQUIRED_COLUMNS, "REFERENCE", "REFERENCE2", "CANCELLED")
VARCHAR_LIMIT = 256  # IP's VARCHAR(256)
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class SalesLineError(ValueError):
    """A sales-history line that cannot be written as IP takes it; names the line and the field."""


def _field(row: Mapping[str, Any], name: str) -> Any:
    value = row.get(name)
    if value is None or value == "":
        raise SalesLineError(f"sales_history_lines line_key={row.get('line_key')!r}: {name} is missing")
    return value


def _text(row: Mapping[str, Any], name: str) -> str:
    value = str(_field(row, name))
    if len(value) > VARCHAR_LIMIT:
        raise SalesLineError(
            f"sales_history_lines line_key={row.get('line_key')!r}: {name} is longer than {VARCHAR_LIMIT} characters"
        )
    return value


def _timestamp(row: Mapping[str, Any], name: str, zone: ZoneInfo) -> str:
    value = _field(row, name)
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise SalesLineError(
            f"sales_history_lines line_key={row.get('line_key')!r}: {name} must be a UTC timestamp, got {value!r}"
        )
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def csv_row(row: Mapping[str, Any], zone: ZoneInfo) -> dict[str, str]:
    """One sales_history_lines row as the file's columns (values as text)."""
    key = row.get("line_key")
    currency = _text(row, "currency").upper()
    if not _CURRENCY.match(currency):
        raise SalesLineError(f"sales_history_lines line_key={key!r}: currency must be 3 letters, got {currency!r}")
    quantity = _field(row, "quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise SalesLineError(f"sales_history_lines line_key={key!r}: quantity must be whole units, got {quantity!r}")
    price = _field(row, "unit_price")
    if not isinstance(price, Decimal) or not price.is_finite():
        raise SalesLineError(f"sales_history_lines line_key={key!r}: unit_price must be a decimal, got {price!r}")
    cancelled = bool(row.get("is_cancelled"))
    return {
        "ORDER_ID": _text(row, "line_key"),
        "ID": _text(row, "order_id"),
        "VARIANT_ID": _text(row, "inventory_planner_variant_id"),
        "WAREHOUSE": _text(row, "inventory_planner_warehouse_id"),
        "CURRENCY": currency,
        "QUANTITY": str(quantity),
        "PRICE": str(price),
        "CREATED_AT": _timestamp(row, "created_at", zone),
        # A line whose every fulfilment was undone has no units left: IP drops it (soft delete).
        "REMOVED": _bool(quantity == 0 and not cancelled),
        "UPDATED_AT": _timestamp(row, "changed_at", zone),
        "REFERENCE": _text(row, "order_name"),
        "REFERENCE2": str(row.get("bundle_sku") or ""),  # the bundle a component line came from
        "CANCELLED": _bool(cancelled),
    }


def render(rows: Iterable[Mapping[str, Any]], shop_timezone: str) -> bytes:
    """The file's bytes: the header, then one line per row in the order given (UTF-8, CRLF as csv writes)."""
    zone = ZoneInfo(shop_timezone)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(csv_row(row, zone))
    return buffer.getvalue().encode("utf-8")
