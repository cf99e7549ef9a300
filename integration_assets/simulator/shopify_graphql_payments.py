"""Resolvers for Shopify Payments: the account, its balance, payouts, balance transactions and
disputes (simulator/disputes.py, the same records REST serves).

A balance transaction without a payout yet shows `associatedPayout { id: null status: null }`
(its payout status is PENDING in the world and in REST). Payout summary fields read
`Payout.summary` by GraphQL name; a missing key is 0.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from graphql import GraphQLResolveInfo

from integration_assets.simulator.disputes import Dispute
from integration_assets.simulator.shopify_graphql_paging import paginate
from integration_assets.simulator.shopify_graphql_state import (
    RequestState,
    WorldIndex,
    sortable_time,
)
from integration_assets.simulator.shopify_graphql_values import gid, money_v2
from integration_assets.simulator.shopify_search import SearchCatalog, SearchField
from integration_assets.simulator.world import ZERO, BalanceTransaction, Payout

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo

ACCOUNT_ID = 1  # the shop has one Shopify Payments account

SUMMARY_FIELDS = (
    "adjustmentsFee",
    "adjustmentsGross",
    "advanceFees",
    "advanceGross",
    "chargesFee",
    "chargesGross",
    "refundsFee",
    "refundsFeeGross",
    "reservedFundsFee",
    "reservedFundsGross",
    "retriedPayoutsFee",
    "retriedPayoutsGross",
    "usdcRebateCreditAmount",
)

FEE_FIELDS = ("adjustmentsFee", "advanceFees", "chargesFee", "refundsFee", "reservedFundsFee", "retriedPayoutsFee")


class PaymentsAccount:
    """The shop's single Shopify Payments account (a marker; data comes from the world)."""


ACCOUNT = PaymentsAccount()

TYPE_NAMES: dict[type, str] = {
    PaymentsAccount: "ShopifyPaymentsAccount",
    Payout: "ShopifyPaymentsPayout",
    BalanceTransaction: "ShopifyPaymentsBalanceTransaction",
    Dispute: "ShopifyPaymentsDispute",
}


def index(info: Info) -> WorldIndex:
    state: RequestState = info.context
    return state.index


def _summary(payout: Payout, field: str) -> Decimal:
    return payout.summary.get(field, ZERO)


PAYOUT_SEARCH = SearchCatalog(
    fields={
        "date": SearchField("date", lambda p: p.date),
        "issued_at": SearchField("datetime", lambda p: p.issued_at),
        "status": SearchField("string", lambda p: p.status),
        "id": SearchField("int", lambda p: p.id),
    }
)


# ASSUMED: the search fields of `disputes(query:)` (Shopify documents none for this connection).
DISPUTE_SEARCH = SearchCatalog(
    fields={
        "status": SearchField("string", lambda d: d.status),
        "initiated_at": SearchField("datetime", lambda d: d.initiated_at),
        "id": SearchField("int", lambda d: d.id),
    }
)


def balance_search(idx: WorldIndex) -> SearchCatalog:
    payouts = idx.world.payouts_by_id

    def payout_date(bt: BalanceTransaction) -> Any:
        payout = payouts.get(bt.payout_id) if bt.payout_id else None
        return payout.date if payout is not None else None

    return SearchCatalog(
        fields={
            "processed_at": SearchField("datetime", lambda bt: bt.processed_at),
            "payout_date": SearchField("date", payout_date),
            "payout_id": SearchField("int", lambda bt: bt.payout_id),
            "payout_status": SearchField("string", lambda bt: bt.payout_status),
            "type": SearchField("string", lambda bt: bt.type),
            "transaction_type": SearchField("string", lambda bt: bt.type),
            "source_type": SearchField("string", lambda bt: bt.source_type),
            "test": SearchField("bool", lambda bt: bt.test),
            "id": SearchField("int", lambda bt: bt.id),
        }
    )


def _payout_sort_value(sort_key: str) -> Callable[[Payout], Any]:
    summary_keys = {
        "ADJUSTMENT_GROSS": "adjustmentsGross",
        "ADVANCE_GROSS": "advanceGross",
        "CHARGE_GROSS": "chargesGross",
        "REFUND_GROSS": "refundsFeeGross",
    }
    if sort_key in summary_keys:
        name = summary_keys[sort_key]
        return lambda p: float(_summary(p, name))
    return {
        "ISSUED_AT": lambda p: sortable_time(p.issued_at),
        "AMOUNT": lambda p: float(p.net),
        "STATUS": lambda p: p.status,
        "FEE_AMOUNT": lambda p: float(sum((_summary(p, f) for f in FEE_FIELDS), ZERO)),
    }.get(sort_key, lambda p: p.id)


