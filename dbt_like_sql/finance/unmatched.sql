-- materialized: table
-- What finance must chase: every payout transaction that posted to suspense, with the reason:
-- a charge or refund with no Shopify order or refund (payout_unmatched_charge), or a transaction
-- type the ledger mapping does not know (payout_unmapped_transaction).
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
