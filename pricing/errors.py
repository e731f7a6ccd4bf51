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
