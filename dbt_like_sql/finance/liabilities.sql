-- materialized: table
-- The balance-sheet movements the payout journals post, by month and account: gift card liability
-- (sold minus redeemed), output tax, marketplace tax, the reserve Shopify holds, pending payments,
-- payouts in transit and suspense. Positive is a debit (an asset up or a liability down).
select
    strftime(journal_date, '%Y-%m') as month,
    line_type,
    account_code,
    account_name,
    currency_code,
    cast(coalesce(sum(amount) filter (where amount > 0), 0) as decimal(18, 2)) as debits,
    cast(coalesce(-sum(amount) filter (where amount < 0), 0) as decimal(18, 2)) as credits,
    cast(sum(amount) as decimal(18, 2)) as movement,
    count(distinct payout_id) as payouts
from finance.journal_lines
where
    journal_status in ('final', 'failed')
    and line_type in (
        'gift_card_liability', 'sales_tax', 'marketplace_tax', 'reserve', 'pending_payment',
        'bank', 'carried_forward', 'retried_payout', 'suspense'
    )
group by all
