-- order_lifecycle check: the lifecycle exceptions of the orders created on $date (shop day).
select
    exception_type,
    order_id,
    name,
    date,
    display_fulfillment_status,
    mintsoft_order_count,
    live_mintsoft_order_count,
    first_despatched_at,
    first_fulfilled_at
from reconciliation.order_lifecycle
where date = cast($date as date) and exception_type is not null
order by exception_type, order_id
