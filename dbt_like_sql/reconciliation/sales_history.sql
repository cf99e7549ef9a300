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
with units as (
    -- grouped on the narrowest keys: the location's and SKU's other columns follow from them and are
    -- joined to the 2M groups of a peak month rather than carried through its 15M lines
    select
        date,
        shopify_location_id,
        sku,
        cast(coalesce(sum(quantity) filter (where kind = 'sale' and not is_cancelled), 0) as bigint) as units_sold,
        cast(coalesce(-sum(quantity) filter (where kind = 'return'), 0) as bigint) as units_returned,
        cast(coalesce(sum(quantity) filter (where not is_cancelled), 0) as bigint) as units_net,
        cast(coalesce(sum(quantity) filter (where kind = 'sale' and is_cancelled), 0) as bigint) as units_cancelled,
        count(distinct order_id) filter (where kind = 'sale' and not is_cancelled and quantity > 0) as orders,
        count(distinct order_id) filter (where kind = 'return') as returned_orders
    from reconciliation.sales_history_lines
    group by date, shopify_location_id, sku
)

select
    units.date,
    location.location_key,
    units.shopify_location_id,
    location.inventory_planner_warehouse_id,
    units.sku,
    sku_master.inventory_planner_variant_id,
    units.units_sold,
    units.units_returned,
    units.units_net,
    units.units_cancelled,
    units.orders,
    units.returned_orders,
    location.inventory_planner_warehouse_id is not null
    and sku_master.inventory_planner_variant_id is not null as is_exportable
from units
-- the same joins that gave sales_history_lines these columns
left join seeds.locations as location on location.shopify_location_id = units.shopify_location_id
left join reconciliation.sku_master as sku_master on sku_master.sku = units.sku
