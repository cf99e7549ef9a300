-- materialized: table
-- Mintsoft's bulk inventory feed per warehouse (physical stock, the system of record), one row per
-- warehouse, product and snapshot date. available_units = OnHand - Allocated - InQuarantine, the
-- figure stock parity compares; is_current marks each location's newest snapshot.
with landed_inventory as (
    select *
    from read_parquet('{{ lake }}/mintsoft/inventory/*/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

inventory_per_snapshot as (
    select *
    from landed_inventory
    qualify row_number() over (
        partition by date, warehouse_id, product_id, sku order by _synced_at desc, last_updated desc
    ) = 1
)

select
    cast(inventory_per_snapshot.date as date) as snapshot_date,
    inventory_per_snapshot.id as inventory_id,
    inventory_per_snapshot.warehouse_id,
    mapped_location.location_key,
    inventory_per_snapshot.warehouse_name,
    inventory_per_snapshot.product_id,
    inventory_per_snapshot.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, inventory_per_snapshot.sku))) as sku_canonical,
    inventory_per_snapshot.on_hand,
    inventory_per_snapshot.allocated,
    inventory_per_snapshot.in_quarantine,
    coalesce(inventory_per_snapshot.on_hand, 0)
    - coalesce(inventory_per_snapshot.allocated, 0)
    - coalesce(inventory_per_snapshot.in_quarantine, 0) as available_units,
    inventory_per_snapshot.available as reported_available,
    inventory_per_snapshot.stock_level,
    inventory_per_snapshot.on_order,
    inventory_per_snapshot.in_transit,
    inventory_per_snapshot.last_updated,
    inventory_per_snapshot._source,
    inventory_per_snapshot._synced_at,
    inventory_per_snapshot.date
    = max(inventory_per_snapshot.date) over (partition by inventory_per_snapshot.warehouse_id) as is_current
from inventory_per_snapshot
left join seeds.locations as mapped_location
    on mapped_location.mintsoft_warehouse_id = inventory_per_snapshot.warehouse_id
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(inventory_per_snapshot.sku))
