-- materialized: table
-- Shipping lines of each Shopify order's latest version.
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
with landed_shipping_lines as (
    select *
    from read_parquet('{{ lake }}/shopify/order_shipping_lines/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date
    from staging.shopify_orders
)

select
    landed_shipping_lines.order_id,
    landed_shipping_lines.id as shipping_line_id,
    landed_shipping_lines.title,
    landed_shipping_lines.code,
    cast(landed_shipping_lines.original_price as decimal(18, 2)) as original_price,
    cast(landed_shipping_lines.discounted_price as decimal(18, 2)) as discounted_price,
    cast(landed_shipping_lines.total_tax as decimal(18, 2)) as total_tax,
    landed_shipping_lines._source,
    landed_shipping_lines._synced_at,
    latest_order_versions.lake_date
from landed_shipping_lines
inner join latest_order_versions
    on latest_order_versions.order_id = landed_shipping_lines.order_id
    and latest_order_versions.lake_date = landed_shipping_lines.date
