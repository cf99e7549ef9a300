-- materialized: table
-- Refund lines restocked as RETURN in Shopify beside what the warehouse received back, one row per
-- Shopify order and canonical SKU (bundles exploded into components, as the warehouse receives them).
-- A restock no Mintsoft return of that order has received is ghost stock: is_restock_mismatch, the
-- restock_mismatch exception. Mintsoft returns find their Shopify order through the Mintsoft order
-- they belong to, or through the order number they carry. Only orders with a Mintsoft copy, restocked
-- at a location the warehouse serves (or at no mapped location), are compared: a return to a store
-- never reaches Mintsoft.
-- column order_id: Shopify's numeric order id
-- column date: the shop day the order was created
-- column sku: the canonical SKU (bundles as components)
-- column units_restocked: units refunded with restock type RETURN in Shopify
-- column units_received: units Mintsoft returns of the order received
-- column units_returned_to_stock: units Mintsoft put back to stock
-- column units_not_received: restocked in Shopify, never received: ghost stock
-- column is_restock_mismatch: the restock_mismatch exception
-- column evidence: JSON: the refund lines and returns
with warehouse_orders as (
    select distinct order_id
    from reconciliation.order_matches
    where order_id is not null
),

bundle_components as (
    select
        bundles.sku as bundle_sku,
        bundles.component.component_sku,
        bundles.component.quantity
    from (
        select sku, unnest(bundle_components) as component
        from reconciliation.sku_master
        where is_bundle
    ) as bundles
),

store_locations as (
    select location_key
    from seeds.locations
    where mintsoft_warehouse_id is null
),

return_restocks as (
    select
        refund_lines.order_id,
        coalesce(bundle_components.component_sku, refund_lines.sku_canonical) as sku,
        sum(refund_lines.quantity * coalesce(bundle_components.quantity, 1)) as units_restocked,
        list(distinct refund_lines.refund_id order by refund_lines.refund_id) as refund_ids,
        list(distinct refund_lines.sku order by refund_lines.sku) as shopify_skus,
        list(distinct refund_lines.location_id order by refund_lines.location_id) as restock_location_ids,
        max(refund_lines._synced_at) as shopify_synced_at
    from staging.shopify_order_refund_line_items as refund_lines
    inner join warehouse_orders on warehouse_orders.order_id = refund_lines.order_id
    left join bundle_components on bundle_components.bundle_sku = refund_lines.sku_canonical
    where
        refund_lines.restock_type = 'RETURN'
        and (refund_lines.location_key is null or refund_lines.location_key not in (select location_key from store_locations))
    group by all
),

return_orders as (
    select
        mintsoft_returns.return_id,
        coalesce(order_matches.order_id, shopify_orders.order_id) as order_id
    from staging.mintsoft_returns as mintsoft_returns
    left join reconciliation.order_matches as order_matches
        on order_matches.mintsoft_order_id = mintsoft_returns.mintsoft_order_id
    left join staging.shopify_orders as shopify_orders
        on shopify_orders.name_without_hash = mintsoft_returns.order_number
),

returns_received as (
    select
        return_orders.order_id,
        return_items.sku_canonical as sku,
        sum(return_items.quantity) as units_received,
        sum(return_items.quantity) filter (where return_items.returned_to_stock) as units_returned_to_stock,
        list(distinct return_items.return_id order by return_items.return_id) as return_ids,
        max(return_items._synced_at) as mintsoft_synced_at
    from staging.mintsoft_return_items as return_items
    inner join return_orders on return_orders.return_id = return_items.return_id
    where return_orders.order_id is not null
    group by all
)

select
    return_restocks.order_id,
    shopify_orders.created_date as date,
    return_restocks.sku,
    return_restocks.units_restocked,
    coalesce(returns_received.units_received, 0) as units_received,
    coalesce(returns_received.units_returned_to_stock, 0) as units_returned_to_stock,
    greatest(return_restocks.units_restocked - coalesce(returns_received.units_received, 0), 0) as units_not_received,
    return_restocks.units_restocked > coalesce(returns_received.units_received, 0) as is_restock_mismatch,
    to_json({
        'order_name': shopify_orders.name,
        'refund_ids': return_restocks.refund_ids,
        'shopify_skus': return_restocks.shopify_skus,
        'restock_location_ids': return_restocks.restock_location_ids,
        'units_restocked': return_restocks.units_restocked,
        'mintsoft_return_ids': returns_received.return_ids,
        'units_received': coalesce(returns_received.units_received, 0),
        'shopify_synced_at': return_restocks.shopify_synced_at,
        'mintsoft_synced_at': returns_received.mintsoft_synced_at
    }) as evidence
from return_restocks
inner join staging.shopify_orders as shopify_orders on shopify_orders.order_id = return_restocks.order_id
left join returns_received
    on returns_received.order_id = return_restocks.order_id
    and returns_received.sku = return_restocks.sku
