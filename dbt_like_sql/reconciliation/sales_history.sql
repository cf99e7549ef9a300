-- materialized: table
-- Units sold and returned per canonical SKU, per Inventory Planner warehouse (location) and per shop
-- day: the demand Inventory Planner forecasts from, summed from sales_history_lines. Sold = units
-- fulfilled, at the fulfilling location (POS orders at their store), on the day the order was
-- created, bundles as their components, lines of cancelled orders left out (units_cancelled shows
-- them); returned = units refunded with restock type RETURN, on the day of the refund, at the
-- location the line was sold from. Grain date x location x SKU, like the export (date x location);
-- kept as one table with date and location columns rather than a date x location partitioned model
-- because a day's figures change after the day (late fulfilments, cancellations and returns) and one
-- rebuild from the lake keeps every day right; the export picks its day and location from it.
-- location_key is null for a location missing from locations.csv (shopify_location_id keeps it).
-- column date: the shop day: order created for sales, refund created for returns
-- column location_key: the location sold from (POS orders at their store); null when not mapped
-- column shopify_location_id: the Shopify location id
-- column inventory_planner_warehouse_id: IP's warehouse id for the location
-- column sku: the canonical SKU (bundles as their components)
-- column inventory_planner_variant_id: IP's variant id; null when IP does not know the SKU
-- column units_sold: units fulfilled, cancelled orders left out
-- column units_returned: units refunded with restock type RETURN
-- column units_net: units sold minus units returned
-- column units_cancelled: units of cancelled orders' lines (not demand)
-- column orders: orders with units sold
-- column returned_orders: orders with units returned
-- column is_exportable: every line of the row can go to IP
with order_units as (
    -- one row per order first, so the order counts are plain counts: two count(distinct) filters
    -- would each keep every order id of the table
    select
        date,
        location_key,
        shopify_location_id,
        sku,
        order_id,
        any_value(inventory_planner_warehouse_id) as inventory_planner_warehouse_id,
        any_value(inventory_planner_variant_id) as inventory_planner_variant_id,
        sum(quantity) filter (where kind = 'sale' and not is_cancelled) as units_sold,
        -sum(quantity) filter (where kind = 'return') as units_returned,
        sum(quantity) filter (where not is_cancelled) as units_net,
        sum(quantity) filter (where kind = 'sale' and is_cancelled) as units_cancelled,
        bool_or(kind = 'sale' and not is_cancelled and quantity > 0) as is_sale,
        bool_or(kind = 'return') as is_return,
        bool_and(is_exportable) as is_exportable
    from reconciliation.sales_history_lines
    group by date, location_key, shopify_location_id, sku, order_id
)

select
    date,
    location_key,
    shopify_location_id,
    any_value(inventory_planner_warehouse_id) as inventory_planner_warehouse_id,
    sku,
    any_value(inventory_planner_variant_id) as inventory_planner_variant_id,
    cast(coalesce(sum(units_sold), 0) as bigint) as units_sold,
    cast(coalesce(sum(units_returned), 0) as bigint) as units_returned,
    cast(coalesce(sum(units_net), 0) as bigint) as units_net,
    cast(coalesce(sum(units_cancelled), 0) as bigint) as units_cancelled,
    count(*) filter (where is_sale) as orders,
    count(*) filter (where is_return) as returned_orders,
    bool_and(is_exportable) as is_exportable
from order_units
group by date, location_key, shopify_location_id, sku
