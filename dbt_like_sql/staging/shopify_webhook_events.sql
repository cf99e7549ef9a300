-- materialized: table
-- Shopify webhook events, one row per event: the first delivery of each X-Shopify-Event-Id (the
-- Webhook-Id where an event has none), whichever day's partition it landed in. Retries and second
-- subscriptions were already set aside by the ingest; this keeps a late retry filed under another
-- day from counting twice. Keys: the order, inventory item and location the event is about.
with deliveries as (
    select
        *,
        row_number() over (
            partition by coalesce(event_id, 'webhook:' || webhook_id)
            order by received_at, file_name
        ) as delivery_rank
    from read_parquet('{{ lake }}/shopify_webhooks/events/*/*.parquet', hive_partitioning = true, union_by_name = true)
)

select
    webhook_id,
    event_id,
    topic,
    shop_domain,
    api_version,
    triggered_at,
    received_at,
    cast(timezone('{{ shop_timezone }}', triggered_at) as date) as triggered_date,
    file_name,
    order_id,
    inventory_item_id,
    location_id,
    record_id,
    record_time,
    body,
    date as lake_date,
    _synced_at
from deliveries
where delivery_rank = 1
