-- payout_matching check: the charges and refunds of $date's payouts that match no Shopify order or
-- refund, the largest first.
select payout_id, balance_transaction_id, type, amount, fee, net, currency_code, associated_order_name
from reconciliation.payout_matching
where date = cast($date as date) and not is_matched
order by abs(amount) desc, payout_id, balance_transaction_id
