-- restock_mismatch check: refund lines restocked as RETURN in Shopify that the warehouse never
-- received, for the orders created on $date, the most units first.
select
    'restock_mismatch' as exception_type,
    order_id,
    sku,
    date,
    units_restocked,
    units_received,
    units_not_received
from reconciliation.order_restocks
where date = cast($date as date) and is_restock_mismatch
order by units_not_received desc, order_id, sku
