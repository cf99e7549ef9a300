-- materialized: table
-- partitioned_by: date
-- One row per Shopify Payments payout issued on the date: status, dates, currency, and what its
-- balance transactions add up to by category (gross charges, refunds, fees, adjustments, chargebacks
-- and reversals, reserves held and released, retried payouts, anything unmapped), whether they sum to
-- the payout's net (P2: non-TRANSFER nets == net, the TRANSFER row == -net), whether Shopify's own
-- summary agrees (P3), and how many charges and refunds matched a Shopify order or refund.
-- Everything is read from the payout's own transactions, whatever dates the run covered.
-- column date: the shop day the payout was issued (the partition date)
-- column payout_id: Shopify Payments payout id
-- column status: the payout's status in Shopify Payments: SCHEDULED, PAID, FAILED or CANCELED
-- column transaction_type: DEPOSIT (paid into the bank) or WITHDRAWAL (a negative payout, taken from the bank)
-- column issued_at: when Shopify issued the payout (UTC)
-- column external_trace_id: the payout's bank trace reference, to find the deposit; null when Shopify gives none
-- column currency_code: the payout currency; every amount here is in it
-- column first_transaction_date: the shop day of its earliest transaction (not the TRANSFER row); null when none
-- column last_transaction_date: the shop day of its latest transaction (not the TRANSFER row); null when none
-- column transaction_count: its balance transactions, not counting the TRANSFER row (the payout itself)
-- column gross_charges: card charges before fees (positive)
-- column refunds: refunds to customers, as Shopify signs them (negative)
-- column fees: every transaction's fee; positive is a fee charged, negative a fee returned
-- column adjustments: adjustment and marketplace tax transactions, signed: negative takes from the payout
-- column chargebacks_and_reversals: dispute-type amounts: withdrawals and holds negative, reversals positive
-- column reserves_held: funds Shopify moved into its reserve (negative or 0)
-- column reserves_released: funds Shopify released from its reserve (positive or 0)
-- column retried_payouts: a failed or canceled payout's funds back on the balance (TRANSFER_FAILURE etc.), signed
-- column unmapped_amount: transactions whose type the ledger mapping does not know, signed (they post to suspense)
-- column unmapped_count: how many transactions have an unmapped type
-- column net: the payout's net as Shopify serves it: the bank deposit, negative for a withdrawal
-- column transactions_net: the sum of its transactions' net (amount minus fee), not counting the TRANSFER row
-- column transactions_sum_to_net: P2: transactions_net equals net
-- column transfer_equals_net: P2: exactly one TRANSFER row, and its amount is minus net
-- column summary_agrees: P3: Shopify's payout summary (charge, refund gross, fee) equals its transactions; null: none
-- column charge_count: how many charges it has
-- column charges_matched: how many charges matched a Shopify order
-- column refund_count: how many refunds it has
-- column refunds_matched: how many refunds matched a Shopify refund
-- column unmatched_count: charges and refunds with no Shopify order or refund (payout_unmatched_charge)
-- column unmatched_amount: their amount, signed (charges positive, refunds negative); it is posted to suspense
with payouts as (
    select
        payout_id,
        payout_date,
        issued_at,
        status,
        transaction_type,
        external_trace_id,
        net,
        currency_code,
        charges_gross,
        charges_fee,
        refunds_fee_gross,
        refunds_fee,
        adjustments_gross,
        adjustments_fee,
        reserved_funds_gross,
        reserved_funds_fee,
        retried_payouts_gross,
        retried_payouts_fee
    from staging.shopify_payments_payouts
    where payout_date between date '{{ start_date }}' and date '{{ end_date }}'
),

transactions as (
    select
        payout_id,
        family,
        type,
        amount,
        fee,
        net,
        is_matched,
        transaction_date
    from finance.payout_transactions
    where payout_date between date '{{ start_date }}' and date '{{ end_date }}'
),

