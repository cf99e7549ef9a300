"""Hand-built Shopify Payments books: payouts, balance transactions and the orders they settle,
written straight into a raw lake with the extraction assets' own table layouts, so the finance
models can be run on cases whose journals are worked out by hand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from integration_assets.assets import payments_tables, shopify_tables
from integration_assets.assets.sql_models import build_warehouse
from integration_assets.lake import partition_dir, with_lineage, write_partition
from integration_assets.raw_tables import RawTable
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import MODELS_DIR

SYNCED_AT = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)


def money(text: str | int) -> Decimal:
    return Decimal(str(text)).quantize(Decimal("0.01"))


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), dt.UTC)


@dataclass
class Books:
    """Rows per raw table and date, written by `write`."""

    rows: dict[tuple[RawTable, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    next_id: int = 9_000_000

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def order(
        self,
        order_id: int,
        day: str,
        *,
        lines: list[tuple[str, str, bool]],  # (discounted_total, tax, is_gift_card)
        taxes: list[tuple[str, str, str]] = (),  # (title, rate, amount)
        shipping: tuple[str, str] | None = None,  # (price, tax)
        tenders: list[tuple[str, str]] = (),  # (gateway, amount): successful sales
        currency: str = "GBP",
        presentment: str | None = None,
        taxes_included: bool = True,
        source_name: str = "web",
        financial_status: str = "PAID",
        cancelled: bool = False,
    ) -> dict[str, int]:
        """One order and its children; returns the ids of its tender transactions by gateway."""
        table = (shopify_tables.ORDERS, day)
        total = sum((money(t) for t, _, _ in lines), Decimal(0)) + (money(shipping[0]) if shipping else Decimal(0))
        if not taxes_included:
            total += sum((money(amount) for _, _, amount in taxes), Decimal(0))
        self.rows[table].append(
            {
                "id": order_id,
                "name": f"#{order_id % 10000}",
                "created_at": at(day, 9),
                "updated_at": at(day, 9),
                "processed_at": at(day, 9),
                "test": False,
                "edited": False,
                "currency_code": currency,
                "presentment_currency_code": presentment or currency,
                "taxes_included": taxes_included,
                "source_name": source_name,
                "display_financial_status": financial_status,
                "cancelled_at": at(day, 11) if cancelled else None,
                "total_price": total,
                "current_total_price": total,
            }
        )
        for total, tax, is_gift_card in lines:
            self.rows[(shopify_tables.ORDER_LINE_ITEMS, day)].append(
                {
                    "order_id": order_id,
                    "id": self._id(),
                    "sku": "GIFT" if is_gift_card else "SKU-1",
                    "quantity": 1,
                    "current_quantity": 1,
                    "is_gift_card": is_gift_card,
                    "original_unit_price": money(total),
                    "discounted_total": money(total),
                    "total_discount": money(0),
                    "total_tax": money(tax),
                }
            )
        for title, rate, amount in taxes:
            self.rows[(shopify_tables.ORDER_TAX_LINES, day)].append(
                {"order_id": order_id, "title": title, "rate": Decimal(rate), "amount": money(amount)}
            )
        if shipping:
            price, tax = shipping
            self.rows[(shopify_tables.ORDER_SHIPPING_LINES, day)].append(
                {
                    "order_id": order_id,
                    "id": self._id(),
                    "title": "Standard",
                    "original_price": money(price),
                    "discounted_price": money(price),
                    "total_tax": money(tax),
                }
            )
        ids = {}
        for gateway, amount in tenders:
            ids[gateway] = self._transaction(order_id, day, "SALE", gateway, amount, currency)
        return ids

    def _transaction(
        self,
        order_id: int,
        day: str,
        kind: str,
        gateway: str,
        amount: str,
        currency: str,
        refund_id: int | None = None,
        processed_day: str | None = None,
        status: str = "SUCCESS",
    ) -> int:
        """A transaction landed with its order (on `day`), processed on `processed_day` (default: `day`)."""
        transaction_id = self._id()
        self.rows[(shopify_tables.ORDER_TRANSACTIONS, day)].append(
            {
                "order_id": order_id,
                "refund_id": refund_id,
                "id": transaction_id,
                "kind": kind,
                "status": status,
                "gateway": gateway,
                "test": False,
                "processed_at": at(processed_day or day, 9),
                "amount": money(amount),
                "currency_code": currency,
            }
        )
        return transaction_id

    def paid_later(self, order_id: int, order_day: str, day: str, gateway: str, amount: str) -> int:
        """A payment taken on `day` for an order landed on `order_day` (a bank transfer arriving)."""
        return self._transaction(order_id, order_day, "SALE", gateway, amount, "GBP", processed_day=day)

    def declined(self, order_id: int, day: str, gateway: str, amount: str) -> int:
        """A payment attempt the gateway declined (status FAILURE), on an order landed on `day`."""
        return self._transaction(order_id, day, "SALE", gateway, amount, "GBP", status="FAILURE")

    def refund(
        self,
        order_id: int,
        order_day: str,
        day: str,
        amount: str,
        subtotal: str,
        tax: str,
        tenders: list[tuple[str, str]] | None = None,  # (gateway, amount) paid back; default all to the card
    ) -> tuple[int, int]:
        """A refund made on `day` of an order landed on `order_day`; returns (refund id, the id of its
        first tender transaction)."""
        refund_id = self._id()
        self.rows[(shopify_tables.ORDER_REFUNDS, order_day)].append(
            {"order_id": order_id, "id": refund_id, "created_at": at(day), "total_refunded": money(amount)}
        )
        self.rows[(shopify_tables.ORDER_REFUND_LINE_ITEMS, order_day)].append(
            {
                "order_id": order_id,
                "refund_id": refund_id,
                "line_item_id": self._id(),
                "sku": "SKU-1",
                "quantity": 1,
                "restock_type": "NO_RESTOCK",
                "subtotal": money(subtotal),
                "total_tax": money(tax),
            }
        )
        paid_back = [
            self._transaction(order_id, order_day, "REFUND", gateway, part, "GBP", refund_id, processed_day=day)
            for gateway, part in tenders or [("shopify_payments", amount)]
        ]
        return refund_id, paid_back[0]

    def balance(
        self,
        payout: int,
        day: str,
        type_: str,
        amount: str,
        fee: str = "0",
        *,
        currency: str = "GBP",
        order_id: int | None = None,
        source_id: int | None = None,
        order_transaction_id: int | None = None,
    ) -> int:
        transaction_id = self._id()
        self.rows[(payments_tables.BALANCE_TRANSACTIONS, day)].append(
            {
                "id": transaction_id,
                "type": type_,
                "source_type": type_.split("_")[0],
                "test": False,
                "amount": money(amount),
                "fee": money(fee),
                "net": money(amount) - money(fee),
                "currency_code": currency,
                "source_id": source_id,
                "source_order_transaction_id": order_transaction_id,
                "transaction_date": at(day, 10),
                "associated_order_id": order_id,
                "associated_order_name": None,
                "associated_payout_id": payout,
                "associated_payout_status": "PAID",
            }
        )
        return transaction_id

    def payout(self, payout: int, day: str, currency: str = "GBP", status: str = "PAID") -> Decimal:
        """The payout of every balance transaction assigned to it, with its TRANSFER row; returns its net."""
        net = sum(
            (
                row["net"]
                for (spec, _), rows in self.rows.items()
                if spec is payments_tables.BALANCE_TRANSACTIONS
                for row in rows
                if row["associated_payout_id"] == payout
            ),
            Decimal(0),
        )
        self.balance(payout, day, "TRANSFER", str(-net), currency=currency, source_id=payout)
        self.rows[(payments_tables.PAYOUTS, day)].append(
            {
                "id": payout,
                "issued_at": at(day, 5),
                "status": status,
                "transaction_type": "DEPOSIT" if net >= 0 else "WITHDRAWAL",
                "external_trace_id": f"TRACE{payout}",
                "net": net,
                "currency_code": currency,
            }
        )
        return net

    def write(self, lake: Path) -> None:
        for (spec, day), rows in self.rows.items():
            target = partition_dir(lake, spec.source, spec.entity, day)
            write_partition(target, with_lineage(rows, spec.source, SYNCED_AT), spec.schema)

    def build_warehouse(self, data: Path, dates: list[str]) -> WarehouseResource:
        """Land the books under `data` and build the seeds and every model over `dates`."""
        self.write(data)
        resource = WarehouseResource(
            data_dir=str(data), seeds_dir=str(MODELS_DIR / "seeds"), shop_timezone="Europe/London"
        )
        build_warehouse(resource, dates)
        return resource


def query(warehouse: WarehouseResource, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        return con.execute(sql).fetchall()


P1, P2, P3, P4, P5 = 501, 502, 503, 504, 505
BOOK_DATES = [f"2026-11-{d}" for d in range(25, 31)] + [f"2026-12-0{d}" for d in range(1, 6)]


def acceptance_books() -> Books:
    """The acceptance list of issue 9, worked out by hand in test_hand_built_journals."""
    books = Books()
    # P1, paid 2 Dec, settles two orders of Friday 27 Nov (so its journal crosses the month end):
    # a card sale with shipping, and a gift card sold; and a reserve held.
    o1 = books.order(
        1001,
        "2026-11-27",
        lines=[("120.00", "20.00", False)],
        taxes=[("GB VAT", "0.2", "20.80")],
        shipping=("4.80", "0.80"),
        tenders=[("shopify_payments", "124.80")],
    )
    o2 = books.order(1002, "2026-11-27", lines=[("50.00", "0.00", True)], tenders=[("shopify_payments", "50.00")])
    books.balance(
        P1, "2026-11-27", "CHARGE", "124.80", "2.50", order_id=1001, order_transaction_id=o1["shopify_payments"]
    )
    books.balance(
        P1, "2026-11-27", "CHARGE", "50.00", "1.00", order_id=1002, order_transaction_id=o2["shopify_payments"]
    )
    books.balance(P1, "2026-11-28", "RESERVED_FUNDS", "-42.00")
    books.payout(P1, "2026-12-02")
    # P2, 3 Dec, negative: order 1001 partly refunded in this later payout and charged back; order
    # 1003 paid 30.00 by gift card (a redemption) and 50.00 by card.
    refund_id, refund_txn = books.refund(1001, "2026-11-27", "2026-12-01", "60.00", "60.00", "10.00")
    books.balance(
        P2, "2026-12-01", "REFUND", "-60.00", order_id=1001, source_id=refund_id, order_transaction_id=refund_txn
    )
    books.balance(P2, "2026-12-01", "DISPUTE_WITHDRAWAL", "-124.80", "10.00", order_id=1001)
    o3 = books.order(
        1003,
        "2026-12-01",
        lines=[("80.00", "13.33", False)],
        taxes=[("GB VAT", "0.2", "13.33")],
        tenders=[("gift_card", "30.00"), ("shopify_payments", "50.00")],
    )
    books.balance(
        P2, "2026-12-01", "CHARGE", "50.00", "1.20", order_id=1003, order_transaction_id=o3["shopify_payments"]
    )
    books.payout(P2, "2026-12-03")
    # P3, 4 Dec: the chargeback on 1001 won (amount and fee back), one on 1002 lost, the reserve
    # released, a EUR-presented order settled 3p short, a charge Shopify has no order for, and a
    # transaction type the ledger mapping does not know.
    books.balance(P3, "2026-12-02", "DISPUTE_REVERSAL", "124.80", "-10.00", order_id=1001)
    books.balance(P3, "2026-12-02", "DISPUTE_WITHDRAWAL", "-50.00", "10.00", order_id=1002)
    books.balance(P3, "2026-12-02", "RESERVED_FUNDS_REVERSAL", "42.00")
    o4 = books.order(
        1004,
        "2026-12-02",
        lines=[("100.00", "16.67", False)],
        taxes=[("GB VAT", "0.2", "16.67")],
        tenders=[("shopify_payments", "99.97")],
        presentment="EUR",
    )
    books.balance(
        P3, "2026-12-02", "CHARGE", "99.97", "2.00", order_id=1004, order_transaction_id=o4["shopify_payments"]
    )
    books.balance(P3, "2026-12-02", "CHARGE", "38.40", "1.02", order_id=7777, order_transaction_id=7778)
    books.balance(P3, "2026-12-02", "MYSTERY_CREDIT", "5.00")
    # ... and 25.00 of order 1003's 80.00 refunded to the card: output tax reversed pro rata,
    # 13.33 x 25 / 80 = 4.165625, half up to 4.17.
    refund_id, refund_txn = books.refund(1003, "2026-12-01", "2026-12-02", "25.00", "80.00", "13.33")
    books.balance(
        P3, "2026-12-02", "REFUND", "-25.00", order_id=1003, source_id=refund_id, order_transaction_id=refund_txn
    )
    books.payout(P3, "2026-12-04")
    # P4, 4 Dec, in yen: a JPY shop's order, tax on top.
    o5 = books.order(
        1005,
        "2026-12-02",
        lines=[("3000", "300", False)],
        taxes=[("JP Consumption Tax", "0.1", "300")],
        tenders=[("shopify_payments", "3300")],
        currency="JPY",
        taxes_included=False,
    )
    books.balance(
        P4,
        "2026-12-02",
        "CHARGE",
        "3300",
        "109",
        currency="JPY",
        order_id=1005,
        order_transaction_id=o5["shopify_payments"],
    )
    books.payout(P4, "2026-12-04", currency="JPY")
    # P5, 4 Dec: two orders whose card payment falls short of Shopify's totals in the same currency,
    # 1p and 50p: 51p of rounding, over the tolerance of a minor unit per order (the check warns).
    # Order 1009 was edited up from 20.00 to 30.00: its order-level tax line still shows the 3.33 of
    # before the edit, its line the 5.00 charged; output tax follows the line.
    for order_id, total, tax, shown_tax, paid in (
        (1006, "10.00", "1.67", "1.67", "9.99"),
        (1007, "20.00", "3.33", "3.33", "19.50"),
        (1009, "30.00", "5.00", "3.33", "30.00"),
    ):
        ids = books.order(
            order_id,
            "2026-12-03",
            lines=[(total, tax, False)],
            taxes=[("GB VAT", "0.2", shown_tax)],
            tenders=[("shopify_payments", paid)],
        )
        books.balance(P5, "2026-12-03", "CHARGE", paid, order_id=order_id, order_transaction_id=ids["shopify_payments"])
    books.payout(P5, "2026-12-04")
    # A card payment of Wednesday 25 Nov that no payout has settled (due Monday 30 Nov).
    books.order(1008, "2026-11-25", lines=[("15.00", "2.50", False)], tenders=[("shopify_payments", "15.00")])
    return books


SALES_DATES = ["2026-12-07", "2026-12-08"]


def sales_books() -> Books:
    """Money that never passes through Shopify Payments, worked out by hand in test_sales_journals:
    a POS cash sale, a sale paid wholly by gift card, a manual-payment order still owed, a cancelled
    unpaid order, a cash sale partly refunded in cash the next day, a sale through another gateway
    (PayPal), a cash sale after a declined card, a card order (split with a gift card) refunded
    partly to the card and partly to the gift card, and two orders paid the next day: one by bank
    transfer, one (on B2B payment terms) by card."""
    books = Books()
    day, next_day = SALES_DATES
    vat = [("GB VAT", "0.2", "6.00")]
    books.order(2001, day, lines=[("36.00", "6.00", False)], taxes=vat, tenders=[("cash", "36.00")], source_name="pos")
    books.order(
        2002, day, lines=[("24.00", "4.00", False)], taxes=[("GB VAT", "0.2", "4.00")], tenders=[("gift_card", "24.00")]
    )
    books.order(
        2003,
        day,
        lines=[("60.00", "10.00", False)],
        taxes=[("GB VAT", "0.2", "11.00")],
        shipping=("6.00", "1.00"),
        financial_status="PENDING",
    )
    books.order(2004, day, lines=[("18.00", "3.00", False)], taxes=vat, financial_status="VOIDED", cancelled=True)
    books.order(
        2005,
        day,
        lines=[("70.00", "11.67", False)],
        taxes=[("GB VAT", "0.2", "11.67")],
        tenders=[("shopify_payments", "50.00"), ("gift_card", "20.00")],
    )
    books.order(
        2006, day, lines=[("48.00", "8.00", False)], taxes=[("GB VAT", "0.2", "8.00")], tenders=[("cash", "48.00")]
    )
    books.order(
        2007, day, lines=[("12.00", "2.00", False)], taxes=[("GB VAT", "0.2", "2.00")], tenders=[("paypal", "12.00")]
    )
    books.order(  # the card was declined at the till; the customer paid cash
        2008, day, lines=[("30.00", "5.00", False)], taxes=[("GB VAT", "0.2", "5.00")], tenders=[("cash", "30.00")]
    )
    books.declined(2008, day, "shopify_payments", "30.00")
    books.order(  # paid by bank transfer the next day: Shopify shows it paid now
        2009, day, lines=[("40.00", "6.67", False)], taxes=[("GB VAT", "0.2", "6.67")], financial_status="PAID"
    )
    books.paid_later(2009, day, next_day, "manual", "40.00")
    books.order(  # B2B on payment terms, paid by card the next day: payout 601 carries the charge
        2010, day, lines=[("50.00", "8.33", False)], taxes=[("GB VAT", "0.2", "8.33")], financial_status="PAID"
    )
    charge = books.paid_later(2010, day, next_day, "shopify_payments", "50.00")
    books.balance(601, next_day, "CHARGE", "50.00", "1.20", order_id=2010, order_transaction_id=charge)
    books.payout(601, next_day)
    books.refund(
        2005, day, next_day, "35.00", "35.00", "5.83", tenders=[("shopify_payments", "15.00"), ("gift_card", "20.00")]
    )
    books.refund(2006, day, next_day, "12.00", "12.00", "2.00", tenders=[("cash", "12.00")])
    return books
