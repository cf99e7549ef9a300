-- materialized: table
-- Returns the warehouse has received, one row per return: the latest version landed. order_id is
-- Mintsoft's order id; order_number carries the Shopify order name without '#'.
with return_versions as (
    select *
    from read_parquet('{{ lake }}/mintsoft/returns/*/*.parquet', hive_partitioning = true, union_by_name = true)
    qualify row_number() over (partition by id order by last_updated desc, _synced_at desc, date desc) = 1
)

select
    return_versions.id as return_id,
    return_versions.order_id as mintsoft_order_id,
    trim(return_versions.order_number) as order_number,
    return_versions.reference,
    return_versions.confirmed,
    return_versions.refunded,
    return_versions.last_updated,
    return_versions._source,
    return_versions._synced_at,
    cast(return_versions.date as date) as lake_date
from return_versions
