"""The margins of the whole catalogue, computed once from plain values: every
(model, variant, meter) a price exists for, every workflow, every plan with a
usage workflow. The admin columns, the model page and the margins dashboard
all read this one report. Pure: no ORM, nothing rounded."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pricing.catalogue import Catalogue, Model, Product
from pricing.charging import credits_at_rate
from pricing.costing import convert_band, row_cost, split_tiers, tier_label
from pricing.economics import PlanEconomics, plan_economics
from pricing.errors import MissingCost, MissingExchangeRate, PricingError
from pricing.fx import Converter
from pricing.margins import MarginBand, credits_for_target
from pricing.money import Band, whole_up
from pricing.revenue import RevenuePerCredit, revenue_per_credit
from pricing.workflow_cost import WorkflowCost, workflow_cost

LOSS = "loss"
BELOW_TARGET = "below_target"
ABOVE_TARGET = "above_target"
MISSING_COST = "missing_cost"
NO_RATE = "no_rate"
NO_EXCHANGE_RATE = "no_exchange_rate"
CANNOT_PRICE = "cannot_price"
FLAG_LABELS = {
    LOSS: "Loss",
    BELOW_TARGET: "Below target",
    ABOVE_TARGET: "Above target range",
    MISSING_COST: "Missing cost",
    NO_RATE: "No credit rate",
    NO_EXCHANGE_RATE: "No exchange rate",
    CANNOT_PRICE: "Cannot price",
}
FLAG_ORDER = tuple(FLAG_LABELS)


def _flags(flags) -> tuple[str, ...]:
    """Distinct flags in their display order."""
    present = set(flags)
    return tuple(flag for flag in FLAG_ORDER if flag in present)


@dataclass(frozen=True, slots=True)
class PriceRow:
    """One priced unit: per `per_units` units of `meter` on a model's variant,
    what it costs us and what its credits earn. Margins are judged at the cost
    band's high end (`worst`) and shown at both ends."""

    model: str
    variant: str
    meter: str
    per_units: int
    tier: str = ""
    supplier: str = ""  # whose costs the row is judged on
    cost: Band | None = None  # per `per_units`, in `cost_currency`
    cost_currency: str | None = None
    cost_reporting: Band | None = None
    credits: Decimal | None = None  # per `per_units`
    revenue_lowest: Decimal | None = None
    revenue_basis: Decimal | None = None
    at_lowest: MarginBand | None = None
    at_basis: MarginBand | None = None
    suggested_credits: int | None = None  # whole credits per `per_units` reaching the target at the basis
    flags: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def charged(self) -> bool:
        return self.credits is not None


