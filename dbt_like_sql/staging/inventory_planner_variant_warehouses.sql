-- materialized: table
-- Inventory Planner's per-warehouse metrics for each variant (stock, sales, replenishment), one row
-- per variant, warehouse and snapshot date, the warehouse mapped to its location_key.
with landed_metrics as (
    select *
    from read_parquet('{{ lake }}/inventory_planner/variant_warehouses/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

metrics_per_snapshot as (
    select *
    from landed_metrics
    qualify row_number() over (partition by date, variant_id, warehouse order by _synced_at desc) = 1
)

select
    cast(metrics_per_snapshot.date as date) as snapshot_date,
    metrics_per_snapshot.variant_id,
    metrics_per_snapshot.sku,
    upper(trim(coalesce(sku_alias.sku_canonical, metrics_per_snapshot.sku))) as sku_canonical,
    metrics_per_snapshot.warehouse as warehouse_id,
    mapped_location.location_key,
    metrics_per_snapshot.in_stock,
    metrics_per_snapshot.in_transit,
    metrics_per_snapshot.lead_time,
    metrics_per_snapshot.review_period,
    metrics_per_snapshot.minimum_stock,
    metrics_per_snapshot.last_7_days_sales,
    metrics_per_snapshot.last_30_days_sales,
    metrics_per_snapshot.cur_sales,
    metrics_per_snapshot.replenishment,
    metrics_per_snapshot.to_order,
    metrics_per_snapshot._source,
    metrics_per_snapshot._synced_at,
    metrics_per_snapshot.date = max(metrics_per_snapshot.date) over () as is_current
from metrics_per_snapshot
left join seeds.locations as mapped_location
    on mapped_location.inventory_planner_warehouse_id = metrics_per_snapshot.warehouse
left join staging.sku_aliases as sku_alias
    on sku_alias.alias_key = lower(trim(metrics_per_snapshot.sku))
