"""Shopify Payments money: balance transactions from the orders' card payments, the events that
have no order (disputes, reserves, adjustments), and payouts on the UK cadence.

Invariants the world keeps (api-notes/payouts-ledger.md section 4): each transaction's net equals
amount minus fee; a payout's non-TRANSFER transactions sum to its net, the TRANSFER row is minus the
net, and each summary category is the sum of its family's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from integration_assets.simulator.ids import IdSequence
from integration_assets.simulator.pricing import card_fee
from integration_assets.simulator.world import Anomaly, BalanceTransaction, Order, Payout

PAY_PERIOD_BUSINESS_DAYS = 3  # UK (payouts-ledger.md 1.4)
MINIMUM_PAYOUT = Decimal("1.00")  # payouts under £1 roll over
CHARGEBACK_FEE = Decimal("10.00")  # UK

SUMMARY_FAMILY = {
    "CHARGE": "charges",
    "REFUND": "refunds",
    "RESERVED_FUNDS": "reservedFunds",
    "RESERVED_FUNDS_REVERSAL": "reservedFunds",
    "TRANSFER_FAILURE": "retriedPayouts",
}
SUMMARY_FIELDS = {
    "charges": ("chargesGross", "chargesFee"),
    "refunds": ("refundsFeeGross", "refundsFee"),
    "adjustments": ("adjustmentsGross", "adjustmentsFee"),
    "reservedFunds": ("reservedFundsGross", "reservedFundsFee"),
    "retriedPayouts": ("retriedPayoutsGross", "retriedPayoutsFee"),
}


def add_business_days(day: dt.date, count: int) -> dt.date:
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def subtract_business_days(day: dt.date, count: int) -> dt.date:
    while count:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@dataclass
class PaymentsResult:
    balance_transactions: list[BalanceTransaction]
    payouts: list[Payout]
    anomalies: list[Anomaly]


class PaymentsBuilder:
    def __init__(self, ids: IdSequence, history_start: dt.date, dates: list[dt.date], now: dt.datetime) -> None:
        self.ids = ids
        self.history_start = history_start
        self.dates = dates
        self.now = now
        self.rows: list[BalanceTransaction] = []
        self.legacy_refund_fee_done = False

    def _row(
        self, type_: str, source_type: str, amount: Decimal, fee: Decimal, at: dt.datetime, **kw
    ) -> BalanceTransaction:
        available = (
            at.date()
            if type_ == "TRANSFER_FAILURE"
            else add_business_days(at.astimezone(dt.UTC).date(), PAY_PERIOD_BUSINESS_DAYS)
        )
        row = BalanceTransaction(
            id=self.ids.next("balance_transaction"),
            type=type_,
            source_type=source_type,
            amount=amount,
            fee=fee,
            currency="GBP",
            processed_at=at,
            available_on=available,
            **kw,
        )
        self.rows.append(row)
        return row

    def from_orders(self, orders: list[Order]) -> None:
        for order in sorted(orders, key=lambda o: o.created_at):
            converted = order.presentment_currency != order.currency
            for txn in order.transactions:
                if txn.gateway != "shopify_payments" or txn.status != "SUCCESS" or txn.kind not in ("SALE", "CAPTURE"):
                    continue
                amount = txn.amount.shop
                self._row(
                    "CHARGE",
                    "CHARGE",
                    amount,
                    card_fee(amount, txn.card_source == "online", converted),
                    txn.processed_at,
                    source_id=self.ids.next("charge_source"),
                    source_order_id=order.id,
                    source_order_transaction_id=txn.id,
                    test=order.test,
                )
            for refund in order.refunds:
                for txn in refund.transactions:
                    if txn.gateway != "shopify_payments":
                        continue
                    fee = Decimal("0.00")
                    if not self.legacy_refund_fee_done and not order.test:
                        # Older accounts returned part of the fee on refunds: a negative refund fee.
                        fee = Decimal("-0.15")
                        self.legacy_refund_fee_done = True
                    self._row(
                        "REFUND",
                        "REFUND",
                        -txn.amount.shop,
                        fee,
                        txn.processed_at,
                        source_id=refund.id,
                        source_order_id=order.id,
                        source_order_transaction_id=txn.id,
                        test=order.test,
                    )

    def disputes(self, orders: list[Order]) -> None:
        """One chargeback won (reversed later, fee returned) and one lost."""
        history = [
            o
            for o in orders
            if not o.test
            and not o.refunds
            and o.created_at.date() < self.dates[0] - dt.timedelta(days=6)
            and any(t.gateway == "shopify_payments" and t.kind == "SALE" for t in o.transactions)
        ]
        for order, won in zip(history[5:7], (True, False), strict=False):
            charge = next(t for t in order.transactions if t.gateway == "shopify_payments" and t.kind == "SALE")
            opened = order.created_at + dt.timedelta(days=4, hours=3)
            dispute_id = self.ids.next("charge_source")
            self._row(
                "DISPUTE_WITHDRAWAL",
                "DISPUTE",
                -charge.amount.shop,
                CHARGEBACK_FEE,
                opened,
                source_id=dispute_id,
                source_order_id=order.id,
            )
            if won:
                closed = dt.datetime.combine(self.dates[0], dt.time(11, 0), dt.UTC)
                self._row(
                    "DISPUTE_REVERSAL",
                    "DISPUTE",
                    charge.amount.shop,
                    -CHARGEBACK_FEE,
                    closed,
                    source_id=dispute_id,
                    source_order_id=order.id,
                )

    def account_events(self) -> BalanceTransaction:
        """Money movements with no order: a reserve held and released, labels, billing, tax, and a
        type our ledger mapping does not know (it must land in suspense, not vanish)."""
        day = self.history_start
        at = lambda d, h: dt.datetime.combine(d, dt.time(h, 0), dt.UTC)  # noqa: E731
        self._row(
            "RESERVED_FUNDS",
            "ADJUSTMENT",
            Decimal("-42.00"),
            Decimal("0.00"),
            at(day, 10),
            adjustment_reason="reserve",
        )
        self._row(
            "RESERVED_FUNDS_REVERSAL",
            "ADJUSTMENT",
            Decimal("42.00"),
            Decimal("0.00"),
            at(self.dates[0], 9),
            adjustment_reason="reserve_release",
        )
        self._row(
            "SHIPPING_LABEL",
            "ADJUSTMENT",
            Decimal("-7.45"),
            Decimal("0.00"),
            at(day + dt.timedelta(days=2), 12),
            adjustment_reason="shipping_label",
        )
        self._row(
            "BILLING_DEBIT",
            "ADJUSTMENT",
            Decimal("-29.00"),
            Decimal("0.00"),
            at(day + dt.timedelta(days=3), 8),
            adjustment_reason="billing_debit",
        )
        self._row(
            "TAX_ADJUSTMENT_DEBIT",
            "SYSTEM_ADJUSTMENT",
            Decimal("-3.12"),
            Decimal("0.00"),
            at(day + dt.timedelta(days=4), 8),
            adjustment_reason="marketplace_tax",
        )
        # Settles in the window's first payout, like the ghost charge: the manifest names that payout.
        settles_first = subtract_business_days(self.target_payout_date(), PAY_PERIOD_BUSINESS_DAYS)
        return self._row(
            "ADS_PUBLISHER_CREDIT",
            "ADJUSTMENT",
            Decimal("12.50"),
            Decimal("0.00"),
            at(settles_first, 8),
            adjustment_reason="ads_publisher_credit",
        )

    def unmatched_charge(self, orders: list[Order]) -> BalanceTransaction:
        """A charge whose order Shopify does not have (Link My Books reports these exist)."""
        target = self.target_payout_date()
        processed = dt.datetime.combine(
            subtract_business_days(target, PAY_PERIOD_BUSINESS_DAYS), dt.time(13, 17), dt.UTC
        )
        ghost_order = max(o.id for o in orders) + 1_000_003
        return self._row(
            "CHARGE",
            "CHARGE",
            Decimal("38.40"),
            card_fee(Decimal("38.40"), True, False),
            processed,
            source_id=self.ids.next("charge_source"),
            source_order_id=ghost_order,
            source_order_transaction_id=ghost_order + 17,
        )

    def target_payout_date(self) -> dt.date:
        """The first business day of the window (or the last business day before it)."""
        for day in self.dates:
            if day.weekday() < 5:
                return day
        day = self.dates[0]
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day

    def payouts(self) -> list[Payout]:
        """Daily payouts on business days; the first deposit after the first payout fails."""
        payouts: list[Payout] = []
        failed = False
        day = self.history_start
        while day <= self.dates[-1]:
            if day.weekday() < 5:
                issued = dt.datetime.combine(day, dt.time(5, 0), dt.UTC)
                due = [
                    r
                    for r in self.rows
                    if r.payout_id is None and not r.test and r.available_on <= day and r.processed_at < issued
                ]
                net = sum((r.net for r in due), Decimal(0))
                if due and not (Decimal(0) <= net < MINIMUM_PAYOUT):
                    payouts.append(self._payout(day, issued, due, net))
                    if not failed and len(payouts) > 1 and net > 0:
                        self._fail(payouts[-1])
                        failed = True
            day += dt.timedelta(days=1)
        if payouts:
            last = payouts[-1]
            last.status = "SCHEDULED"
            for r in self.rows:
                if r.payout_id == last.id:
                    r.payout_status = "SCHEDULED"
        return payouts

    def _payout(self, day: dt.date, issued: dt.datetime, due: list[BalanceTransaction], net: Decimal) -> Payout:
        payout_id = self.ids.next("payout")
        summary: dict[str, Decimal] = {name: Decimal("0.00") for pair in SUMMARY_FIELDS.values() for name in pair}
        for r in due:
            gross_field, fee_field = SUMMARY_FIELDS[SUMMARY_FAMILY.get(r.type, "adjustments")]
            summary[gross_field] += r.amount
            summary[fee_field] += r.fee
            r.payout_id = payout_id
            r.payout_status = "PAID"
        self._row(
            "TRANSFER",
            "TRANSFER",
            -net,
            Decimal("0.00"),
            issued,
            source_id=payout_id,
            payout_id=payout_id,
            payout_status="PAID",
        )
        return Payout(
            payout_id,
            day,
            issued,
            "PAID",
            "GBP",
            net,
            summary,
            external_trace_id=f"SHOPIFY{payout_id}",
        )

    def _fail(self, payout: Payout) -> None:
        """The bank declined it: the funds come back to the balance and go out again later."""
        payout.status = "FAILED"
        for r in self.rows:
            if r.payout_id == payout.id:
                r.payout_status = "FAILED"
        returned = dt.datetime.combine(add_business_days(payout.date, 2), dt.time(3, 0), dt.UTC)
        self._row(
            "TRANSFER_FAILURE",
            "TRANSFER",
            payout.net,
            Decimal("0.00"),
            returned,
            source_id=payout.id,
        )


def build_payments(
    ids: IdSequence,
    orders: list[Order],
    history_start: dt.date,
    dates: list[dt.date],
    now: dt.datetime,
) -> PaymentsResult:
    builder = PaymentsBuilder(ids, history_start, dates, now)
    builder.from_orders(orders)
    builder.disputes(orders)
    unmapped = builder.account_events()
    ghost = builder.unmatched_charge(orders)
    payouts = builder.payouts()
    builder.rows = [r for r in builder.rows if r.processed_at <= now]
    anomalies = []
    if ghost.payout_id is not None:
        payout = next(p for p in payouts if p.id == ghost.payout_id)
        anomalies.append(
            Anomaly(
                "payout_unmatched_charge",
                payout.date.isoformat(),
                None,
                None,
                None,
                str(payout.id),
                f"charge {ghost.id} of {ghost.amount} GBP names order {ghost.source_order_id}, "
                "which Shopify does not have",
            )
        )
    unmapped_payout = next((p for p in payouts if p.id == unmapped.payout_id), None)
    if unmapped_payout is not None and unmapped_payout.date >= dates[0]:
        payout = unmapped_payout
        anomalies.append(
            Anomaly(
                "payout_unmapped_transaction",
                payout.date.isoformat(),
                None,
                None,
                None,
                str(payout.id),
                f"{unmapped.type} {unmapped.id} of {unmapped.amount} GBP has no ledger mapping: it posts to suspense",
            )
        )
    rows = sorted(builder.rows, key=lambda r: (r.processed_at, r.id))
    return PaymentsResult(rows, payouts, anomalies)
