-- The run summary's open exceptions by type (those not resolved), from the exceptions register.
select type, count(*) as n
from reconciliation.exceptions
where resolved_at is null
group by type
