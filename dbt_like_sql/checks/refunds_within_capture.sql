-- The refunds_within_capture check for one payout date ($date): every order a matched refund in that
-- date's payouts pays back, beside its Shopify Payments captures and refunds so far. Only those
-- orders' transactions are summed: a date's payouts refund a few hundred orders of millions.
-- Parameters: $date (ISO date).
with refunded as (
    select distinct matched_order_id as order_id
    from finance.payout_transactions
    where payout_date = cast($date as date) and family = 'refund' and is_matched
),

tenders as (
    select
        order_id,
        coalesce(sum(amount) filter (where kind in ('SALE', 'CAPTURE')), 0) as captured,
        coalesce(sum(amount) filter (where kind = 'REFUND'), 0) as refunded
    from staging.shopify_order_transactions
    where
        gateway = 'shopify_payments' and status = 'SUCCESS'
        and order_id in (select order_id from refunded)
    group by order_id
)

select
    refunded.order_id,
    coalesce(tenders.captured, 0) as captured,
    coalesce(tenders.refunded, 0) as refunded
from refunded
left join tenders on tenders.order_id = refunded.order_id
order by refunded.order_id
