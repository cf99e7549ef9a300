-- payout_ties_to_bank check: the journals of $date whose rounding passes one minor unit per order.
select journal_id, rounding
from finance.journals
where date = cast($date as date) and not rounding_within_tolerance
order by abs(rounding) desc, journal_id
