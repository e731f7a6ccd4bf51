"""Exchange rates as plain values. An exchange rate is stored as two amounts
("99 CNY = 1,600,000 PTS") so that a conversion quoted that way stays exact."""

from decimal import Decimal


def rate_from_amounts(*, from_amount: Decimal, to_amount: Decimal) -> Decimal:
    """Units of the target currency for one unit of the source currency."""
    if from_amount <= 0 or to_amount <= 0:
        raise ValueError("both sides of an exchange rate must be positive")
    return to_amount / from_amount
