-- materialized: table
-- Mintsoft warehouses per snapshot date, mapped to their location_key (null when the seeds do not
-- map the warehouse); is_current marks the newest snapshot.
with landed_warehouses as (
    select *
    from read_parquet('{{ lake }}/mintsoft/warehouses/*/*.parquet', hive_partitioning = true, union_by_name = true)
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
    warehouses_per_snapshot.code,
    warehouses_per_snapshot.active,
    warehouses_per_snapshot.type,
    warehouses_per_snapshot.city,
    warehouses_per_snapshot.post_code,
    warehouses_per_snapshot.last_updated,
    warehouses_per_snapshot._source,
    warehouses_per_snapshot._synced_at,
    warehouses_per_snapshot.date = max(warehouses_per_snapshot.date) over () as is_current
from warehouses_per_snapshot
left join seeds.locations as mapped_location
    on mapped_location.mintsoft_warehouse_id = warehouses_per_snapshot.id
