-- paid_out_within check: card payments no payout has settled more than $days_late business days
-- past their expected payout date, the latest first.
select
    order_id,
    order_name,
    transaction_id,
    processed_at,
    amount,
    currency_code,
    expected_payout_date,
    business_days_late
from finance.awaiting_payout
where business_days_late > $days_late
order by business_days_late desc, amount desc, transaction_id