totals as (
    select
        payout_id,
        count(*) filter (where family <> 'payout') as transaction_count,
        min(transaction_date) filter (where family <> 'payout') as first_transaction_at,
        max(transaction_date) filter (where family <> 'payout') as last_transaction_at,
        coalesce(sum(amount) filter (where family = 'charge'), 0) as gross_charges,
        coalesce(sum(amount) filter (where family = 'refund'), 0) as refunds,
        coalesce(sum(fee) filter (where family <> 'payout'), 0) as fees,
        coalesce(sum(amount) filter (where family in ('adjustment', 'tax')), 0) as adjustments,
        coalesce(sum(amount) filter (where family = 'dispute'), 0) as chargebacks_and_reversals,
        coalesce(sum(amount) filter (where family = 'reserve' and amount < 0), 0) as reserves_held,
        coalesce(sum(amount) filter (where family = 'reserve' and amount > 0), 0) as reserves_released,
        coalesce(sum(amount) filter (where family = 'payout_failure'), 0) as retried_payouts,
        coalesce(sum(amount) filter (where family = 'unmapped'), 0) as unmapped_amount,
        count(*) filter (where family = 'unmapped') as unmapped_count,
        coalesce(sum(net) filter (where family <> 'payout'), 0) as transactions_net,
        coalesce(sum(amount) filter (where family = 'payout'), 0) as transfer_amount,
        count(*) filter (where family = 'payout') as transfer_count,
        coalesce(sum(amount) filter (where type = 'CHARGE'), 0) as summary_charges_gross,
        coalesce(sum(fee) filter (where type = 'CHARGE'), 0) as summary_charges_fee,
        coalesce(sum(amount) filter (where type = 'REFUND'), 0) as summary_refunds_gross,
        coalesce(sum(fee) filter (where type = 'REFUND'), 0) as summary_refunds_fee,
        count(*) filter (where family = 'charge') as charge_count,
        count(*) filter (where family = 'charge' and is_matched) as charges_matched,
        count(*) filter (where family = 'refund') as refund_count,
        count(*) filter (where family = 'refund' and is_matched) as refunds_matched,
        coalesce(sum(amount) filter (where family in ('charge', 'refund') and not is_matched), 0) as unmatched_amount
    from transactions
    group by payout_id
)

select
    payouts.payout_date as date,
    payouts.payout_id,
    payouts.status,
    payouts.transaction_type,
    payouts.issued_at,
    payouts.external_trace_id,
    payouts.currency_code,
    cast(timezone('{{ shop_timezone }}', totals.first_transaction_at) as date) as first_transaction_date,
    cast(timezone('{{ shop_timezone }}', totals.last_transaction_at) as date) as last_transaction_date,
    coalesce(totals.transaction_count, 0) as transaction_count,
    cast(coalesce(totals.gross_charges, 0) as decimal(18, 2)) as gross_charges,
    cast(coalesce(totals.refunds, 0) as decimal(18, 2)) as refunds,
    cast(coalesce(totals.fees, 0) as decimal(18, 2)) as fees,
    cast(coalesce(totals.adjustments, 0) as decimal(18, 2)) as adjustments,
    cast(coalesce(totals.chargebacks_and_reversals, 0) as decimal(18, 2)) as chargebacks_and_reversals,
    cast(coalesce(totals.reserves_held, 0) as decimal(18, 2)) as reserves_held,
    cast(coalesce(totals.reserves_released, 0) as decimal(18, 2)) as reserves_released,
    cast(coalesce(totals.retried_payouts, 0) as decimal(18, 2)) as retried_payouts,
    cast(coalesce(totals.unmapped_amount, 0) as decimal(18, 2)) as unmapped_amount,
    coalesce(totals.unmapped_count, 0) as unmapped_count,
    payouts.net,
    cast(coalesce(totals.transactions_net, 0) as decimal(18, 2)) as transactions_net,
    coalesce(totals.transactions_net, 0) = payouts.net as transactions_sum_to_net,
    coalesce(totals.transfer_count, 0) = 1 and totals.transfer_amount = -payouts.net as transfer_equals_net,
    coalesce(totals.summary_charges_gross, 0) = payouts.charges_gross
    and coalesce(totals.summary_charges_fee, 0) = payouts.charges_fee
    and coalesce(totals.summary_refunds_gross, 0) = payouts.refunds_fee_gross
    and coalesce(totals.summary_refunds_fee, 0) = payouts.refunds_fee as summary_agrees,
    coalesce(totals.charge_count, 0) as charge_count,
    coalesce(totals.charges_matched, 0) as charges_matched,
    coalesce(totals.refund_count, 0) as refund_count,
    coalesce(totals.refunds_matched, 0) as refunds_matched,
    coalesce(totals.charge_count, 0) - coalesce(totals.charges_matched, 0)
    + coalesce(totals.refund_count, 0) - coalesce(totals.refunds_matched, 0) as unmatched_count,
    cast(coalesce(totals.unmatched_amount, 0) as decimal(18, 2)) as unmatched_amount
from payouts
left join totals on totals.payout_id = payouts.payout_id
