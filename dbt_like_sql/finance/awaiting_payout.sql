-- materialized: table
-- Shopify Payments payments of live orders that no payout has settled yet, with the date they are
-- expected in one: the UK pay period (three business days after the UTC day of capture, the day
-- Shopify batches by). business_days_late counts business days past that date as of the run.
-- column order_id: Shopify's numeric order id
-- column order_name: the order's name (e.g. #1001)
-- column transaction_id: the Shopify order transaction: a card payment no payout has settled yet
-- column kind: SALE or CAPTURE
-- column processed_at: when the payment was taken (UTC)
-- column amount: the payment in the shop currency (positive)
-- column currency_code: the shop currency
-- column expected_payout_date: third weekday after the payment's UTC day (UK pay period; bank holidays not skipped)
-- column business_days_late: weekdays past expected_payout_date on the run's last date; 0 that day, negative before
with card_payments as (
    select
        order_transactions.order_id,
        orders.name as order_name,
        order_transactions.transaction_id,
        order_transactions.kind,
        order_transactions.processed_at,
        order_transactions.amount,
        order_transactions.currency_code,
        cast(timezone('UTC', order_transactions.processed_at) as date) as utc_date
    from staging.shopify_order_transactions as order_transactions
    inner join staging.shopify_orders as orders on orders.order_id = order_transactions.order_id
    where
        order_transactions.gateway = 'shopify_payments'
        and order_transactions.kind in ('SALE', 'CAPTURE')
        and order_transactions.status = 'SUCCESS'
        and order_transactions.refund_id is null
        and not coalesce(order_transactions.test, false)
        and not coalesce(orders.test, false)
),

settled as (
    select distinct source_order_transaction_id
    from staging.shopify_payments_balance_transactions
    where associated_payout_id is not null and source_order_transaction_id is not null
),

unsettled as (
    select card_payments.*
    from card_payments
    where card_payments.transaction_id not in (select source_order_transaction_id from settled)
)

select
    unsettled.order_id,
    unsettled.order_name,
    unsettled.transaction_id,
    unsettled.kind,
    unsettled.processed_at,
    unsettled.amount,
    unsettled.currency_code,
    (
        select max(day)
        from (
            select cast(day as date) as day
            from generate_series(unsettled.utc_date + 1, unsettled.utc_date + 9, interval 1 day) as days (day)
            where isodow(day) < 6
            order by day
            limit 3
        )
    ) as expected_payout_date,
    (
        select count(*)
        from generate_series(unsettled.utc_date + 1, date '{{ as_of_date }}', interval 1 day) as days (day)
        where isodow(day) < 6
    ) - 3 as business_days_late
from unsettled
