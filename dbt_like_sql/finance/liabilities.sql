-- materialized: table
-- The balance-sheet movements the journals post, by month and account: gift card liability (sold
-- minus redeemed), output tax, marketplace tax, the reserve Shopify holds, pending payments, POS
-- cash and other gateways awaiting banking, payouts in transit and suspense. Positive is a debit (an asset up or a liability down).
-- column month: the journal month, YYYY-MM (a payout crossing a month end counts in each month)
-- column line_type: the balance-sheet line: a seeds/gl_accounts.csv line type, or carried_forward / retried_payout
-- column account_code: the ledger account code from seeds/gl_accounts.csv (carried_forward, retried_payout: bank's)
-- column account_name: that account's name
-- column currency_code: the payout currency; every amount on the row is in it
-- column debits: the sum of the debit lines, a positive number
-- column credits: the sum of the credit lines, as a positive number
-- column movement: debits minus credits: positive is an asset up or a liability down
-- column payouts: how many payouts posted to it that month (PAID and FAILED only: scheduled ones are left out)
-- column sales_journals: how many sales journals (money outside Shopify Payments) posted to it that month
select
    strftime(journal_date, '%Y-%m') as month,
    line_type,
    account_code,
    account_name,
    currency_code,
    cast(coalesce(sum(amount) filter (where amount > 0), 0) as decimal(18, 2)) as debits,
    cast(coalesce(-sum(amount) filter (where amount < 0), 0) as decimal(18, 2)) as credits,
    cast(sum(amount) as decimal(18, 2)) as movement,
    count(distinct payout_id) as payouts,
    count(distinct journal_id) filter (where payout_id is null) as sales_journals
from finance.journal_lines
where
    journal_status in ('final', 'failed')
    and line_type in (
        'gift_card_liability', 'sales_tax', 'marketplace_tax', 'reserve', 'pending_payment', 'pos_cash_clearing',
        'other_gateway_clearing',
        'bank', 'carried_forward', 'retried_payout', 'suspense'
    )
group by all
