-- materialized: table
-- Lines of each Mintsoft order's latest version (bundles already exploded into the components the
-- warehouse picks), with the canonical SKU beside Mintsoft's spelling.
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
with landed_items as (
    select *
    from read_parquet('{{ lake }}/mintsoft/order_items/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select mintsoft_order_id, lake_date
    from staging.mintsoft_orders
)

select
    landed_items.order_id as mintsoft_order_id,
    landed_items.id as order_item_id,
    landed_items.product_id,
    landed_items.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, landed_items.sku))) as sku_canonical,
    landed_items.quantity,
    landed_items.allocated,
    cast(landed_items.price as decimal(18, 2)) as price,
    landed_items._source,
    landed_items._synced_at,
    latest_order_versions.lake_date
from landed_items
inner join latest_order_versions
    on latest_order_versions.mintsoft_order_id = landed_items.order_id
    and latest_order_versions.lake_date = landed_items.date
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(landed_items.sku))