def _balance_sort_value(idx: WorldIndex, sort_key: str) -> Callable[[BalanceTransaction], Any]:
    orders = idx.world.orders_by_id
    payouts = idx.world.payouts_by_id

    def order_name(bt: BalanceTransaction) -> str:
        order = orders.get(bt.source_order_id) if bt.source_order_id else None
        return order.name if order is not None else ""

    def payout_date(bt: BalanceTransaction) -> str:
        payout = payouts.get(bt.payout_id) if bt.payout_id else None
        return payout.date.isoformat() if payout is not None else ""

    return {
        "AMOUNT": lambda bt: float(bt.amount),
        "FEE": lambda bt: float(bt.fee),
        "NET": lambda bt: float(bt.net),
        "ORDER_NAME": order_name,
        "PAYMENT_METHOD_NAME": lambda bt: "",
        "PAYOUT_DATE": payout_date,
        "PAYOUT_STATUS": lambda bt: bt.payout_status,
        "PROCESSED_AT": lambda bt: sortable_time(bt.processed_at),
        "TRANSACTION_TYPE": lambda bt: bt.type,
    }.get(sort_key, lambda bt: bt.id)


def _payouts(account: PaymentsAccount, info: Info, **args: Any) -> dict[str, Any]:
    idx = index(info)
    sort_key = args.get("sortKey") or "ID"
    value = _payout_sort_value(sort_key)
    payouts, keys = idx.sorted_by("payouts", sort_key, idx.world.payouts, lambda p: (value(p), p.id))
    transaction_type = args.get("transactionType")
    search = PAYOUT_SEARCH.compile(args.get("query"), idx.zone)
    info.context.note_search(info.path.as_list(), search)
    kept = [
        n
        for n, p in enumerate(payouts)
        if search.matches(p) and (transaction_type is None or p.transaction_type == transaction_type)
    ]
    return paginate(info, [payouts[n] for n in kept], [keys[n] for n in kept], args)


def _balance_transactions(account: PaymentsAccount, info: Info, **args: Any) -> dict[str, Any]:
    idx = index(info)
    sort_key = args.get("sortKey") or "ID"
    value = _balance_sort_value(idx, sort_key)
    rows, keys = idx.sorted_by(
        "balance_transactions",
        sort_key,
        idx.world.balance_transactions,
        lambda bt: (value(bt), bt.id),
    )
    search = balance_search(idx).compile(args.get("query"), idx.zone)
    info.context.note_search(info.path.as_list(), search)
    hide_transfers = bool(args.get("hideTransfers"))
    kept = [
        n for n, bt in enumerate(rows) if search.matches(bt) and not (hide_transfers and bt.source_type == "TRANSFER")
    ]
    return paginate(info, [rows[n] for n in kept], [keys[n] for n in kept], args)


def _disputes(account: PaymentsAccount, info: Info, **args: Any) -> dict[str, Any]:
    """Disputes by id (ASSUMED: the connection's order; it takes no sortKey)."""
    idx = index(info)
    search = DISPUTE_SEARCH.compile(args.get("query"), idx.zone)
    info.context.note_search(info.path.as_list(), search)
    kept = [d for d in idx.disputes if search.matches(d)]
    return paginate(info, kept, [(d.id, d.id) for d in kept], args)


def _country(info: Info) -> str:
    locations = index(info).world.locations
    return locations[0].country_code if locations else "GB"


ACCOUNT_FIELDS: dict[str, Resolver] = {
    "id": lambda a, i: gid("ShopifyPaymentsAccount", ACCOUNT_ID),
    "activated": lambda a, i: True,
    "onboardable": lambda a, i: False,
    "accountOpenerName": lambda a, i: index(i).world.shop.name,
    "country": lambda a, i: _country(i),
    "defaultCurrency": lambda a, i: index(i).world.shop.currency,
    "balance": lambda a, i: [money_v2(v, c) for c, v in sorted(index(i).balance.items())],
    "payoutSchedule": lambda a, i: {"interval": "DAILY", "monthlyAnchor": None, "weeklyAnchor": None},
    "payoutStatementDescriptor": lambda a, i: index(i).world.shop.name.upper()[:22],
    "chargeStatementDescriptor": lambda a, i: index(i).world.shop.name.upper()[:22],
    "payouts": _payouts,
    "balanceTransactions": _balance_transactions,
    "disputes": _disputes,
}

DISPUTE: dict[str, Resolver] = {
    "id": lambda d, i: gid("ShopifyPaymentsDispute", d.id),
    "legacyResourceId": lambda d, i: d.id,
    "amount": lambda d, i: money_v2(d.amount, d.currency),
    "initiatedAt": lambda d, i: d.initiated_at,
    "evidenceDueBy": lambda d, i: d.evidence_due_by,
    "evidenceSentOn": lambda d, i: d.evidence_sent_on,
    "finalizedOn": lambda d, i: d.finalized_on,
    "order": lambda d, i: index(i).world.orders_by_id.get(d.order_id) if d.order_id else None,
    "reasonDetails": lambda d, i: {"reason": d.reason, "networkReasonCode": d.network_reason_code},
    "status": lambda d, i: d.status,
    "type": lambda d, i: d.type,
}


