-- materialized: script
-- The exceptions register: one row per exception, in the vocabulary the simulator's manifest shares
-- (type plus the keys date, location_key, sku, order_id, payout_id; a key that does not apply is
-- null), with severity, owner, SLA and runbook from the seeds' exception_owners, first_seen_at,
-- last_seen_at, due_at (first seen + SLA), resolved_at and the evidence as JSON text.
-- exception_id is a stable hash of the type and keys (plus the raw location id for
-- unmapped_location, whose location_key is null). payout_unmapped_transaction comes from finance:
-- a payout transaction whose type the ledger mapping does not know (it posted to suspense). Each run upserts what it observes: a re-run keeps
-- first_seen_at; an exception no longer observed gets resolved_at and stays; one seen again is
-- reopened. Stock findings are read from each location's newest parity snapshot, so an exception
-- dated to an older snapshot closes once a newer snapshot supersedes it. Every evidence holds
-- webhook_ids: the webhook deliveries about the finding's order or its item at its location.
-- column exception_id: stable hash of the type and keys (plus the raw location id for unmapped_location)
-- column type: the exception type, from the vocabulary the simulator's manifest shares (README)
-- column date: the partition date the finding is keyed to (as-of date for stock, order creation day for orders)
-- column location_key: the location from seeds/locations.csv, null where it does not apply or is unmapped
-- column sku: the canonical SKU (trimmed, upper-cased, after aliases)
-- column order_id: Shopify's numeric order id as text
-- column payout_id: Shopify Payments' numeric payout id as text
-- column severity: high, medium or low
-- column owner: who fixes it, from seeds/exception_owners.csv
-- column sla_hours: the owner's SLA in hours
-- column runbook: where the fix is described
-- column first_seen_at: when a run first observed it (kept across re-runs)
-- column last_seen_at: when a run last observed it
-- column due_at: first_seen_at plus the SLA
-- column resolved_at: when a run stopped observing it; null while open
-- column evidence: JSON: the records, snapshot times and webhook_ids that show it
create table if not exists reconciliation.exceptions (
    exception_id varchar primary key,
    type varchar not null,
    date date,
    location_key varchar,
    sku varchar,
    order_id varchar,
    payout_id varchar,
    severity varchar not null,
    owner varchar not null,
    sla_hours integer,
    runbook varchar,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    due_at timestamptz,
    resolved_at timestamptz,
    evidence varchar
);

create or replace temp table observed_exceptions as
with newest_stock_parity as (
    select
        date,
        location_key,
        sku,
        mintsoft_available,
        buffer_units,
        expected_shopify_available,
        shopify_available,
        drift_units,
        reason,
        mintsoft_on_hand,
        mintsoft_allocated,
        mintsoft_in_quarantine,
        shopify_inventory_item_id,
        mintsoft_product_id,
        mintsoft_synced_at,
        shopify_synced_at,
        shopify_updated_at
    from reconciliation.stock_parity
    qualify date = max(date) over (partition by location_key)
),

stock_drift as (
    select
        'stock_parity_drift' as type,
        date,
        location_key,
        sku,
        cast(null as varchar) as order_id,
        cast(null as varchar) as payout_id,
        cast(null as varchar) as raw_identity,
        case when drift_units > 0 then 'high' else 'medium' end as severity,
        to_json({
            'mintsoft_on_hand': mintsoft_on_hand,
            'mintsoft_allocated': mintsoft_allocated,
            'mintsoft_in_quarantine': mintsoft_in_quarantine,
            'mintsoft_available': mintsoft_available,
            'buffer_units': buffer_units,
            'expected_shopify_available': expected_shopify_available,
            'shopify_available': shopify_available,
            'drift_units': drift_units,
            'reason': reason,
            'shopify_inventory_item_id': shopify_inventory_item_id,
            'mintsoft_product_id': mintsoft_product_id,
            'mintsoft_snapshot_synced_at': mintsoft_synced_at,
            'shopify_snapshot_synced_at': shopify_synced_at,
            'shopify_level_updated_at': shopify_updated_at
        }) as evidence
    from newest_stock_parity
    where drift_units <> 0
),

