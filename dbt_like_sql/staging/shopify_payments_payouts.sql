-- materialized: table
-- Shopify Payments payouts, one row per payout: the latest sync (status moves SCHEDULED -> PAID or
-- FAILED). payout_date is the shop day it was issued.
with payout_versions as (
    select *
    from read_parquet('{{ lake }}/shopify_payments/payouts/*/*.parquet', hive_partitioning = true, union_by_name = true)
    qualify row_number() over (partition by id order by _synced_at desc, date desc) = 1
)

select
    payout_versions.id as payout_id,
    payout_versions.issued_at,
    cast(timezone('{{ shop_timezone }}', payout_versions.issued_at) as date) as payout_date,
    upper(payout_versions.status) as status,
    payout_versions.transaction_type,
    payout_versions.external_trace_id,
    cast(payout_versions.net as decimal(18, 2)) as net,
    payout_versions.currency_code,
    cast(payout_versions.charges_gross as decimal(18, 2)) as charges_gross,
    cast(payout_versions.charges_fee as decimal(18, 2)) as charges_fee,
    cast(payout_versions.refunds_fee_gross as decimal(18, 2)) as refunds_fee_gross,
    cast(payout_versions.refunds_fee as decimal(18, 2)) as refunds_fee,
    cast(payout_versions.adjustments_gross as decimal(18, 2)) as adjustments_gross,
    cast(payout_versions.adjustments_fee as decimal(18, 2)) as adjustments_fee,
    cast(payout_versions.reserved_funds_gross as decimal(18, 2)) as reserved_funds_gross,
    cast(payout_versions.reserved_funds_fee as decimal(18, 2)) as reserved_funds_fee,
    cast(payout_versions.retried_payouts_gross as decimal(18, 2)) as retried_payouts_gross,
    cast(payout_versions.retried_payouts_fee as decimal(18, 2)) as retried_payouts_fee,
    cast(payout_versions.advance_gross as decimal(18, 2)) as advance_gross,
    cast(payout_versions.advance_fees as decimal(18, 2)) as advance_fees,
    payout_versions._source,
    payout_versions._synced_at,
    cast(payout_versions.date as date) as lake_date
from payout_versions
