-- materialized: table
-- partitioned_by: date
-- One row per journal of the date: each payout issued on it (a payout that crosses a month end has
-- one per month) and the day's sales journal (money outside Shopify Payments): its totals, whether
-- it balances to the minor unit (J1), and for the payout month's journal whether its bank line
-- equals the payout's net as Shopify serves it (J2), and whether its rounding stays within one minor
-- unit per order it recognised (J3). Also the headline figures finance reads: sales, refunds, fees,
-- gift card and tax liability movements.
-- column date: the shop day the payout was issued, or the sales journal's day (the partition date)
-- column journal_id: payout id and journal month (e.g. 501-2026-11; a payout crossing a month end has one per month), or sales-<date>
-- column journal_date: the payout date (for an earlier month's part, that month's last day), or the sales journal's day
-- column payout_id: Shopify Payments payout id; null for a sales journal
-- column payout_status: the payout's status in Shopify Payments: PAID, SCHEDULED or FAILED (CANCELED: no journal); null for a sales journal
-- column journal_status: final (PAID, and every sales journal), provisional (SCHEDULED) or failed (FAILED); another status in lower case
-- column currency_code: the payout currency (a sales journal: the shop currency); every amount here is in it
-- column narration: Shopify Payments payout <id> <payout date>, plus (part to <journal date>) for an earlier month; Sales outside Shopify Payments <date>
-- column reference: the payout's bank trace reference (external_trace_id); null when Shopify gives none and for a sales journal
-- column line_count: how many lines the journal has
-- column total_debit: the sum of the journal's debits
-- column total_credit: the sum of the journal's credits
-- column is_balanced: J1: debits equal credits and every line has an account and a non-zero amount
-- column bank_amount: the bank line's amount (the payout's net as posted); null for an earlier month's part
-- column payout_net: the payout's net as Shopify serves it: the bank deposit, negative for a withdrawal; null for a sales journal
-- column ties_to_bank: J2: one bank line, equal to payout_net; null for an earlier month's part and a sales journal (no bank line)
-- column net_sales: product sales less discounts plus shipping income, ex tax; positive is income; before refunds
-- column refunds: refunds to customers ex tax; positive is money refunded (a debit)
-- column fees: Shopify Payments and chargeback fees; positive is a cost, negative a fee returned
-- column chargebacks: disputed amounts taken back; positive is lost to chargebacks, negative won back (reversals)
-- column output_tax: VAT / sales tax charged on sales less tax refunded; positive is owed to the tax authority
-- column gift_card_liability_movement: gift cards sold less gift cards redeemed; positive means the liability grew
-- column reserve_movement: Shopify's reserve; positive is funds held back, negative funds released
-- column suspense: posted to suspense (debit positive); non-zero means unmatched or unmapped transactions to chase
-- column rounding: the rounding line, debit positive; 0 when there is none
-- column rounding_within_tolerance: J3: rounding is at most one minor unit per order behind the rounding line
with lines as (
    select
        date,
        journal_id,
        journal_date,
        payout_id,
        payout_status,
        journal_status,
        currency_code,
        line_type,
        account_code,
        amount,
        debit,
        credit,
        transaction_count,
        reference
    from finance.journal_lines
    where date between date '{{ start_date }}' and date '{{ end_date }}'
),

payouts as (
    select payout_id, net, transaction_type
    from staging.shopify_payments_payouts
),

journals as (
    select
        date,
        journal_id,
        journal_date,
        payout_id,
        payout_status,
        journal_status,
        currency_code,
        reference,
        count(*) as line_count,
        sum(debit) as total_debit,
        sum(credit) as total_credit,
        count(*) filter (where amount = 0 or account_code is null) as bad_lines,
        sum(amount) filter (where line_type = 'bank') as bank_amount,
        count(*) filter (where line_type = 'bank') as bank_lines,
        coalesce(-sum(amount) filter (where line_type in ('product_sales', 'discounts', 'shipping_income')), 0)
            as net_sales,
        coalesce(sum(amount) filter (where line_type = 'refunds'), 0) as refunds,
        coalesce(sum(amount) filter (where line_type in ('payment_fees', 'chargeback_fees')), 0) as fees,
        coalesce(sum(amount) filter (where line_type = 'chargebacks'), 0) as chargebacks,
        coalesce(-sum(amount) filter (where line_type = 'sales_tax'), 0) as output_tax,
        coalesce(-sum(amount) filter (where line_type = 'gift_card_liability'), 0) as gift_card_liability_movement,
        coalesce(sum(amount) filter (where line_type = 'reserve'), 0) as reserve_movement,
        coalesce(sum(amount) filter (where line_type = 'suspense'), 0) as suspense,
        coalesce(sum(amount) filter (where line_type = 'rounding'), 0) as rounding,
        coalesce(sum(transaction_count) filter (where line_type = 'rounding'), 0) as rounding_orders
    from lines
    group by all
)

select
    journals.date,
    journals.journal_id,
    journals.journal_date,
    journals.payout_id,
    journals.payout_status,
    journals.journal_status,
    journals.currency_code,
    case
        when journals.payout_id is null then 'Sales outside Shopify Payments ' || strftime(journals.date, '%Y-%m-%d')
        else 'Shopify Payments payout ' || cast(journals.payout_id as varchar) || ' ' || strftime(journals.date, '%Y-%m-%d')
        || case
            when journals.journal_date <> journals.date
                then ' (part to ' || strftime(journals.journal_date, '%Y-%m-%d') || ')'
            else ''
        end
    end as narration,
    journals.reference,
    journals.line_count,
    cast(journals.total_debit as decimal(18, 2)) as total_debit,
    cast(journals.total_credit as decimal(18, 2)) as total_credit,
    journals.total_debit = journals.total_credit and journals.bad_lines = 0 as is_balanced,
    cast(journals.bank_amount as decimal(18, 2)) as bank_amount,
    payouts.net as payout_net,
    case when journals.bank_lines > 0 then journals.bank_lines = 1 and journals.bank_amount = payouts.net end
        as ties_to_bank,
    cast(journals.net_sales as decimal(18, 2)) as net_sales,
    cast(journals.refunds as decimal(18, 2)) as refunds,
    cast(journals.fees as decimal(18, 2)) as fees,
    cast(journals.chargebacks as decimal(18, 2)) as chargebacks,
    cast(journals.output_tax as decimal(18, 2)) as output_tax,
    cast(journals.gift_card_liability_movement as decimal(18, 2)) as gift_card_liability_movement,
    cast(journals.reserve_movement as decimal(18, 2)) as reserve_movement,
    cast(journals.suspense as decimal(18, 2)) as suspense,
    cast(journals.rounding as decimal(18, 2)) as rounding,
    abs(journals.rounding)
    <= journals.rounding_orders * case when journals.currency_code in ('JPY', 'KRW', 'VND', 'CLP', 'ISK') then 1 else 0.01 end
        as rounding_within_tolerance
from journals
left join payouts on payouts.payout_id = journals.payout_id
