"""Deterministic id sequences shaped like the real systems' ids.

Shopify ids are large integers; line item ids start above 2**53 on purpose, so any client that
parses ids as floats loses precision and fails the tests (as JavaScript tooling does in the wild).
"""

from __future__ import annotations

from collections import defaultdict

_BASES: dict[str, int] = {
    "location": 71_234_560_000,
    "product": 8_812_345_600_000,
    "variant": 45_123_456_700_000,
    "inventory_item": 47_234_567_800_000,
    "order": 6_123_456_700_000,
    "line_item": 16_012_345_678_900_000,
    "shipping_line": 5_012_345_600_000,
    "refund": 951_234_560_000,
    "refund_line_item": 512_345_670_000,
    "order_adjustment": 312_345_670_000,
    "fulfillment": 5_612_345_670_000,
    "fulfillment_line": 13_012_345_670_000,
    "transaction": 7_912_345_670_000,
    "edit": 1_412_345_670_000,
    "customer": 7_212_345_670_000,
    "balance_transaction": 2_112_345_000,
    "charge_source": 3_312_345_000,
    "payout": 104_123_000,
    "mintsoft_product": 20_000,
    "mintsoft_order": 4_500_000,
    "mintsoft_order_line": 9_100_000,
    "mintsoft_return": 61_000,
}


class IdSequence:
    """Hands out increasing ids per entity; the same call order gives the same ids."""

    def __init__(self) -> None:
        self._next: dict[str, int] = defaultdict(int)

    def next(self, entity: str, step: int = 1) -> int:
        self._next[entity] += step
        return _BASES[entity] + self._next[entity]
