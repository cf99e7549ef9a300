-- materialized: table
-- Each Shopify order beside its Mintsoft picking copies, and the first lifecycle exception that
-- applies, in this order: cancelled_but_despatched (cancelled in Shopify, despatched by Mintsoft),
-- duplicate_despatch (more than one live Mintsoft order), order_edit_after_pick (the Shopify order's
-- units after edits differ from the Mintsoft lines while Mintsoft has started picking or later),
-- despatched_not_fulfilled (despatched, still unfulfilled in Shopify past the despatch window at the
-- as-of time), fulfilled_before_despatch (fulfilled in Shopify, no Mintsoft copy despatched).
-- Units after edits = current quantity + refunded units (refunds are not edits); bundles are exploded
-- into their components as Mintsoft picks them; lines that need no shipping are not picked. Orders
-- with no Mintsoft copy (POS sales, gift cards) have no lifecycle exception. Dated to the shop day
-- the Shopify order was created.
-- column order_id: Shopify's numeric order id
-- column name: Shopify's order name (#1001)
-- column date: the shop day the order was created
-- column created_at: when Shopify created it (UTC)
-- column cancelled_at: when it was cancelled in Shopify, if it was
-- column test: a test order
-- column source_name: web, pos, ...
-- column display_fulfillment_status: Shopify's fulfilment status
-- column mintsoft_order_count: Mintsoft picking copies of the order
-- column live_mintsoft_order_count: copies not cancelled in Mintsoft
-- column matched_by: how the Mintsoft copy was tied to it (reference, number or both)
-- column despatched: Mintsoft has despatched it
-- column first_despatched_at: Mintsoft's first despatch time
-- column edited_after_pick: the Shopify lines differ from the Mintsoft lines while Mintsoft picks
-- column fulfillment_count: Shopify fulfilments
-- column first_fulfilled_at: Shopify's first fulfilment time
-- column exception_type: the first lifecycle exception that applies, or null
-- column evidence: JSON, for orders with an exception: both sides' records and sync times
with shopify_orders as (
    select
        order_id,
        name,
        created_at,
        created_date,
        updated_at,
        cancelled_at,
        test,
        source_name,
        display_fulfillment_status,
        _synced_at
    from staging.shopify_orders
),