sku_findings as (
    select
        exception_type as type,
        date,
        location_key,
        sku,
        cast(null as varchar) as order_id,
        cast(null as varchar) as payout_id,
        cast(null as varchar) as raw_identity,
        case exception_type
            when 'sku_missing_in_mintsoft' then 'high'
            when 'sku_missing_in_shopify' then 'low'
            else 'medium'
        end as severity,
        evidence
    from reconciliation.sku_consistency
),

unmapped_locations as (
    select
        exception_type as type,
        date,
        location_key,
        cast(null as varchar) as sku,
        cast(null as varchar) as order_id,
        cast(null as varchar) as payout_id,
        system || ':' || raw_location_id as raw_identity,
        'high' as severity,
        evidence
    from reconciliation.location_health
),

lifecycle_findings as (
    select
        exception_type as type,
        date,
        cast(null as varchar) as location_key,
        cast(null as varchar) as sku,
        cast(order_id as varchar) as order_id,
        cast(null as varchar) as payout_id,
        cast(null as varchar) as raw_identity,
        case
            when exception_type in ('cancelled_but_despatched', 'duplicate_despatch', 'order_edit_after_pick')
                then 'high'
            else 'medium'
        end as severity,
        evidence
    from reconciliation.order_lifecycle
    where exception_type is not null
),

restock_findings as (
    select
        'restock_mismatch' as type,
        date,
        cast(null as varchar) as location_key,
        sku,
        cast(order_id as varchar) as order_id,
        cast(null as varchar) as payout_id,
        cast(null as varchar) as raw_identity,
        'medium' as severity,
        evidence
    from reconciliation.order_restocks
    where is_restock_mismatch
),

unmatched_payout_transactions as (
    select
        payout_id,
        date,
        payout_status,
        payout_net,
        count(*) as unmatched_count,
        sum(amount) as unmatched_amount,
        list({
            'balance_transaction_id': balance_transaction_id,
            'type': type,
            'amount': amount,
            'fee': fee,
            'net': net,
            'currency_code': currency_code,
            'transaction_date': transaction_date,
            'associated_order_id': associated_order_id,
            'associated_order_name': associated_order_name,
            'source_id': source_id,
            'source_order_transaction_id': source_order_transaction_id,
            'synced_at': transaction_synced_at
        } order by balance_transaction_id) as transactions,
        max(payout_synced_at) as payout_synced_at
    from reconciliation.payout_matching
    where not is_matched
    group by payout_id, date, payout_status, payout_net
),

payout_findings as (
    select
        'payout_unmatched_charge' as type,
        date,
        cast(null as varchar) as location_key,
        cast(null as varchar) as sku,
        cast(null as varchar) as order_id,
        cast(payout_id as varchar) as payout_id,
        cast(null as varchar) as raw_identity,
        'high' as severity,
        to_json({
            'payout_status': payout_status,
            'payout_net': payout_net,
            'unmatched_count': unmatched_count,
            'unmatched_amount': unmatched_amount,
            'transactions': transactions,
            'payout_synced_at': payout_synced_at
        }) as evidence
    from unmatched_payout_transactions
),

unmapped_payout_transactions as (
    select
        'payout_unmapped_transaction' as type,
        payout_date as date,
        cast(null as varchar) as location_key,
        cast(null as varchar) as sku,
        cast(null as varchar) as order_id,
        cast(payout_id as varchar) as payout_id,
        cast(null as varchar) as raw_identity,
        'medium' as severity,
        to_json({
            'payout_status': any_value(payout_status),
            'unmapped_count': count(*),
            'unmapped_amount': sum(amount),
            'account': 'suspense',
            'transactions': list({
                'balance_transaction_id': balance_transaction_id,
                'type': type,
                'amount': amount,
                'fee': fee,
                'net': net,
                'currency_code': currency_code,
                'transaction_date': transaction_date,
                'adjustment_reason': adjustment_reason
            } order by balance_transaction_id)
        }) as evidence
    from finance.payout_transactions
    where family = 'unmapped'
    group by payout_id, payout_date
),

