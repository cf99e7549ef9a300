-- materialized: table
-- Fulfillments of each Shopify order's latest version (SUCCESS, CANCELLED, ...), with tracking and
-- the fulfilling location mapped to its location_key (null when the location is not in the seeds).
-- The landing writes each order once per partition, so joining the latest version's partition is
-- the whole de-duplication (no per-row ranking: at a peak day's volume that was the costliest step).
with landed_fulfillments as (
    select *
    from read_parquet('{{ lake }}/shopify/order_fulfillments/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date
    from staging.shopify_orders
)

select
    landed_fulfillments.order_id,
    landed_fulfillments.id as fulfillment_id,
    landed_fulfillments.name,
    upper(landed_fulfillments.status) as status,
    landed_fulfillments.created_at,
    landed_fulfillments.updated_at,
    landed_fulfillments.location_id,
    fulfillment_location.location_key,
    landed_fulfillments.tracking_company,
    landed_fulfillments.tracking_number,
    landed_fulfillments.tracking_url,
    landed_fulfillments._source,
    landed_fulfillments._synced_at,
    latest_order_versions.lake_date
from landed_fulfillments
inner join latest_order_versions
    on latest_order_versions.order_id = landed_fulfillments.order_id
    and latest_order_versions.lake_date = landed_fulfillments.date
left join seeds.locations as fulfillment_location
    on fulfillment_location.shopify_location_id = landed_fulfillments.location_id
