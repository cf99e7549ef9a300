-- order_lifecycle check: how many orders were created on $date (shop day), exception or not.
select count(*) as n
from reconciliation.order_lifecycle
where date = cast($date as date)
