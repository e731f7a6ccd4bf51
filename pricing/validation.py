"""What publishing checks before a draft becomes a release: every row that would
mislead a backend (a blocking error) and every margin worth a second look (a
warning), each naming its row and its rule. Pure: catalogue values in, problems out."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pricing.catalogue import Catalogue, Cost, Meter, Model, Rate
from pricing.charging import resolve_quantity
from pricing.costing import CLIFF, GRADUATED, meter_cost, tier_label
from pricing.errors import PricingError, QuantityError
from pricing.fx import Converter
from pricing.money import format_exact, format_percent, format_unit_price
from pricing.report import (
    BELOW_TARGET,
    CANNOT_PRICE,
    LOSS,
    MISSING_COST,
    NO_EXCHANGE_RATE,
    MarginReport,
    PriceRow,
    margin_report,
)

# Blocking rules; NO_EXCHANGE_RATE, and the warnings LOSS and BELOW_TARGET, are the report's flags.
RATE_WITHOUT_COST = "rate_without_cost"
TIERS = "tiers"
DEFAULT_VARIANT = "default_variant"
DEFAULT_QUANTITY = "default_quantity"
UNKNOWN_VARIANT = "unknown_variant"
UNKNOWN_METER = "unknown_meter"
WORKFLOW = "workflow"
REVENUE = "revenue"
_UNPRICEABLE = frozenset({MISSING_COST, CANNOT_PRICE, NO_EXCHANGE_RATE})


@dataclass(frozen=True, slots=True)
class Problem:
    place: str  # the row: "credit rate veo-3 / all variants / seconds", "model 'sora-2'"
    rule: str
    message: str  # names the row and says what to do, for ops staff
    blocking: bool  # True: publishing is refused; False: a warning


@dataclass(frozen=True, slots=True)
class Validation:
    problems: tuple[Problem, ...]  # errors first, then by place

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.blocking)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.blocking)

    @property
    def ok(self) -> bool:
        return not self.errors


def default_variant_problem(model_slug: str, variants: Sequence[tuple[str, bool]]) -> str | None:
    """The one "exactly one default variant" rule, on (variant slug, is default)
    pairs: None when it holds, else what is wrong and what to do."""
    defaults = [slug for slug, is_default in variants if is_default]
    if len(defaults) == 1:
        return None
    if not variants:
        return f"model '{model_slug}' has no variants; add one and mark it default"
    if not defaults:
        choices = ", ".join(slug for slug, _ in variants)
        return f"model '{model_slug}' has no default variant; mark one of: {choices}"
    return f"model '{model_slug}' has {len(defaults)} default variants ({', '.join(defaults)}); mark exactly one"


def validate_catalogue(
    catalogue: Catalogue,
    report: MarginReport | None = None,
    *,
    on: date | None = None,
    stale_after_days: int | None = None,
) -> Validation:
    """Every problem of one product's catalogue (see `Catalogue.for_product`), with exchange
    rates in force `on`; `report`, when given, must be the margin report of this catalogue
    on that day. With `stale_after_days` (and `on`), costs read longer ago are warned of."""
    if report is None:
        report = margin_report(catalogue, on=on)
    converter = Converter(catalogue.fx_rates, on=on)
    currency = catalogue.product.reporting_currency
    problems = [
        *(problem for model in catalogue.models.values() for problem in _model_problems(model, catalogue.meters)),
        *(
            problem
            for model in catalogue.models.values()
            for problem in _product_model_problems(model, catalogue.meters, converter, currency)
        ),
        *_offer_problems(catalogue, converter, currency),
        *_workflow_problems(catalogue, report),
        *_revenue_problems(catalogue, report),
        *_margin_warnings(report),
        *_stale_costs(catalogue.models.values(), on, stale_after_days),
    ]
    return _sorted(problems)


def _sorted(problems) -> Validation:
    unique = dict.fromkeys(problems)
    return Validation(tuple(sorted(unique, key=lambda p: (not p.blocking, p.place, p.rule, p.message))))


NO_PRODUCT = "no_product"
STALE_COST = "stale_cost"


def validate_products(
    catalogue: Catalogue,
    *,
    on: date | None = None,
    stale_after_days: int | None = None,
    priced: dict[str, tuple[Catalogue, MarginReport]] | None = None,
) -> Validation:
    """Every problem of a catalogue of several products: the shared tables once, each
    product's own rows and margins named by the product. `priced`: each product's
    catalogue (`Catalogue.for_product`) and margin report on `on`, when the caller has them."""
    if not catalogue.products:
        return Validation(
            (
                _error(
                    "products",
                    NO_PRODUCT,
                    "there is no product yet: add one (what its credit is called, its "
                    "reporting currency and target margin) before publishing",
                ),
            )
        )
    problems = [
        *(problem for model in catalogue.models.values() for problem in _model_problems(model, catalogue.meters)),
        *_stale_costs(catalogue.models.values(), on, stale_after_days),
    ]
    shared = set(problems)
    for slug, product in catalogue.products.items():
        narrowed, report = (priced or {}).get(slug) or (catalogue.for_product(slug), None)
        for problem in validate_catalogue(narrowed, report, on=on).problems:
            if problem not in shared:
                problems.append(_in_product(product, problem))
    return _sorted(problems)


def _in_product(product, problem: Problem) -> Problem:
    label = f"product '{product.slug}'"
    return Problem(
        place=f"{label}, {problem.place}",
        rule=problem.rule,
        message=f"{label}: {problem.message}",
        blocking=problem.blocking,
    )


def _stale_costs(models, on: date | None, days: int | None):
    """A cost whose as-of date is more than `days` before `on`: its supplier may have moved."""
    if on is None or days is None:
        return
    for model in models:
        for cost in model.costs:
            if cost.as_of is not None and (on - cost.as_of).days > days:
                place = _cost_place(model, cost)
                yield Problem(
                    place,
                    STALE_COST,
                    f"{place}: read as of {cost.as_of.isoformat()}, {(on - cost.as_of).days} days ago (older than "
                    f"{days} days); check {model.cost_supplier(cost)}'s current price",
                    False,
                )


def _error(place: str, rule: str, message: str) -> Problem:
    return Problem(place=place, rule=rule, message=message, blocking=True)


def _row_place(kind: str, model: str, variant: str | None, meter: str, tier: str = "") -> str:
    return f"{kind} {model} / {variant or 'all variants'} / {meter}" + (f", {tier}" if tier else "")


def _cost_place(model: Model, cost: Cost) -> str:
    tier = tier_label(cost)
    return _row_place("provider cost", model.slug, cost.variant, cost.meter, f"from {model.cost_supplier(cost)}") + (
        f", {tier}" if tier else ""
    )


def _rate_place(model: Model, rate: Rate) -> str:
    return _row_place("credit rate", model.slug, rate.variant, rate.meter)


def _model_problems(model: Model, meters: dict[str, Meter]):
    """The model's own rows: variants, meters, tiers (the same for every product)."""
    variants = [variant.slug for variant in model.variants]
    message = default_variant_problem(model.slug, [(variant.slug, variant.is_default) for variant in model.variants])
    if message:
        yield _error(f"model '{model.slug}'", DEFAULT_VARIANT, message)
    for place, row in [
        *((_cost_place(model, cost), cost) for cost in model.costs),
        *((_rate_place(model, rate), rate) for rate in model.rates),
    ]:
        if row.variant is not None and row.variant not in variants:
            yield _error(
                place,
                UNKNOWN_VARIANT,
                f"{place}: model '{model.slug}' has no variant '{row.variant}'; "
                f"its variants are: {', '.join(variants) or 'none'}",
            )
        if row.meter not in meters:
            yield _error(place, UNKNOWN_METER, f"{place}: there is no meter '{row.meter}'")
    groups: dict[tuple[str | None, str, str], list[Cost]] = {}
    for cost in model.costs:
        groups.setdefault((cost.variant, cost.meter, model.cost_supplier(cost)), []).append(cost)
    for (variant, meter, supplier), rows in groups.items():
        place = _row_place("provider cost", model.slug, variant, meter, f"from {supplier}")
        message = _tiers_problem(tuple(rows), place)
        if message:
            yield _error(place, TIERS, message)


