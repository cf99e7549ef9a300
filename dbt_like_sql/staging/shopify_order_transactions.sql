-- materialized: table
-- Payment transactions of each Shopify order's latest version (sales, captures, refunds; refund_id
-- is set on a refund's own transactions), with the shop day the order was created: whether a payment
-- came on that day or after decides which journal recognises the order.
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
with landed_transactions as (
    select *
    from read_parquet('{{ lake }}/shopify/order_transactions/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date, created_date
    from staging.shopify_orders
)

select
    landed_transactions.order_id,
    landed_transactions.refund_id,
    landed_transactions.id as transaction_id,
    landed_transactions.kind,
    landed_transactions.status,
    landed_transactions.gateway,
    landed_transactions.test,
    landed_transactions.processed_at,
    cast(landed_transactions.amount as decimal(18, 2)) as amount,
    landed_transactions.currency_code,
    cast(landed_transactions.amount_presentment as decimal(18, 2)) as amount_presentment,
    landed_transactions.presentment_currency_code,
    landed_transactions.parent_transaction_id,
    landed_transactions._source,
    landed_transactions._synced_at,
    latest_order_versions.lake_date,
    latest_order_versions.created_date as order_created_date
from landed_transactions
inner join latest_order_versions
    on latest_order_versions.order_id = landed_transactions.order_id
    and latest_order_versions.lake_date = landed_transactions.date
