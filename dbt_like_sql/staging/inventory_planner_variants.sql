-- materialized: table
-- The variants Inventory Planner knows, one row per variant per snapshot date, with the canonical
-- SKU; removed marks a variant whose connection was soft-deleted. is_current marks the newest snapshot.
with landed_variants as (
    select *
    from read_parquet('{{ lake }}/inventory_planner/variants/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

variants_per_snapshot as (
    select *
    from landed_variants
    qualify row_number() over (partition by date, id order by _synced_at desc) = 1
)

select
    cast(variants_per_snapshot.date as date) as snapshot_date,
    variants_per_snapshot.id as variant_id,
    variants_per_snapshot.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, variants_per_snapshot.sku))) as sku_canonical,
    variants_per_snapshot.title,
    variants_per_snapshot.barcode,
    variants_per_snapshot.connection_sku,
    coalesce(variants_per_snapshot.removed, false) as removed,
    cast(variants_per_snapshot.regular_price as decimal(18, 2)) as regular_price,
    cast(variants_per_snapshot.cost_price as decimal(18, 2)) as cost_price,
    variants_per_snapshot.in_stock,
    variants_per_snapshot.replenishment,
    variants_per_snapshot.to_order,
    variants_per_snapshot._source,
    variants_per_snapshot._synced_at,
    variants_per_snapshot.date = max(variants_per_snapshot.date) over () as is_current
from variants_per_snapshot
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(variants_per_snapshot.sku))
