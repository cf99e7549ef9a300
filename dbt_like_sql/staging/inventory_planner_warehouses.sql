-- materialized: table
-- Inventory Planner warehouses per snapshot date, mapped to their location_key through the seeds'
-- inventory_planner_warehouse_id; is_current marks the newest snapshot.
with landed_warehouses as (
    select *
    from read_parquet('{{ lake }}/inventory_planner/warehouses/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

warehouses_per_snapshot as (
    select *
    from landed_warehouses
    qualify row_number() over (partition by date, id order by _synced_at desc) = 1
)

select
    cast(warehouses_per_snapshot.date as date) as snapshot_date,
    warehouses_per_snapshot.id as warehouse_id,
    mapped_location.location_key,
    warehouses_per_snapshot.name,
    warehouses_per_snapshot.display_name,
    warehouses_per_snapshot.disabled,
    warehouses_per_snapshot.connection,
    warehouses_per_snapshot.currency,
    warehouses_per_snapshot._source,
    warehouses_per_snapshot._synced_at,
    warehouses_per_snapshot.date = max(warehouses_per_snapshot.date) over () as is_current
from warehouses_per_snapshot
left join seeds.locations as mapped_location
    on mapped_location.inventory_planner_warehouse_id = warehouses_per_snapshot.id
