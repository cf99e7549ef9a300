-- stock_parity check: how many SKU-locations were compared on the as-of date ($date).
select count(*) as n
from reconciliation.stock_parity
where date = cast($date as date)
