"""What we charge for a usage, in credits: by the credit rate, whole credits
rounded up, never below the minimum charge, within the allowed quantities and
bounds; a meter with no quantity is charged its default quantity."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.catalogue import Meter, Model, Rate
from pricing.errors import PricingError, QuantityError
from pricing.money import format_exact, whole_up
from pricing.quantities import format_quantity_list


@dataclass(frozen=True, slots=True)
class CreditLine:
    meter: str
    quantity: Decimal
    credits: Decimal  # exact: quantity × credits / per_units, raised to the minimum charge
    defaulted: bool = False  # the request named no quantity: the rate's default was charged


@dataclass(frozen=True, slots=True)
class UsageCredits:
    model: str
    variant: str
    lines: tuple[CreditLine, ...]

    @property
    def exact(self) -> Decimal:
        return sum((line.credits for line in self.lines), Decimal(0))

    @property
    def credits(self) -> int:
        """Whole credits charged: the exact sum rounded up, once."""
        return whole_up(self.exact)


def resolve_quantity(rate: Rate, meter: Meter, quantity: Decimal | None, place: str) -> tuple[Decimal, bool]:
    """The quantity to charge and whether it is the default; QuantityError saying what is allowed."""
    defaulted = quantity is None
    if defaulted:
        if rate.default_quantity is None:
            raise QuantityError(meter.slug, f"{place}: a quantity of {meter.name.lower()} is required")
        quantity = rate.default_quantity
    if not quantity.is_finite() or quantity <= 0:
        raise QuantityError(meter.slug, f"{place}: the quantity must be above 0, got {quantity}")
    if meter.whole_units and quantity != quantity.to_integral_value():
        raise QuantityError(meter.slug, f"{place}: {meter.name.lower()} are counted in whole units, got {quantity}")
    if rate.allowed_quantities and quantity not in rate.allowed_quantities:
        raise QuantityError(
            meter.slug,
            f"{place}: {format_exact(quantity)} is not allowed; allowed quantities are "
            f"{format_quantity_list(rate.allowed_quantities)}",
        )
    if rate.min_quantity is not None and quantity < rate.min_quantity:
        raise QuantityError(
            meter.slug, f"{place}: {format_exact(quantity)} is below the minimum of {format_exact(rate.min_quantity)}"
        )
    if rate.max_quantity is not None and quantity > rate.max_quantity:
        raise QuantityError(
            meter.slug, f"{place}: {format_exact(quantity)} is above the maximum of {format_exact(rate.max_quantity)}"
        )
    return quantity, defaulted


def credits_at_rate(rate: Rate, quantity: Decimal) -> Decimal:
    """Exact credits for `quantity` units at `rate`, before any minimum charge."""
    return quantity * rate.credits / rate.per_units


def rate_credits(rate: Rate, quantity: Decimal) -> Decimal:
    """Exact credits for `quantity` units at `rate`, raised to its minimum charge."""
    return max(credits_at_rate(rate, quantity), Decimal(rate.minimum_charge))


def usage_credits(
    model: Model, variant: str | None, usage: Mapping[str, Decimal | None], meters: Mapping[str, Meter]
) -> UsageCredits:
    """Credits for one request on a model's variant. `usage` maps meters to
    quantities; a charged meter absent from it (or given None) takes the rate's
    default quantity. Naming a meter the model does not charge is an error."""
    chosen = model.variant(variant).slug
    place = f"{model.slug} / {chosen}"
    charged = model.charged_meters(chosen)
    if not charged:
        raise PricingError(f"{place}: no credit rate; this model variant is not sold")
    for meter in usage:
        if meter not in charged:
            raise QuantityError(meter, f"{place}: {meter} is not charged; charged meters are {', '.join(charged)}")
    lines = []
    for meter in charged:
        rate = model.rate_for(chosen, meter)
        quantity, defaulted = resolve_quantity(rate, meters[meter], usage.get(meter), f"{place} / {meter}")
        lines.append(
            CreditLine(meter=meter, quantity=quantity, credits=rate_credits(rate, quantity), defaulted=defaulted)
        )
    return UsageCredits(model=model.slug, variant=chosen, lines=tuple(lines))
