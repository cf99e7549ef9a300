"""Exact journals on hand-built payouts, worked out by hand (the acceptance list of issue 9): a partial
refund in a later payout, a gift card sold and redeemed, a chargeback lost and one won, a reserve
held and released, a negative payout, a JPY payout, EUR presentment on a GBP payout, a payout whose
transactions cross a month end, an unmatched charge and an unmapped type (suspense + exceptions)."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg

from integration_assets.assets.sql_models import build_warehouse
from integration_assets.checks.finance import (
    PAYOUT_MAX_BUSINESS_DAYS,
    paid_out_within_outcome,
    payout_ties_to_bank_outcome,
    refunds_within_capture_outcome,
)
from integration_assets.resources import WarehouseResource
from integration_assets.warehouse import Warehouse
from integration_assets_tests.finance.books import BOOK_DATES, P1, P2, P3, P4, P5, query

VAT = "GB VAT 20.000%"


def journal(warehouse: WarehouseResource, journal_id: str) -> dict[tuple[str, str], Decimal]:
    rows = query(
        warehouse,
        "select line_type, tax_rate, amount from finance.journal_lines "
        f"where journal_id = '{journal_id}' order by line_number",
    )
    lines = {(line_type, rate): amount for line_type, rate, amount in rows}
    assert len(lines) == len(rows), rows
    return lines


def d(text: str) -> Decimal:
    return Decimal(text)


def test_a_payout_crossing_the_month_end_splits_through_carried_forward(warehouse: WarehouseResource) -> None:
    assert journal(warehouse, "501-2026-11") == {
        ("product_sales", VAT): d("-100.00"),
        ("shipping_income", VAT): d("-4.00"),
        ("sales_tax", VAT): d("-20.80"),
        ("gift_card_liability", "No tax"): d("-50.00"),  # a gift card sold is a liability, not a sale
        ("payment_fees", "No tax"): d("3.50"),
        ("reserve", "No tax"): d("42.00"),
        ("carried_forward", "No tax"): d("129.30"),
    }
    assert journal(warehouse, "501-2026-12") == {
        ("carried_forward", "No tax"): d("-129.30"),
        ("bank", "No tax"): d("129.30"),
    }
    dates = query(warehouse, "select journal_id, journal_date from finance.journals where payout_id = 501 order by 1")
    assert [(j, str(day)) for j, day in dates] == [("501-2026-11", "2026-11-30"), ("501-2026-12", "2026-12-02")]


def test_a_negative_payout_with_a_later_partial_refund_a_chargeback_and_a_redemption(
    warehouse: WarehouseResource,
) -> None:
    assert journal(warehouse, "502-2026-12") == {
        ("refunds", VAT): d("50.00"),
        ("sales_tax", VAT): d("-3.33"),  # 13.33 output tax on order 1003, less 10.00 reversed by the refund
        ("chargebacks", "No tax"): d("124.80"),
        ("chargeback_fees", "No tax"): d("10.00"),
        ("product_sales", VAT): d("-66.67"),
        ("gift_card_liability", "No tax"): d("30.00"),  # redeemed: the liability goes down
        ("payment_fees", "No tax"): d("1.20"),
        ("bank", "No tax"): d("-146.00"),  # WITHDRAWAL: the bank is debited
    }
    (row,) = query(
        warehouse,
        "select transaction_type, net, refunds, chargebacks_and_reversals, fees "
        "from finance.payout_reconciliation where payout_id = 502",
    )
    assert row == ("WITHDRAWAL", d("-146.00"), d("-60.00"), d("-124.80"), d("11.20"))


def test_each_line_counts_the_balance_transactions_behind_it(warehouse: WarehouseResource) -> None:
    """Payout 502 holds a refund, a chargeback (with its fee) and one charge: a line counts every
    transaction that posts to it, once, and the bank line none."""
    rows = query(
        warehouse,
        "select line_type, tax_rate, transaction_count from finance.journal_lines "
        "where journal_id = '502-2026-12' order by line_number",
    )
    assert {(line_type, rate): count for line_type, rate, count in rows} == {
        ("refunds", VAT): 1,
        ("sales_tax", VAT): 2,  # the refund's reversal and the charge's output tax
        ("chargebacks", "No tax"): 1,
        ("chargeback_fees", "No tax"): 1,
        ("product_sales", VAT): 1,
        ("gift_card_liability", "No tax"): 1,
        ("payment_fees", "No tax"): 2,  # the charge's fee and the refund's (nil) fee
        ("bank", "No tax"): 0,
    }


def test_a_won_and_a_lost_chargeback_fx_drift_suspense_and_the_reserve_released(warehouse: WarehouseResource) -> None:
    assert journal(warehouse, "503-2026-12") == {
        ("chargebacks", "No tax"): d("-74.80"),  # 124.80 won back, 50.00 lost
        ("payment_fees", "No tax"): d("3.02"),
        ("reserve", "No tax"): d("-42.00"),
        ("product_sales", VAT): d("-83.33"),
        ("refunds", VAT): d("20.83"),  # 25.00 refunded on order 1003, less 4.17 of output tax reversed
        ("sales_tax", VAT): d("-12.50"),  # 16.67 on order 1004, less the 4.17 reversed
        ("fx_variance", "No tax"): d("0.03"),  # EUR presentment: 100.00 of sales settled as 99.97
        ("suspense", "No tax"): d("-43.40"),  # the charge with no order (38.40) and MYSTERY_CREDIT (5.00)
        ("bank", "No tax"): d("232.15"),
    }
    (row,) = query(
        warehouse,
        "select reserves_released, chargebacks_and_reversals, unmapped_amount, unmatched_count, unmatched_amount, "
        "charges_matched, charge_count from finance.payout_reconciliation where payout_id = 503",
    )
    assert row == (d("42.00"), d("74.80"), d("5.00"), 1, d("38.40"), 1, 2)


def test_a_jpy_payout_keeps_whole_yen(warehouse: WarehouseResource) -> None:
    assert journal(warehouse, "504-2026-12") == {
        ("product_sales", "JP Consumption Tax 10.000%"): d("-3000"),
        ("sales_tax", "JP Consumption Tax 10.000%"): d("-300"),
        ("payment_fees", "No tax"): d("109"),
        ("bank", "No tax"): d("3191"),
    }


def test_rounding_is_bounded_by_one_minor_unit_per_order(warehouse: WarehouseResource) -> None:
    assert journal(warehouse, "505-2026-12") == {
        ("product_sales", VAT): d("-50.00"),
        ("sales_tax", VAT): d("-10.00"),  # 1.67 + 3.33 + 5.00 (order 1009's line, not its stale 3.33)
        ("rounding", "No tax"): d("0.51"),  # 1p on order 1006, 50p on order 1007, none on 1009
        ("bank", "No tax"): d("59.49"),
    }
    rounding = query(
        warehouse, "select journal_id, rounding, rounding_within_tolerance from finance.journals where rounding <> 0"
    )
    assert rounding == [("505-2026-12", d("0.51"), False)]
    with Warehouse(warehouse.path, read_only=True) as wh:
        outcome = payout_ties_to_bank_outcome(wh, "2026-12-04")
        quiet = payout_ties_to_bank_outcome(wh, "2026-12-03")
    assert not outcome.passed and outcome.severity == dg.AssetCheckSeverity.WARN
    assert outcome.description == (
        "rounding over one minor unit per order in 1 journals of 2026-12-04: 505-2026-12 (0.51)"
    )
    assert quiet.passed and quiet.metadata["payouts_checked"] == 1


def test_every_journal_balances_and_ties_to_its_payout(warehouse: WarehouseResource) -> None:
    rows = query(
        warehouse,
        "select journal_id, is_balanced, total_debit, total_credit, ties_to_bank from finance.journals order by 1",
    )
    assert [r[0] for r in rows] == [
        "501-2026-11",
        "501-2026-12",
        "502-2026-12",
        "503-2026-12",
        "504-2026-12",
        "505-2026-12",
    ]
    assert all(balanced and debit == credit for _, balanced, debit, credit, _ in rows)
    assert [r[4] for r in rows] == [None, True, True, True, True, True]
    sums = query(warehouse, "select journal_id, sum(amount) from finance.journal_lines group by 1")
    assert all(total == 0 for _, total in sums)
    reconciled = query(
        warehouse,
        "select payout_id, transactions_sum_to_net, transfer_equals_net from finance.payout_reconciliation order by 1",
    )
    assert reconciled == [(p, True, True) for p in (P1, P2, P3, P4, P5)]


def test_suspense_is_an_exception_never_silently_lost(warehouse: WarehouseResource) -> None:
    found = query(
        warehouse,
        "select type, payout_id, cast(date as varchar) from reconciliation.exceptions "
        "where type like 'payout%' order by 1",
    )
    assert found == [
        ("payout_unmapped_transaction", "503", "2026-12-04"),
        ("payout_unmatched_charge", "503", "2026-12-04"),
    ]
    unmatched = query(warehouse, "select type, amount, exception_type from finance.unmatched order by 1")
    assert unmatched == [
        ("CHARGE", d("38.40"), "payout_unmatched_charge"),
        ("MYSTERY_CREDIT", d("5.00"), "payout_unmapped_transaction"),
    ]


def test_liabilities_roll_forward(warehouse: WarehouseResource) -> None:
    rows = query(
        warehouse,
        "select month, line_type, movement from finance.liabilities "
        "where line_type in ('gift_card_liability', 'reserve') order by 1, 2",
    )
    assert rows == [
        ("2026-11", "gift_card_liability", d("-50.00")),
        ("2026-11", "reserve", d("42.00")),
        ("2026-12", "gift_card_liability", d("30.00")),
        ("2026-12", "reserve", d("-42.00")),
    ]


def test_a_rebuild_of_the_same_dates_gives_the_same_journals(warehouse: WarehouseResource) -> None:
    before = query(warehouse, "select * from finance.journal_lines order by journal_id, line_number")
    build_warehouse(warehouse, BOOK_DATES)
    assert query(warehouse, "select * from finance.journal_lines order by journal_id, line_number") == before


def test_card_payments_left_out_of_payouts_and_refunds_within_capture(warehouse: WarehouseResource) -> None:
    awaiting = query(
        warehouse,
        "select order_id, amount, cast(expected_payout_date as varchar), business_days_late "
        "from finance.awaiting_payout",
    )
    # due Monday 30 Nov; as of Saturday 5 Dec, Tuesday to Friday have passed: 4 business days late
    assert awaiting == [(1008, d("15.00"), "2026-11-30", 4)]
    with Warehouse(warehouse.path, read_only=True) as wh:
        late = paid_out_within_outcome(wh, "2026-12-05", PAYOUT_MAX_BUSINESS_DAYS)
        on_time = paid_out_within_outcome(wh, "2026-12-05", 7)
        refunds = refunds_within_capture_outcome(wh, "2026-12-03")
    assert not late.passed and late.metadata["late_amount"] == "15.00"
    assert late.description == "1 card payments not paid out within 5 business days as of 2026-12-05"
    assert on_time.passed and on_time.metadata["awaiting_payout"] == 1
    assert refunds.passed and refunds.metadata["orders_checked"] == 1  # order 1001: 60.00 of 124.80 refunded
