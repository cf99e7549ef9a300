-- materialized: table
-- Shopify inventory items with their variant and product (tracked, preorder flag), one row per item
-- and variant per snapshot date. Catalogue snapshots are current state filed under a run's last date;
-- is_current marks the newest snapshot, which is the catalogue as it stands now.
with landed_items as (
    select *
    from read_parquet('{{ lake }}/shopify/inventory_items/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

items_per_snapshot as (
    select *
    from landed_items
    qualify row_number() over (partition by date, id, variant_id order by _synced_at desc) = 1
)

select
    cast(items_per_snapshot.date as date) as snapshot_date,
    items_per_snapshot.id as inventory_item_id,
    items_per_snapshot.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, items_per_snapshot.sku))) as sku_canonical,
    items_per_snapshot.tracked,
    items_per_snapshot.requires_shipping,
    items_per_snapshot.created_at,
    items_per_snapshot.updated_at,
    items_per_snapshot.variant_id,
    items_per_snapshot.variant_sku,
    items_per_snapshot.product_id,
    items_per_snapshot.product_title,
    items_per_snapshot.product_type,
    coalesce(items_per_snapshot.preorder, false) as preorder,
    items_per_snapshot._source,
    items_per_snapshot._synced_at,
    items_per_snapshot.date = max(items_per_snapshot.date) over () as is_current
from items_per_snapshot
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(items_per_snapshot.sku))
