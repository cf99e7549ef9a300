-- The sales_history_units check's comparison for one shop day ($date): the units the model holds
-- beside the same day worked out straight from the staged Shopify orders: units fulfilled (SUCCESS
-- fulfilments of orders created that day, not cancelled, not test) and units refunded as RETURN that
-- day, bundles counted as their components. Computed here independently of sales_history_lines, so
-- a unit the model loses (an unmapped SKU, a dropped bundle, a double-counted location) shows.
-- Parameters: $date (ISO date), $shop_timezone.
with orders as (
    select order_id, created_date, cancelled_at
    from staging.shopify_orders
    where not coalesce(test, false)
),

component_multiplier as (
    select distinct bundle_sku as sku, units_per_bundle as units_per_unit
    from reconciliation.bundle_components
),

fulfilled as (
    select coalesce(sum(fulfillment_lines.quantity * coalesce(component_multiplier.units_per_unit, 1)), 0) as units
    from staging.shopify_order_fulfillment_line_items as fulfillment_lines
    inner join staging.shopify_order_fulfillments as fulfillments
        on fulfillments.fulfillment_id = fulfillment_lines.fulfillment_id
    inner join orders on orders.order_id = fulfillment_lines.order_id
    left join component_multiplier on component_multiplier.sku = fulfillment_lines.sku_canonical
    where
        fulfillments.status = 'SUCCESS'
        and orders.cancelled_at is null
        and orders.created_date = cast($date as date)
),

returned as (
    select coalesce(sum(refund_lines.quantity * coalesce(component_multiplier.units_per_unit, 1)), 0) as units
    from staging.shopify_order_refund_line_items as refund_lines
    inner join staging.shopify_order_refunds as refunds on refunds.refund_id = refund_lines.refund_id
    inner join orders on orders.order_id = refund_lines.order_id
    left join component_multiplier on component_multiplier.sku = refund_lines.sku_canonical
    where
        refund_lines.restock_type = 'RETURN'
        and cast(timezone($shop_timezone, refunds.created_at) as date) = cast($date as date)
),

modelled as (
    select
        coalesce(sum(units_sold), 0) as units_sold,
        coalesce(sum(units_returned), 0) as units_returned,
        count(*) as history_rows,
        coalesce(sum(units_sold + units_returned) filter (where not is_exportable), 0) as units_not_exportable
    from reconciliation.sales_history
    where date = cast($date as date)
)

select
    cast(fulfilled.units as bigint) as fulfilled_units,
    cast(returned.units as bigint) as returned_units,
    cast(fulfilled.units - returned.units as bigint) as expected_net_units,
    cast(modelled.units_sold as bigint) as history_units_sold,
    cast(modelled.units_returned as bigint) as history_units_returned,
    cast(modelled.units_sold - modelled.units_returned as bigint) as history_net_units,
    modelled.history_rows,
    cast(modelled.units_not_exportable as bigint) as units_not_exportable
from fulfilled, returned, modelled
