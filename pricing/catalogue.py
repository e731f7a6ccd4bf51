"""The configuration as plain, frozen values keyed by slug: what the pure
pricing modules read. Built from the draft tables or from a release's document
by `billingcfg.releases.document`; no ORM here."""

from dataclasses import dataclass, field, replace
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
class Product:
    """An app that sells its own credit: margins are judged in its reporting currency,
    at its revenue per credit, against its target (a figure, or a range from
    `target_gross_margin` to `target_gross_margin_high`)."""

    reporting_currency: str
    target_gross_margin: Decimal
    revenue_basis: str  # lowest | mean | highest | fixed
    fixed_revenue_per_credit: Decimal | None = None
    target_gross_margin_high: Decimal | None = None
    slug: str = "default"
    name: str = ""
    credit_name: str = "credits"
    is_default: bool = False

    def below_target(self, margin: Decimal | None) -> bool:
        return margin is None or margin < self.target_gross_margin

    def above_target(self, margin: Decimal | None) -> bool:
        """Above a target range's high end: more than the product means to earn (a figure has no high end)."""
        return (
            margin is not None and self.target_gross_margin_high is not None and margin > self.target_gross_margin_high
        )


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
    product: str = "default"


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
    product: str = "default"


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
    """A supplier's price per `per_units` units of `meter`; a tier applies above
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
    supplier: str | None = None  # None: the model's primary supplier
    as_of: date | None = None
    negotiated: bool = False

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
    product: str = "default"
    supplier: str | None = None  # None: the model's primary supplier


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
    primary_supplier: str | None = None  # None: the provider

    @property
    def supplier(self) -> str:
        """Who a rate or step that names no supplier is costed on."""
        return self.primary_supplier or self.provider

    @property
    def suppliers(self) -> tuple[str, ...]:
        """Every supplier with a cost for the model, the primary one first."""
        return _ordered((self.supplier, *(self.cost_supplier(cost) for cost in self.costs)))

    def cost_supplier(self, cost: "Cost") -> str:
        return cost.supplier or self.supplier

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

    def costs_for(self, variant: str, meter: str, supplier: str | None = None) -> tuple[Cost, ...]:
        """The cost rows (base and tiers) of `supplier` (default: the primary one) priced
        on `meter` for `variant`: the variant's own rows when it has any for the meter,
        else the all-variants rows."""
        supplier = supplier or self.supplier
        rows = [cost for cost in self.costs if cost.meter == meter and self.cost_supplier(cost) == supplier]
        own = tuple(cost for cost in rows if cost.variant == variant)
        if own:
            return own
        return tuple(cost for cost in rows if cost.variant is None)

    def rate_for(self, variant: str, meter: str) -> Rate | None:
        """The active credit rate on `meter` for `variant` (its own, else the all-variants one)."""
        active = [rate for rate in self.rates if rate.active and rate.meter == meter]
        own = next((rate for rate in active if rate.variant == variant), None)
        return own or next((rate for rate in active if rate.variant is None), None)

    def costed_meters(self, variant: str, supplier: str | None = None) -> tuple[str, ...]:
        supplier = supplier or self.supplier
        return _ordered(
            cost.meter
            for cost in self.costs
            if cost.variant in (None, variant) and self.cost_supplier(cost) == supplier
        )

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
    supplier: str | None = None  # None: the model's primary supplier


@dataclass(frozen=True, slots=True)
class Workflow:
    slug: str
    name: str
    unit_label: str
    steps: tuple[Step, ...]
    credits_per_unit: Decimal | None = None  # None: internal, costed not sold
    active: bool = True
    product: str = "default"


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
    product: str = "default"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Shared tables (currencies, meters, models and their costs) and products' rows.
    `product` is the product whose margins the catalogue is judged for; a catalogue
    of several products is narrowed to one with `for_product` before it is priced."""

    product: Product
    fx_rates: tuple[FxRate, ...] = ()
    offers: tuple[Offer, ...] = ()
    plans: tuple[Plan, ...] = ()
    meters: dict[str, Meter] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    workflows: dict[str, Workflow] = field(default_factory=dict)
    thresholds: tuple[Threshold, ...] = ()
    products: dict[str, Product] = field(default_factory=dict)

    def for_product(self, slug: str) -> "Catalogue":
        """The catalogue one product reads: its offers, plans, workflows and thresholds, and
        the models it sells or uses, each with only its own credit rates and the costs of
        the suppliers it buys from. KeyError naming the products when there is no such product."""
        product = self.products.get(slug)
        if product is None:
            raise KeyError(f"no product '{slug}'; products are: {', '.join(self.products) or 'none'}")
        workflows = {key: flow for key, flow in self.workflows.items() if flow.product == slug}
        thresholds = tuple(threshold for threshold in self.thresholds if threshold.product == slug)
        usage = self.product_usage(slug)
        return replace(
            self,
            product=product,
            offers=tuple(offer for offer in self.offers if offer.product == slug),
            plans=tuple(plan for plan in self.plans if plan.product == slug),
            models={
                key: replace(
                    model,
                    rates=tuple(rate for rate in model.rates if rate.product == slug),
                    costs=tuple(cost for cost in model.costs if model.cost_supplier(cost) in usage[key]),
                    primary_supplier=primary_within(model.supplier, usage[key], model.primary_supplier),
                )
                for key, model in self.models.items()
                if key in usage
            },
            workflows=workflows,
            thresholds=thresholds,
        )

    def product_usage(self, slug: str) -> dict[str, frozenset[str]]:
        """The models a product sells (a credit rate of its own) or uses (a step of its
        workflows, a threshold's model or fallback), each with the suppliers it is costed on."""
        used: dict[str, set[str]] = {}
        for key, model in self.models.items():
            for rate in model.rates:
                if rate.product == slug:
                    used.setdefault(key, set()).add(rate.supplier or model.supplier)
        for workflow in self.workflows.values():
            if workflow.product != slug:
                continue
            for step in workflow.steps:
                model = self.models.get(step.model)
                if model is not None:
                    used.setdefault(step.model, set()).add(step.supplier or model.supplier)
        for threshold in self.thresholds:
            if threshold.product == slug:
                for name in (threshold.model, *(model for _, model in threshold.actions)):
                    if name in self.models:
                        used.setdefault(name, set())
        return {key: frozenset(suppliers) for key, suppliers in used.items()}


def primary_within(primary: str, suppliers: frozenset[str], stated: str | None) -> str | None:
    """A model's primary supplier as one product reads it: a product that buys the model
    from one supplier only, not the primary one, reads that supplier as primary (its
    unsold meters and default requests are costed there); otherwise `stated` stands."""
    if primary not in suppliers and len(suppliers) == 1:
        return next(iter(suppliers))
    return stated
