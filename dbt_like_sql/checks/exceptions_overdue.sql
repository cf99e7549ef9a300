-- exceptions_within_sla check: the open exceptions still unresolved past their owner's SLA at $now
-- (due_at = first seen + the SLA of seeds/exception_owners.csv), longest overdue first.
select
    owner,
    type,
    severity,
    order_id,
    payout_id,
    sku,
    location_key,
    first_seen_at,
    due_at,
    cast(round(epoch(cast($now as timestamptz) - due_at) / 3600, 1) as decimal(9, 1)) as hours_overdue,
    runbook,
    exception_id
from reconciliation.exceptions
where resolved_at is null and due_at < cast($now as timestamptz)
order by due_at, owner, type, exception_id
