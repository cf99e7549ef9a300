-- materialized: table
-- unmapped_location findings: a Shopify location or a Mintsoft warehouse that holds stock or has
-- orders but is not in the seeds' location map (never silently defaulted to the primary location).
-- One row per unmapped location; location_key stays null and raw_location_id holds the Shopify
-- location id or the Mintsoft warehouse id. Dated to the newest location snapshot (the as-of rule).
-- column exception_type: unmapped_location
-- column date: the newest location snapshot's date
-- column location_key: always null: the location is not in the map
-- column system: shopify or mintsoft
-- column raw_location_id: the Shopify location id or Mintsoft warehouse id
-- column name: the location's name in that system
-- column is_active: whether the system shows it active
-- column stock_units: units held there
-- column skus_with_stock: SKUs with stock there
-- column order_count: orders placed or fulfilled there
-- column evidence: JSON: the records that show it
with shopify_unmapped_stock as (
    select
        location_id,
        sum(greatest(coalesce(on_hand, 0), coalesce(available, 0))) as stock_units,
        count(distinct sku_canonical) filter (where coalesce(on_hand, 0) > 0 or coalesce(available, 0) > 0)
            as skus_with_stock,
        max(_synced_at) as synced_at
    from staging.shopify_unmapped_inventory_levels
    where is_current and location_key is null
    group by location_id
),

shopify_order_locations as (
    select order_id, retail_location_id as location_id
    from staging.shopify_orders
    where retail_location_id is not null and retail_location_key is null
    union
    select order_id, location_id
    from staging.shopify_order_fulfillments
    where location_id is not null and location_key is null
    union
    select order_id, location_id
    from staging.shopify_order_refund_line_items
    where location_id is not null and location_key is null
),

shopify_unmapped_orders as (
    select
        location_id,
        count(distinct order_id) as order_count,
        list(distinct order_id order by order_id)[1:20] as example_order_ids
    from shopify_order_locations
    group by location_id
),

shopify_current_locations as (
    select location_id, name, is_active, snapshot_date, _synced_at
    from staging.shopify_locations
    where is_current
),

shopify_unmapped as (
    select
        'shopify' as system,
        coalesce(stock.location_id, orders.location_id) as location_id,
        shopify_current_locations.name,
        shopify_current_locations.is_active,
        coalesce(stock.stock_units, 0) as stock_units,
        coalesce(stock.skus_with_stock, 0) as skus_with_stock,
        coalesce(orders.order_count, 0) as order_count,
        orders.example_order_ids,
        coalesce(shopify_current_locations._synced_at, stock.synced_at) as synced_at
    from shopify_unmapped_stock as stock
    full outer join shopify_unmapped_orders as orders on orders.location_id = stock.location_id
    left join shopify_current_locations
        on shopify_current_locations.location_id = coalesce(stock.location_id, orders.location_id)
    where coalesce(stock.stock_units, 0) > 0 or coalesce(orders.order_count, 0) > 0
),

mintsoft_unmapped_stock as (
    select
        warehouse_id,
        sum(greatest(coalesce(on_hand, 0), 0)) as stock_units,
        count(distinct sku_canonical) filter (where on_hand > 0) as skus_with_stock,
        max(_synced_at) as synced_at
    from staging.mintsoft_inventory
    where is_current and location_key is null
    group by warehouse_id
),

mintsoft_unmapped_orders as (
    select
        warehouse_id,
        count(*) as order_count,
        list(mintsoft_order_id order by mintsoft_order_id)[1:20] as example_order_ids
    from staging.mintsoft_orders
    where warehouse_id is not null and location_key is null
    group by warehouse_id
),

mintsoft_current_warehouses as (
    select warehouse_id, name, active, _synced_at
    from staging.mintsoft_warehouses
    where is_current
),

mintsoft_unmapped as (
    select
        'mintsoft' as system,
        coalesce(stock.warehouse_id, orders.warehouse_id) as location_id,
        mintsoft_current_warehouses.name,
        mintsoft_current_warehouses.active as is_active,
        coalesce(stock.stock_units, 0) as stock_units,
        coalesce(stock.skus_with_stock, 0) as skus_with_stock,
        coalesce(orders.order_count, 0) as order_count,
        orders.example_order_ids,
        coalesce(mintsoft_current_warehouses._synced_at, stock.synced_at) as synced_at
    from mintsoft_unmapped_stock as stock
    full outer join mintsoft_unmapped_orders as orders on orders.warehouse_id = stock.warehouse_id
    left join mintsoft_current_warehouses
        on mintsoft_current_warehouses.warehouse_id = coalesce(stock.warehouse_id, orders.warehouse_id)
    where coalesce(stock.stock_units, 0) > 0 or coalesce(orders.order_count, 0) > 0
),

snapshot_dates as (
    select
        coalesce(
            (select max(snapshot_date) from staging.shopify_locations), date '{{ as_of_date }}'
        ) as shopify_date,
        coalesce(
            (select max(snapshot_date) from staging.mintsoft_warehouses), date '{{ as_of_date }}'
        ) as mintsoft_date
),

unmapped_locations as (
    select
        system, location_id, name, is_active, stock_units, skus_with_stock, order_count, example_order_ids, synced_at
    from shopify_unmapped
    union all
    select
        system, location_id, name, is_active, stock_units, skus_with_stock, order_count, example_order_ids, synced_at
    from mintsoft_unmapped
)

select
    'unmapped_location' as exception_type,
    case unmapped_locations.system
        when 'shopify' then snapshot_dates.shopify_date
        else snapshot_dates.mintsoft_date
    end as date,
    cast(null as varchar) as location_key,
    unmapped_locations.system,
    cast(unmapped_locations.location_id as varchar) as raw_location_id,
    unmapped_locations.name,
    unmapped_locations.is_active,
    unmapped_locations.stock_units,
    unmapped_locations.skus_with_stock,
    unmapped_locations.order_count,
    to_json({
        'system': unmapped_locations.system,
        'shopify_location_id': case when unmapped_locations.system = 'shopify' then unmapped_locations.location_id end,
        'mintsoft_warehouse_id': case when unmapped_locations.system = 'mintsoft' then unmapped_locations.location_id end,
        'name': unmapped_locations.name,
        'stock_units': unmapped_locations.stock_units,
        'skus_with_stock': unmapped_locations.skus_with_stock,
        'order_count': unmapped_locations.order_count,
        'example_order_ids': unmapped_locations.example_order_ids,
        'synced_at': unmapped_locations.synced_at
    }) as evidence
from unmapped_locations
cross join snapshot_dates
