-- payout_ties_to_bank check: each payout of $date beside its transactions and its journal's bank
-- line (a cancelled payout has no journal and ties by definition).
select
    r.payout_id,
    r.status,
    r.net,
    r.transactions_net,
    r.transactions_sum_to_net,
    r.transfer_equals_net,
    j.bank_amount,
    coalesce(j.ties_to_bank, r.status in ('CANCELED', 'CANCELLED')) as ties_to_bank
from finance.payout_reconciliation as r
left join finance.journals as j on j.payout_id = r.payout_id and j.bank_amount is not null
where r.date = cast($date as date)
order by r.payout_id
