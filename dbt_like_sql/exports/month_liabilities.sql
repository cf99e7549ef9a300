-- The month-end workbook's liabilities sheet: the balance-sheet movements of month $month (YYYY-MM).
select *
from finance.liabilities
where month = $month
order by line_type
