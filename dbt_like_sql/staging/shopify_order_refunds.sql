-- materialized: table
-- Refunds of each Shopify order's latest version.
with landed_refunds as (
    select *
    from read_parquet('{{ lake }}/shopify/order_refunds/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date
    from staging.shopify_orders
)

select
    landed_refunds.order_id,
    landed_refunds.id as refund_id,
    landed_refunds.created_at,
    landed_refunds.processed_at,
    landed_refunds.note,
    cast(landed_refunds.total_refunded as decimal(18, 2)) as total_refunded,
    cast(landed_refunds.total_refunded_presentment as decimal(18, 2)) as total_refunded_presentment,
    landed_refunds._source,
    landed_refunds._synced_at,
    latest_order_versions.lake_date
from landed_refunds
inner join latest_order_versions
    on latest_order_versions.order_id = landed_refunds.order_id
    and latest_order_versions.lake_date = landed_refunds.date
qualify row_number() over (partition by landed_refunds.id order by landed_refunds._synced_at desc) = 1
