-- materialized: table
-- Mintsoft products (the warehouse's SKU master; bundles are products with components), one row per
-- product per snapshot date, with the canonical SKU; is_current marks the newest snapshot.
with landed_products as (
    select *
    from read_parquet('{{ lake }}/mintsoft/products/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

products_per_snapshot as (
    select *
    from landed_products
    qualify row_number() over (partition by date, id order by _synced_at desc) = 1
)

select
    cast(products_per_snapshot.date as date) as snapshot_date,
    products_per_snapshot.id as product_id,
    products_per_snapshot.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, products_per_snapshot.sku))) as sku_canonical,
    products_per_snapshot.name,
    products_per_snapshot.ean,
    coalesce(products_per_snapshot.bundle, false) as is_bundle,
    coalesce(products_per_snapshot.discontinued, false) as discontinued,
    cast(products_per_snapshot.price as decimal(18, 2)) as price,
    cast(products_per_snapshot.cost_price as decimal(18, 2)) as cost_price,
    products_per_snapshot.weight,
    products_per_snapshot.last_updated,
    products_per_snapshot._source,
    products_per_snapshot._synced_at,
    products_per_snapshot.date = max(products_per_snapshot.date) over () as is_current
from products_per_snapshot
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(products_per_snapshot.sku))
