-- materialized: table
-- Refunded lines of each Shopify order's latest version: units, restock type (RETURN, CANCEL,
-- NO_RESTOCK) and the location restocked, with the canonical SKU beside the raw one.
with landed_refund_lines as (
    select *
    from read_parquet('{{ lake }}/shopify/order_refund_line_items/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date
    from staging.shopify_orders
)

select
    landed_refund_lines.order_id,
    landed_refund_lines.refund_id,
    landed_refund_lines.line_item_id,
    landed_refund_lines.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, landed_refund_lines.sku))) as sku_canonical,
    landed_refund_lines.quantity,
    upper(landed_refund_lines.restock_type) as restock_type,
    landed_refund_lines.location_id,
    restock_location.location_key,
    cast(landed_refund_lines.subtotal as decimal(18, 2)) as subtotal,
    cast(landed_refund_lines.total_tax as decimal(18, 2)) as total_tax,
    landed_refund_lines._source,
    landed_refund_lines._synced_at,
    latest_order_versions.lake_date
from landed_refund_lines
inner join latest_order_versions
    on latest_order_versions.order_id = landed_refund_lines.order_id
    and latest_order_versions.lake_date = landed_refund_lines.date
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(landed_refund_lines.sku))
left join seeds.locations as restock_location
    on restock_location.shopify_location_id = landed_refund_lines.location_id
