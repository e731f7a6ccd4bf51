"""Errors of the pure pricing modules: each names the place and the rule."""


class PricingError(ValueError):
    """A usage or configuration the engine cannot price; the message says where and why."""


class MissingCost(PricingError):
    """A meter is used or charged, but the provider's price for it is unknown: never priced at zero."""


class QuantityError(PricingError):
    """A requested quantity is zero, negative, out of bounds or not one of the allowed ones."""

    def __init__(self, meter: str, message: str):
        self.meter = meter
        super().__init__(message)


class UnknownName(PricingError):
    """A model, variant or workflow the catalogue does not have (or does not sell)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class MissingExchangeRate(LookupError):
    """Two currencies without an exchange rate between them: never converted at 1.0."""

    def __init__(self, from_currency: str, to_currency: str):
        self.from_currency = from_currency
        self.to_currency = to_currency
        super().__init__(f"no exchange rate from {from_currency} to {to_currency}")

    @property
    def pair(self) -> str:
        return f"{self.from_currency} → {self.to_currency}"
