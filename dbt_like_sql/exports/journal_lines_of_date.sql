-- The journal lines the finance files of one payout date hold ($date): paid (final) and failed
-- payouts only, since a scheduled payout's journal is provisional. is_balanced comes along so the
-- exporter can refuse an unbalanced journal itself. Ordered as the files list them.
select
    lines.journal_id,
    lines.journal_date,
    lines.payout_id,
    lines.journal_status,
    lines.currency_code,
    lines.line_number,
    lines.line_type,
    lines.account_code,
    lines.account_name,
    lines.description,
    lines.tax_rate,
    lines.amount,
    lines.debit,
    lines.credit,
    lines.reference,
    journals.narration,
    journals.is_balanced
from finance.journal_lines as lines
inner join finance.journals as journals on journals.journal_id = lines.journal_id
where lines.date = cast($date as date) and lines.journal_status in ('final', 'failed')
order by lines.journal_date, lines.journal_id, lines.line_number
