-- materialized: table
-- What finance must chase: every payout transaction that posted to suspense, with the reason:
-- a charge or refund with no Shopify order or refund (payout_unmatched_charge), or a transaction
-- type the ledger mapping does not know (payout_unmapped_transaction).
-- column payout_id: Shopify Payments payout id
-- column payout_date: the shop day the payout was issued
-- column payout_status: the payout's status in Shopify Payments: SCHEDULED, PAID, FAILED or CANCELED
-- column balance_transaction_id: the Shopify Payments balance transaction that posted to suspense
-- column type: Shopify's transaction type: CHARGE, REFUND, or the type the ledger mapping does not know
-- column reason: no matching Shopify order or refund, or unmapped transaction type
-- column exception_type: payout_unmatched_charge or payout_unmapped_transaction: its type in the exceptions register
-- column amount: signed as Shopify gives it, payout currency: + adds to the payout (charge), - takes from it (refund)
-- column fee: Shopify's fee on it; positive is a fee charged, negative a fee returned
-- column net: amount minus fee
-- column currency_code: the transaction's currency (the payout currency)
-- column transaction_date: when Shopify processed it (UTC)
-- column associated_order_id: the order id Shopify associates with it; null when none
-- column associated_order_name: that order's name (e.g. #1001); empty or null when Shopify does not give it
-- column source_order_transaction_id: the Shopify order transaction it says it settles; null when not given
-- column adjustment_reason: Shopify's reason for an adjustment; null for other types
select
    payout_id,
    payout_date,
    payout_status,
    balance_transaction_id,
    type,
    case when family = 'unmapped' then 'unmapped transaction type' else 'no matching Shopify order or refund' end
        as reason,
    case when family = 'unmapped' then 'payout_unmapped_transaction' else 'payout_unmatched_charge' end
        as exception_type,
    amount,
    fee,
    net,
    currency_code,
    transaction_date,
    associated_order_id,
    associated_order_name,
    source_order_transaction_id,
    adjustment_reason
from finance.payout_transactions
where family = 'unmapped' or (family in ('charge', 'refund') and not is_matched)