findings as (
    select type, date, location_key, sku, order_id, payout_id, raw_identity, severity, evidence from stock_drift
    union all
    select type, date, location_key, sku, order_id, payout_id, raw_identity, severity, evidence from sku_findings
    union all
    select type, date, location_key, sku, order_id, payout_id, raw_identity, severity, evidence
    from unmapped_locations
    union all
    select type, date, location_key, sku, order_id, payout_id, raw_identity, severity, evidence
    from lifecycle_findings
    union all
    select type, date, location_key, sku, order_id, payout_id, raw_identity, severity, evidence from restock_findings
    union all
    select type, date, location_key, sku, order_id, payout_id, raw_identity, severity, evidence from payout_findings
    union all
    select type, date, location_key, sku, order_id, payout_id, raw_identity, severity, evidence
    from unmapped_payout_transactions
),

finding_subjects as (
    -- The Shopify order, inventory item and location each finding is about, for its webhook lineage.
    select
        findings.*,
        try_cast(findings.order_id as bigint) as subject_order_id,
        sku_master.shopify_inventory_item_id as subject_inventory_item_id,
        locations.shopify_location_id as subject_location_id
    from findings
    left join reconciliation.sku_master as sku_master on sku_master.sku = findings.sku
    left join seeds.locations as locations on locations.location_key = findings.location_key
),

findings_with_webhooks as (
    -- Every webhook delivery about the finding's order, or (a finding with no order) its item at its
    -- location, by arrival.
    select
        finding_subjects.*,
        coalesce((
            select list(webhook_events.webhook_id order by webhook_events.received_at, webhook_events.webhook_id)
            from staging.shopify_webhook_events as webhook_events
            where webhook_events.order_id = finding_subjects.subject_order_id
                or (
                    finding_subjects.subject_order_id is null
                    and webhook_events.inventory_item_id = finding_subjects.subject_inventory_item_id
                    and (
                        finding_subjects.subject_location_id is null
                        or webhook_events.location_id is null
                        or webhook_events.location_id = finding_subjects.subject_location_id
                    )
                )
        ), []) as webhook_ids
    from finding_subjects
),

identified_findings as (
    select
        md5(concat_ws(
            '|',
            type,
            coalesce(cast(date as varchar), ''),
            coalesce(location_key, ''),
            coalesce(sku, ''),
            coalesce(order_id, ''),
            coalesce(payout_id, ''),
            coalesce(raw_identity, '')
        )) as exception_id,
        type,
        date,
        location_key,
        sku,
        order_id,
        payout_id,
        severity,
        cast(json_merge_patch(cast(evidence as json), to_json({'webhook_ids': webhook_ids})) as varchar) as evidence
    from findings_with_webhooks
)

select
    identified_findings.exception_id,
    identified_findings.type,
    identified_findings.date,
    identified_findings.location_key,
    identified_findings.sku,
    identified_findings.order_id,
    identified_findings.payout_id,
    identified_findings.severity,
    coalesce(owners.owner, 'unassigned') as owner,
    owners.sla_hours,
    owners.runbook,
    identified_findings.evidence
from identified_findings
left join seeds.exception_owners as owners on owners.exception_type = identified_findings.type
qualify row_number() over (partition by identified_findings.exception_id order by identified_findings.evidence) = 1;

insert into reconciliation.exceptions (
    exception_id, type, date, location_key, sku, order_id, payout_id, severity, owner, sla_hours, runbook,
    first_seen_at, last_seen_at, due_at, resolved_at, evidence
)
select
    exception_id,
    type,
    date,
    location_key,
    sku,
    order_id,
    payout_id,
    severity,
    owner,
    sla_hours,
    runbook,
    timestamptz '{{ run_started_at }}' as first_seen_at,
    timestamptz '{{ run_started_at }}' as last_seen_at,
    timestamptz '{{ run_started_at }}' + to_hours(coalesce(sla_hours, 0)) as due_at,
    cast(null as timestamptz) as resolved_at,
    evidence
from observed_exceptions
on conflict (exception_id) do update set
    severity = excluded.severity,
    owner = excluded.owner,
    sla_hours = excluded.sla_hours,
    runbook = excluded.runbook,
    last_seen_at = excluded.last_seen_at,
    due_at = first_seen_at + to_hours(coalesce(excluded.sla_hours, 0)),
    resolved_at = null,
    evidence = excluded.evidence;

update reconciliation.exceptions
set resolved_at = timestamptz '{{ run_started_at }}'
where resolved_at is null and exception_id not in (select exception_id from observed_exceptions);

drop table observed_exceptions;
