-- materialized: table
-- How each Shopify Payments balance-transaction type posts to the ledger: its family, the journal
-- line its amount goes to, and the line its fee goes to (line types are seeds.gl_accounts rows).
-- A type not listed here is `unmapped`: it posts to suspense and is an exception, never dropped.
-- The list follows api-notes/payouts-ledger.md 1.2 (GraphQL ShopifyPaymentsTransactionType).
-- column type: a Shopify Payments balance-transaction type, upper case (GraphQL ShopifyPaymentsTransactionType)
-- column family: its ledger family: charge, refund, dispute, reserve, tax, adjustment, payout_failure or payout
-- column line_type: the journal line its amount posts to (order, refund: split into sales, tax...); null for TRANSFER
-- column fee_line_type: the journal line its fee posts to; null for TRANSFER (the payout itself, no fee)
select
    mapping.type,
    mapping.family,
    mapping.line_type,
    mapping.fee_line_type
from (
    values
        ('CHARGE', 'charge', 'order', 'payment_fees'),
        ('REFUND', 'refund', 'refund', 'payment_fees'),
        ('DISPUTE_WITHDRAWAL', 'dispute', 'chargebacks', 'chargeback_fees'),
        ('DISPUTE_REVERSAL', 'dispute', 'chargebacks', 'chargeback_fees'),
        ('CHARGEBACK_HOLD', 'dispute', 'chargebacks', 'chargeback_fees'),
        ('CHARGEBACK_HOLD_RELEASE', 'dispute', 'chargebacks', 'chargeback_fees'),
        ('CHARGEBACK_FEE', 'dispute', 'chargeback_fees', 'chargeback_fees'),
        ('CHARGEBACK_FEE_REFUND', 'dispute', 'chargeback_fees', 'chargeback_fees'),
        ('RESERVED_FUNDS', 'reserve', 'reserve', 'payment_fees'),
        ('RESERVED_FUNDS_REVERSAL', 'reserve', 'reserve', 'payment_fees'),
        ('RESERVED_FUNDS_WITHDRAWAL', 'reserve', 'reserve', 'payment_fees'),
        ('RISK_WITHDRAWAL', 'reserve', 'reserve', 'payment_fees'),
        ('RISK_REVERSAL', 'reserve', 'reserve', 'payment_fees'),
        ('TAX_ADJUSTMENT_DEBIT', 'tax', 'marketplace_tax', 'payment_fees'),
        ('TAX_ADJUSTMENT_CREDIT', 'tax', 'marketplace_tax', 'payment_fees'),
        ('TAX_ADJUSTMENT_DEBIT_REVERSAL', 'tax', 'marketplace_tax', 'payment_fees'),
        ('TAX_ADJUSTMENT_CREDIT_REVERSAL', 'tax', 'marketplace_tax', 'payment_fees'),
        ('ADJUSTMENT', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('CHARGE_ADJUSTMENT', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('REFUND_ADJUSTMENT', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('REFUND_FAILURE', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('BILLING_DEBIT', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('SHIPPING_LABEL', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('SHIPPING_LABEL_ADJUSTMENT', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('SHIPPING_LABEL_ADJUSTMENT_BASE', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('SHIPPING_LABEL_ADJUSTMENT_SURCHARGE', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('SHIPPING_RETURN_TO_ORIGIN_ADJUSTMENT', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('APPLICATION_FEE_REFUND', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('STRIPE_FEE', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('ACH_BANK_FAILURE_DEBIT_FEE', 'adjustment', 'other_adjustments', 'payment_fees'),
        ('TRANSFER_FAILURE', 'payout_failure', 'retried_payout', 'payment_fees'),
        ('TRANSFER_CANCEL', 'payout_failure', 'retried_payout', 'payment_fees'),
        ('TRANSFER_REFUND', 'payout_failure', 'retried_payout', 'payment_fees'),
        ('TRANSFER', 'payout', null, null)
) as mapping (type, family, line_type, fee_line_type)
