-- The month-end workbook's journals sheet: the exported (final and failed) journal lines dated in
-- month $month (YYYY-MM); a payout crossing the month end has a part in each month.
select
    journal_id,
    journal_date,
    payout_id,
    journal_status,
    line_number,
    account_code,
    account_name,
    description,
    tax_rate,
    debit,
    credit,
    currency_code,
    reference
from finance.journal_lines
where strftime(journal_date, '%Y-%m') = $month and journal_status in ('final', 'failed')
order by journal_date, journal_id, line_number
