-- materialized: table
-- Shopify Payments balance transactions, one row per transaction: the latest sync (its payout
-- assignment and status change until the payout is paid). Money is DECIMAL(18,2), net = amount - fee.
with transaction_versions as (
    select *
    from read_parquet('{{ lake }}/shopify_payments/balance_transactions/*/*.parquet', hive_partitioning = true, union_by_name = true)
    qualify row_number() over (partition by id order by _synced_at desc, date desc) = 1
)

select
    transaction_versions.id as balance_transaction_id,
    upper(transaction_versions.type) as type,
    upper(transaction_versions.source_type) as source_type,
    coalesce(transaction_versions.test, false) as test,
    cast(transaction_versions.amount as decimal(18, 2)) as amount,
    cast(transaction_versions.fee as decimal(18, 2)) as fee,
    cast(transaction_versions.net as decimal(18, 2)) as net,
    transaction_versions.currency_code,
    transaction_versions.source_id,
    transaction_versions.source_order_transaction_id,
    transaction_versions.adjustment_reason,
    transaction_versions.transaction_date,
    cast(timezone('{{ shop_timezone }}', transaction_versions.transaction_date) as date) as transaction_local_date,
    transaction_versions.associated_order_id,
    transaction_versions.associated_order_name,
    transaction_versions.associated_payout_id,
    upper(transaction_versions.associated_payout_status) as associated_payout_status,
    transaction_versions._source,
    transaction_versions._synced_at,
    cast(transaction_versions.date as date) as lake_date
from transaction_versions
