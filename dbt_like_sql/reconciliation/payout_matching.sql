-- materialized: table
-- Every CHARGE and REFUND balance transaction of a Shopify Payments payout beside the Shopify order
-- or refund it belongs to. A charge matches its order (by the order transaction it settles, or by the
-- associated order); a refund matches its Shopify refund (by id, or by the refund's transaction).
-- Test transactions are left out, and adjustments, disputes, reserves and transfers are not charges.
-- An unmatched row is money Shopify Payments moved for an order the shop does not have: the payout's
-- payout_unmatched_charge exception lists them all.
-- column payout_id: Shopify Payments payout id
-- column date: the shop day the payout was issued
-- column payout_status: SCHEDULED, IN_TRANSIT, PAID, FAILED, CANCELED
-- column payout_net: the payout's net (the bank deposit)
-- column balance_transaction_id: the balance transaction
-- column type: CHARGE or REFUND
-- column amount: gross amount
-- column fee: Shopify's fee
-- column net: amount minus fee
-- column currency_code: the payout currency
-- column transaction_date: when it was processed
-- column source_id: the charge or refund id at the gateway
-- column source_order_transaction_id: the Shopify order transaction it settles
-- column associated_order_id: the order Shopify associates with it
-- column associated_order_name: that order's name
-- column matched_order_id: the Shopify order it matched
-- column matched_refund_id: the Shopify refund it matched
-- column matched_by: which key matched it
-- column is_matched: false means a payout_unmatched_charge
-- column transaction_synced_at: when the transaction was synced
-- column payout_synced_at: when the payout was synced
with payouts as (
    select payout_id, payout_date, status, net, currency_code, _synced_at
    from staging.shopify_payments_payouts
),

payout_transactions as (
    select
        balance.balance_transaction_id,
        balance.type,
        balance.amount,
        balance.fee,
        balance.net,
        balance.currency_code,
        balance.transaction_date,
        balance.source_id,
        balance.source_order_transaction_id,
        balance.associated_order_id,
        balance.associated_order_name,
        balance.associated_payout_id as payout_id,
        balance._synced_at
    from staging.shopify_payments_balance_transactions as balance
    where balance.type in ('CHARGE', 'REFUND') and not balance.test and balance.associated_payout_id is not null
),

-- read twice, with a filter each time: cheaper than holding a peak month's transactions in memory
order_transactions as not materialized (
    select transaction_id, order_id, refund_id
    from staging.shopify_order_transactions
),

refunds as (
    select refund_id, order_id
    from staging.shopify_order_refunds
),

orders as (
    select order_id
    from staging.shopify_orders
),

transaction_matches as (
    select
        payout_transactions.*,
        case
            when payout_transactions.type = 'CHARGE'
                then coalesce(by_transaction.order_id, by_order.order_id)
            else coalesce(by_refund.order_id, refund_transaction.order_id)
        end as matched_order_id,
        case
            when payout_transactions.type = 'REFUND'
                then coalesce(by_refund.refund_id, refund_transaction.refund_id)
        end as matched_refund_id,
        case
            when payout_transactions.type = 'CHARGE' and by_transaction.order_id is not null then 'order_transaction'
            when payout_transactions.type = 'CHARGE' and by_order.order_id is not null then 'associated_order'
            when payout_transactions.type = 'REFUND' and by_refund.refund_id is not null then 'refund'
            when payout_transactions.type = 'REFUND' and refund_transaction.refund_id is not null
                then 'refund_transaction'
        end as matched_by
    from payout_transactions
    left join order_transactions as by_transaction
        on by_transaction.transaction_id = payout_transactions.source_order_transaction_id
        and by_transaction.refund_id is null
    left join orders as by_order
        on by_order.order_id = payout_transactions.associated_order_id
    left join refunds as by_refund
        on by_refund.refund_id = payout_transactions.source_id
    left join order_transactions as refund_transaction
        on refund_transaction.transaction_id = payout_transactions.source_order_transaction_id
        and refund_transaction.refund_id is not null
)

select
    payouts.payout_id,
    payouts.payout_date as date,
    payouts.status as payout_status,
    payouts.net as payout_net,
    transaction_matches.balance_transaction_id,
    transaction_matches.type,
    transaction_matches.amount,
    transaction_matches.fee,
    transaction_matches.net,
    transaction_matches.currency_code,
    transaction_matches.transaction_date,
    transaction_matches.source_id,
    transaction_matches.source_order_transaction_id,
    transaction_matches.associated_order_id,
    transaction_matches.associated_order_name,
    transaction_matches.matched_order_id,
    transaction_matches.matched_refund_id,
    transaction_matches.matched_by,
    transaction_matches.matched_by is not null as is_matched,
    transaction_matches._synced_at as transaction_synced_at,
    payouts._synced_at as payout_synced_at
from transaction_matches
inner join payouts on payouts.payout_id = transaction_matches.payout_id