def _product_model_problems(model: Model, meters: dict[str, Meter], converter: Converter, currency: str):
    """What a product's reading of a model needs: its costs in the product's currency, its rates costed."""
    for cost in model.costs:
        if not converter.can_convert(cost.currency, currency):
            place = _cost_place(model, cost)
            yield _error(
                place,
                NO_EXCHANGE_RATE,
                f"{place}: priced in {cost.currency}, but there is no exchange rate "
                f"{cost.currency} → {currency} (the reporting currency); add one",
            )
    if model.active:
        for rate in model.rates:
            if rate.active:
                yield from _rate_problems(model, rate, meters.get(rate.meter))


def _tiers_problem(rows: tuple[Cost, ...], place: str) -> str | None:
    """Why the base price and tiers of one (variant, meter) cannot be read, or None."""
    try:
        # Pricing nothing runs the engine's own checks: one base row, one tier mode, one currency.
        meter_cost(rows, Decimal(0), {}, place)
    except PricingError as problem:
        return str(problem)
    for row in rows:
        if row.tier_threshold is None and (row.tier_mode or row.tier_meter):
            return f"{place}: the base price has a tier mode or tier meter but no threshold; clear them or set one"
        if row.tier_threshold is not None and (row.tier_threshold <= 0 or row.tier_mode not in (CLIFF, GRADUATED)):
            return (
                f"{place}: the tier above {format_exact(row.tier_threshold)} needs a threshold above 0 "
                f"and a mode (cliff or graduated)"
            )
    repeated = sorted(
        threshold
        for threshold, count in Counter(row.tier_threshold for row in rows if row.tier_threshold is not None).items()
        if count > 1
    )
    if repeated:
        return f"{place}: two tiers start above {format_exact(repeated[0])}; keep one price per threshold"
    return None


