-- materialized: table
-- Shopify orders, one row per order: the latest version landed (latest updated_at, then _synced_at).
-- lake_date is the partition that version came from; the order's child tables keep only the rows of
-- that partition, so lines, refunds and fulfillments always belong to the version shown here.
with order_versions as (
    select
        *,
        row_number() over (partition by id order by updated_at desc, _synced_at desc, date desc) as version_rank
    from read_parquet('{{ lake }}/shopify/orders/*/*.parquet', hive_partitioning = true, union_by_name = true)
)

select
    order_versions.id as order_id,
    order_versions.name,
    order_versions.number,
    ltrim(order_versions.name, '#') as name_without_hash,
    order_versions.created_at,
    cast(timezone('{{ shop_timezone }}', order_versions.created_at) as date) as created_date,
    order_versions.updated_at,
    order_versions.processed_at,
    order_versions.cancelled_at,
    order_versions.cancel_reason,
    order_versions.closed_at,
    order_versions.test,
    order_versions.edited,
    order_versions.currency_code,
    order_versions.presentment_currency_code,
    order_versions.taxes_included,
    order_versions.source_name,
    order_versions.retail_location_id,
    retail_location.location_key as retail_location_key,
    order_versions.display_financial_status,
    order_versions.display_fulfillment_status,
    cast(order_versions.total_price as decimal(18, 2)) as total_price,
    cast(order_versions.total_price_presentment as decimal(18, 2)) as total_price_presentment,
    cast(order_versions.subtotal_price as decimal(18, 2)) as subtotal_price,
    cast(order_versions.total_tax as decimal(18, 2)) as total_tax,
    cast(order_versions.total_discounts as decimal(18, 2)) as total_discounts,
    cast(order_versions.total_shipping_price as decimal(18, 2)) as total_shipping_price,
    cast(order_versions.total_refunded as decimal(18, 2)) as total_refunded,
    cast(order_versions.current_total_price as decimal(18, 2)) as current_total_price,
    cast(order_versions.current_total_price_presentment as decimal(18, 2)) as current_total_price_presentment,
    cast(order_versions.current_subtotal_price as decimal(18, 2)) as current_subtotal_price,
    cast(order_versions.current_total_tax as decimal(18, 2)) as current_total_tax,
    cast(order_versions.current_total_discounts as decimal(18, 2)) as current_total_discounts,
    cast(order_versions.current_shipping_price as decimal(18, 2)) as current_shipping_price,
    order_versions._source,
    order_versions._synced_at,
    cast(order_versions.date as date) as lake_date
from order_versions
left join seeds.locations as retail_location
    on retail_location.shopify_location_id = order_versions.retail_location_id
where order_versions.version_rank = 1
