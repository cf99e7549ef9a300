-- materialized: table
-- partitioned_by: date
-- Stock parity on one date, per mapped location that has a Mintsoft warehouse and per SKU:
-- Mintsoft available (OnHand - Allocated - InQuarantine), the operator's safety buffer, the Shopify
-- available that follows (Mintsoft available - buffer), what Shopify shows, the drift in units and
-- its reason class. Both sides are the snapshots filed under that date (the as-of rule files current
-- stock under a run's last date), so a date without snapshots has no rows. Only SKUs both systems
-- know, tracked in Shopify, not preorders, not bundle parents (bundles are checked through their
-- components, which are ordinary rows here) and not duplicates: the rest are reported once as their
-- sku_* or tracking_disabled type, never also as drift.
-- column date: the as-of date of the snapshots
-- column location_key: the mapped location
-- column sku: the canonical SKU
-- column shopify_inventory_item_id: Shopify's inventory item id
-- column mintsoft_product_id: Mintsoft's product id
-- column mintsoft_on_hand: Mintsoft OnHand
-- column mintsoft_allocated: Mintsoft Allocated
-- column mintsoft_in_quarantine: Mintsoft InQuarantine
-- column mintsoft_available: OnHand - Allocated - InQuarantine
-- column buffer_units: the safety buffer from seeds/safety_stock.csv
-- column expected_shopify_available: Mintsoft available minus the buffer
-- column shopify_available: what Shopify shows available
-- column shopify_on_hand: Shopify on_hand
-- column shopify_committed: Shopify committed
-- column shopify_safety_stock: Shopify safety_stock
-- column drift_units: Shopify available minus expected; non-zero is a stock_parity_drift
-- column reason: the likely cause of the drift
-- column component_of_bundles: bundles this SKU is a component of
-- column mintsoft_synced_at: when the Mintsoft snapshot was taken
-- column shopify_synced_at: when the Shopify snapshot was taken
-- column shopify_updated_at: when Shopify last changed the level
with parity_locations as (
    select location_key, mintsoft_warehouse_id, shopify_location_id
    from seeds.locations
    where mintsoft_warehouse_id is not null
),

parity_skus as (
    select
        sku,
        shopify_inventory_item_id,
        mintsoft_product_id,
        component_of_bundles
    from reconciliation.sku_master
    where in_shopify and in_mintsoft and tracked and not preorder and not is_bundle and not is_duplicate
),

mintsoft_stock as (
    select
        location_key,
        sku_canonical as sku,
        sum(on_hand) as on_hand,
        sum(allocated) as allocated,
        sum(in_quarantine) as in_quarantine,
        sum(available_units) as available_units,
        max(_synced_at) as synced_at
    from staging.mintsoft_inventory
    where snapshot_date = date '{{ date }}' and location_key is not null
    group by location_key, sku_canonical
),

shopify_stock as (
    select
        location_key,
        sku_canonical as sku,
        sum(available) as available,
        sum(on_hand) as on_hand,
        sum(committed) as committed,
        sum(safety_stock) as safety_stock,
        max(updated_at) as updated_at,
        max(_synced_at) as synced_at
    from staging.shopify_inventory_levels
    where snapshot_date = date '{{ date }}' and location_key is not null
    group by location_key, sku_canonical
),

safety_buffers as (
    select
        buffers.location_key,
        upper(trim(coalesce(sku_alias.sku_canonical, buffers.sku))) as sku,
        sum(buffers.buffer_units) as buffer_units
    from seeds.safety_stock as buffers
    left join staging.sku_aliases as sku_alias
        on sku_alias.alias_key = lower(trim(buffers.sku))
    group by all
),

stock_pairs as (
    select
        parity_locations.location_key,
        parity_skus.sku,
        parity_skus.shopify_inventory_item_id,
        parity_skus.mintsoft_product_id,
        parity_skus.component_of_bundles,
        mintsoft_stock.sku is not null as in_mintsoft_feed,
        shopify_stock.sku is not null as has_shopify_level,
        coalesce(mintsoft_stock.on_hand, 0) as mintsoft_on_hand,
        coalesce(mintsoft_stock.allocated, 0) as mintsoft_allocated,
        coalesce(mintsoft_stock.in_quarantine, 0) as mintsoft_in_quarantine,
        coalesce(mintsoft_stock.available_units, 0) as mintsoft_available,
        coalesce(safety_buffers.buffer_units, 0) as buffer_units,
        coalesce(shopify_stock.available, 0) as shopify_available,
        shopify_stock.on_hand as shopify_on_hand,
        shopify_stock.committed as shopify_committed,
        shopify_stock.safety_stock as shopify_safety_stock,
        shopify_stock.updated_at as shopify_updated_at,
        mintsoft_stock.synced_at as mintsoft_synced_at,
        shopify_stock.synced_at as shopify_synced_at
    from parity_locations
    cross join parity_skus
    left join mintsoft_stock
        on mintsoft_stock.location_key = parity_locations.location_key
        and mintsoft_stock.sku = parity_skus.sku
    left join shopify_stock
        on shopify_stock.location_key = parity_locations.location_key
        and shopify_stock.sku = parity_skus.sku
    left join safety_buffers
        on safety_buffers.location_key = parity_locations.location_key
        and safety_buffers.sku = parity_skus.sku
    where mintsoft_stock.sku is not null or shopify_stock.sku is not null
),

stock_expectations as (
    select
        location_key,
        sku,
        shopify_inventory_item_id,
        mintsoft_product_id,
        component_of_bundles,
        in_mintsoft_feed,
        has_shopify_level,
        mintsoft_on_hand,
        mintsoft_allocated,
        mintsoft_in_quarantine,
        mintsoft_available,
        buffer_units,
        shopify_available,
        shopify_on_hand,
        shopify_committed,
        shopify_safety_stock,
        shopify_updated_at,
        mintsoft_synced_at,
        shopify_synced_at,
        mintsoft_available - buffer_units as expected_shopify_available,
        shopify_available - (mintsoft_available - buffer_units) as drift_units
    from stock_pairs
)

select
    date '{{ date }}' as date,
    location_key,
    sku,
    shopify_inventory_item_id,
    mintsoft_product_id,
    mintsoft_on_hand,
    mintsoft_allocated,
    mintsoft_in_quarantine,
    mintsoft_available,
    buffer_units,
    expected_shopify_available,
    shopify_available,
    shopify_on_hand,
    shopify_committed,
    shopify_safety_stock,
    drift_units,
    case
        when drift_units = 0 then 'in_sync'
        when not has_shopify_level then 'missing_shopify_level'
        when not in_mintsoft_feed then 'missing_in_mintsoft_feed'
        when buffer_units <> 0 and drift_units = buffer_units then 'buffer_not_applied'
        when mintsoft_allocated <> 0 and drift_units = mintsoft_allocated then 'allocation_not_deducted'
        when drift_units > 0 then 'shopify_over'
        else 'shopify_under'
    end as reason,
    component_of_bundles,
    mintsoft_synced_at,
    shopify_synced_at,
    shopify_updated_at
from stock_expectations