def _rate_problems(model: Model, rate: Rate, meter: Meter | None):
    place = _rate_place(model, rate)
    # The variants this rate charges (a variant's own rate overrides an all-variants one) that have no cost.
    supplier = rate.supplier or model.supplier
    bare = [
        variant.slug
        for variant in model.variants
        if model.rate_for(variant.slug, rate.meter) is rate and not model.costs_for(variant.slug, rate.meter, supplier)
    ]
    if bare:
        yield _error(
            place,
            RATE_WITHOUT_COST,
            f"{place}: charges credits for {rate.meter} on {', '.join(bare)}, but no provider cost from "
            f"{supplier} for {rate.meter} is known there, so that usage would cost 0; add the cost, cost the "
            f"rate on another supplier, or deactivate the rate",
        )
    if meter is not None and rate.default_quantity is not None:
        try:
            resolve_quantity(rate, meter, rate.default_quantity, f"{place}, default quantity")
        except QuantityError as problem:
            yield _error(place, DEFAULT_QUANTITY, str(problem))


def _offer_problems(catalogue: Catalogue, converter: Converter, currency: str):
    for offer in catalogue.offers:
        if offer.active and not converter.can_convert(offer.currency, currency):
            place = f"{'credit pack' if offer.kind == 'pack' else 'subscription plan'} '{offer.slug}'"
            yield _error(
                place,
                NO_EXCHANGE_RATE,
                f"{place}: priced in {offer.currency}, but there is no exchange rate "
                f"{offer.currency} → {currency} (the reporting currency); add one",
            )


def _workflow_problems(catalogue: Catalogue, report: MarginReport):
    for slug, workflow in catalogue.workflows.items():
        found = report.workflows.get(slug)
        if workflow.active and found is not None and _UNPRICEABLE & set(found.flags):
            for problem in found.problems:
                yield _error(f"workflow '{slug}'", WORKFLOW, f"{problem}; the workflow cannot be priced")


def _has_basis(report: MarginReport) -> bool:
    return report.revenue.basis is not None and report.revenue.basis > 0


def _revenue_problems(catalogue: Catalogue, report: MarginReport):
    revenue = report.revenue
    sells = any(rate.active for model in catalogue.models.values() for rate in model.rates) or any(
        flow.active and flow.credits_per_unit is not None for flow in catalogue.workflows.values()
    )
    if _has_basis(report) or not sells:
        return  # a product that sells nothing in credits (costs only) judges no margin
    if revenue.basis_name == "fixed":
        reason = "the revenue basis is fixed, but no fixed revenue per credit above 0 is set"
    else:
        reason = (
            f"the revenue basis is the {revenue.basis_name} price per credit, "
            f"but no active offer with a price above 0 and an exchange rate sets one"
        )
    yield _error("revenue per credit", REVENUE, f"revenue per credit: {reason}; no margin can be judged")


def _margin_warnings(report: MarginReport):
    """Loss at the lowest revenue per credit; below target at the basis, when there is one."""
    basis = (
        f"the {report.revenue.basis_name} revenue per credit "
        f"({format_unit_price(report.revenue.basis)} {report.reporting_currency})"
        if _has_basis(report)
        else ""
    )
    target = target_text(report.product) if report.product else format_percent(report.target_gross_margin)
    credits = report.product.credit_name if report.product else "credits"
    for model_report in report.models.values():
        if not model_report.model.active:
            continue
        for row in model_report.rows:
            place = _row_place("price", row.model, row.variant, row.meter, row.tier)
            at_basis = f"gross margin {_margin(row, 'basis')} at {basis}"
            if LOSS in row.flags:
                loss = f"{place}: loses money at the lowest revenue per credit (gross margin {_margin(row, 'lowest')})"
                yield Problem(place, LOSS, loss + (f"; {at_basis}" if basis else ""), False)
            elif BELOW_TARGET in row.flags and basis:
                units = "unit" if row.per_units == 1 else f"{row.per_units:,} units"
                suggested = (
                    f"; {row.suggested_credits} {credits} per {units} of {row.meter} would reach it"
                    if row.suggested_credits
                    else ""
                )
                yield Problem(place, BELOW_TARGET, f"{place}: {at_basis}, below the {target} target{suggested}", False)


def target_text(product) -> str:
    """A product's target as ops read it: "75.0%", or the range "40.0%–50.0%"."""
    low = format_percent(product.target_gross_margin)
    high = product.target_gross_margin_high
    return low if high is None else f"{low}–{format_percent(high)}"


def _margin(row: PriceRow, at: str) -> str:
    """The gross margin at the cost band's high end, as a percent."""
    band = getattr(row, f"at_{at}")
    margin = band.worst.gross_margin if band is not None else None
    return "unknown" if margin is None else format_percent(margin)
