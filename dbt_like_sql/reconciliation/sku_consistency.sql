-- materialized: table
-- SKU-level disagreements between Shopify, Mintsoft and Inventory Planner, one row per finding:
-- sku_missing_in_mintsoft (a tracked, shippable Shopify SKU, not a bundle parent, with no Mintsoft
-- product), sku_missing_in_shopify (a Mintsoft product holding stock with no Shopify variant),
-- sku_missing_in_inventory_planner (a Shopify SKU the planner does not know), sku_duplicate (two
-- variants or products share a canonical SKU: same spelling, case, whitespace or alias), and
-- tracking_disabled (one row per location: Shopify does not track a SKU the warehouse holds stock of,
-- dated to the stock snapshot that shows it).
-- column exception_type: sku_missing_in_mintsoft, sku_missing_in_shopify, sku_missing_in_inventory_planner, sku_duplicate or tracking_disabled
-- column date: the as-of date of the catalogue snapshots
-- column location_key: for tracking_disabled: the location holding stock
-- column sku: the canonical SKU
-- column evidence: JSON: the records that show it
with mintsoft_current_stock as (
    select
        sku_canonical as sku,
        location_key,
        warehouse_id,
        snapshot_date,
        sum(on_hand) as on_hand,
        sum(available_units) as available_units,
        max(_synced_at) as synced_at
    from staging.mintsoft_inventory
    where is_current
    group by all
),

mintsoft_stock_by_sku as (
    select
        sku,
        sum(on_hand) as on_hand,
        list({'warehouse_id': warehouse_id, 'location_key': location_key, 'on_hand': on_hand} order by warehouse_id)
            filter (where on_hand > 0) as warehouses_holding_stock,
        max(synced_at) as synced_at
    from mintsoft_current_stock
    group by sku
),

missing_in_mintsoft as (
    select
        'sku_missing_in_mintsoft' as exception_type,
        cast(null as date) as date,
        cast(null as varchar) as location_key,
        sku,
        to_json({
            'shopify_skus': shopify_spellings,
            'shopify_variant_id': shopify_variant_id,
            'shopify_inventory_item_id': shopify_inventory_item_id,
            'product_title': shopify_product_title,
            'tracked': tracked,
            'requires_shipping': requires_shipping,
            'catalogue_synced_at': shopify_synced_at
        }) as evidence
    from reconciliation.sku_master
    where in_shopify and not in_mintsoft and tracked and requires_shipping and not is_bundle
),

missing_in_shopify as (
    select
        'sku_missing_in_shopify' as exception_type,
        cast(null as date) as date,
        cast(null as varchar) as location_key,
        sku_master.sku,
        to_json({
            'mintsoft_skus': sku_master.mintsoft_spellings,
            'mintsoft_product_id': sku_master.mintsoft_product_id,
            'on_hand': mintsoft_stock_by_sku.on_hand,
            'warehouses': mintsoft_stock_by_sku.warehouses_holding_stock,
            'stock_synced_at': mintsoft_stock_by_sku.synced_at
        }) as evidence
    from reconciliation.sku_master as sku_master
    inner join mintsoft_stock_by_sku on mintsoft_stock_by_sku.sku = sku_master.sku
    where sku_master.in_mintsoft and not sku_master.in_shopify and mintsoft_stock_by_sku.on_hand > 0
),

missing_in_inventory_planner as (
    select
        'sku_missing_in_inventory_planner' as exception_type,
        cast(null as date) as date,
        cast(null as varchar) as location_key,
        sku,
        to_json({
            'shopify_skus': shopify_spellings,
            'shopify_variant_id': shopify_variant_id,
            'product_title': shopify_product_title,
            'catalogue_synced_at': shopify_synced_at
        }) as evidence
    from reconciliation.sku_master
    where in_shopify and not in_inventory_planner
),

duplicates as (
    select
        'sku_duplicate' as exception_type,
        cast(null as date) as date,
        cast(null as varchar) as location_key,
        sku,
        to_json({
            'shopify_variant_count': shopify_variant_count,
            'shopify_skus': shopify_spellings,
            'mintsoft_product_count': mintsoft_product_count,
            'mintsoft_skus': mintsoft_spellings
        }) as evidence
    from reconciliation.sku_master
    where is_duplicate
),

tracking_disabled as (
    select
        'tracking_disabled' as exception_type,
        stock.snapshot_date as date,
        stock.location_key,
        sku_master.sku,
        to_json({
            'shopify_skus': sku_master.shopify_spellings,
            'shopify_inventory_item_id': sku_master.shopify_inventory_item_id,
            'tracked': sku_master.tracked,
            'mintsoft_warehouse_id': stock.warehouse_id,
            'mintsoft_on_hand': stock.on_hand,
            'stock_synced_at': stock.synced_at
        }) as evidence
    from reconciliation.sku_master as sku_master
    inner join mintsoft_current_stock as stock on stock.sku = sku_master.sku
    where
        sku_master.in_shopify
        and not sku_master.tracked
        and not sku_master.is_bundle
        and stock.location_key is not null
        and stock.on_hand > 0
)

select exception_type, date, location_key, sku, evidence from missing_in_mintsoft
union all
select exception_type, date, location_key, sku, evidence from missing_in_shopify
union all
select exception_type, date, location_key, sku, evidence from missing_in_inventory_planner
union all
select exception_type, date, location_key, sku, evidence from duplicates
union all
select exception_type, date, location_key, sku, evidence from tracking_disabled
