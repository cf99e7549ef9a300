-- location_mapping check: every unmapped location with stock or orders, the busiest first.
select exception_type, system, raw_location_id, name, stock_units, order_count, date
from reconciliation.location_health
order by stock_units desc, order_count desc, system, raw_location_id
