-- materialized: table
-- The tax of each Shopify order's latest version by title and rate (the API gives these lines no id).
with landed_tax_lines as (
    select *
    from read_parquet('{{ lake }}/shopify/order_tax_lines/*/*.parquet', hive_partitioning = true, union_by_name = true)
),

latest_order_versions as (
    select order_id, lake_date
    from staging.shopify_orders
)

select
    landed_tax_lines.order_id,
    landed_tax_lines.title,
    cast(landed_tax_lines.rate as decimal(18, 6)) as rate,
    cast(landed_tax_lines.amount as decimal(18, 2)) as amount,
    cast(landed_tax_lines.amount_presentment as decimal(18, 2)) as amount_presentment,
    landed_tax_lines._source,
    landed_tax_lines._synced_at,
    latest_order_versions.lake_date
from landed_tax_lines
inner join latest_order_versions
    on latest_order_versions.order_id = landed_tax_lines.order_id
    and latest_order_versions.lake_date = landed_tax_lines.date
