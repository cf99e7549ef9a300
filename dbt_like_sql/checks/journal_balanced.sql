-- journal_balanced check: every journal of $date (its payouts' and its sales journal) with its totals and balance.
select journal_id, journal_status, line_count, total_debit, total_credit, is_balanced
from finance.journals
where date = cast($date as date)
order by journal_id
