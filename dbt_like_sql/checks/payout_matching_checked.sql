-- payout_matching check: the payouts and transactions of $date that were matched.
select count(distinct payout_id) as payouts, count(*) as transactions
from reconciliation.payout_matching
where date = cast($date as date)
