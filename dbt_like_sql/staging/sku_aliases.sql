-- materialized: table
-- The operator's SKU aliases keyed for matching: an alias matches a raw SKU trimmed and case-folded,
-- and names its canonical SKU (trimmed, upper-cased). Every staging model with a SKU joins this.
select
    lower(trim(alias)) as alias_key,
    min(upper(trim(sku))) as sku_canonical
from seeds.sku_aliases
group by lower(trim(alias))
