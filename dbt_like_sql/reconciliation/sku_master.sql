-- materialized: table
-- The SKU master: one row per canonical SKU (trimmed, upper-cased, after the seeds' aliases) with its
-- Shopify variant and inventory item, Mintsoft product, Inventory Planner variant, bundle components,
-- and the tracked and preorder flags: the single authority every other model matches SKUs through.
-- Built from the current catalogue snapshots. Where a SKU has several spellings (a duplicate), the
-- primary record is the one spelled exactly canonically, else the lowest id; the counts and
-- spellings beside it are the evidence for sku_duplicate.
-- column sku: the canonical SKU: trimmed, upper-cased, after the seeds' aliases
-- column in_shopify: a Shopify variant has it
-- column in_mintsoft: a Mintsoft product has it
-- column in_inventory_planner: an Inventory Planner variant has it
-- column shopify_sku: the raw Shopify SKU
-- column shopify_variant_id: Shopify's variant id
-- column shopify_inventory_item_id: Shopify's inventory item id
-- column shopify_product_id: Shopify's product id
-- column shopify_product_title: the product title
-- column shopify_product_type: the product type
-- column tracked: Shopify tracks its quantity
-- column preorder: the preorder metafield is true
-- column requires_shipping: a physical item
-- column mintsoft_product_id: Mintsoft's product id
-- column mintsoft_sku: the raw Mintsoft SKU
-- column mintsoft_is_bundle: Mintsoft holds it as a bundle
-- column is_bundle: a bundle parent (seeds or Mintsoft)
-- column bundle_components: its components and quantities
-- column component_of_bundles: bundles it is a component of
-- column inventory_planner_variant_id: Inventory Planner's variant id
-- column shopify_variant_count: Shopify variants sharing the SKU
-- column mintsoft_product_count: Mintsoft products sharing the SKU
-- column inventory_planner_variant_count: planner variants sharing the SKU
-- column shopify_spellings: raw Shopify spellings of the SKU
-- column mintsoft_spellings: raw Mintsoft spellings of the SKU
-- column is_duplicate: two records share the SKU (a sku_duplicate)
-- column shopify_synced_at: when the Shopify catalogue was synced
with shopify_items as (
    select
        sku_canonical,
        sku,
        inventory_item_id,
        variant_id,
        product_id,
        product_title,
        product_type,
        tracked,
        requires_shipping,
        preorder,
        _synced_at,
        row_number() over (
            partition by sku_canonical order by (sku = sku_canonical) desc, variant_id, inventory_item_id
        ) as spelling_rank
    from staging.shopify_inventory_items
    where is_current and sku_canonical is not null and sku_canonical <> ''
),

shopify_by_sku as (
    select
        sku_canonical,
        count(distinct coalesce(variant_id, -inventory_item_id)) as shopify_variant_count,
        list(distinct sku order by sku) as shopify_spellings,
        -- a SKU is only as tracked as its least-tracked listing
        bool_and(coalesce(tracked, false)) as tracked,
        bool_or(preorder) as preorder,
        bool_or(coalesce(requires_shipping, true)) as requires_shipping,
        max(_synced_at) as shopify_synced_at
    from shopify_items
    group by sku_canonical
),

shopify_primary as (
    select
        sku_canonical,
        sku as shopify_sku,
        inventory_item_id as shopify_inventory_item_id,
        variant_id as shopify_variant_id,
        product_id as shopify_product_id,
        product_title as shopify_product_title,
        product_type as shopify_product_type
    from shopify_items
    where spelling_rank = 1
),

mintsoft_products as (
    select
        sku_canonical,
        sku,
        product_id,
        is_bundle,
        row_number() over (partition by sku_canonical order by (sku = sku_canonical) desc, product_id) as spelling_rank
    from staging.mintsoft_products
    where is_current and sku_canonical is not null and sku_canonical <> ''
),

mintsoft_by_sku as (
    select
        sku_canonical,
        count(distinct product_id) as mintsoft_product_count,
        list(distinct sku order by sku) as mintsoft_spellings,
        bool_or(is_bundle) as mintsoft_is_bundle,
        arg_min(product_id, spelling_rank) as mintsoft_product_id,
        arg_min(sku, spelling_rank) as mintsoft_sku
    from mintsoft_products
    group by sku_canonical
),

inventory_planner_by_sku as (
    select
        sku_canonical,
        count(distinct variant_id) as inventory_planner_variant_count,
        min(variant_id) as inventory_planner_variant_id
    from staging.inventory_planner_variants
    where is_current and not removed and sku_canonical is not null and sku_canonical <> ''
    group by sku_canonical
),

seed_bundle_components as (
    select
        upper(trim(coalesce(bundle_alias.sku_canonical, bundles.bundle_sku))) as bundle_sku,
        upper(trim(coalesce(component_alias.sku_canonical, bundles.component_sku))) as component_sku,
        bundles.quantity
    from seeds.bundles as bundles
    left join staging.sku_aliases as bundle_alias
        on bundle_alias.alias_key = lower(trim(bundles.bundle_sku))
    left join staging.sku_aliases as component_alias
        on component_alias.alias_key = lower(trim(bundles.component_sku))
),

bundles_by_sku as (
    select
        bundle_sku as sku_canonical,
        list({'component_sku': component_sku, 'quantity': quantity} order by component_sku) as bundle_components
    from seed_bundle_components
    group by bundle_sku
),

bundle_memberships as (
    select
        component_sku as sku_canonical,
        list(distinct bundle_sku order by bundle_sku) as component_of_bundles
    from seed_bundle_components
    group by component_sku
),

all_skus as (
    select sku_canonical from shopify_by_sku
    union
    select sku_canonical from mintsoft_by_sku
    union
    select sku_canonical from inventory_planner_by_sku
    union
    select sku_canonical from bundles_by_sku
)

select
    all_skus.sku_canonical as sku,
    shopify_by_sku.sku_canonical is not null as in_shopify,
    mintsoft_by_sku.sku_canonical is not null as in_mintsoft,
    inventory_planner_by_sku.sku_canonical is not null as in_inventory_planner,
    shopify_primary.shopify_sku,
    shopify_primary.shopify_variant_id,
    shopify_primary.shopify_inventory_item_id,
    shopify_primary.shopify_product_id,
    shopify_primary.shopify_product_title,
    shopify_primary.shopify_product_type,
    coalesce(shopify_by_sku.tracked, false) as tracked,
    coalesce(shopify_by_sku.preorder, false) as preorder,
    coalesce(shopify_by_sku.requires_shipping, false) as requires_shipping,
    mintsoft_by_sku.mintsoft_product_id,
    mintsoft_by_sku.mintsoft_sku,
    coalesce(mintsoft_by_sku.mintsoft_is_bundle, false) as mintsoft_is_bundle,
    bundles_by_sku.sku_canonical is not null or coalesce(mintsoft_by_sku.mintsoft_is_bundle, false) as is_bundle,
    coalesce(bundles_by_sku.bundle_components, []) as bundle_components,
    coalesce(bundle_memberships.component_of_bundles, []) as component_of_bundles,
    inventory_planner_by_sku.inventory_planner_variant_id,
    coalesce(shopify_by_sku.shopify_variant_count, 0) as shopify_variant_count,
    coalesce(mintsoft_by_sku.mintsoft_product_count, 0) as mintsoft_product_count,
    coalesce(inventory_planner_by_sku.inventory_planner_variant_count, 0) as inventory_planner_variant_count,
    coalesce(shopify_by_sku.shopify_spellings, []) as shopify_spellings,
    coalesce(mintsoft_by_sku.mintsoft_spellings, []) as mintsoft_spellings,
    coalesce(shopify_by_sku.shopify_variant_count, 0) > 1
    or coalesce(mintsoft_by_sku.mintsoft_product_count, 0) > 1 as is_duplicate,
    shopify_by_sku.shopify_synced_at
from all_skus
left join shopify_by_sku on shopify_by_sku.sku_canonical = all_skus.sku_canonical
left join shopify_primary on shopify_primary.sku_canonical = all_skus.sku_canonical
left join mintsoft_by_sku on mintsoft_by_sku.sku_canonical = all_skus.sku_canonical
left join inventory_planner_by_sku on inventory_planner_by_sku.sku_canonical = all_skus.sku_canonical
left join bundles_by_sku on bundles_by_sku.sku_canonical = all_skus.sku_canonical
left join bundle_memberships on bundle_memberships.sku_canonical = all_skus.sku_canonical
