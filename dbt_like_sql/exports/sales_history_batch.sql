-- The lines of one Inventory Planner sales-history batch: one date ($date) at one location
-- ($location), in a stable order, so the file's bytes depend only on the data. is_exportable
-- says whether the line goes into the file (its location has an IP warehouse and IP knows the SKU).
select
    line_key,
    kind,
    order_id,
    order_name,
    date,
    created_at,
    changed_at,
    sku,
    bundle_sku,
    inventory_planner_variant_id,
    inventory_planner_warehouse_id,
    quantity,
    unit_price,
    currency,
    is_cancelled,
    is_exportable
from reconciliation.sales_history_lines
where batch_date = cast($date as date) and location_key = $location
order by created_at, order_id, line_key
