-- paid_within check: orders their customers have owed for more than $max_days days, the longest
-- owed first.
select order_id, order_name, created_date, financial_status, owed, currency_code, days_owed
from finance.awaiting_payment
where days_owed > $max_days
order by days_owed desc, owed desc, order_id
