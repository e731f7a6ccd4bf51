"""Pure pricing of offers (credit packs and subscription plans): Decimal in, Decimal out."""

from decimal import Decimal


def price_per_credit(*, price: Decimal, credits: int, bonus_credits: int = 0) -> Decimal:
    """What one credit of an offer costs the buyer. Bonus credits count: the buyer gets them."""
    granted = credits + bonus_credits
    if granted <= 0:
        raise ValueError("an offer must grant at least one credit")
    if price < 0:
        raise ValueError("an offer's price cannot be negative")
    return price / Decimal(granted)