@dataclass(frozen=True, slots=True)
class ModelReport:
    model: Model
    rows: tuple[PriceRow, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        flags = {flag for row in self.rows for flag in row.flags}
        if any(row.charged for row in self.rows):
            flags.discard(NO_RATE)  # a model sold on some meters: uncharged rows keep their own flag
        return _flags(flags)

    def variant_flags(self, variant: str) -> tuple[str, ...]:
        return _flags(flag for row in self.rows if row.variant == variant for flag in row.flags)

    def worst(self, variant: str | None = None, *, at: str = "basis"):
        """The lowest gross margin (at the cost band's high end) among charged rows."""
        margins = [
            getattr(row, f"at_{at}").worst.gross_margin
            for row in self.rows
            if (variant is None or row.variant == variant) and getattr(row, f"at_{at}") is not None
        ]
        margins = [margin for margin in margins if margin is not None]
        return min(margins) if margins else None


@dataclass(frozen=True, slots=True)
class WorkflowReport:
    slug: str
    name: str
    unit_label: str
    credits_per_unit: Decimal | None
    cost: WorkflowCost | None
    revenue_lowest: Decimal | None = None
    revenue_basis: Decimal | None = None
    at_lowest: MarginBand | None = None
    at_basis: MarginBand | None = None
    flags: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanReport:
    slug: str
    name: str
    active: bool
    economics: PlanEconomics | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MarginReport:
    reporting_currency: str
    target_gross_margin: Decimal
    revenue: RevenuePerCredit
    models: dict[str, ModelReport]
    workflows: dict[str, WorkflowReport]
    plans: tuple[PlanReport, ...]
    problems: tuple[str, ...] = field(default=())
    product: Product | None = None

    @property
    def rows(self) -> tuple[PriceRow, ...]:
        return tuple(row for model in self.models.values() for row in model.rows)

    @property
    def sold(self) -> tuple[PriceRow | WorkflowReport, ...]:
        """What the product sells in credits: its charged price rows and the workflows with
        credits per unit (the coaching hour is sold by the minute)."""
        return (
            *(row for row in self.rows if row.charged),
            *(flow for flow in self.workflows.values() if flow.credits_per_unit is not None),
        )

    def worst_sold_margin(self) -> Decimal | None:
        """The lowest gross margin at the basis (at the cost band's high end) of what it sells."""
        margins = [item.at_basis.worst.gross_margin for item in self.sold if item.at_basis is not None]
        margins = [margin for margin in margins if margin is not None]
        return min(margins) if margins else None


class _Judge:
    """Judges a cost band against credits at the product's revenue per credit and target."""

    def __init__(self, revenue: RevenuePerCredit, product: Product):
        self.revenue = revenue
        self.product = product
        self.target = product.target_gross_margin

    def judge(self, credits: Decimal | None, cost: Band | None) -> dict:
        if cost is None:
            return {}
        judged: dict = {}
        flags = []
        lowest, basis = self.revenue.lowest, self.revenue.basis
        if credits is not None:
            if lowest is not None:
                judged["revenue_lowest"] = credits * lowest
                judged["at_lowest"] = MarginBand.of(credits * lowest, cost)
                if judged["at_lowest"].worst.is_loss:
                    flags.append(LOSS)
            if basis is not None:
                judged["revenue_basis"] = credits * basis
                judged["at_basis"] = MarginBand.of(credits * basis, cost)
                margin = judged["at_basis"].worst.gross_margin
                if self.product.below_target(margin):
                    flags.append(BELOW_TARGET)
                elif self.product.above_target(judged["at_basis"].best.gross_margin):
                    flags.append(ABOVE_TARGET)
        if basis:
            judged["suggested_credits"] = max(
                1,
                whole_up(credits_for_target(cost=cost.high, revenue_per_credit=basis, target_gross_margin=self.target)),
            )
        judged["flags"] = flags
        return judged


def _model_rows(model: Model, converter: Converter, currency: str, judge: _Judge) -> tuple[PriceRow, ...]:
    rows = []
    for variant in model.variants:
        meters = dict.fromkeys((*model.costed_meters(variant.slug), *model.charged_meters(variant.slug)))
        for meter in meters:
            rate = model.rate_for(variant.slug, meter)
            supplier = (rate.supplier if rate else None) or model.supplier
            costs = model.costs_for(variant.slug, meter, supplier)
            place = f"{model.slug} / {variant.slug} / {meter}"
            per_units = rate.per_units if rate else min(cost.per_units for cost in costs)
            credits = credits_at_rate(rate, Decimal(per_units)) if rate else None
            base = {
                "model": model.slug,
                "variant": variant.slug,
                "meter": meter,
                "per_units": per_units,
                "credits": credits,
                "supplier": supplier,
            }
            if not costs:
                rows.append(
                    PriceRow(
                        **base,
                        flags=(MISSING_COST,),
                        problems=(f"{place}: charged in credits but no provider cost from {supplier} is known",),
                    )
                )
                continue
            try:
                base_cost, tiers = split_tiers(costs, place)
            except PricingError as problem:
                rows.append(PriceRow(**base, flags=(CANNOT_PRICE,), problems=(str(problem),)))
                continue
            for cost_row in (base_cost, *tiers):
                cost = row_cost(cost_row, Decimal(per_units))
                row = {**base, "tier": tier_label(cost_row), "cost": cost, "cost_currency": cost_row.currency}
                flags, problems = [] if rate else [NO_RATE], []
                try:
                    reporting = convert_band(cost, converter, cost_row.currency, currency)
                except MissingExchangeRate as missing:
                    flags.append(NO_EXCHANGE_RATE)
                    problems.append(f"{place}: {missing}")
                    rows.append(PriceRow(**row, flags=_flags(flags), problems=tuple(problems)))
                    continue
                judged = judge.judge(credits, reporting)
                flags.extend(judged.pop("flags"))
                rows.append(
                    PriceRow(**row, cost_reporting=reporting, **judged, flags=_flags(flags), problems=tuple(problems))
                )
    return tuple(rows)


def _workflow_report(workflow, catalogue: Catalogue, converter: Converter, currency: str, judge: _Judge):
    common = {
        "slug": workflow.slug,
        "name": workflow.name,
        "unit_label": workflow.unit_label,
        "credits_per_unit": workflow.credits_per_unit,
    }
    try:
        cost = workflow_cost(workflow, catalogue.models, converter, currency)
    except PricingError as problem:
        cause = problem.__cause__
        if isinstance(cause, MissingExchangeRate):
            flag = NO_EXCHANGE_RATE
        elif isinstance(cause, MissingCost):
            flag = MISSING_COST
        else:
            flag = CANNOT_PRICE
        return WorkflowReport(**common, cost=None, flags=(flag,), problems=(str(problem),))
    judged = judge.judge(workflow.credits_per_unit, cost.expected)
    flags = judged.pop("flags")
    judged.pop("suggested_credits", None)
    return WorkflowReport(**common, cost=cost, flags=_flags(flags), **judged)


def _plan_report(plan, catalogue: Catalogue, workflows: dict[str, WorkflowReport], converter: Converter):
    common = {"slug": plan.slug, "name": plan.name, "active": plan.active}
    if not plan.usage_workflow:
        return PlanReport(**common, economics=None)
    workflow = workflows.get(plan.usage_workflow)
    if workflow is None or workflow.cost is None:
        reason = workflow.problems[0] if workflow else f"no workflow '{plan.usage_workflow}'"
        return PlanReport(**common, economics=None, problems=(f"plan '{plan.slug}': {reason}",))
    if workflow.credits_per_unit is None:
        return PlanReport(
            **common,
            economics=None,
            problems=(f"plan '{plan.slug}': workflow '{workflow.slug}' is internal (no credits per unit)",),
        )
    try:
        cost_per_unit = converter.convert(workflow.cost.expected.high, workflow.cost.currency, plan.currency)
    except MissingExchangeRate as missing:
        return PlanReport(**common, economics=None, problems=(f"plan '{plan.slug}': {missing}",))
    economics = plan_economics(
        plan,
        workflow=workflow.slug,
        unit_label=workflow.unit_label,
        credits_per_unit=workflow.credits_per_unit,
        cost_per_unit=cost_per_unit,
    )
    return PlanReport(**common, economics=economics)


def margin_report(catalogue: Catalogue, *, on: date | None = None) -> MarginReport:
    """Every margin of the catalogue, with exchange rates in force `on` (default: all, newest first)."""
    policy = catalogue.product
    currency = policy.reporting_currency
    converter = Converter(catalogue.fx_rates, on=on)
    revenue = revenue_per_credit(catalogue.offers, policy, converter)
    judge = _Judge(revenue, policy)
    models = {
        slug: ModelReport(model=model, rows=_model_rows(model, converter, currency, judge))
        for slug, model in catalogue.models.items()
    }
    workflows = {
        slug: _workflow_report(workflow, catalogue, converter, currency, judge)
        for slug, workflow in catalogue.workflows.items()
    }
    plans = tuple(_plan_report(plan, catalogue, workflows, converter) for plan in catalogue.plans)
    return MarginReport(
        reporting_currency=currency,
        target_gross_margin=policy.target_gross_margin,
        revenue=revenue,
        models=models,
        workflows=workflows,
        plans=plans,
        problems=revenue.problems,
        product=policy,
    )
