-- materialized: view
-- Each bundle's components from the SKU master (canonical SKUs, seeds' bundles.csv): one row per
-- bundle and component with the units of it in one bundle, and units_per_bundle, the component units
-- one bundle holds in all (what a bundle's price is spread over).
-- column bundle_sku: the bundle's canonical SKU
-- column component_sku: a component's canonical SKU
-- column component_quantity: units of the component in one bundle
-- column units_per_bundle: component units in one bundle, all components together
select
    bundles.sku as bundle_sku,
    bundles.component.component_sku as component_sku,
    bundles.component.quantity as component_quantity,
    sum(bundles.component.quantity) over (partition by bundles.sku) as units_per_bundle
from (
    select sku, unnest(bundle_components) as component
    from reconciliation.sku_master
    where is_bundle
) as bundles
