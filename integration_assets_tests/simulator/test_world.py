"""The demo merchant's world: deterministic, internally consistent, and carrying every anomaly."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from integration_assets.simulator.manifest import build_manifest
from integration_assets.simulator.merchant import build_world, default_size, small_size
from integration_assets.simulator.payments import SUMMARY_FAMILY, SUMMARY_FIELDS
from integration_assets.simulator.seeds import SEED_COLUMNS
from integration_assets.simulator.world import (
    World,
    WorldSize,
    current_totals,
    line_current_quantity,
    order_received,
    original_totals,
)

REPO = Path(__file__).resolve().parents[2]
EXCEPTION_TYPES = {
    "stock_parity_drift",
    "unmapped_location",
    "sku_missing_in_mintsoft",
    "sku_missing_in_shopify",
    "sku_missing_in_inventory_planner",
    "sku_duplicate",
    "tracking_disabled",
    "order_edit_after_pick",
    "duplicate_despatch",
    "despatched_not_fulfilled",
    "cancelled_but_despatched",
    "fulfilled_before_despatch",
    "restock_mismatch",
    "payout_unmatched_charge",
    "payout_unmapped_transaction",
}


def test_same_seed_same_world_and_different_seed_different_world() -> None:
    first = json.dumps(build_manifest(build_world(3, small_size())), sort_keys=True)
    again = json.dumps(build_manifest(build_world(3, small_size())), sort_keys=True)
    other = json.dumps(build_manifest(build_world(4, small_size())), sort_keys=True)
    assert first == again
    assert first != other
    # Not only the manifest: the orders themselves are identical record for record.
    assert repr(build_world(3, small_size()).orders) == repr(build_world(3, small_size()).orders)


@pytest.mark.parametrize("fixture", ["small_world", "other_world"])
def test_every_exception_type_is_injected_with_its_keys(fixture: str, request: pytest.FixtureRequest) -> None:
    world: World = request.getfixturevalue(fixture)
    by_type = collections.defaultdict(list)
    for a in world.anomalies:
        by_type[a.type].append(a)
    assert set(by_type) == EXCEPTION_TYPES
    dates = {d.isoformat() for d in world.size.dates}
    for a in by_type["stock_parity_drift"]:
        assert a.date == max(dates) and a.location_key and a.sku and a.order_id is None
    for kind in (
        "order_edit_after_pick",
        "duplicate_despatch",
        "despatched_not_fulfilled",
        "cancelled_but_despatched",
        "fulfilled_before_despatch",
    ):
        (a,) = by_type[kind]
        assert a.date in dates and int(a.order_id) in world.orders_by_id and a.sku is None
    (restock,) = by_type["restock_mismatch"]
    assert restock.sku and int(restock.order_id) in world.orders_by_id
    (payout,) = by_type["payout_unmatched_charge"]
    assert int(payout.payout_id) in world.payouts_by_id and payout.date in dates
    (unmapped_type,) = by_type["payout_unmapped_transaction"]
    assert unmapped_type.payout_id == payout.payout_id and "ADS_PUBLISHER_CREDIT" in unmapped_type.detail
    (unmapped,) = by_type["unmapped_location"]
    assert unmapped.location_key is None and "shopify_location_id=" in unmapped.detail


def test_world_has_the_required_variety(small_world: World) -> None:
    w = small_world
    kinds = collections.Counter(loc.kind for loc in w.locations if loc.location_key)
    assert kinds["warehouse"] >= 3 and kinds["store"] == 1
    assert any(p.is_bundle for p in w.products) and any(p.preorder for p in w.products)
    assert any(not i.tracked and i.requires_shipping for i in w.inventory_items)  # untracked goods
    orders = w.orders
    assert any(len(o.line_items) > 2 for o in orders)
    assert any(o.taxes_included for o in orders) and any(not o.taxes_included for o in orders)
    assert {"GBP", "EUR", "USD", "JPY"} <= {o.presentment_currency for o in orders}
    assert any(o.discount_applications for o in orders) and any(o.shipping_lines for o in orders)
    assert any(li.is_gift_card for o in orders for li in o.line_items)
    gateways_per_order = [{t.gateway for t in o.transactions} for o in orders]
    assert any({"gift_card", "shopify_payments"} <= g for g in gateways_per_order)  # split tender
    assert any(o.source_name == "pos" and {"cash"} == {t.gateway for t in o.transactions} for o in orders)
    assert any(o.source_name == "pos" and "shopify_payments" in {t.gateway for t in o.transactions} for o in orders)
    assert any(o.edits for o in orders)
    restock_types = {r.restock_type for o in orders for ref in o.refunds for r in ref.refund_line_items}
    assert {"CANCEL", "RETURN", "NO_RESTOCK"} <= restock_types
    assert any(o.cancelled_at and o.refunds[0].refund_line_items[0].restock_type == "CANCEL" for o in orders)
    assert any(o.cancelled_at and o.refunds[0].refund_line_items[0].restock_type == "NO_RESTOCK" for o in orders)
    assert any(any(t.kind == "AUTHORIZATION" for t in o.transactions) for o in orders)  # manual capture
    assert any(o.test for o in orders)
    assert w.mintsoft_returns


def test_balance_transactions_and_payouts_keep_the_ledger_invariants(small_world: World) -> None:
    w = small_world
    ids = [r.id for r in w.balance_transactions]
    assert len(ids) == len(set(ids))
    by_payout = collections.defaultdict(list)
    for r in w.balance_transactions:
        assert r.net == r.amount - r.fee  # P1
        assert r.currency == "GBP"
        if r.payout_id is None:
            assert r.payout_status == "PENDING"
        else:
            by_payout[r.payout_id].append(r)
        assert r.amount == r.amount.quantize(Decimal("0.01"))
    assert set(by_payout) == {p.id for p in w.payouts}  # P4: every row is in one payout or pending
    for payout in w.payouts:
        rows = by_payout[payout.id]
        transfers = [r for r in rows if r.type == "TRANSFER"]
        assert len(transfers) == 1 and transfers[0].amount == -payout.net  # P2
        assert sum(r.net for r in rows if r.type != "TRANSFER") == payout.net
        assert sum(r.net for r in rows) == 0
        expected = collections.defaultdict(Decimal)
        for r in rows:
            if r.type == "TRANSFER":
                continue
            gross_field, fee_field = SUMMARY_FIELDS[SUMMARY_FAMILY.get(r.type, "adjustments")]
            expected[gross_field] += r.amount
            expected[fee_field] += r.fee
        for name, amount in payout.summary.items():
            assert amount == expected.get(name, Decimal(0)), (payout.id, name)  # P3
        gross = sum(payout.summary[g] - payout.summary[f] for g, f in SUMMARY_FIELDS.values())
        assert gross == payout.net
    assert all(r.payout_id is None for r in w.balance_transactions if r.test)  # T1


def test_payout_edge_cases_are_present(small_world: World) -> None:
    w = small_world
    statuses = collections.Counter(p.status for p in w.payouts)
    assert statuses["FAILED"] == 1 and statuses["SCHEDULED"] == 1 and statuses["PAID"] >= 1
    assert any(p.transaction_type == "WITHDRAWAL" for p in w.payouts)  # refunds beyond charges
    types = collections.Counter(r.type for r in w.balance_transactions)
    for kind in (
        "CHARGE",
        "REFUND",
        "DISPUTE_WITHDRAWAL",
        "DISPUTE_REVERSAL",
        "RESERVED_FUNDS",
        "RESERVED_FUNDS_REVERSAL",
        "TRANSFER_FAILURE",
        "SHIPPING_LABEL",
        "BILLING_DEBIT",
        "TAX_ADJUSTMENT_DEBIT",
    ):
        assert types[kind] >= 1, kind
    assert types["DISPUTE_WITHDRAWAL"] == 2 and types["DISPUTE_REVERSAL"] == 1  # one won, one lost
    assert any(r.type == "REFUND" and r.fee < 0 for r in w.balance_transactions)  # legacy refund fee
    # A refund settles in a later payout than its sale.
    payout_date = {p.id: p.date for p in w.payouts}
    sale_payout = {
        r.source_order_id: payout_date.get(r.payout_id) for r in w.balance_transactions if r.type == "CHARGE"
    }
    assert any(
        r.type == "REFUND"
        and r.payout_id
        and sale_payout.get(r.source_order_id)
        and payout_date[r.payout_id] > sale_payout[r.source_order_id]
        for r in w.balance_transactions
    )


def test_a_refund_goes_back_to_each_tender_within_what_it_took() -> None:
    """O3 per gateway, on the demo world (its split tenders include refunded ones): a refund beyond
    what the card took goes back to the gift card, as Shopify refunds, so no tender gets back more
    than it took and finance's refunds_within_capture check has nothing to report."""
    world = build_world(7)
    split_refunds = 0
    for order in world.orders:
        tenders = [t for t in order.transactions if t.kind in ("SALE", "CAPTURE")]
        refunds = [t for r in order.refunds for t in r.transactions]
        for gateway in {t.gateway for t in tenders}:
            took = sum(t.amount.shop for t in tenders if t.gateway == gateway)
            back = sum(t.amount.shop for t in refunds if t.gateway == gateway)
            assert back <= took, (order.name, gateway, back, took)
        assert {t.parent_id for t in refunds} <= {t.id for t in tenders}, order.name  # each to a tender it took
        if "gift_card" in {t.gateway for t in tenders} and refunds:
            split_refunds += 1
    assert split_refunds == 6
    back_to_gift_cards = [
        t for o in world.orders for r in o.refunds for t in r.transactions if t.gateway == "gift_card"
    ]
    # four 20.00 gift cards, and a 12.95 order (11.95 by gift card, 1.00 by card) refunded in full
    assert sorted(t.amount.shop for t in back_to_gift_cards) == [Decimal("11.95")] + [Decimal("20.00")] * 4


