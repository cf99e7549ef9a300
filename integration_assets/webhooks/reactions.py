"""What newly ingested events ask to be re-checked, as plain data a sensor can act on.

Stock events (inventory_levels/update at a location, inventory_items/update for every location)
ask for that date and location's stock to be re-synced and its parity re-checked; order events
(create, edit, cancel, refund, fulfilment) ask for the date's orders to be re-synced and the order
lifecycle re-checked. The date is the shop day the event was triggered on. A stock event at a
location the operator's map does not know is not re-synced (the unmapped_location check reports the
location itself); it is counted so nobody wonders where it went.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from integration_assets.webhooks.ingest import WebhookEvent
from integration_assets.webhooks.payloads import ORDER_TOPICS, STOCK_TOPICS


@dataclass
class Reactions:
    stock: dict[str, set[str]] = field(default_factory=dict)  # date -> location keys to re-sync
    orders: set[str] = field(default_factory=set)  # dates whose orders to re-sync
    unmapped_location_ids: set[int] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        return {
            "stock": {date: sorted(keys) for date, keys in sorted(self.stock.items())},
            "orders": sorted(self.orders),
            "unmapped_location_ids": sorted(self.unmapped_location_ids),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reactions:
        return cls(
            stock={date: set(keys) for date, keys in data.get("stock", {}).items()},
            orders=set(data.get("orders", [])),
            unmapped_location_ids=set(data.get("unmapped_location_ids", [])),
        )


def plan_reactions(
    events: Iterable[WebhookEvent],
    zone: ZoneInfo,
    location_key: Callable[[int], str | None],
    all_locations: Sequence[str],
    partition_of: Callable[[dt.date], str],
) -> Reactions:
    reactions = Reactions()
    for event in events:
        date = partition_of(event.triggered_at.astimezone(zone).date())
        if event.topic in ORDER_TOPICS:
            reactions.orders.add(date)
        elif event.topic in STOCK_TOPICS:
            if event.location_id is None:
                reactions.stock.setdefault(date, set()).update(all_locations)
                continue
            key = location_key(event.location_id)
            if key is None:
                reactions.unmapped_location_ids.add(event.location_id)
            else:
                reactions.stock.setdefault(date, set()).add(key)
    return reactions
