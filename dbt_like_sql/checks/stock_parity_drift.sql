-- stock_parity check: the SKU-locations that drifted on the as-of date ($date), largest drift first.
select
    location_key,
    sku,
    reason,
    mintsoft_available,
    buffer_units,
    expected_shopify_available,
    shopify_available,
    drift_units
from reconciliation.stock_parity
where date = cast($date as date) and drift_units <> 0
order by abs(drift_units) desc, location_key, sku
