-- The month-end workbook's unmatched sheet: money of the payouts of month $month (YYYY-MM) that no
-- order or refund explains, with the reason and the exception it raised (the Shopify-side ids that
-- found no match stay in the warehouse table).
select * exclude (source_order_transaction_id, adjustment_reason)
from finance.unmatched
where strftime(payout_date, '%Y-%m') = $month
order by payout_date, payout_id, balance_transaction_id
