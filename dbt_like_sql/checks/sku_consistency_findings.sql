-- sku_consistency check: every SKU disagreement the model holds, by type.
select exception_type, sku, location_key, date, evidence
from reconciliation.sku_consistency
order by exception_type, sku, location_key
