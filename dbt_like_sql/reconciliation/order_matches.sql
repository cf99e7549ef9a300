-- materialized: table
-- Each Mintsoft order beside the Shopify order it is a picking copy of. Mintsoft's Shopify connector
-- writes the Shopify numeric order id into ExternalOrderReference and the order name without '#'
-- into OrderNumber (ASSUMED, api-notes); either matches, the reference wins when they disagree, and
-- matched_by says which one (or both) tied them. Mintsoft orders with no Shopify order in the lake
-- keep a row with a null order_id.
-- column mintsoft_order_id: Mintsoft's order id
-- column order_id: the Shopify order it is a picking copy of, or null
-- column matched_by: reference, number or both
-- column external_order_reference: Mintsoft's ExternalOrderReference (the Shopify order id)
-- column order_number: Mintsoft's OrderNumber (the Shopify name without #)
with mintsoft_orders as (
    select
        mintsoft_order_id,
        order_number,
        external_order_reference,
        shopify_order_reference
    from staging.mintsoft_orders
),

shopify_orders as (
    select order_id, name_without_hash
    from staging.shopify_orders
),

matched_by_reference as (
    select mintsoft_orders.mintsoft_order_id, shopify_orders.order_id
    from mintsoft_orders
    inner join shopify_orders
        on cast(shopify_orders.order_id as varchar) = mintsoft_orders.shopify_order_reference
),

matched_by_number as (
    select mintsoft_orders.mintsoft_order_id, shopify_orders.order_id
    from mintsoft_orders
    inner join shopify_orders
        on shopify_orders.name_without_hash = mintsoft_orders.order_number
),

candidate_matches as (
    select
        coalesce(by_reference.mintsoft_order_id, by_number.mintsoft_order_id) as mintsoft_order_id,
        coalesce(by_reference.order_id, by_number.order_id) as order_id,
        by_reference.order_id is not null as via_reference,
        by_number.order_id is not null as via_number
    from matched_by_reference as by_reference
    full outer join matched_by_number as by_number
        on by_number.mintsoft_order_id = by_reference.mintsoft_order_id
        and by_number.order_id = by_reference.order_id
),

best_matches as (
    select mintsoft_order_id, order_id, via_reference, via_number
    from candidate_matches
    qualify row_number() over (
        partition by mintsoft_order_id order by via_reference desc, via_number desc, order_id
    ) = 1
)

select
    mintsoft_orders.mintsoft_order_id,
    best_matches.order_id,
    case
        when best_matches.via_reference and best_matches.via_number then 'external_order_reference+order_number'
        when best_matches.via_reference then 'external_order_reference'
        when best_matches.via_number then 'order_number'
    end as matched_by,
    mintsoft_orders.external_order_reference,
    mintsoft_orders.order_number
from mintsoft_orders
left join best_matches on best_matches.mintsoft_order_id = mintsoft_orders.mintsoft_order_id
