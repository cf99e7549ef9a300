-- materialized: table
-- Refunds of each Shopify order's latest version.
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
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
