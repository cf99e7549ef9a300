-- materialized: table
-- Mintsoft bundle products and their components, one row per bundle, component and snapshot date,
-- both SKUs canonical; is_current marks the newest snapshot.
with landed_components as (
    select *
    from read_parquet('{{ lake }}/mintsoft/bundle_components/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

components_per_snapshot as (
    select *
    from landed_components
    qualify row_number() over (
        partition by date, bundle_product_id, component_product_id, component_sku order by _synced_at desc
    ) = 1
)

select
    cast(components_per_snapshot.date as date) as snapshot_date,
    components_per_snapshot.bundle_product_id,
    components_per_snapshot.bundle_sku,
    upper(trim(coalesce(bundle_alias.sku_canonical, components_per_snapshot.bundle_sku))) as bundle_sku_canonical,
    components_per_snapshot.component_product_id,
    components_per_snapshot.component_sku,
    upper(trim(coalesce(component_alias.sku_canonical, components_per_snapshot.component_sku))) as component_sku_canonical,
    components_per_snapshot.quantity,
    components_per_snapshot._source,
    components_per_snapshot._synced_at,
    components_per_snapshot.date = max(components_per_snapshot.date) over () as is_current
from components_per_snapshot
left join staging.sku_aliases as bundle_alias
    on bundle_alias.alias_key = lower(trim(components_per_snapshot.bundle_sku))
left join staging.sku_aliases as component_alias
    on component_alias.alias_key = lower(trim(components_per_snapshot.component_sku))
