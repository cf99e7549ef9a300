"""The sales journals: money no Shopify Payments payout will ever carry (POS cash, gift cards alone,
manual payments still owed, refunds paid back in cash or to a gift card), worked out by hand on
`books.sales_books()`. Without them a month closed from our journals misses every till sale."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from integration_assets.assets.finance import export_date
from integration_assets.checks.finance import journal_balanced_outcome, paid_within_outcome
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import Warehouse
from integration_assets_tests.finance.books import SALES_DATES, query, sales_books

VAT = "GB VAT 20.000%"
NO_TAX = "No tax"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> WarehouseResource:
    return sales_books().build_warehouse(tmp_path_factory.mktemp("sales_books") / "data", SALES_DATES)


def journal(warehouse: WarehouseResource, journal_id: str) -> dict[tuple[str, str], tuple[Decimal, int]]:
    rows = query(
        warehouse,
        "select line_type, tax_rate, amount, transaction_count from finance.journal_lines "
        f"where journal_id = '{journal_id}' order by line_number",
    )
    return {(line_type, rate): (amount, count) for line_type, rate, amount, count in rows}


def test_a_days_sales_outside_shopify_payments_are_recognised_against_their_tenders(
    warehouse: WarehouseResource,
) -> None:
    # Orders 2001 (cash 36.00), 2002 (gift card 24.00), 2003 (60.00 + 6.00 shipping, still owed),
    # 2006 (cash 48.00), 2007 (PayPal 12.00), 2008 (cash 30.00 after a declined card), 2009 (40.00, paid
    # by bank transfer the next day) and 2010 (50.00 on payment terms, paid by card the next day), VAT
    # included. Ex tax: 30 + 20 + 50 + 40 + 10 + 25 + 33.33 + 41.67 = 250.00 of sales, 5.00 shipping;
    # VAT 6 + 4 + 11 + 8 + 2 + 5 + 6.67 + 8.33 = 51.00. The cancelled unpaid 2004 and the card order
    # 2005 post nothing here.
    assert journal(warehouse, "sales-2026-12-07") == {
        ("gift_card_liability", NO_TAX): (Decimal("24.00"), 8),  # redeemed: the liability goes down
        ("other_gateway_clearing", NO_TAX): (Decimal("12.00"), 8),  # PayPal owes it until it pays out
        # 2003, PENDING: owed in full; 2009 and 2010 were owed at the end of the day, though Shopify
        # shows them paid now: the day's journal reads as it did that night. 66 + 40 + 50.
        ("pending_payment", NO_TAX): (Decimal("156.00"), 8),
        ("pos_cash_clearing", NO_TAX): (Decimal("114.00"), 8),  # 36.00 + 48.00 + 30.00 in the tills
        ("product_sales", VAT): (Decimal("-250.00"), 8),
        ("sales_tax", VAT): (Decimal("-51.00"), 8),
        ("shipping_income", VAT): (Decimal("-5.00"), 8),
    }


def test_a_card_payment_after_the_day_clears_pending_payment_in_its_payout(warehouse: WarehouseResource) -> None:
    # 2010's 50.00 charge (fee 1.20) in payout 601: it does not recognise the order again, the sales
    # journal of 7 Dec did; it settles what was owed.
    assert journal(warehouse, "601-2026-12") == {
        ("payment_fees", NO_TAX): (Decimal("1.20"), 1),
        ("pending_payment", NO_TAX): (Decimal("-50.00"), 1),
        ("bank", NO_TAX): (Decimal("48.80"), 0),
    }


def test_refunds_paid_back_outside_shopify_payments_credit_their_tender(warehouse: WarehouseResource) -> None:
    # 2005's refund of 35.00 (VAT 5.83): 15.00 to the card (its payout's business), 20.00 to the gift
    # card: VAT 5.83 x 20 / 35 = 3.331, 3.33. 2006's 12.00 (VAT 2.00) back in cash, all of it.
    # 2009's bank transfer of 40.00 arrives: out of pending payment, into other-gateway clearing.
    assert journal(warehouse, "sales-2026-12-08") == {
        ("gift_card_liability", NO_TAX): (Decimal("-20.00"), 1),  # the card holds it again: liability up
        ("other_gateway_clearing", NO_TAX): (Decimal("40.00"), 1),
        ("pending_payment", NO_TAX): (Decimal("-40.00"), 1),
        ("pos_cash_clearing", NO_TAX): (Decimal("-12.00"), 1),
        ("refunds", VAT): (Decimal("26.67"), 2),  # 16.67 + 10.00
        ("sales_tax", VAT): (Decimal("5.33"), 2),  # 3.33 + 2.00
    }


def test_sales_journals_balance_and_have_no_payout(warehouse: WarehouseResource) -> None:
    rows = query(
        warehouse,
        "select journal_id, journal_date, payout_id, journal_status, narration, is_balanced, total_debit, "
        "ties_to_bank, net_sales, refunds, output_tax, gift_card_liability_movement from finance.journals "
        "where payout_id is null order by 1",
    )
    narration = "Sales outside Shopify Payments "
    assert [r[:8] for r in rows] == [
        (
            "sales-2026-12-07",
            dt.date(2026, 12, 7),
            None,
            "final",
            narration + "2026-12-07",
            True,
            Decimal("306.00"),
            None,
        ),
        (
            "sales-2026-12-08",
            dt.date(2026, 12, 8),
            None,
            "final",
            narration + "2026-12-08",
            True,
            Decimal("72.00"),
            None,
        ),
    ]
    assert [r[8:] for r in rows] == [
        (Decimal("255.00"), Decimal("0.00"), Decimal("51.00"), Decimal("-24.00")),
        (Decimal("0.00"), Decimal("26.67"), Decimal("-5.33"), Decimal("20.00")),
    ]
    with Warehouse(warehouse.path, read_only=True) as wh:
        outcome = journal_balanced_outcome(wh, "2026-12-07")
    assert outcome.passed and outcome.metadata["journals_checked"] == 1


def test_the_month_liabilities_carry_cash_gift_cards_and_what_is_owed(warehouse: WarehouseResource) -> None:
    rows = query(
        warehouse,
        "select line_type, movement, payouts, sales_journals from finance.liabilities order by line_type",
    )
    assert rows == [
        ("bank", Decimal("48.80"), 1, 0),  # payout 601 in transit
        ("gift_card_liability", Decimal("4.00"), 0, 2),  # 24.00 redeemed, 20.00 refunded onto a card
        ("other_gateway_clearing", Decimal("52.00"), 0, 2),  # PayPal's 12.00 and the transfer's 40.00
        ("pending_payment", Decimal("66.00"), 1, 2),  # 156.00 owed; 40.00 and 50.00 paid the next day
        ("pos_cash_clearing", Decimal("102.00"), 0, 2),  # 114.00 taken, 12.00 paid back
        ("sales_tax", Decimal("-45.67"), 0, 2),  # 51.00 charged, 5.33 refunded
    ]


def test_sales_journals_are_exported_like_payout_journals(warehouse: WarehouseResource, tmp_path: Path) -> None:
    with Warehouse(warehouse.path, read_only=True) as wh:
        written = export_date(wh, tmp_path, "2026-12-08", "%d/%m/%Y")
    assert written == {"journals": 2, "lines": 9, "xero_files": 1, "months": {"2026-12"}}
    with (tmp_path / "xero" / "manual_journals_2026-12-08.csv").open(newline="", encoding="utf-8") as handle:
        xero = list(csv.DictReader(handle))
    payout, sales = "Shopify Payments payout 601 2026-12-08", "Sales outside Shopify Payments 2026-12-08"
    assert [
        (r["Narration"], r["AccountCode"], r["Amount"], r["TrackingName1"], r["TrackingOption1"]) for r in xero
    ] == [
        (payout, "6100", "1.20", "Payout", "601"),
        (payout, "1230", "-50.00", "Payout", "601"),
        (payout, "1200", "48.80", "Payout", "601"),
        (sales, "2300", "-20.00", "", ""),  # a sales journal has no payout to track
        (sales, "1210", "40.00", "", ""),
        (sales, "1230", "-40.00", "", ""),
        (sales, "1220", "-12.00", "", ""),
        (sales, "4030", "26.67", "", ""),
        (sales, "2200", "5.33", "", ""),
    ]


def test_credit_control_sees_what_customers_still_owe(warehouse: WarehouseResource) -> None:
    # As of 8 Dec only 2003 is owed: 66.00 (60.00 + 6.00 shipping, VAT included), PENDING since 7 Dec.
    # 2009 and 2010 were paid the next day; the cancelled 2004 owes nothing.
    rows = query(
        warehouse,
        "select order_id, created_date, financial_status, order_total, received, owed, days_owed "
        "from finance.awaiting_payment",
    )
    assert rows == [(2003, dt.date(2026, 12, 7), "PENDING", Decimal("66.00"), Decimal("0"), Decimal("66.00"), 1)]
    with Warehouse(warehouse.path, read_only=True) as wh:
        within_terms = paid_within_outcome(wh, "2026-12-08", 30)
        overdue = paid_within_outcome(wh, "2026-12-08", 0)
    assert within_terms.passed and within_terms.metadata["overdue_orders"] == 0
    assert (within_terms.metadata["owed_orders"], within_terms.metadata["owed_amount"]) == (1, "66.00")
    assert not overdue.passed
    assert overdue.description == "1 orders owed by their customers for more than 0 days as of 2026-12-08"
    assert (overdue.metadata["overdue_orders"], overdue.metadata["overdue_amount"]) == (1, "66.00")
