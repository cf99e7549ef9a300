-- materialized: table
-- Mintsoft's picking copies of Shopify orders, one row per Mintsoft order: the latest version landed
-- (latest LastUpdated, then _synced_at). Status ids are Mintsoft's (3 CANCELLED, 4/5/6 despatched,
-- 15 AWAITINGPICKING, 16 PICKINGSTARTED, ...). shopify_order_reference is the numeric id in
-- ExternalOrderReference (a GID's trailing number too).
with order_versions as (
    select *
    from read_parquet('{{ lake }}/mintsoft/orders/*/*.parquet', hive_partitioning = true, union_by_name = true)
    qualify row_number() over (partition by id order by last_updated desc, _synced_at desc, date desc) = 1
)

select
    order_versions.id as mintsoft_order_id,
    trim(order_versions.order_number) as order_number,
    order_versions.external_order_reference,
    nullif(regexp_extract(trim(order_versions.external_order_reference), '(\d+)$', 1), '') as shopify_order_reference,
    order_versions.order_status_id,
    case order_versions.order_status_id
        when 1 then 'NEW'
        when 2 then 'PRINTED'
        when 3 then 'CANCELLED'
        when 4 then 'DESPATCHED'
        when 5 then 'INVOICED'
        when 6 then 'INVOICEFAILED'
        when 7 then 'HOLDING'
        when 8 then 'FAILED'
        when 9 then 'ONBACKORDER'
        when 10 then 'AWAITINGCONFIRMATION'
        when 11 then 'AWAITINGDOCUMENTATION'
        when 12 then 'AWAITINGPAYMENT'
        when 13 then 'QUERYRAISED'
        when 14 then 'PACKANDHOLD'
        when 15 then 'AWAITINGPICKING'
        when 16 then 'PICKINGSTARTED'
        when 17 then 'PICKED'
        when 18 then 'FRAUDRISK'
        when 19 then 'PICKINGSKIPPED'
        when 20 then 'PACKED'
        when 21 then 'AWAITINGREPLEN'
        when 22 then 'PROCESSING'
        when 23 then 'REBINNED'
    end as order_status,
    order_versions.order_status_id = 3 as is_cancelled,
    order_versions.order_status_id in (4, 5, 6) as is_despatched,
    -- the pick has begun: pick list printed, picking, picked, packed, or gone out of the door
    order_versions.order_status_id in (2, 4, 5, 6, 16, 17, 20) as is_picking_started,
    order_versions.warehouse_id,
    warehouse_location.location_key,
    order_versions.order_date,
    order_versions.despatch_date,
    order_versions.courier_service_name,
    order_versions.tracking_number,
    order_versions.tracking_url,
    order_versions.total_items,
    cast(order_versions.order_value as decimal(18, 2)) as order_value,
    order_versions.currency_code,
    order_versions.channel_name,
    order_versions.last_updated,
    order_versions._source,
    order_versions._synced_at,
    cast(order_versions.date as date) as lake_date
from order_versions
left join seeds.locations as warehouse_location
    on warehouse_location.mintsoft_warehouse_id = order_versions.warehouse_id
