-- materialized: table
-- Shopify locations per snapshot date, mapped to their location_key (null when the seeds do not map
-- the location); is_current marks the newest snapshot.
with landed_locations as (
    select *
    from read_parquet('{{ lake }}/shopify/locations/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

locations_per_snapshot as (
    select *
    from landed_locations
    qualify row_number() over (partition by date, id order by _synced_at desc) = 1
)

select
    cast(locations_per_snapshot.date as date) as snapshot_date,
    locations_per_snapshot.id as location_id,
    mapped_location.location_key,
    locations_per_snapshot.name,
    locations_per_snapshot.is_active,
    locations_per_snapshot.fulfills_online_orders,
    locations_per_snapshot.city,
    locations_per_snapshot.zip,
    locations_per_snapshot.country_code,
    locations_per_snapshot.created_at,
    locations_per_snapshot.updated_at,
    locations_per_snapshot._source,
    locations_per_snapshot._synced_at,
    locations_per_snapshot.date = max(locations_per_snapshot.date) over () as is_current
from locations_per_snapshot
left join seeds.locations as mapped_location
    on mapped_location.shopify_location_id = locations_per_snapshot.id
