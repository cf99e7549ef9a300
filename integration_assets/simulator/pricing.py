"""Prices, taxes, discounts and currency conversion for simulated orders.

The shop is a UK merchant (GBP, VAT-inclusive prices). Markets decide the presentment currency and
whether taxes are included: GB and EU orders carry VAT inside the price, US and JP orders add tax on
top, as Shopify does for a shop that includes or excludes tax by country.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from integration_assets.simulator.world import MoneyBag, TaxLine, quantize

UK_VAT = Decimal("0.20")


@dataclass(frozen=True)
class Market:
    country_code: str
    currency: str
    fx_rate: Decimal  # presentment units per GBP
    taxes_included: bool
    taxes: tuple[tuple[str, Decimal], ...]
    shipping: Decimal  # GBP, before tax treatment


MARKETS: dict[str, Market] = {
    "GB": Market("GB", "GBP", Decimal("1"), True, (("GB VAT", Decimal("0.20")),), Decimal("3.95")),
    "IE": Market("IE", "EUR", Decimal("1.1534"), True, (("IE VAT", Decimal("0.23")),), Decimal("7.95")),
    "DE": Market("DE", "EUR", Decimal("1.1534"), True, (("DE MwSt", Decimal("0.19")),), Decimal("7.95")),
    "US": Market(
        "US",
        "USD",
        Decimal("1.2687"),
        False,
        (("NY State Tax", Decimal("0.04")), ("New York City Tax", Decimal("0.045"))),
        Decimal("9.95"),
    ),
    "JP": Market(
        "JP",
        "JPY",
        Decimal("191.37"),
        False,
        (("JP Consumption Tax", Decimal("0.10")),),
        Decimal("12.95"),
    ),
}


def shop_unit_price(catalog_price: Decimal, market: Market) -> Decimal:
    """Catalogue prices include UK VAT; tax-exclusive markets see the net price."""
    if market.taxes_included:
        return catalog_price
    return quantize(catalog_price / (1 + UK_VAT), "GBP")


def bag(shop_amount: Decimal, market: Market) -> MoneyBag:
    """Shop money and its presentment conversion (rounded in the presentment currency)."""
    return MoneyBag(quantize(shop_amount, "GBP"), quantize(shop_amount * market.fx_rate, market.currency))


def tax_lines_for(amount: MoneyBag, market: Market) -> list[TaxLine]:
    """Tax on an amount (after discounts): backed out when included, added on top otherwise."""
    lines = []
    total_rate = sum((rate for _, rate in market.taxes), Decimal(0))
    for title, rate in market.taxes:
        if market.taxes_included:
            shop = amount.shop * rate / (1 + total_rate)
            presentment = amount.presentment * rate / (1 + total_rate)
        else:
            shop = amount.shop * rate
            presentment = amount.presentment * rate
        lines.append(TaxLine(title, rate, MoneyBag(quantize(shop, "GBP"), quantize(presentment, market.currency))))
    return lines


def card_fee(amount_gbp: Decimal, online: bool, converted: bool) -> Decimal:
    """Shopify Payments UK processing fee; the currency conversion fee applies at capture only."""
    rate = Decimal("0.020") if online else Decimal("0.017")
    fixed = Decimal("0.25") if online else Decimal("0")
    if converted:
        rate += Decimal("0.020")
    return quantize(abs(amount_gbp) * rate + fixed, "GBP")
