-- materialized: table
-- Shopify's named inventory quantities per item at each mapped location, one row per item, location
-- and snapshot date (stock is current state filed under a run's last date). is_current marks each
-- location's newest snapshot; stock parity reads the snapshot of the date it checks.
with landed_levels as (
    select *
    from read_parquet('{{ lake }}/shopify/inventory_levels/*/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

levels_per_snapshot as (
    select *
    from landed_levels
    qualify row_number() over (
        partition by date, location_id, inventory_item_id order by _synced_at desc, updated_at desc
    ) = 1
)

select
    cast(levels_per_snapshot.date as date) as snapshot_date,
    levels_per_snapshot.location_id,
    level_location.location_key,
    levels_per_snapshot.inventory_item_id,
    levels_per_snapshot.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, levels_per_snapshot.sku))) as sku_canonical,
    levels_per_snapshot.available,
    levels_per_snapshot.on_hand,
    levels_per_snapshot.committed,
    levels_per_snapshot.reserved,
    levels_per_snapshot.damaged,
    levels_per_snapshot.safety_stock,
    levels_per_snapshot.quality_control,
    levels_per_snapshot.incoming,
    levels_per_snapshot.updated_at,
    levels_per_snapshot._source,
    levels_per_snapshot._synced_at,
    levels_per_snapshot.date
    = max(levels_per_snapshot.date) over (partition by levels_per_snapshot.location_id) as is_current
from levels_per_snapshot
left join seeds.locations as level_location
    on level_location.shopify_location_id = levels_per_snapshot.location_id
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(levels_per_snapshot.sku))
