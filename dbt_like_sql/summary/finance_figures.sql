-- The run summary's finance figures for the run's dates ($start_date to $end_date): payouts
-- reconciled and with unmatched money, journals balanced, and the range's sales, refunds, fees,
-- output tax, gift card liability added, suspense and payouts' net. Money is cast to exact text
-- for the JSON summary; several currencies add up only when the shop pays out in one.
with payouts as (
    select * from finance.payout_reconciliation
    where date between cast($start_date as date) and cast($end_date as date)
),

journals as (
    select * from finance.journals
    where date between cast($start_date as date) and cast($end_date as date)
)

select
    (select count(*) from payouts) as payouts,
    (
        select count(*) from payouts
        where transactions_sum_to_net and transfer_equals_net and unmatched_count = 0 and unmapped_count = 0
    ) as payouts_reconciled,
    (select count(*) from payouts where unmatched_count > 0 or unmapped_count > 0) as payouts_with_unmatched_money,
    (select count(*) from journals) as journals,
    (select count(*) from journals where is_balanced) as journals_balanced,
    (select cast(coalesce(sum(net_sales), 0) as varchar) from journals) as net_sales,
    (select cast(coalesce(sum(refunds), 0) as varchar) from journals) as refunds,
    (select cast(coalesce(sum(fees), 0) as varchar) from journals) as fees,
    (select cast(coalesce(sum(output_tax), 0) as varchar) from journals) as output_tax,
    (select cast(coalesce(sum(gift_card_liability_movement), 0) as varchar) from journals)
        as gift_card_liability_added,
    (select cast(coalesce(sum(suspense), 0) as varchar) from journals) as suspense,
    (select cast(coalesce(sum(net), 0) as varchar) from payouts) as payouts_net