def test_order_totals_and_tenders_are_consistent(small_world: World) -> None:
    for order in small_world.orders:
        totals = original_totals(order)
        lines = [li for li in order.line_items if li.added_at is None]
        gross = sum(li.unit_price.shop * li.quantity for li in lines)
        discounts = sum(a.amount.shop for li in lines for a in li.discount_allocations)
        assert totals.subtotal.shop == gross - discounts  # O1
        received = order_received(order)
        added = sum(
            (li.original_total.shop + (0 if order.taxes_included else sum(t.price.shop for t in li.tax_lines)))
            for li in order.line_items
            if li.added_at is not None
        )
        captured = any(t.kind in ("SALE", "CAPTURE") for t in order.transactions)
        if captured:
            assert received.shop == totals.total.shop + added, order.name  # O2
        refunded = sum(t.amount.shop for r in order.refunds for t in r.transactions)
        assert refunded <= received.shop + Decimal("0.01")  # O3
        assert current_totals(order).total.shop >= 0
        for li in order.line_items:
            assert 0 <= line_current_quantity(order, li) <= li.quantity


def test_stock_movements_reconcile_to_stock_levels(small_world: World) -> None:
    w = small_world
    positions = {(p.date, p.mintsoft_warehouse_id, p.sku): p for p in w.stock_positions}
    moves = collections.defaultdict(int)
    for m in w.stock_movements:
        moves[(m.date, m.mintsoft_warehouse_id, m.sku)] += m.quantity
    checked = 0
    for day in w.size.dates:
        before = day - dt.timedelta(days=1)
        for (d, wh, sku), position in positions.items():
            if d != day:
                continue
            opening = positions[(before, wh, sku)].on_hand
            assert position.on_hand == opening + moves[(day, wh, sku)], (day, wh, sku)
            assert position.on_hand >= 0 and position.available >= -position.quarantine
            checked += 1
    assert checked > 100
    assert {m.reason for m in w.stock_movements} >= {"despatch", "receipt"}
    returned = {(r.warehouse_id, line.sku) for r in w.mintsoft_returns for line in r.lines}
    assert returned, "the world has returns received by the warehouse"


def test_committed_seeds_are_the_default_worlds() -> None:
    world = build_world(7, default_size())
    for name, columns in SEED_COLUMNS.items():
        with (REPO / "dbt_like_sql" / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == columns
            assert list(reader) == world.seeds[name], name


def test_size_arguments_are_validated() -> None:
    start = dt.date(2026, 11, 20)
    with pytest.raises(ValueError, match="--locations"):
        build_world(1, WorldSize(start, 2, 20, 60, 3))
    with pytest.raises(ValueError, match="--skus"):
        build_world(1, WorldSize(start, 2, 20, 10, 4))
