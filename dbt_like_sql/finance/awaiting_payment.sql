-- materialized: table
-- Orders their customers still owe money on: a manual payment method, a bank transfer not yet
-- arrived, payment terms. Shopify shows them PENDING or PARTIALLY_PAID; their sales journal holds what
-- is owed in pending payment until the money arrives. days_owed counts from the shop day the order
-- was created to the run's as-of date, so credit control sees what is owed, by whom and since when.
-- Cancelled and test orders owe nothing.
-- column order_id: Shopify's numeric order id
-- column order_name: the order's name (e.g. #1001)
-- column created_date: the shop day the order was created: the sales journal that recognised it
-- column financial_status: Shopify's display financial status: PENDING or PARTIALLY_PAID
-- column order_total: the order's current total in the shop currency (after edits)
-- column received: what successful sales and captures have taken so far
-- column owed: order_total less received
-- column currency_code: the shop currency
-- column days_owed: days from created_date to the run's as-of date
with owing_orders as (
    select
        order_id,
        name,
        created_date,
        display_financial_status,
        coalesce(current_total_price, total_price) as order_total,
        currency_code
    from staging.shopify_orders
    where
        display_financial_status in ('PENDING', 'PARTIALLY_PAID')
        and cancelled_at is null
        and not coalesce(test, false)
        and created_date <= date '{{ as_of_date }}'
),

received as (
    select order_id, sum(amount) as received
    from staging.shopify_order_transactions
    where
        kind in ('SALE', 'CAPTURE') and status = 'SUCCESS' and refund_id is null and not coalesce(test, false)
        and order_id in (select order_id from owing_orders)
    group by order_id
)

select
    owing_orders.order_id,
    owing_orders.name as order_name,
    owing_orders.created_date,
    owing_orders.display_financial_status as financial_status,
    owing_orders.order_total,
    coalesce(received.received, 0) as received,
    owing_orders.order_total - coalesce(received.received, 0) as owed,
    owing_orders.currency_code,
    date_diff('day', owing_orders.created_date, date '{{ as_of_date }}') as days_owed
from owing_orders
left join received on received.order_id = owing_orders.order_id
