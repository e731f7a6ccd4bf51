"""What a usage of a model costs us: quantities per meter × the provider's unit
prices, with tiers (cliff and graduated) and price bands carried through as a
range. Pure: catalogue values in, Decimal bands out, unrounded."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.catalogue import Cost, Model
from pricing.errors import MissingCost, PricingError
from pricing.fx import Converter
from pricing.money import ZERO_BAND, Band, format_exact

CLIFF = "cliff"
GRADUATED = "graduated"


@dataclass(frozen=True, slots=True)
class CostLine:
    meter: str
    quantity: Decimal
    currency: str
    amount: Band
    tier: str = ""  # which price applied, when tiers exist: "above 200,000 input_tokens (cliff)"


@dataclass(frozen=True, slots=True)
class UsageCost:
    model: str
    variant: str
    lines: tuple[CostLine, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.currency for line in self.lines))

    @property
    def currency(self) -> str | None:
        """The provider's currency, when every line is priced in the same one."""
        currencies = self.currencies
        return currencies[0] if len(currencies) == 1 else None

    @property
    def total(self) -> Band:
        """The total in the provider's currency; an error when lines mix currencies."""
        if self.currency is None and self.lines:
            raise PricingError(f"{self.model}: costs in {', '.join(self.currencies)}; convert them to one currency")
        return sum((line.amount for line in self.lines), ZERO_BAND)

    def total_in(self, converter: Converter, currency: str) -> Band:
        return sum((convert_band(line.amount, converter, line.currency, currency) for line in self.lines), ZERO_BAND)


def convert_band(band: Band, converter: Converter, source: str, target: str) -> Band:
    return Band(converter.convert(band.low, source, target), converter.convert(band.high, source, target))


def tier_label(cost: Cost) -> str:
    if cost.tier_threshold is None:
        return ""
    return f"above {format_exact(cost.tier_threshold)} {cost.tier_meter or cost.meter} ({cost.tier_mode})"


def split_tiers(rows: tuple[Cost, ...], place: str) -> tuple[Cost, tuple[Cost, ...]]:
    """The base row and the tiers, ascending; an error naming `place` when there is
    no single base row or the tiers mix cliff and graduated."""
    bases = [row for row in rows if row.tier_threshold is None]
    if len(bases) != 1:
        raise PricingError(f"{place}: needs exactly one base price (a row without a tier threshold), has {len(bases)}")
    tiers = tuple(sorted((row for row in rows if row.tier_threshold is not None), key=lambda row: row.tier_threshold))
    if len({row.tier_mode for row in tiers}) > 1:
        raise PricingError(f"{place}: tiers mix cliff and graduated; use one mode per meter")
    for row in tiers:
        if row.tier_mode == GRADUATED and row.tier_meter not in (None, row.meter):
            raise PricingError(f"{place}: a graduated tier is measured on the priced meter, not on {row.tier_meter}")
    return bases[0], tiers


def row_cost(row: Cost, quantity: Decimal) -> Band:
    """`quantity` units at one cost row's price band: multiplied first, divided once."""
    return Band(quantity * row.price / row.per_units, quantity * row.high / row.per_units)


def meter_cost(
    rows: tuple[Cost, ...], quantity: Decimal, usage: Mapping[str, Decimal], place: str
) -> tuple[Band, str, str]:
    """(amount, currency, tier label) of `quantity` units priced by `rows`. A cliff
    tier prices the whole quantity once its measured meter passes the threshold;
    graduated tiers price only the units above each threshold."""
    base, tiers = split_tiers(rows, place)
    if len({row.currency for row in rows}) > 1:
        raise PricingError(f"{place}: the base price and its tiers are in different currencies")
    if not tiers or tiers[0].tier_mode == CLIFF:
        applied = base
        for tier in tiers:
            # A tier measured on another meter the usage does not state is not reached.
            if usage.get(tier.tier_meter or tier.meter, Decimal(0)) > tier.tier_threshold:
                applied = tier
        return row_cost(applied, quantity), base.currency, tier_label(applied)
    amount = ZERO_BAND
    bounds = [Decimal(0), *(tier.tier_threshold for tier in tiers)]
    rows_in_order = [base, *tiers]
    label = ""
    for index, row in enumerate(rows_in_order):
        start = bounds[index]
        end = bounds[index + 1] if index + 1 < len(bounds) else None
        if quantity <= start:
            break
        units = (quantity if end is None else min(quantity, end)) - start
        amount = amount + row_cost(row, units)
        label = tier_label(row)
    return amount, base.currency, label


def usage_cost(
    model: Model,
    variant: str | None,
    usage: Mapping[str, Decimal],
    suppliers: Mapping[str, str | None] | None = None,
) -> UsageCost:
    """The cost of one request using `usage` (units per meter) on a model's variant,
    each meter bought from its supplier in `suppliers` (default: the model's primary one)."""
    chosen = model.variant(variant).slug
    lines = []
    for meter, quantity in usage.items():
        if quantity < 0:
            raise PricingError(f"{model.slug}: a quantity of {meter} cannot be negative")
        supplier = (suppliers or {}).get(meter) or model.supplier
        rows = model.costs_for(chosen, meter, supplier)
        place = f"{model.slug} / {chosen} / {meter}"
        if not rows:
            costed = ", ".join(model.costed_meters(chosen, supplier)) or "none"
            raise MissingCost(
                f"{place}: no provider cost from {supplier} for this meter ({supplier}'s costed meters: {costed})"
            )
        amount, currency, tier = meter_cost(rows, quantity, usage, place)
        lines.append(CostLine(meter=meter, quantity=quantity, currency=currency, amount=amount, tier=tier))
    return UsageCost(model=model.slug, variant=chosen, lines=tuple(lines))
