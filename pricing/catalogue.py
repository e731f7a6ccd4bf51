"""The configuration as plain, frozen values keyed by slug: what the pure
pricing modules read. Built from the draft tables or from a release's document
by `billingcfg.releases.document`; no ORM here."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FxRate:
    """`from_amount` of one currency buys `to_amount` of another, as of a date."""

    from_currency: str
    to_currency: str
    from_amount: Decimal
    to_amount: Decimal
    as_of: date


@dataclass(frozen=True, slots=True)
class Policy:
    reporting_currency: str
    target_gross_margin: Decimal
    revenue_basis: str  # lowest | mean | highest | fixed
    fixed_revenue_per_credit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """A credit pack or a subscription plan: `price` in `currency` grants `credits` (bonus included)."""

    kind: str  # pack | plan
    slug: str
    name: str
    price: Decimal
    currency: str
    credits: int
    active: bool = True


@dataclass(frozen=True, slots=True)
class Plan:
    slug: str
    name: str
    price: Decimal
    currency: str
    interval: str
    credits_per_interval: int
    overage_price_per_credit: Decimal | None = None
    usage_workflow: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Meter:
    slug: str
    name: str
    unit: str
    whole_units: bool = False


@dataclass(frozen=True, slots=True)
class Variant:
    slug: str
    name: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class Cost:
    """The provider's price per `per_units` units of `meter`; a tier applies above
    `tier_threshold` units of `tier_meter` (default: the priced meter) per request."""

    meter: str
    price: Decimal
    currency: str
    per_units: int = 1
    variant: str | None = None  # None: every variant
    price_high: Decimal | None = None
    tier_threshold: Decimal | None = None
    tier_mode: str = ""  # cliff | graduated, with a threshold
    tier_meter: str | None = None

    @property
    def high(self) -> Decimal:
        return self.price if self.price_high is None else self.price_high


@dataclass(frozen=True, slots=True)
class Rate:
    """We charge `credits` per `per_units` units of `meter`."""

    meter: str
    credits: Decimal
    per_units: int = 1
    variant: str | None = None  # None: every variant
    minimum_charge: int = 0
    allowed_quantities: tuple[Decimal, ...] = ()
    min_quantity: Decimal | None = None
    max_quantity: Decimal | None = None
    default_quantity: Decimal | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Model:
    slug: str
    name: str
    provider: str
    modality: str
    variants: tuple[Variant, ...]
    costs: tuple[Cost, ...] = ()
    rates: tuple[Rate, ...] = ()
    active: bool = True

    @property
    def default_variant(self) -> Variant | None:
        return next((variant for variant in self.variants if variant.is_default), None)

    def variant(self, slug: str | None) -> Variant:
        """The named variant, or the default one; KeyError naming the choices otherwise."""
        if slug is None:
            found = self.default_variant
            if found is None:
                raise KeyError(f"model '{self.slug}' has no default variant")
            return found
        for variant in self.variants:
            if variant.slug == slug:
                return variant
        choices = ", ".join(variant.slug for variant in self.variants)
        raise KeyError(f"model '{self.slug}' has no variant '{slug}'; its variants are: {choices}")

    def costs_for(self, variant: str, meter: str) -> tuple[Cost, ...]:
        """The cost rows (base and tiers) priced on `meter` for `variant`: the
        variant's own rows when it has any for the meter, else the all-variants rows."""
        own = tuple(cost for cost in self.costs if cost.meter == meter and cost.variant == variant)
        if own:
            return own
        return tuple(cost for cost in self.costs if cost.meter == meter and cost.variant is None)

    def rate_for(self, variant: str, meter: str) -> Rate | None:
        """The active credit rate on `meter` for `variant` (its own, else the all-variants one)."""
        active = [rate for rate in self.rates if rate.active and rate.meter == meter]
        own = next((rate for rate in active if rate.variant == variant), None)
        return own or next((rate for rate in active if rate.variant is None), None)

    def costed_meters(self, variant: str) -> tuple[str, ...]:
        return _ordered(cost.meter for cost in self.costs if cost.variant in (None, variant))

    def charged_meters(self, variant: str) -> tuple[str, ...]:
        return _ordered(rate.meter for rate in self.rates if rate.active and rate.variant in (None, variant))


def _ordered(items) -> tuple:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True, slots=True)
class Step:
    """Per unit of a workflow: `quantity` units of `meter` on `model`, run with
    `probability`, `multiplier` times."""

    label: str
    model: str
    meter: str
    quantity: Decimal
    variant: str | None = None  # None: the model's default variant
    probability: Decimal = Decimal(1)
    multiplier: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class Workflow:
    slug: str
    name: str
    unit_label: str
    steps: tuple[Step, ...]
    credits_per_unit: Decimal | None = None  # None: internal, costed not sold
    active: bool = True


@dataclass(frozen=True, slots=True)
class Threshold:
    slug: str
    name: str
    scope: str  # system | provider | model | plan | user
    metric: str  # money | meter | credits
    window: str  # hour | day | month
    limit: Decimal
    actions: tuple[tuple[str, str | None], ...] = ()  # (action, switch-to model slug)
    provider: str | None = None
    model: str | None = None
    plan: str | None = None
    tier: str = ""
    currency: str | None = None
    meter: str | None = None
    active: bool = True
    sort_order: int = 0


@dataclass(frozen=True, slots=True)
class Catalogue:
    policy: Policy
    fx_rates: tuple[FxRate, ...] = ()
    offers: tuple[Offer, ...] = ()
    plans: tuple[Plan, ...] = ()
    meters: dict[str, Meter] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    workflows: dict[str, Workflow] = field(default_factory=dict)
    thresholds: tuple[Threshold, ...] = ()
