"""Finance on the demo merchant, run as a user runs it (`integration-assets run` over real HTTP) over
the world's own dates only, for two seeds at two sizes: every payout of those dates has journals
that balance to the minor unit, whose bank line is the payout's net as the simulator serves it;
nothing lands in suspense but what the simulator injected, and every injected unmatched charge and
unmapped type is found, nothing else. Then range independence: the same world run from a week
earlier gives the same journals for the same payouts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from integration_assets.simulator.merchant import build_world, small_size
from integration_assets.simulator.world import Order, World, financial_status, original_totals
from integration_assets_tests.reconciliation.test_exceptions_match_manifest import _run_main_job

PAYOUT_TYPES = ("payout_unmatched_charge", "payout_unmapped_transaction")
CARD_PAYMENTS = ("SALE", "CAPTURE", "AUTHORIZATION")
WORLDS = [
    pytest.param((7, small_size()), id="seed7-2days-25"),
    pytest.param((11, small_size(days=5, orders_per_day=40)), id="seed11-5days-40"),  # Fri..Tue: 3 payouts
]


@dataclass
class Run:
    world: World
    data: Path

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.data / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()


@pytest.fixture(scope="module", params=WORLDS)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    seed, size = request.param
    world = build_world(seed, size)
    yield Run(world, _run_main_job(world, tmp_path_factory.mktemp(f"finance{seed}"), lookback=dt.timedelta(0)))


def _payouts_in_window(world: World) -> dict[int, Decimal]:
    return {p.id: p.net for p in world.payouts if p.date in world.size.dates and p.status != "CANCELED"}


def test_every_payout_has_balanced_journals_whose_bank_line_is_the_served_net(run: Run) -> None:
    expected = _payouts_in_window(run.world)
    assert expected, "the window has payouts"
    journals = run.query(
        "select journal_id, payout_id, is_balanced, total_debit, total_credit from finance.journals "
        "where payout_id is not null"
    )
    assert {payout for _, payout, *_ in journals} == set(expected)
    assert all(balanced and debit == credit and debit > 0 for _, _, balanced, debit, credit in journals), journals
    bank = dict(
        run.query("select payout_id, sum(amount) from finance.journal_lines where line_type = 'bank' group by 1")
    )
    assert bank == expected
    tied = run.query(
        "select payout_id, transactions_sum_to_net, transfer_equals_net from finance.payout_reconciliation"
    )
    assert sorted(tied) == [(payout, True, True) for payout in sorted(expected)]
    lines = run.query(
        "select count(*), count(*) filter (where amount = 0 or account_code is null) from finance.journal_lines"
    )
    print(f"\nseed {run.world.seed}: {len(expected)} payouts, {len(journals)} journals, {lines[0][0]} lines")
    assert lines[0][1] == 0


def test_injected_unmatched_charges_and_unmapped_types_are_found_and_nothing_else(run: Run) -> None:
    expected = sorted((a.type, a.payout_id, a.date) for a in run.world.anomalies if a.type in PAYOUT_TYPES)
    found = run.query(
        "select type, payout_id, cast(date as varchar) from reconciliation.exceptions "
        f"where resolved_at is null and type in {PAYOUT_TYPES} order by all"
    )
    assert found == expected
    assert {t for t, *_ in expected} == set(PAYOUT_TYPES)
    window = run.world.size.dates
    ghosts = {
        b.id: b.amount
        for b in run.world.balance_transactions
        if b.type == "CHARGE"
        and b.source_order_id not in run.world.orders_by_id
        and b.payout_id
        and run.world.payouts_by_id[b.payout_id].date in window
    }
    unmatched = dict(run.query("select balance_transaction_id, amount from finance.unmatched where type = 'CHARGE'"))
    assert unmatched == ghosts and ghosts
    suspense = run.query("select coalesce(sum(amount), 0) from finance.journal_lines where line_type = 'suspense'")
    in_unmatched = run.query("select coalesce(sum(-amount), 0) from finance.unmatched")
    assert suspense == in_unmatched


def _shop_day(world: World, at: dt.datetime) -> dt.date:
    return at.astimezone(ZoneInfo(world.shop.timezone)).date()


def _sales_journal_orders(world: World) -> list[Order]:
    """Orders Shopify Payments took no payment for by the end of the shop day they were created (POS
    cash, bank transfers): a sales journal recognises them, not a payout."""
    return [
        o
        for o in world.orders
        if not o.test
        and not any(
            t.gateway == "shopify_payments"
            and t.kind in CARD_PAYMENTS
            and t.status == "SUCCESS"
            and _shop_day(world, t.processed_at) <= _shop_day(world, o.created_at)
            for t in o.transactions
        )
    ]


def _paid_after_created(world: World, o: Order) -> list:
    return [
        t
        for t in o.transactions
        if t.kind in ("SALE", "CAPTURE")
        and t.status == "SUCCESS"
        and _shop_day(world, t.processed_at) > _shop_day(world, o.created_at)
    ]


def test_money_outside_shopify_payments_is_journalled_on_its_day(run: Run) -> None:
    """Every order of the window that Shopify Payments took no payment for on its day (the POS
    store's cash sales, bank transfers) is recognised in its day's sales journal, and the till account
    moves by exactly the cash taken less the cash paid back that day; every sales journal balances."""
    window = set(run.world.size.dates)
    outside = [o for o in _sales_journal_orders(run.world) if _shop_day(run.world, o.created_at) in window]
    cash_in = sum(
        (t.amount.shop for o in outside for t in o.transactions if t.gateway == "cash" and t.kind == "SALE"),
        Decimal(0),
    )
    cash_out = sum(
        (
            t.amount.shop
            for o in run.world.orders
            for r in o.refunds
            for t in r.transactions
            if t.gateway == "cash" and t.status == "SUCCESS" and _shop_day(run.world, t.processed_at) in window
        ),
        Decimal(0),
    )
    assert outside and cash_in > 0, "the world has till sales"
    till = run.query(
        "select coalesce(sum(amount), 0) from finance.journal_lines "
        "where payout_id is null and line_type = 'pos_cash_clearing'"
    )[0][0]
    assert till == cash_in - cash_out
    journals = run.query("select journal_id, is_balanced, total_debit from finance.journals where payout_id is null")
    days = {_shop_day(run.world, o.created_at) for o in outside}
    assert {j for j, *_ in journals} >= {f"sales-{day.isoformat()}" for day in days}
    assert all(balanced and debit > 0 for _, balanced, debit in journals), journals


def test_a_bank_transfer_is_owed_on_its_day_and_cleared_on_the_day_it_arrives(run: Run) -> None:
    """Bank transfers (a manual payment method) are paid a day or so after the order. The sales
    journals put the whole order in pending payment on its day and move each transfer from pending
    payment to other-gateway clearing on the day it arrives, orders from before the window included.
    So clearing takes exactly the transfers that arrived in the window, less those paid back, and
    pending payment keeps exactly what was owed at each day's end and not paid in the window."""
    world, window = run.world, set(run.world.size.dates)
    orders = _sales_journal_orders(world)
    arrived = [t for o in orders for t in _paid_after_created(world, o) if _shop_day(world, t.processed_at) in window]
    assert any(t.gateway == "manual" for t in arrived), "the world has transfers paid after their day"
    transfers_in = sum(
        (
            t.amount.shop
            for o in orders
            for t in o.transactions
            if t.gateway == "manual" and t.kind == "SALE" and _shop_day(world, t.processed_at) in window
        ),
        Decimal(0),
    )
    transfers_out = sum(
        (
            t.amount.shop
            for o in world.orders
            for r in o.refunds
            for t in r.transactions
            if t.gateway == "manual" and t.status == "SUCCESS" and _shop_day(world, t.processed_at) in window
        ),
        Decimal(0),
    )
    created_here = [o for o in orders if _shop_day(world, o.created_at) in window]
    still_owed = sum(
        (original_totals(o).total.shop for o in created_here if financial_status(o) == "PENDING"), Decimal(0)
    )
    paid_later = sum((t.amount.shop for o in created_here for t in _paid_after_created(world, o)), Decimal(0))
    cleared = sum((t.amount.shop for t in arrived if t.gateway != "shopify_payments"), Decimal(0))
    clearing, pending = run.query(
        "select coalesce(sum(amount) filter (where line_type = 'other_gateway_clearing'), 0), "
        "coalesce(sum(amount) filter (where line_type = 'pending_payment'), 0) "
        "from finance.journal_lines where payout_id is null"
    )[0]
    assert clearing == transfers_in - transfers_out
    assert pending == still_owed + paid_later - cleared


def test_credit_control_lists_exactly_the_orders_still_owed(run: Run) -> None:
    """finance.awaiting_payment holds every live order whose transfer has not arrived by the world's
    end, at its full total, and nothing else."""
    world = run.world
    owed = {
        o.id: original_totals(o).total.shop
        for o in world.orders
        if not o.test and o.cancelled_at is None and financial_status(o) == "PENDING"
    }
    assert owed, "the world ends with transfers still to come"
    rows = run.query("select order_id, owed, days_owed from finance.awaiting_payment")
    assert {order_id: amount for order_id, amount, _ in rows} == owed
    assert all(0 <= days <= 2 for *_, days in rows)  # transfers arrive within 40 hours


def test_sales_fees_and_liabilities_add_up_to_the_payouts(run: Run) -> None:
    """The figures the run summary reports, against the payouts' own totals."""
    (fees, journal_fees) = run.query(
        "select (select sum(fees) from finance.payout_reconciliation), "
        "(select sum(amount) from finance.journal_lines where line_type in ('payment_fees', 'chargeback_fees'))"
    )[0]
    assert fees == journal_fees
    net = run.query("select sum(net) from finance.payout_reconciliation")[0][0]
    assert net == sum(_payouts_in_window(run.world).values())


def test_a_wider_run_gives_the_same_journals_for_the_same_payouts(
    run: Run, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if run.world.seed != 7:
        pytest.skip("one world is enough to show range independence")
    wider = Run(run.world, _run_main_job(run.world, tmp_path_factory.mktemp("wider"), lookback=dt.timedelta(days=7)))
    payouts = ", ".join(str(p) for p in _payouts_in_window(run.world))
    sql = (
        "select journal_id, line_number, line_type, tax_rate, amount, transaction_count from finance.journal_lines "
        f"where payout_id in ({payouts}) order by journal_id, line_number"
    )
    narrow_lines = run.query(sql)
    assert narrow_lines and wider.query(sql) == narrow_lines


def test_the_run_summary_reports_the_finance_figures(run: Run) -> None:
    finance = json.loads((run.data / "summary.json").read_text())["finance"]
    expected = _payouts_in_window(run.world)
    assert finance["payouts"] == len(expected) and finance["journals"] == finance["journals_balanced"] >= len(expected)
    assert Decimal(finance["payouts_net"]) == sum(expected.values())
    unmatched = {a.payout_id for a in run.world.anomalies if a.type in PAYOUT_TYPES}
    assert finance["payouts_with_unmatched_money"] == len(unmatched)
    assert finance["payouts_reconciled"] == len(expected) - len(unmatched)
    (sales, fees, suspense) = run.query(
        "select cast(sum(net_sales) as varchar), cast(sum(fees) as varchar), cast(sum(suspense) as varchar) "
        "from finance.journals"
    )[0]
    assert (finance["net_sales"], finance["fees"], finance["suspense"]) == (sales, fees, suspense)
    assert Decimal(finance["net_sales"]) > 0 and Decimal(finance["fees"]) > 0 and Decimal(finance["suspense"]) < 0
    print(f"\nseed {run.world.seed} finance: {finance}")
