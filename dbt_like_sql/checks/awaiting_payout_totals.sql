-- paid_out_within check: every card payment still waiting for a payout, counted and summed.
select count(*) as n, coalesce(sum(amount), 0) as amount
from finance.awaiting_payout
