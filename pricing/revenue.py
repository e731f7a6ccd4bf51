"""Pure pricing of offers (credit packs and subscription plans): what a credit
earns. Decimal in, Decimal out."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pricing.catalogue import Offer, Product
from pricing.errors import MissingExchangeRate
from pricing.fx import Converter


def price_per_credit(*, price: Decimal, credits: int, bonus_credits: int = 0) -> Decimal:
    """What one credit of an offer costs the buyer. Bonus credits count: the buyer gets them."""
    granted = credits + bonus_credits
    if granted <= 0:
        raise ValueError("an offer must grant at least one credit")
    if price < 0:
        raise ValueError("an offer's price cannot be negative")
    return price / Decimal(granted)


@dataclass(frozen=True, slots=True)
class OfferRevenue:
    offer: Offer
    per_credit: Decimal  # in the offer's currency
    per_credit_reporting: Decimal | None  # None when its currency has no exchange rate


@dataclass(frozen=True, slots=True)
class RevenuePerCredit:
    """What a credit earns, in the reporting currency, over the active offers
    that are sold (free offers give credits away; they are not a price)."""

    currency: str
    offers: tuple[OfferRevenue, ...]
    lowest: Decimal | None
    mean: Decimal | None
    highest: Decimal | None
    basis_name: str
    basis: Decimal | None
    problems: tuple[str, ...] = ()

    def at(self, name: str) -> Decimal | None:
        return self.basis if name == "basis" else getattr(self, name)


def revenue_per_credit(offers: Iterable[Offer], policy: Product, converter: Converter) -> RevenuePerCredit:
    currency = policy.reporting_currency
    priced, problems = [], []
    for offer in offers:
        per_credit = price_per_credit(price=offer.price, credits=offer.credits)
        try:
            reporting = converter.convert(per_credit, offer.currency, currency)
        except MissingExchangeRate as missing:
            reporting = None
            if offer.active:
                problems.append(f"{offer.kind} '{offer.slug}': {missing}")
        priced.append(OfferRevenue(offer=offer, per_credit=per_credit, per_credit_reporting=reporting))
    sold = [
        item.per_credit_reporting
        for item in priced
        if item.offer.active and item.offer.price > 0 and item.per_credit_reporting is not None
    ]
    figures = {
        "lowest": min(sold) if sold else None,
        "mean": sum(sold, Decimal(0)) / len(sold) if sold else None,
        "highest": max(sold) if sold else None,
    }
    if policy.revenue_basis == "fixed":
        basis = policy.fixed_revenue_per_credit
    else:
        basis = figures[policy.revenue_basis]
    return RevenuePerCredit(
        currency=currency,
        offers=tuple(priced),
        basis_name=policy.revenue_basis,
        basis=basis,
        problems=tuple(problems),
        **figures,
    )
