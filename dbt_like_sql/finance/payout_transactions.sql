-- materialized: table
-- Every live (non-test) balance transaction that belongs to a payout, beside its payout, its ledger
-- family (finance.transaction_families; `unmapped` when the type is unknown) and, for charges and
-- refunds, the Shopify order or refund it was matched to (reconciliation.payout_matching). The
-- TRANSFER row is the payout itself: kept here so the payout can be proved against it.
with payouts as (
    select payout_id, payout_date, issued_at, status, transaction_type, external_trace_id, net, currency_code
    from staging.shopify_payments_payouts
),

balance as (
    select
        balance_transaction_id,
        type,
        source_type,
        amount,
        fee,
        net,
        currency_code,
        source_id,
        source_order_transaction_id,
        adjustment_reason,
        transaction_date,
        transaction_local_date,
        associated_order_id,
        associated_order_name,
        associated_payout_id
    from staging.shopify_payments_balance_transactions
    where not test and associated_payout_id is not null
),

matches as (
    select balance_transaction_id, matched_order_id, matched_refund_id, matched_by, is_matched
    from reconciliation.payout_matching
)

select
    payouts.payout_id,
    payouts.payout_date,
    payouts.issued_at as payout_issued_at,
    payouts.status as payout_status,
    payouts.transaction_type as payout_transaction_type,
    payouts.external_trace_id,
    payouts.net as payout_net,
    payouts.currency_code as payout_currency_code,
    balance.balance_transaction_id,
    balance.type,
    balance.source_type,
    coalesce(families.family, 'unmapped') as family,
    coalesce(families.line_type, case when families.type is null then 'suspense' end) as line_type,
    coalesce(families.fee_line_type, 'payment_fees') as fee_line_type,
    balance.amount,
    balance.fee,
    balance.net,
    balance.currency_code,
    balance.source_id,
    balance.source_order_transaction_id,
    balance.adjustment_reason,
    balance.transaction_date,
    balance.transaction_local_date,
    balance.associated_order_id,
    balance.associated_order_name,
    matches.matched_order_id,
    matches.matched_refund_id,
    matches.matched_by,
    coalesce(matches.is_matched, false) as is_matched
from balance
inner join payouts on payouts.payout_id = balance.associated_payout_id
left join finance.transaction_families as families on families.type = balance.type
left join matches on matches.balance_transaction_id = balance.balance_transaction_id
