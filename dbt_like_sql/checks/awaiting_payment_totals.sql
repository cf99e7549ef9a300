-- paid_within check: every order still owed by its customer, counted and summed.
select count(*) as n, coalesce(sum(owed), 0) as amount
from finance.awaiting_payment
