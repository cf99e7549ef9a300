-- materialized: table
-- Items of each Mintsoft return's latest version: units received back and whether they went back
-- to stock, with the canonical SKU beside Mintsoft's spelling.
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
with landed_items as (
    select *
    from read_parquet('{{ lake }}/mintsoft/return_items/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_return_versions as (
    select return_id, lake_date
    from staging.mintsoft_returns
)

select
    landed_items.return_id,
    landed_items.id as return_item_id,
    landed_items.product_id,
    landed_items.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, landed_items.sku))) as sku_canonical,
    landed_items.quantity,
    landed_items.returned_to_stock,
    landed_items._source,
    landed_items._synced_at,
    latest_return_versions.lake_date
from landed_items
inner join latest_return_versions
    on latest_return_versions.return_id = landed_items.return_id
    and latest_return_versions.lake_date = landed_items.date
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(landed_items.sku))
