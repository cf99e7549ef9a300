-- materialized: table
-- Lines of each fulfillment of a Shopify order's latest version, with the canonical SKU.
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
with landed_fulfillment_lines as (
    select *
    from read_parquet('{{ lake }}/shopify/order_fulfillment_line_items/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date
    from staging.shopify_orders
)

select
    landed_fulfillment_lines.order_id,
    landed_fulfillment_lines.fulfillment_id,
    landed_fulfillment_lines.id as fulfillment_line_item_id,
    landed_fulfillment_lines.line_item_id,
    landed_fulfillment_lines.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, landed_fulfillment_lines.sku))) as sku_canonical,
    landed_fulfillment_lines.quantity,
    landed_fulfillment_lines._source,
    landed_fulfillment_lines._synced_at,
    latest_order_versions.lake_date
from landed_fulfillment_lines
inner join latest_order_versions
    on latest_order_versions.order_id = landed_fulfillment_lines.order_id
    and latest_order_versions.lake_date = landed_fulfillment_lines.date
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(landed_fulfillment_lines.sku))
