-- materialized: table
-- Every live (non-test) balance transaction that belongs to a payout, beside its payout, its ledger
-- family (finance.transaction_families; `unmapped` when the type is unknown) and, for charges and
-- refunds, the Shopify order or refund it was matched to (reconciliation.payout_matching). The
-- TRANSFER row is the payout itself: kept here so the payout can be proved against it.
-- column payout_id: Shopify Payments payout id
-- column payout_date: the shop day the payout was issued
-- column payout_issued_at: when Shopify issued the payout (UTC)
-- column payout_status: the payout's status in Shopify Payments: SCHEDULED, PAID, FAILED or CANCELED
-- column payout_transaction_type: DEPOSIT (paid into the bank) or WITHDRAWAL (a negative payout, taken from the bank)
-- column external_trace_id: the payout's bank trace reference, to find the deposit; null when Shopify gives none
-- column payout_net: the payout's net in the payout currency: the bank deposit, negative for a withdrawal
-- column payout_currency_code: the payout currency
-- column balance_transaction_id: the Shopify Payments balance transaction (test transactions are left out)
-- column type: Shopify's transaction type, e.g. CHARGE, REFUND, DISPUTE_WITHDRAWAL; TRANSFER is the payout itself
-- column source_type: Shopify's source type, e.g. CHARGE, REFUND, DISPUTE, ADJUSTMENT, TRANSFER
-- column family: its ledger family from finance.transaction_families; unmapped when the type is not listed there
-- column line_type: the journal line its amount posts to (order, refund: split up); unmapped: suspense; TRANSFER: null
-- column fee_line_type: the journal line its fee posts to (payment_fees unless its family says otherwise)
-- column amount: signed as Shopify gives it, payout currency: + adds to the payout (charge), - takes from it (refund)
-- column fee: Shopify's fee on it, payout currency: positive is a fee charged, negative a fee returned
-- column net: amount minus fee; the TRANSFER row's is minus the payout's net
-- column currency_code: the transaction's currency (the payout currency)
-- column source_id: the id it came from: gateway charge, Shopify refund, dispute, or payout (TRANSFER); may be null
-- column source_order_transaction_id: the Shopify order transaction a charge or refund settles; null when not given
-- column adjustment_reason: Shopify's reason for an adjustment; null for other types
-- column transaction_date: when Shopify processed it (UTC)
-- column transaction_local_date: transaction_date as a shop-timezone day (it decides the journal month)
-- column associated_order_id: the Shopify order id Shopify associates with it; null when none
-- column associated_order_name: that order's name (e.g. #1001); empty or null when Shopify does not give it
-- column matched_order_id: the Shopify order a charge or refund matched (reconciliation.payout_matching); else null
-- column matched_refund_id: the Shopify refund a refund matched; null for charges, other types and unmatched refunds
-- column matched_by: what matched it: order_transaction, associated_order, refund or refund_transaction; else null
-- column is_matched: true when a charge or refund matched; false when unmatched (in suspense) and for other types
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
