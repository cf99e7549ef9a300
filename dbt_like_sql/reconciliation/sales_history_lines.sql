-- materialized: table
-- Sales history line by line, as Inventory Planner takes it (one Advanced-CSV sales-order row each):
-- every Shopify order line fulfilled from a location, bundles decomposed into their components
-- (sku_master), at the location that fulfilled it (POS orders at their store), dated to the shop day
-- the order was created; every refunded line restocked as RETURN as a negative row dated to the shop
-- day of the refund, at the location the line was sold from; and the lines of cancelled orders,
-- flagged cancelled (counted nowhere) at the location they were sold or routed to (the POS store, the
-- fulfilment, else the warehouse Mintsoft picked it from). Units are what was fulfilled, so an open
-- order's unfulfilled lines join the history when they ship; refunds without restock (goodwill) and
-- gift cards or services (never fulfilled) are not demand. line_key is the stable ORDER_ID: a
-- re-export replaces the line in IP instead of adding it again. changed_at is the line's latest
-- change (created, fulfilled, cancelled, returned); batch_date, its shop day, is the export batch
-- that carries it (IP's files hold new and updated rows only). Rebuilt whole, not by date: a late
-- fulfilment, cancellation or return changes the lines of an older day. location_key is null where
-- the location is not in locations.csv (shopify_location_id keeps the raw id); such lines, and SKUs
-- Inventory Planner does not know, cannot be exported (is_exportable).
-- column line_key: the stable ORDER_ID IP keys the line by (S<line item>-L<location>-<sku>, R<refund>-<line>-<sku>)
-- column kind: sale or return
-- column order_id: Shopify's numeric order id (IP's ID: the same for every line of the sale)
-- column order_name: the Shopify order name, like #1001
-- column line_item_id: the Shopify order line
-- column refund_id: the Shopify refund of a return line
-- column date: the shop day IP files the line under: order created (sale) or refund created (return)
-- column batch_date: the shop day of the line's latest change: the export batch that carries it
-- column created_at: when the order (sale) or refund (return) was created, UTC
-- column changed_at: the line's latest change (created, fulfilled, cancelled, returned), UTC
-- column location_key: the location sold from, from locations.csv; null when not mapped
-- column shopify_location_id: the Shopify location id the line is booked at
-- column inventory_planner_warehouse_id: IP's warehouse id for the location (locations.csv)
-- column sku: the canonical SKU (a bundle's component for a bundle line)
-- column shopify_sku: the SKU as the Shopify line carries it
-- column bundle_sku: the bundle a component line came from
-- column inventory_planner_variant_id: IP's variant id for the SKU (sku_master); null when IP does not know it
-- column quantity: units: positive for a sale, negative for a return
-- column unit_price: price per unit in the shop currency after discounts (a bundle's spread over its component units)
-- column currency: the shop currency
-- column is_cancelled: a line of a cancelled order: flagged for IP, counted nowhere
-- column is_exportable: IP can take the line: its location has an IP warehouse and IP knows the SKU
-- orders and line_items are plain projections, read again where used: materialized, a peak month's
-- millions of rows sit in memory that cannot spill.
with orders as not materialized (
    select
        order_id,
        name,
        created_at,
        created_date,
        cancelled_at,
        currency_code,
        source_name,
        retail_location_id,
        retail_location_key
    from staging.shopify_orders
    where not coalesce(test, false)
),

line_items as not materialized (
    select
        order_id,
        line_item_id,
        sku,
        sku_canonical,
        quantity,
        requires_shipping,
        discounted_total
    from staging.shopify_order_line_items
),

fulfilled_by_location as (
    -- Units each line shipped from each location (SUCCESS fulfilments) and when that last changed.
    select
        fulfillment_lines.order_id,
        fulfillment_lines.line_item_id,
        fulfillments.location_id as shopify_location_id,
        coalesce(sum(fulfillment_lines.quantity) filter (where fulfillments.status = 'SUCCESS'), 0) as units,
        max(coalesce(fulfillments.updated_at, fulfillments.created_at)) as fulfilled_changed_at
    from staging.shopify_order_fulfillment_line_items as fulfillment_lines
    inner join staging.shopify_order_fulfillments as fulfillments
        on fulfillments.fulfillment_id = fulfillment_lines.fulfillment_id
    group by all
),

line_sold_from as (
    -- The one location a line was sold from, for its returns: where most of it shipped.
    select order_id, line_item_id, arg_max(shopify_location_id, units) as shopify_location_id
    from fulfilled_by_location
    where units > 0
    group by all
),

routed_by_mintsoft as (
    -- Where the warehouse picked (or would have picked) an order: its first matched Mintsoft order.
    select
        order_matches.order_id,
        arg_min(warehouse_location.shopify_location_id, mintsoft_orders.mintsoft_order_id) as shopify_location_id
    from reconciliation.order_matches as order_matches
    inner join staging.mintsoft_orders as mintsoft_orders
        on mintsoft_orders.mintsoft_order_id = order_matches.mintsoft_order_id
    inner join seeds.locations as warehouse_location
        on warehouse_location.location_key = mintsoft_orders.location_key
    where order_matches.order_id is not null
    group by all
),

sold_lines as (
    select
        'sale' as kind,
        orders.order_id,
        line_items.line_item_id,
        cast(null as bigint) as refund_id,
        -- POS orders are booked at their store, whichever location recorded the fulfilment.
        coalesce(orders.retail_location_id, fulfilled_by_location.shopify_location_id) as shopify_location_id,
        line_items.sku as shopify_sku,
        line_items.sku_canonical,
        sum(fulfilled_by_location.units) as units,
        any_value(line_items.discounted_total / nullif(line_items.quantity, 0)) as unit_price,
        any_value(orders.created_at) as line_created_at,
        greatest(
            any_value(orders.created_at),
            max(fulfilled_by_location.fulfilled_changed_at),
            any_value(orders.cancelled_at)
        ) as changed_at
    from fulfilled_by_location
    inner join orders on orders.order_id = fulfilled_by_location.order_id
    inner join line_items
        on line_items.order_id = fulfilled_by_location.order_id
        and line_items.line_item_id = fulfilled_by_location.line_item_id
    group by all
),

cancelled_unshipped_lines as (
    -- Cancelled before anything shipped: the lines as ordered, where they were sold or routed.
    select
        'sale' as kind,
        orders.order_id,
        line_items.line_item_id,
        cast(null as bigint) as refund_id,
        coalesce(orders.retail_location_id, routed_by_mintsoft.shopify_location_id) as shopify_location_id,
        line_items.sku as shopify_sku,
        line_items.sku_canonical,
        line_items.quantity as units,
        line_items.discounted_total / nullif(line_items.quantity, 0) as unit_price,
        orders.created_at as line_created_at,
        orders.cancelled_at as changed_at
    from orders
    inner join line_items on line_items.order_id = orders.order_id
    left join routed_by_mintsoft on routed_by_mintsoft.order_id = orders.order_id
    where
        orders.cancelled_at is not null
        and line_items.requires_shipping
        and line_items.quantity > 0
        and not exists (
            select 1 from fulfilled_by_location
            where fulfilled_by_location.order_id = orders.order_id
        )
),

returned_lines as (
    select
        'return' as kind,
        refund_lines.order_id,
        refund_lines.line_item_id,
        refund_lines.refund_id,
        coalesce(orders.retail_location_id, line_sold_from.shopify_location_id, refund_lines.location_id)
            as shopify_location_id,
        refund_lines.sku as shopify_sku,
        refund_lines.sku_canonical,
        -sum(refund_lines.quantity) as units,
        sum(refund_lines.subtotal) / nullif(sum(refund_lines.quantity), 0) as unit_price,
        min(refunds.created_at) as line_created_at,
        min(refunds.created_at) as changed_at
    from staging.shopify_order_refund_line_items as refund_lines
    inner join staging.shopify_order_refunds as refunds
        on refunds.refund_id = refund_lines.refund_id
    inner join orders on orders.order_id = refund_lines.order_id
    left join line_sold_from
        on line_sold_from.order_id = refund_lines.order_id
        and line_sold_from.line_item_id = refund_lines.line_item_id
    where refund_lines.restock_type = 'RETURN'
    group by all
),

all_lines as (
    select * from sold_lines
    union all
    select * from cancelled_unshipped_lines
    union all
    select * from returned_lines
),

component_lines as (
    -- A bundle line becomes one line per component; its price is spread over the component units.
    select
        all_lines.*,
        bundle_components.bundle_sku,
        coalesce(bundle_components.component_sku, all_lines.sku_canonical) as sku,
        cast(all_lines.units * coalesce(bundle_components.component_quantity, 1) as bigint) as quantity,
        all_lines.unit_price / coalesce(bundle_components.units_per_bundle, 1) as component_unit_price
    from all_lines
    left join reconciliation.bundle_components as bundle_components
        on bundle_components.bundle_sku = all_lines.sku_canonical
)

select
    case component_lines.kind
        when 'sale' then concat_ws(
            '-', 'S' || component_lines.line_item_id, 'L' || component_lines.shopify_location_id, component_lines.sku
        )
        else concat_ws('-', 'R' || component_lines.refund_id, component_lines.line_item_id, component_lines.sku)
    end as line_key,
    component_lines.kind,
    component_lines.order_id,
    orders.name as order_name,
    component_lines.line_item_id,
    component_lines.refund_id,
    cast(timezone('{{ shop_timezone }}', component_lines.line_created_at) as date) as date,
    cast(timezone('{{ shop_timezone }}', component_lines.changed_at) as date) as batch_date,
    component_lines.line_created_at as created_at,
    component_lines.changed_at,
    location.location_key,
    component_lines.shopify_location_id,
    location.inventory_planner_warehouse_id,
    component_lines.sku,
    component_lines.shopify_sku,
    component_lines.bundle_sku,
    sku_master.inventory_planner_variant_id,
    component_lines.quantity,
    cast(round(component_lines.component_unit_price, 2) as decimal(18, 2)) as unit_price,
    orders.currency_code as currency,
    component_lines.kind = 'sale' and orders.cancelled_at is not null as is_cancelled,
    location.inventory_planner_warehouse_id is not null
    and sku_master.inventory_planner_variant_id is not null as is_exportable
from component_lines
inner join orders on orders.order_id = component_lines.order_id
left join seeds.locations as location on location.shopify_location_id = component_lines.shopify_location_id
left join reconciliation.sku_master as sku_master on sku_master.sku = component_lines.sku
