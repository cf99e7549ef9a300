-- exceptions_within_sla check: how many exceptions each owner has open.
select owner, count(*) as open
from reconciliation.exceptions
where resolved_at is null
group by owner
order by owner
