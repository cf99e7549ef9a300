-- The month-end workbook's payouts sheet: the payouts issued in month $month (YYYY-MM).
select * exclude (issued_at)
from finance.payout_reconciliation
where strftime(date, '%Y-%m') = $month
order by date, payout_id
