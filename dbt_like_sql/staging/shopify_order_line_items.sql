-- materialized: table
-- Shopify order lines of each order's latest version, with the canonical SKU beside the raw one.
-- quantity is as ordered (or as added by an edit); current_quantity is after edits and refunds.
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
with landed_line_items as (
    select *
    from read_parquet('{{ lake }}/shopify/order_line_items/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date
    from staging.shopify_orders
)

select
    landed_line_items.order_id,
    landed_line_items.id as line_item_id,
    landed_line_items.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, landed_line_items.sku))) as sku_canonical,
    landed_line_items.name,
    landed_line_items.quantity,
    landed_line_items.current_quantity,
    landed_line_items.unfulfilled_quantity,
    landed_line_items.is_gift_card,
    landed_line_items.requires_shipping,
    landed_line_items.variant_id,
    landed_line_items.product_id,
    cast(landed_line_items.original_unit_price as decimal(18, 2)) as original_unit_price,
    cast(landed_line_items.original_unit_price_presentment as decimal(18, 2)) as original_unit_price_presentment,
    cast(landed_line_items.discounted_total as decimal(18, 2)) as discounted_total,
    cast(landed_line_items.total_discount as decimal(18, 2)) as total_discount,
    cast(landed_line_items.total_tax as decimal(18, 2)) as total_tax,
    landed_line_items._source,
    landed_line_items._synced_at,
    latest_order_versions.lake_date
from landed_line_items
inner join latest_order_versions
    on latest_order_versions.order_id = landed_line_items.order_id
    and latest_order_versions.lake_date = landed_line_items.date
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(landed_line_items.sku))
