-- materialized: table
-- partitioned_by: date
-- The summary journals of the date (A2X style), one row per line: amount is signed (+ debit,
-- - credit) in the journal currency, with debit and credit beside it. Two kinds of journal:
-- - one per Shopify Payments payout issued on the date. Every balance transaction posts lines that
--   sum to minus its net, so with the bank line (+ the payout's net) each balances by construction;
-- - one sales journal of the shop day (journal id sales-<date>) for the sales no payout recognises:
--   orders created that day with no successful Shopify Payments payment by its end (POS cash, gift
--   cards alone, other gateways, manual payment, payment terms), recognised the same way against
--   their tenders and what is still owed (pending payment); and refunds paid back that day in cash,
--   to a gift card or through another gateway. A card order's cash or gift-card part is recognised
--   with the card charge in its payout; its refund's non-card part lands here. An order cancelled
--   with nothing paid was never a sale and posts nothing. A sales journal takes the tenders paid by
--   the end of its day: what is paid later stays pending payment in it, so a closed day's journal
--   reads the same when it is run again; the later payment clears pending payment in the sales
--   journal of the day it is paid (into the tender's account) or, by card, in its payout.
-- The checks prove every journal balances.
-- - A charge that settles an order's first Shopify Payments payment recognises the whole order from
--   Shopify's calculated totals: product sales by tax rate (ex tax, before discounts), discounts,
--   shipping, output tax per tax line, gift cards sold (liability, never revenue); against it gift
--   cards redeemed, other tenders (POS cash, other gateways), card payments settled elsewhere (pending
--   payment), and the residue as FX variance (presentment != shop currency) or rounding.
--   A later charge of the same order clears pending payment; a charge with no order goes to suspense.
-- - A refund reverses output tax (pro rata to the refund's lines) and books the rest as refunds.
-- - Fees, chargebacks and reversals, reserves, marketplace tax, adjustments and failed transfers post
--   to their accounts; an unmapped type posts to suspense (and is an exception).
-- - Lines of transactions in a month before the payout's month form their own journal dated that
--   month's last day, balanced through the in-transit (carried-forward) account, which the payout
--   month's journal clears: the deposit still matches one payout.
-- carried_forward and retried_payout (a failed deposit's funds back on the balance) post to the
-- bank's in-transit account. Statuses: PAID -> final, SCHEDULED -> provisional, FAILED -> failed (its funds come back through the
-- retried payout's TRANSFER_FAILURE line), CANCELED -> no journal.
-- column date: the shop day the payout was issued, or the sales journal's shop day (the partition date)
-- column journal_id: payout id and journal month (e.g. 501-2026-11; a payout crossing a month end has one per month), or sales-<date>
-- column journal_date: the payout date (for an earlier month's part, that month's last day), or the sales journal's day
-- column payout_id: Shopify Payments payout id; null for a sales journal
-- column payout_status: the payout's status in Shopify Payments: PAID, SCHEDULED or FAILED (CANCELED: no journal); null for a sales journal
-- column journal_status: final (PAID, and every sales journal), provisional (SCHEDULED) or failed (FAILED); another status in lower case
-- column currency_code: the payout currency (a sales journal: the shop currency); every amount on the line is in it
-- column line_number: the line's place in its journal, from 1; the carried-forward and bank lines come last
-- column line_type: what the line posts: a seeds/gl_accounts.csv line type, or carried_forward / retried_payout
-- column account_code: the ledger account code from seeds/gl_accounts.csv (carried_forward, retried_payout: bank's)
-- column account_name: that account's name
-- column description: the line's text: its line type in words, with the tax rate in brackets when it has one
-- column tax_rate: the order's tax title and rate (e.g. VAT 20.000%; several joined with +), or No tax
-- column amount: signed, debit positive / credit negative, in the payout currency; never zero
-- column debit: the amount when it is a debit, else 0
-- column credit: the amount as a positive number when it is a credit, else 0
-- column transaction_count: how many balance transactions (a sales journal: orders and refund payments) make up the line; 0 for the bank and carried-forward lines
-- column reference: the payout's bank trace reference (external_trace_id); null when Shopify gives none and for a sales journal
with currency_exponents as (
    select currency_code, exponent
    from (values ('JPY', 0), ('KRW', 0), ('VND', 0), ('CLP', 0), ('ISK', 0), ('HUF', 2)) as c (currency_code, exponent)
),

tender_accounts as (
    -- where money taken or paid back outside Shopify Payments sits until it reaches the bank; any
    -- other gateway (PayPal, bank transfer, manual) is other-gateway clearing
    select gateway, line_type
    from (values ('cash', 'pos_cash_clearing'), ('gift_card', 'gift_card_liability')) as t (gateway, line_type)
),

transactions as (
    select
        payout_transactions.payout_id,
        payout_transactions.payout_date,
        payout_transactions.payout_status,
        payout_transactions.payout_net,
        payout_transactions.payout_currency_code,
        payout_transactions.external_trace_id,
        payout_transactions.balance_transaction_id,
        payout_transactions.type,
        payout_transactions.family,
        payout_transactions.line_type,
        payout_transactions.fee_line_type,
        payout_transactions.amount,
        payout_transactions.fee,
        payout_transactions.source_order_transaction_id,
        payout_transactions.matched_order_id,
        payout_transactions.matched_refund_id,
        payout_transactions.is_matched,
        -- the journal month: the transaction's own, when that is before the payout's month
        least(
            date_trunc('month', payout_transactions.transaction_local_date),
            date_trunc('month', payout_transactions.payout_date)
        ) as month,
        coalesce(currency_exponents.exponent, 2) as exponent
    from finance.payout_transactions as payout_transactions
    left join currency_exponents on currency_exponents.currency_code = payout_transactions.payout_currency_code
    where
        payout_transactions.payout_date between date '{{ start_date }}' and date '{{ end_date }}'
        and payout_transactions.payout_status not in ('CANCELED', 'CANCELLED')
        and payout_transactions.family <> 'payout'
),

card_orders as (
    -- paid (or authorised, to be captured) through Shopify Payments by the end of the shop day it was
    -- created: a payout recognises them. An order paid by card only later (B2B payment terms, an
    -- invoice paid online) was a sale owed on its day: its sales journal recognises it, and the charge
    -- clears pending payment in its payout. A declined card attempt does not make a card order.
    select order_id
    from staging.shopify_order_transactions
    where
        gateway = 'shopify_payments' and status = 'SUCCESS' and kind in ('SALE', 'CAPTURE', 'AUTHORIZATION')
        and coalesce(cast(timezone('{{ shop_timezone }}', processed_at) as date) <= order_created_date, true)
),

first_card_payments as (
    select
        order_id,
        arg_min(transaction_id, processed_at) as transaction_id
    from staging.shopify_order_transactions
    where
        gateway = 'shopify_payments' and kind in ('SALE', 'CAPTURE') and status = 'SUCCESS'
        and refund_id is null and not coalesce(test, false)
        and order_id in (select matched_order_id from transactions where family = 'charge')
        and order_id in (select order_id from card_orders)
    group by order_id
),

recognising_charges as (
    select transactions.*
    from transactions
    inner join first_card_payments
        on first_card_payments.order_id = transactions.matched_order_id
        and first_card_payments.transaction_id = transactions.source_order_transaction_id
    where transactions.family = 'charge'
),

other_tender_orders as (
    -- created on the journal's days, not paid through Shopify Payments on them; cancelled unpaid: no sale
    select order_id, created_date as sales_date, display_financial_status
    from staging.shopify_orders
    where
        created_date between date '{{ start_date }}' and date '{{ end_date }}'
        and not coalesce(test, false)
        and order_id not in (select order_id from card_orders)
        and (
            cancelled_at is null
            or order_id in (
                select order_id from staging.shopify_order_transactions
                where kind in ('SALE', 'CAPTURE') and status = 'SUCCESS' and refund_id is null
            )
        )
),

recognitions as (
    -- What recognises each order: its first card payment, in that payout's journal (amount: what
    -- the charge settled), or the sales journal of its shop day (nothing settled by card).
    select
        payout_id, cast(null as date) as sales_date, month, matched_order_id as order_id, amount,
        null as financial_status
    from recognising_charges
    union all
    select null, sales_date, date_trunc('month', sales_date), order_id, 0, display_financial_status
    from other_tender_orders
),

orders as (
    select order_id, name, taxes_included, currency_code, presentment_currency_code
    from staging.shopify_orders
    where order_id in (select order_id from recognitions)
),

order_goods as (
    select
        order_id,
        coalesce(sum(discounted_total) filter (where not is_gift_card), 0) as goods,
        coalesce(sum(total_tax) filter (where not is_gift_card), 0) as goods_tax,
        coalesce(sum(total_discount) filter (where not is_gift_card), 0) as goods_discount,
        coalesce(sum(discounted_total) filter (where is_gift_card), 0) as gift_cards_sold
    from staging.shopify_order_line_items
    where order_id in (select order_id from orders)
    group by order_id
),

order_shipping as (
    select order_id, sum(discounted_price) as shipping, sum(total_tax) as shipping_tax
    from staging.shopify_order_shipping_lines
    where order_id in (select order_id from orders)
    group by order_id
),

order_taxes_shown as (
    select
        order_id,
        title || ' ' || cast(cast(rate * 100 as decimal(9, 3)) as varchar) || '%' as tax_rate,
        sum(amount) as tax
    from staging.shopify_order_tax_lines
    where order_id in (select order_id from orders)
    group by all
),

order_tax_targets as (
    -- Output tax as the lines charged it (line items and shipping). The order-level tax lines give the
    -- rates, but an edited order's still show the tax before the edit: then each rate is scaled to
    -- the lines' total in minor units, the remainder on the largest (DuckDB divides decimals as doubles).
    select
        orders.order_id,
        coalesce(order_goods.goods_tax, 0) + coalesce(order_shipping.shipping_tax, 0) as target,
        case when currency_exponents.exponent = 0 then 1 else 100 end as scale
    from orders
    left join order_goods on order_goods.order_id = orders.order_id
    left join order_shipping on order_shipping.order_id = orders.order_id
    left join currency_exponents on currency_exponents.currency_code = orders.currency_code
),

order_tax_units as (
    select
        shown.order_id,
        shown.tax_rate,
        targets.scale,
        cast(round(targets.target * targets.scale) as hugeint) as target_units,
        cast(round(shown.tax * targets.scale) as hugeint) as shown_units,
        cast(round(sum(shown.tax) over (partition by shown.order_id) * targets.scale) as hugeint) as total_units,
        row_number() over (partition by shown.order_id order by shown.tax desc, shown.tax_rate) as size_rank
    from order_taxes_shown as shown
    inner join order_tax_targets as targets on targets.order_id = shown.order_id
),

order_tax_scaled as (
    select
        order_id,
        tax_rate,
        scale,
        size_rank,
        target_units,
        case
            when total_units = target_units or total_units = 0 then shown_units
            else (2 * shown_units * target_units + total_units) // (2 * total_units)
        end as units
    from order_tax_units
),

order_taxes as (
    select
        order_id,
        tax_rate,
        cast(
            units + case when size_rank = 1 then target_units - sum(units) over (partition by order_id) else 0 end
            as decimal(18, 2)
        ) * case scale when 1 then 1.00 else 0.01 end as tax
    from order_tax_scaled
),

order_tax_rates as (
    -- a sorted list, not an ordered string_agg: that one keeps every order's rows until the end
    select order_id, array_to_string(list_sort(list(tax_rate)), ' + ') as tax_rate, sum(tax) as tax
    from order_taxes
    group by order_id
),

order_tenders as (
    -- A sales journal's order: the tenders paid by the end of its day; what came later is its own.
    -- A card order: every tender, with its first card payment.
    select
        order_id,
        coalesce(sum(amount) filter (where gateway = 'shopify_payments' and not is_later), 0) as card,
        coalesce(sum(amount) filter (where gateway = 'gift_card' and not is_later), 0) as gift_card,
        coalesce(sum(amount) filter (where gateway = 'cash' and not is_later), 0) as cash,
        coalesce(
            sum(amount) filter (where gateway not in ('shopify_payments', 'gift_card', 'cash') and not is_later), 0
        ) as other,
        coalesce(sum(amount) filter (where is_later), 0) as later
    from (
        select
            transactions.order_id,
            transactions.gateway,
            transactions.amount,
            coalesce(
                cast(timezone('{{ shop_timezone }}', transactions.processed_at) as date) > recognitions.sales_date, false
            ) as is_later
        from staging.shopify_order_transactions as transactions
        inner join (select distinct order_id, sales_date from recognitions) as recognitions
            on recognitions.order_id = transactions.order_id
        where
            transactions.kind in ('SALE', 'CAPTURE') and transactions.status = 'SUCCESS'
            and transactions.refund_id is null and not coalesce(transactions.test, false)
    )
    group by order_id
),

order_values as (
    select
        recognitions.*,
        orders.name as order_name,
        orders.presentment_currency_code <> orders.currency_code as is_converted,
        coalesce(order_tax_rates.tax_rate, 'No tax') as tax_rate,
        order_goods.goods - case when orders.taxes_included then order_goods.goods_tax else 0 end
        + order_goods.goods_discount as product_sales,
        order_goods.goods_discount as discounts,
        coalesce(order_shipping.shipping, 0)
        - case when orders.taxes_included then coalesce(order_shipping.shipping_tax, 0) else 0 end as shipping_income,
        coalesce(order_tax_rates.tax, 0) as tax,
        order_goods.gift_cards_sold,
        coalesce(order_tenders.card, 0) as card,
        coalesce(order_tenders.gift_card, 0) as gift_card,
        coalesce(order_tenders.cash, 0) as cash,
        coalesce(order_tenders.other, 0) as other,
        coalesce(order_tenders.later, 0) as later
    from recognitions
    inner join orders on orders.order_id = recognitions.order_id
    left join order_goods on order_goods.order_id = orders.order_id
    left join order_shipping on order_shipping.order_id = orders.order_id
    left join order_tax_rates on order_tax_rates.order_id = orders.order_id
    left join order_tenders on order_tenders.order_id = orders.order_id
),

order_settlements as (
    -- uncollected: the order's value less every tender. An order Shopify shows as still owed
    -- (PENDING, PARTIALLY_PAID; only a sales journal's can be) posts it as pending payment; anywhere
    -- else it is the residue: FX variance on a converted order, rounding otherwise. A sales
    -- journal's order paid after its day was owed on it too (later, also pending payment).
    select
        *,
        product_sales - discounts + shipping_income + tax + gift_cards_sold - gift_card - cash - other - card - later
            as uncollected,
        case when financial_status in ('PENDING', 'PARTIALLY_PAID') then uncollected else 0 end as owed
    from order_values
),

order_line_totals as (
    -- The lines a recognition posts, summed per journal, month and rate before they are lines: at a
    -- peak week a line per charge and type is millions of rows. Every recognition posts every type
    -- (zeros too), so transaction_count is the charges (or orders) behind the line.
    select
        payout_id,
        sales_date,
        month,
        tax_rate,
        is_converted,
        count(*) as transaction_count,
        sum(-product_sales) as product_sales,
        sum(discounts) as discounts,
        sum(-shipping_income) as shipping_income,
        sum(gift_card - gift_cards_sold) as gift_card_liability,
        sum(cash) as pos_cash_clearing,
        sum(other) as other_gateway_clearing,
        sum(card - amount + owed + later) as pending_payment,
        sum(uncollected - owed) as residue
    from order_settlements
    group by all
),

order_lines as (
    select payout_id, sales_date, month, line.line_type, line.tax_rate, line.amount, transaction_count
    from (
        select payout_id, sales_date, month, transaction_count, unnest([
            {'line_type': 'product_sales', 'tax_rate': tax_rate, 'amount': product_sales},
            {'line_type': 'discounts', 'tax_rate': tax_rate, 'amount': discounts},
            {'line_type': 'shipping_income', 'tax_rate': tax_rate, 'amount': shipping_income},
            {'line_type': 'gift_card_liability', 'tax_rate': 'No tax', 'amount': gift_card_liability},
            {'line_type': 'pos_cash_clearing', 'tax_rate': 'No tax', 'amount': pos_cash_clearing},
            {'line_type': 'other_gateway_clearing', 'tax_rate': 'No tax', 'amount': other_gateway_clearing},
            {'line_type': 'pending_payment', 'tax_rate': 'No tax', 'amount': pending_payment},
            {
                'line_type': case when is_converted then 'fx_variance' else 'rounding' end,
                'tax_rate': 'No tax',
                'amount': residue
            }
        ]) as line
        from order_line_totals
    )
),

order_tax_lines as (
    -- per journal, month and rate; an order has one tax row per rate, so count(*) counts recognitions
    select
        order_values.payout_id,
        order_values.sales_date,
        order_values.month,
        order_taxes.tax_rate,
        -sum(order_taxes.tax) as amount,
        count(*) as transaction_count
    from order_values
    inner join order_taxes on order_taxes.order_id = order_values.order_id
    group by all
),

other_tender_refunds as (
    -- refunds paid back on the journal's days in cash, to a gift card or through another gateway
    select
        transaction_id,
        refund_id,
        amount,
        currency_code,
        cast(timezone('{{ shop_timezone }}', processed_at) as date) as sales_date,
        coalesce(tender_accounts.line_type, 'other_gateway_clearing') as tender_line_type
    from staging.shopify_order_transactions as transactions
    left join tender_accounts on tender_accounts.gateway = transactions.gateway
    where
        kind = 'REFUND' and status = 'SUCCESS' and refund_id is not null and transactions.gateway <> 'shopify_payments'
        and not coalesce(test, false)
        and cast(timezone('{{ shop_timezone }}', processed_at) as date)
        between date '{{ start_date }}' and date '{{ end_date }}'
),

later_payments as (
    -- a sales journal's order paid outside Shopify Payments after its day (a bank transfer arriving,
    -- cash on collection): on the journal's days, in the tender's account, out of pending payment
    select
        transactions.transaction_id,
        transactions.amount,
        transactions.currency_code,
        cast(timezone('{{ shop_timezone }}', transactions.processed_at) as date) as sales_date,
        coalesce(tender_accounts.line_type, 'other_gateway_clearing') as tender_line_type
    from staging.shopify_order_transactions as transactions
    inner join staging.shopify_orders as orders on orders.order_id = transactions.order_id
    left join tender_accounts on tender_accounts.gateway = transactions.gateway
    where
        transactions.kind in ('SALE', 'CAPTURE') and transactions.status = 'SUCCESS'
        and transactions.refund_id is null and transactions.gateway <> 'shopify_payments'
        and not coalesce(transactions.test, false) and not coalesce(orders.test, false)
        and cast(timezone('{{ shop_timezone }}', transactions.processed_at) as date)
        between date '{{ start_date }}' and date '{{ end_date }}'
        and cast(timezone('{{ shop_timezone }}', transactions.processed_at) as date) > transactions.order_created_date
        and transactions.order_id not in (select order_id from card_orders)
),

refund_payments as (
    -- Each payment of a refund back to the customer: a payout's refund balance transaction, or a
    -- refund tender outside Shopify Payments (which also credits the tender's account). refunded is
    -- positive; event_id is the balance transaction or the order transaction.
    select
        balance_transaction_id as event_id,
        payout_id,
        cast(null as date) as sales_date,
        month,
        matched_refund_id as refund_id,
        -amount as refunded,
        exponent,
        cast(null as varchar) as tender_line_type
    from transactions
    where family = 'refund'
    union all
    select
        other_tender_refunds.transaction_id,
        null,
        other_tender_refunds.sales_date,
        date_trunc('month', other_tender_refunds.sales_date),
        other_tender_refunds.refund_id,
        other_tender_refunds.amount,
        coalesce(currency_exponents.exponent, 2),
        other_tender_refunds.tender_line_type
    from other_tender_refunds
    left join currency_exponents on currency_exponents.currency_code = other_tender_refunds.currency_code
),

refund_parts as (
    select
        refund_id,
        sum(subtotal) as subtotal,
        sum(total_tax) as tax
    from staging.shopify_order_refund_line_items
    where refund_id in (select refund_id from refund_payments)
    group by refund_id
),

refund_shares as (
    -- in the currency's minor units (integers), so the pro rata share is exact: DuckDB divides
    -- decimals as doubles
    select
        refund_payments.event_id,
        refund_payments.payout_id,
        refund_payments.sales_date,
        refund_payments.month,
        refund_payments.refunded,
        refund_payments.tender_line_type,
        refund_payments.exponent,
        orders.order_id,
        cast(round(coalesce(refund_parts.tax, 0) * power(10, refund_payments.exponent)) as hugeint) as tax_units,
        cast(round(refund_payments.refunded * power(10, refund_payments.exponent)) as hugeint) as refunded_units,
        cast(round(
            (coalesce(refund_parts.subtotal, 0) + case when orders.taxes_included then 0 else coalesce(refund_parts.tax, 0) end)
            * power(10, refund_payments.exponent)
        ) as hugeint) as gross_units
    from refund_payments
    inner join staging.shopify_order_refunds as refunds on refunds.refund_id = refund_payments.refund_id
    inner join staging.shopify_orders as orders on orders.order_id = refunds.order_id
    left join refund_parts on refund_parts.refund_id = refunds.refund_id
),

refund_taxes as (
    -- output tax reversed: the refund's tax lines pro rata to the share of the refund this payment
    -- paid back, half up to the minor unit
    select
        refund_shares.event_id,
        refund_shares.payout_id,
        refund_shares.sales_date,
        refund_shares.month,
        refund_shares.refunded,
        refund_shares.tender_line_type,
        coalesce(order_tax_rates.tax_rate, 'No tax') as tax_rate,
        cast(
            case
                when refund_shares.gross_units <= 0 or refund_shares.refunded_units >= refund_shares.gross_units
                    then refund_shares.tax_units
                else (2 * refund_shares.tax_units * refund_shares.refunded_units + refund_shares.gross_units)
                    // (2 * refund_shares.gross_units)
            end as decimal(18, 2)
        ) * case refund_shares.exponent when 0 then 1.00 else 0.01 end as tax
    from refund_shares
    left join (
        select
            order_id,
            array_to_string(
                list_sort(list(title || ' ' || cast(cast(rate * 100 as decimal(9, 3)) as varchar) || '%')), ' + '
            ) as tax_rate
        from staging.shopify_order_tax_lines
        where order_id in (select order_id from refund_shares)
        group by order_id
    ) as order_tax_rates on order_tax_rates.order_id = refund_shares.order_id
),

transaction_lines as (
    -- Each branch is summed per journal (payout, or sales day), month, line and rate, with the
    -- transactions behind it; no transaction reaches one line through two branches, so the counts add up.
    -- the order a first card payment, or its sales day, recognises
    select payout_id, sales_date, month, line_type, tax_rate, amount, transaction_count from order_lines
    union all
    select payout_id, sales_date, month, 'sales_tax', tax_rate, amount, transaction_count from order_tax_lines
    union all
    -- a later payment of an order already recognised clears its pending payment
    select payout_id, null, month, 'pending_payment', 'No tax', -sum(amount), count(*)
    from transactions
    where
        family = 'charge' and is_matched
        and balance_transaction_id not in (select balance_transaction_id from recognising_charges)
    group by all
    union all
    -- refunds: output tax reversed, the rest as refunds; paid back outside Shopify Payments, the tender too
    select payout_id, sales_date, month, 'sales_tax', tax_rate, sum(tax), count(*) from refund_taxes group by all
    union all
    select payout_id, sales_date, month, 'refunds', tax_rate, sum(refunded - tax), count(*)
    from refund_taxes
    group by all
    union all
    select null, sales_date, month, tender_line_type, 'No tax', -sum(refunded), count(*)
    from refund_taxes
    where tender_line_type is not null
    group by all
    union all
    -- a sales journal's order paid after its day: its tender takes the payment from pending payment
    select null, sales_date, date_trunc('month', sales_date), tender_line_type, 'No tax', sum(amount), count(*)
    from later_payments
    group by all
    union all
    select null, sales_date, date_trunc('month', sales_date), 'pending_payment', 'No tax', -sum(amount), count(*)
    from later_payments
    group by all
    union all
    -- charges and refunds Shopify does not know: suspense until found (payout_unmatched_charge)
    select payout_id, null, month, 'suspense', 'No tax', -sum(amount), count(*)
    from transactions
    where
        (family in ('charge', 'refund') and not is_matched)
        or (
            family = 'refund' and is_matched
            and balance_transaction_id not in (select event_id from refund_taxes where payout_id is not null)
        )
    group by all
    union all
    -- payment fees of charges and refunds; a negative fee is a fee returned
    select payout_id, null, month, fee_line_type, 'No tax', sum(fee), count(*)
    from transactions
    where family in ('charge', 'refund')
    group by all
    union all
    -- everything else posts its amount to its family's line (unmapped types: suspense) and its fee to
    -- the fee line, which can be the same line (a chargeback fee): per transaction first, to count it once
    select payout_id, null, month, line_type, 'No tax', sum(amount), count(*)
    from (
        select payout_id, month, line_type, balance_transaction_id, sum(amount) as amount
        from (
            select payout_id, month, line_type, balance_transaction_id, -amount as amount
            from transactions
            where family not in ('charge', 'refund')
            union all
            select payout_id, month, fee_line_type, balance_transaction_id, fee
            from transactions
            where family not in ('charge', 'refund')
        )
        group by all
    )
    group by all
),

payouts as (
    select distinct payout_id, payout_date, payout_status, payout_net, payout_currency_code, external_trace_id
    from transactions
),

sales_journals as (
    -- a shop has one currency, which its orders and their transactions carry
    select sales_date, min(currency_code) as currency_code
    from (
        select other_tender_orders.sales_date, orders.currency_code
        from other_tender_orders
        inner join orders on orders.order_id = other_tender_orders.order_id
        union all
        select sales_date, currency_code from other_tender_refunds
        union all
        select sales_date, currency_code from later_payments
    )
    group by sales_date
),

earlier_months as (
    select transaction_lines.payout_id, transaction_lines.month, sum(transaction_lines.amount) as amount
    from transaction_lines
    inner join payouts on payouts.payout_id = transaction_lines.payout_id
    where transaction_lines.month < date_trunc('month', payouts.payout_date)
    group by all
),

all_lines as (
    select payout_id, sales_date, month, line_type, tax_rate, amount, transaction_count from transaction_lines
    union all
    -- the payout itself: the bank (in transit until the deposit is matched) receives its net
    select payout_id, null, date_trunc('month', payout_date), 'bank', 'No tax', payout_net, 0 from payouts
    union all
    -- month-end split: an earlier month's part is balanced through the carried-forward account ...
    select payout_id, null, month, 'carried_forward', 'No tax', -amount, 0 from earlier_months
    union all
    -- ... which the payout month's part clears
    select
        earlier_months.payout_id,
        null,
        date_trunc('month', payouts.payout_date),
        'carried_forward',
        'No tax',
        earlier_months.amount,
        0
    from earlier_months
    inner join payouts on payouts.payout_id = earlier_months.payout_id
),

summarised as (
    select
        payout_id,
        sales_date,
        month,
        line_type,
        tax_rate,
        sum(amount) as amount,
        cast(sum(transaction_count) as bigint) as transaction_count
    from all_lines
    group by payout_id, sales_date, month, line_type, tax_rate
    having sum(amount) <> 0
)

select
    coalesce(payouts.payout_date, summarised.sales_date) as date,
    case
        when summarised.sales_date is not null then 'sales-' || strftime(summarised.sales_date, '%Y-%m-%d')
        else cast(payouts.payout_id as varchar) || '-' || strftime(summarised.month, '%Y-%m')
    end as journal_id,
    case
        when summarised.sales_date is not null then summarised.sales_date
        when summarised.month < date_trunc('month', payouts.payout_date)
            then cast(last_day(summarised.month) as date)
        else payouts.payout_date
    end as journal_date,
    payouts.payout_id,
    payouts.payout_status,
    case
        when summarised.sales_date is not null then 'final'
        when payouts.payout_status = 'PAID' then 'final'
        when payouts.payout_status = 'SCHEDULED' then 'provisional'
        when payouts.payout_status = 'FAILED' then 'failed'
        else lower(payouts.payout_status)
    end as journal_status,
    coalesce(payouts.payout_currency_code, sales_journals.currency_code) as currency_code,
    cast(row_number() over (
        partition by summarised.payout_id, summarised.sales_date, summarised.month
        order by
            case summarised.line_type when 'bank' then 2 when 'carried_forward' then 1 else 0 end,
            summarised.line_type,
            summarised.tax_rate
    ) as integer) as line_number,
    summarised.line_type,
    accounts.account_code,
    accounts.account_name,
    upper(summarised.line_type[1]) || replace(summarised.line_type[2:], '_', ' ')
    || case when summarised.tax_rate <> 'No tax' then ' (' || summarised.tax_rate || ')' else '' end as description,
    summarised.tax_rate,
    cast(summarised.amount as decimal(18, 2)) as amount,
    cast(greatest(summarised.amount, 0) as decimal(18, 2)) as debit,
    cast(greatest(-summarised.amount, 0) as decimal(18, 2)) as credit,
    summarised.transaction_count,
    payouts.external_trace_id as reference
from summarised
left join payouts on payouts.payout_id = summarised.payout_id
left join sales_journals on sales_journals.sales_date = summarised.sales_date
left join seeds.gl_accounts as accounts
    on accounts.line_type = case
        when summarised.line_type in ('carried_forward', 'retried_payout') then 'bank' else summarised.line_type
    end
