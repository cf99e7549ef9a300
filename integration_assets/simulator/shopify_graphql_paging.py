"""Relay cursor connections as Shopify serves them.

Items are sorted ascending by a key `(sort value, id)`; the key makes the order total, so paging
forwards or backwards returns every item exactly once. A cursor is base64 of JSON
`{"last_id": ..., "last_value": ...}` (the shape Shopify's own cursors decode to) and locates its
item by key, not by offset. `reverse: true` presents the same order backwards. `first`/`last`
are required and capped at 250 outside bulk operations; inside a bulk operation connections are
unbounded and page arguments are ignored, as Shopify does.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

MAX_PAGE_SIZE = 250

SortKey = tuple[Any, int]


def encode_cursor(key: SortKey) -> str:
    payload = json.dumps({"last_id": key[1], "last_value": key[0]}, separators=(",", ":"))
    return base64.b64encode(payload.encode()).decode()


def decode_cursor(cursor: str, sample: SortKey | None) -> SortKey:
    """The key a cursor points at; a cursor of another sort order is rejected."""
    try:
        payload = json.loads(base64.b64decode(cursor.encode(), validate=True))
        key = (payload["last_value"], int(payload["last_id"]))
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise GraphQLError(f"Invalid cursor: {cursor}") from exc
    if sample is not None and type(key[0]) is not type(sample[0]):
        raise GraphQLError("Invalid cursor for current pagination sort.")
    return key


def _page_size(name: str, value: int | None, field_name: str) -> int | None:
    if value is None:
        return None
    if value < 0 or value > MAX_PAGE_SIZE:
        # ASSUMED wording; the limit itself is documented (api-notes section 2).
        raise GraphQLError(
            f"Argument '{name}' on Field '{field_name}' has an invalid value ({value}). "
            f"Expected a page size from 0 to {MAX_PAGE_SIZE}."
        )
    return value


def paginate(
    info: GraphQLResolveInfo,
    items: Sequence[Any],
    keys: Sequence[SortKey],
    args: dict[str, Any],
) -> dict[str, Any]:
    """One page of `items` (sorted ascending by `keys`) as a connection object."""
    n = len(items)
    reverse = bool(args.get("reverse"))
    if getattr(info.context, "bulk", False):
        order = range(n - 1, -1, -1) if reverse else range(n)
        return _connection([items[i] for i in order], [keys[i] for i in order], False, False)

    field_name = info.field_name
    first = _page_size("first", args.get("first"), field_name)
    last = _page_size("last", args.get("last"), field_name)
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    sample = keys[0] if keys else None

    def after_position(key: SortKey) -> int:
        """Presentation index of the first item strictly after `key`."""
        return n - bisect_left(keys, key) if reverse else bisect_right(keys, key)

    def before_position(key: SortKey) -> int:
        """Presentation index of the first item at or after `key` (items before it precede)."""
        return n - bisect_right(keys, key) if reverse else bisect_left(keys, key)

    start, end = 0, n
    if args.get("after"):
        start = after_position(decode_cursor(args["after"], sample))
    if args.get("before"):
        end = before_position(decode_cursor(args["before"], sample))
    end = max(start, end)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    positions = range(start, end)
    indices = [n - 1 - p for p in positions] if reverse else list(positions)
    return _connection(
        [items[i] for i in indices],
        [keys[i] for i in indices],
        has_next=end < n,
        has_previous=start > 0,
    )


def _connection(nodes: list[Any], keys: list[SortKey], has_next: bool, has_previous: bool) -> dict[str, Any]:
    cursors = [encode_cursor(k) for k in keys]
    return {
        "edges": [{"cursor": c, "node": node} for c, node in zip(cursors, nodes, strict=True)],
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def paginate_in_order(
    info: GraphQLResolveInfo, items: Sequence[Any], ids: Sequence[int], args: dict[str, Any]
) -> dict[str, Any]:
    """Page a list in its given order (position, id) as the key."""
    return paginate(info, items, [(i, id_) for i, id_ in enumerate(ids)], args)


def limit_list(info: GraphQLResolveInfo, items: list[Any], first: int | None) -> list[Any]:
    """A plain list field with `first:` (Order.refunds...); unbounded inside a bulk operation."""
    if first is None or getattr(info.context, "bulk", False):
        return items
    if first < 0 or first > MAX_PAGE_SIZE:
        raise GraphQLError(
            f"Argument 'first' on Field '{info.field_name}' has an invalid value ({first}). "
            f"Expected a page size from 0 to {MAX_PAGE_SIZE}."
        )
    return items[:first]
