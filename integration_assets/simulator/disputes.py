"""Shopify Payments disputes, derived from the balance transactions they moved.

The payments generator writes a chargeback as money rows only (the withdrawal, and for a won
dispute its reversal, both `sourceType: DISPUTE` with the dispute's id as `sourceId`). Clients read
disputes as records of their own (REST `shopify_payments/disputes.json`, GraphQL
`shopifyPaymentsAccount.disputes`, `Order.disputes`), so this module turns the rows into one
`Dispute` each, and every view renders the same one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from integration_assets.simulator.world import BalanceTransaction, World

# ASSUMED: card networks give 7-21 days to answer a chargeback; Shopify's deadline is earlier.
EVIDENCE_DAYS = 14
EVIDENCE_SENT_AFTER_DAYS = 3  # the merchant contested both chargebacks within days
FRAUD_REASON_CODE = "4837"  # Mastercard "no cardholder authorization" (a fraudulent reason)


@dataclass(frozen=True)
class Dispute:
    id: int
    order_id: int | None
    type: str  # DisputeType: CHARGEBACK | INQUIRY
    amount: Decimal  # positive: what the cardholder disputes
    currency: str
    reason: str  # ShopifyPaymentsDisputeReason
    network_reason_code: str
    status: str  # DisputeStatus
    initiated_at: dt.datetime
    evidence_due_by: dt.date
    evidence_sent_on: dt.date | None
    finalized_on: dt.date | None


def disputes_of(world: World) -> list[Dispute]:
    """Every dispute of the shop, by id.

    A dispute whose money came back (a DISPUTE row with a positive amount) was WON; one that only
    took money was LOST (the generator's story: one won, one lost). ASSUMED: a lost dispute was
    finalized on the window's first day, as the won one's reversal was.
    """
    rows: dict[int, list[BalanceTransaction]] = {}
    for bt in world.balance_transactions:
        if bt.source_type == "DISPUTE" and bt.source_id is not None:
            rows.setdefault(bt.source_id, []).append(bt)
    disputes = []
    for dispute_id, group in sorted(rows.items()):
        group.sort(key=lambda bt: (bt.processed_at, bt.id))
        opened = group[0]
        reversal = next((bt for bt in group if bt.amount > 0), None)
        initiated = opened.processed_at
        due = initiated.date() + dt.timedelta(days=EVIDENCE_DAYS)
        if reversal is not None:
            status, finalized = "WON", reversal.processed_at.date()
        else:
            status, finalized = "LOST", world.size.start_date
        disputes.append(
            Dispute(
                id=dispute_id,
                order_id=opened.source_order_id,
                type="CHARGEBACK",
                amount=-opened.amount,
                currency=opened.currency,
                reason="FRAUDULENT",
                network_reason_code=FRAUD_REASON_CODE,
                status=status,
                initiated_at=initiated,
                evidence_due_by=due,
                evidence_sent_on=initiated.date() + dt.timedelta(days=EVIDENCE_SENT_AFTER_DAYS),
                finalized_on=finalized,
            )
        )
    return disputes