def _business_entity(info: Info) -> dict[str, Any]:
    name = index(info).world.shop.name
    return {
        "id": gid("BusinessEntity", 1),
        "displayName": name,
        "companyName": name,
        "primary": True,
        "archived": False,
    }


PAYOUT: dict[str, Resolver] = {
    "id": lambda p, i: gid("ShopifyPaymentsPayout", p.id),
    "legacyResourceId": lambda p, i: p.id,
    "issuedAt": lambda p, i: p.issued_at,
    "net": lambda p, i: money_v2(p.net, p.currency),
    "gross": lambda p, i: money_v2(p.net, p.currency),
    "status": lambda p, i: p.status,
    "transactionType": lambda p, i: p.transaction_type,
    "summary": lambda p, i: {f: money_v2(_summary(p, f), p.currency) for f in SUMMARY_FIELDS},
    "externalTraceId": lambda p, i: p.external_trace_id,
    "businessEntity": lambda p, i: _business_entity(i),
}


def _associated_order(bt: BalanceTransaction, info: Info) -> dict[str, Any] | None:
    if bt.source_order_id is None:
        return None
    order = index(info).world.orders_by_id.get(bt.source_order_id)
    # ASSUMED: an order outside the simulated window still shows its id (Shopify has it); its
    # name is not known to the world, so it is empty.
    return {"id": gid("Order", bt.source_order_id), "name": order.name if order else ""}


def _associated_payout(bt: BalanceTransaction, info: Info) -> dict[str, Any]:
    if bt.payout_id is None:
        # The SDL: "Both fields are null while the row has no payout" (payout status PENDING).
        return {"id": None, "status": None}
    return {"id": gid("ShopifyPaymentsPayout", bt.payout_id), "status": bt.payout_status}


def _adjustment_orders(bt: BalanceTransaction, info: Info) -> list[dict[str, Any]]:
    if bt.source_type not in ("ADJUSTMENT", "ADJUSTMENT_REVERSAL") or bt.source_order_id is None:
        return []
    order = index(info).world.orders_by_id.get(bt.source_order_id)
    return [
        {
            "amount": money_v2(bt.amount, bt.currency),
            "fees": money_v2(bt.fee, bt.currency),
            "link": f"https://{index(info).world.shop.domain}/admin/orders/{bt.source_order_id}",
            "name": order.name if order else "",
            "net": money_v2(bt.net, bt.currency),
            "orderTransactionId": bt.source_order_transaction_id or 0,
        }
    ]


BALANCE_TRANSACTION: dict[str, Resolver] = {
    "id": lambda bt, i: gid("ShopifyPaymentsBalanceTransaction", bt.id),
    "type": lambda bt, i: bt.type,
    "test": lambda bt, i: bt.test,
    "amount": lambda bt, i: money_v2(bt.amount, bt.currency),
    "fee": lambda bt, i: money_v2(bt.fee, bt.currency),
    "net": lambda bt, i: money_v2(bt.net, bt.currency),
    "adjustmentReason": lambda bt, i: bt.adjustment_reason,
    "adjustmentsOrders": _adjustment_orders,
    "associatedOrder": _associated_order,
    "associatedPayout": _associated_payout,
    "sourceId": lambda bt, i: bt.source_id,
    "sourceType": lambda bt, i: bt.source_type,
    "sourceOrderTransactionId": lambda bt, i: bt.source_order_transaction_id,
    "transactionDate": lambda bt, i: bt.processed_at,
}


def node_for(info: Info, kind: str, id_: int) -> Any:
    if kind == "ShopifyPaymentsPayout":
        return index(info).world.payouts_by_id.get(id_)
    if kind == "ShopifyPaymentsBalanceTransaction":
        return index(info).balance_transactions_by_id.get(id_)
    if kind == "ShopifyPaymentsDispute":
        return index(info).disputes_by_id.get(id_)
    if kind == "ShopifyPaymentsAccount" and id_ == ACCOUNT_ID:
        return ACCOUNT
    return None


RESOLVERS: dict[str, dict[str, Resolver]] = {
    "QueryRoot": {"shopifyPaymentsAccount": lambda _root, info: ACCOUNT},
    "ShopifyPaymentsAccount": ACCOUNT_FIELDS,
    "ShopifyPaymentsPayout": PAYOUT,
    "ShopifyPaymentsBalanceTransaction": BALANCE_TRANSACTION,
    "ShopifyPaymentsDispute": DISPUTE,
}


def type_name(value: Any) -> str | None:
    return TYPE_NAMES.get(type(value))