mintsoft_copies as (
    -- what the classification needs; the evidence reads the rest for the exception orders only
    select
        order_matches.order_id,
        order_matches.matched_by,
        mintsoft_orders.mintsoft_order_id,
        mintsoft_orders.is_cancelled,
        mintsoft_orders.is_despatched,
        mintsoft_orders.is_picking_started,
        mintsoft_orders.despatch_date
    from reconciliation.order_matches as order_matches
    inner join staging.mintsoft_orders as mintsoft_orders
        on mintsoft_orders.mintsoft_order_id = order_matches.mintsoft_order_id
    where order_matches.order_id is not null
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

refunded_units as (
    select line_item_id, sum(quantity) as units
    from staging.shopify_order_refund_line_items
    group by line_item_id
),

shopify_line_units as (
    select
        line_items.order_id,
        line_items.sku_canonical,
        line_items.current_quantity + coalesce(refunded_units.units, 0) as units_after_edits
    from staging.shopify_order_line_items as line_items
    left join refunded_units on refunded_units.line_item_id = line_items.line_item_id
    where line_items.requires_shipping
),

shopify_pick_units as (
    select
        shopify_line_units.order_id,
        coalesce(bundle_components.component_sku, shopify_line_units.sku_canonical) as sku,
        sum(shopify_line_units.units_after_edits * coalesce(bundle_components.quantity, 1)) as units
    from shopify_line_units
    left join bundle_components on bundle_components.bundle_sku = shopify_line_units.sku_canonical
    group by all
    having sum(shopify_line_units.units_after_edits * coalesce(bundle_components.quantity, 1)) <> 0
),

mintsoft_pick_units as (
    select mintsoft_order_id, sku_canonical as sku, sum(quantity) as units
    from staging.mintsoft_order_items
    group by all
    having sum(quantity) <> 0
),

copy_expected_units as (
    select mintsoft_copies.mintsoft_order_id, shopify_pick_units.sku, shopify_pick_units.units
    from mintsoft_copies
    inner join shopify_pick_units on shopify_pick_units.order_id = mintsoft_copies.order_id
),

copy_line_differences as (
    select
        coalesce(copy_expected_units.mintsoft_order_id, mintsoft_pick_units.mintsoft_order_id) as mintsoft_order_id,
        coalesce(copy_expected_units.sku, mintsoft_pick_units.sku) as sku,
        coalesce(copy_expected_units.units, 0) as shopify_units,
        coalesce(mintsoft_pick_units.units, 0) as mintsoft_units
    from copy_expected_units
    full outer join mintsoft_pick_units
        on mintsoft_pick_units.mintsoft_order_id = copy_expected_units.mintsoft_order_id
        and mintsoft_pick_units.sku = copy_expected_units.sku
    where coalesce(copy_expected_units.units, 0) <> coalesce(mintsoft_pick_units.units, 0)
),

copies_with_differences as (
    select
        mintsoft_copies.order_id,
        mintsoft_copies.mintsoft_order_id,
        list({
            'sku': copy_line_differences.sku,
            'shopify_units_after_edits': copy_line_differences.shopify_units,
            'mintsoft_units': copy_line_differences.mintsoft_units
        } order by copy_line_differences.sku) as differences
    from mintsoft_copies
    inner join copy_line_differences
        on copy_line_differences.mintsoft_order_id = mintsoft_copies.mintsoft_order_id
    group by all
),

mintsoft_by_order as (
    select
        mintsoft_copies.order_id,
        count(*) as mintsoft_order_count,
        count(*) filter (where not mintsoft_copies.is_cancelled) as live_mintsoft_order_count,
        bool_or(mintsoft_copies.is_despatched) as despatched,
        min(mintsoft_copies.despatch_date) filter (where mintsoft_copies.is_despatched) as first_despatched_at,
        bool_or(
            mintsoft_copies.is_picking_started
            and not mintsoft_copies.is_cancelled
            and copies_with_differences.mintsoft_order_id is not null
        ) as edited_after_pick,
        -- the ways its copies were matched, sorted: a list aggregate with distinct and order by costs a
        -- grouping of its own
        list_sort(list_distinct(list(mintsoft_copies.matched_by))) as matched_by
    from mintsoft_copies
    left join copies_with_differences
        on copies_with_differences.mintsoft_order_id = mintsoft_copies.mintsoft_order_id
    group by mintsoft_copies.order_id
),

shopify_fulfillments as (
    select
        order_id,
        count(*) as fulfillment_count,
        min(created_at) as first_fulfilled_at,
        list(fulfillment_id order by fulfillment_id) as fulfillment_ids
    from staging.shopify_order_fulfillments
    where status = 'SUCCESS'
    group by order_id
),

order_states as (
    select
        shopify_orders.order_id,
        shopify_orders.name,
        shopify_orders.created_at,
        shopify_orders.created_date,
        shopify_orders.cancelled_at,
        shopify_orders.test,
        shopify_orders.source_name,
        shopify_orders.display_fulfillment_status,
        shopify_orders._synced_at as shopify_synced_at,
        coalesce(mintsoft_by_order.mintsoft_order_count, 0) as mintsoft_order_count,
        coalesce(mintsoft_by_order.live_mintsoft_order_count, 0) as live_mintsoft_order_count,
        coalesce(mintsoft_by_order.despatched, false) as despatched,
        mintsoft_by_order.first_despatched_at,
        coalesce(mintsoft_by_order.edited_after_pick, false) as edited_after_pick,
        mintsoft_by_order.matched_by,
        coalesce(shopify_fulfillments.fulfillment_count, 0) as fulfillment_count,
        shopify_fulfillments.first_fulfilled_at,
        shopify_fulfillments.fulfillment_ids,
        mintsoft_by_order.first_despatched_at
        + to_seconds(cast(round({{ despatch_window_hours }} * 3600) as bigint))
        <= timestamptz '{{ as_of }}' as despatch_window_passed
    from shopify_orders
    left join mintsoft_by_order on mintsoft_by_order.order_id = shopify_orders.order_id
    left join shopify_fulfillments on shopify_fulfillments.order_id = shopify_orders.order_id
),

classified as (
    select
        *,
        case
            when mintsoft_order_count = 0 then null
            when cancelled_at is not null and despatched then 'cancelled_but_despatched'
            when live_mintsoft_order_count > 1 then 'duplicate_despatch'
            when edited_after_pick then 'order_edit_after_pick'
            when despatched and fulfillment_count = 0 and cancelled_at is null and despatch_window_passed
                then 'despatched_not_fulfilled'
            when fulfillment_count > 0 and not despatched and live_mintsoft_order_count > 0
                then 'fulfilled_before_despatch'
        end as exception_type
    from order_states
),

-- Evidence is built for the orders with an exception only: at a peak day's volume, building and
-- writing it for every order cost more than the rest of the model together.
mintsoft_evidence as (
    select
        mintsoft_copies.order_id,
        list({
            'mintsoft_order_id': mintsoft_copies.mintsoft_order_id,
            'status_id': mintsoft_orders.order_status_id,
            'status': mintsoft_orders.order_status,
            'matched_by': mintsoft_copies.matched_by,
            'warehouse_id': mintsoft_orders.warehouse_id,
            'despatch_date': mintsoft_copies.despatch_date,
            'tracking_number': mintsoft_orders.tracking_number,
            'last_updated': mintsoft_orders.last_updated,
            'synced_at': mintsoft_orders._synced_at,
            'line_differences': copies_with_differences.differences
        } order by mintsoft_copies.mintsoft_order_id) as mintsoft_orders
    from mintsoft_copies
    semi join classified
        on classified.order_id = mintsoft_copies.order_id and classified.exception_type is not null
    inner join staging.mintsoft_orders as mintsoft_orders
        on mintsoft_orders.mintsoft_order_id = mintsoft_copies.mintsoft_order_id
    left join copies_with_differences
        on copies_with_differences.mintsoft_order_id = mintsoft_copies.mintsoft_order_id
    group by mintsoft_copies.order_id
)

select
    classified.order_id,
    classified.name,
    classified.created_date as date,
    classified.created_at,
    classified.cancelled_at,
    classified.test,
    classified.source_name,
    classified.display_fulfillment_status,
    classified.mintsoft_order_count,
    classified.live_mintsoft_order_count,
    classified.matched_by,
    classified.despatched,
    classified.first_despatched_at,
    classified.edited_after_pick,
    classified.fulfillment_count,
    classified.first_fulfilled_at,
    classified.exception_type,
    case when classified.exception_type is not null then to_json({
        'order_name': classified.name,
        'created_at': classified.created_at,
        'cancelled_at': classified.cancelled_at,
        'fulfillment_ids': classified.fulfillment_ids,
        'first_fulfilled_at': classified.first_fulfilled_at,
        'mintsoft_orders': mintsoft_evidence.mintsoft_orders,
        'first_despatched_at': classified.first_despatched_at,
        'despatch_window_hours': {{ despatch_window_hours }},
        'as_of': timestamptz '{{ as_of }}',
        'shopify_synced_at': classified.shopify_synced_at
    }) end as evidence
from classified
left join mintsoft_evidence on mintsoft_evidence.order_id = classified.order_id
