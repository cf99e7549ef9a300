"""An order as it stood at an earlier moment, rebuilt from the timeline the world keeps.

The world holds each order in its final state with every event timestamped (transactions, edits,
refunds, fulfillments, cancellation). Leaving out what came later gives the order a webhook saw
then, rendered by the same payload functions as the REST views
(`order_json(world, order_as_of(order, at))`). Copies only: the world is never changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from integration_assets.simulator.world import Order


def _at_or_before(moment: dt.datetime | None, at: dt.datetime) -> dt.datetime | None:
    return moment if moment is not None and moment <= at else None


def order_change_times(order: Order) -> list[dt.datetime]:
    """Every moment the order changed after it was created (captures, payments for edits, edits,
    refunds, fulfillments, cancellation, closing), sorted, each once."""
    stamps = {t.created_at for t in order.transactions}
    stamps |= {e.committed_at for e in order.edits}
    stamps |= {r.created_at for r in order.refunds}
    stamps |= {f.created_at for f in order.fulfillments}
    stamps |= {f.updated_at for f in order.fulfillments}
    stamps |= {s for s in (order.cancelled_at, order.closed_at) if s is not None}
    return sorted(s for s in stamps if s > order.created_at)


def order_as_of(order: Order, at: dt.datetime) -> Order | None:
    """A copy of `order` as it stood at `at` (inclusive), or None before it was created.

    Kept: transactions, refunds, fulfillments and edits at or before `at`, and the lines as they
    were (a line an edit added later is left out); cancellation and closing only if they had
    happened. `updated_at` is the latest of those moments. Line items, refunds and fulfillments are
    shared with the world's order, not copied: they are not changed here, and the lists are new.
    """
    if at < order.created_at:
        return None
    lines = [li for li in order.line_items if li.added_at is None or li.added_at <= at]
    transactions = [t for t in order.transactions if t.created_at <= at]
    edits = [e for e in order.edits if e.committed_at <= at]
    refunds = [r for r in order.refunds if r.created_at <= at]
    fulfillments = [f for f in order.fulfillments if f.created_at <= at]
    cancelled_at = _at_or_before(order.cancelled_at, at)
    closed_at = _at_or_before(order.closed_at, at)
    stamps = [order.created_at, *(t.created_at for t in transactions), *(e.committed_at for e in edits)]
    stamps += [r.created_at for r in refunds]
    stamps += [f.updated_at if f.updated_at <= at else f.created_at for f in fulfillments]
    stamps += [s for s in (cancelled_at, closed_at, _at_or_before(order.updated_at, at)) if s is not None]
    return replace(
        order,
        line_items=lines,
        transactions=transactions,
        edits=edits,
        refunds=refunds,
        fulfillments=fulfillments,
        cancelled_at=cancelled_at,
        cancel_reason=order.cancel_reason if cancelled_at is not None else None,
        closed_at=closed_at,
        updated_at=max(stamps),
        tags=list(order.tags),
        shipping_lines=list(order.shipping_lines),
        discount_applications=list(order.discount_applications),
    )
