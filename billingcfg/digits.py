"""Sizes of every decimal column, defined once.

SQLite keeps 15 significant digits of a decimal, so no column holds more: a
value the admin accepts reads back exactly on SQLite and on PostgreSQL.
"""

from dataclasses import dataclass
from decimal import Decimal

SQLITE_SIGNIFICANT_DIGITS = 15


@dataclass(frozen=True)
class DecimalSize:
    max_digits: int
    decimal_places: int

    def __post_init__(self):
        if self.max_digits > SQLITE_SIGNIFICANT_DIGITS:
            raise ValueError(f"{self.max_digits} digits do not read back exactly on SQLite")

    @property
    def field_kwargs(self) -> dict[str, int]:
        return {"max_digits": self.max_digits, "decimal_places": self.decimal_places}

    @property
    def largest(self) -> Decimal:
        """The largest value the column holds, e.g. 99999999999.9999."""
        whole = "9" * (self.max_digits - self.decimal_places)
        return Decimal(f"{whole or '0'}.{'9' * self.decimal_places}")

    @property
    def step(self) -> Decimal:
        """The smallest positive value the column holds, e.g. 0.0001."""
        return Decimal(1).scaleb(-self.decimal_places)


# What a customer pays for a pack or a plan: up to 99,999,999,999.9999.
OFFER_PRICE = DecimalSize(15, 4)
# A provider's price per N units, or an overage price per credit: up to 9,999,999.99999999.
UNIT_PRICE = DecimalSize(15, 8)
# The two sides of an exchange rate ("99 CNY = 1,600,000 PTS"): up to 999,999,999.999999.
FX_AMOUNT = DecimalSize(15, 6)
# Credits per N units, credits per workflow unit: up to 99,999,999,999.9999.
CREDITS = DecimalSize(15, 4)
# Units of a meter (seconds, tokens, hours): up to 99,999,999,999.9999.
QUANTITY = DecimalSize(15, 4)
# A share between 0 and 1: a probability, a target margin.
FRACTION = DecimalSize(5, 4)
# How many times a workflow step runs per unit (revision factor, calls per hour): up to 99,999.9999.
MULTIPLIER = DecimalSize(9, 4)
# The limit of an alert threshold, in money, meter units or credits.
LIMIT = DecimalSize(15, 4)
