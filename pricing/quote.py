"""The price of one usage: a model's variant with quantities per meter, or units
of a workflow. Whole credits charged (rounded up once), what it costs us in the
provider's and the reporting currency, and the margin at the lowest and the
basis revenue per credit. Pure: a catalogue in, a Quote out; read by the quote
endpoint and by the document builder for each variant's default usage."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.catalogue import Catalogue, Rate
from pricing.charging import resolve_quantity, usage_credits
from pricing.costing import convert_band, usage_cost
from pricing.errors import QuantityError, UnknownName
from pricing.fx import Converter
from pricing.margins import MarginBand
from pricing.money import ZERO_BAND, Band, format_exact, whole_up
from pricing.revenue import RevenuePerCredit
from pricing.workflow_cost import workflow_cost


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One meter of a model usage, or one step of a workflow."""

    name: str  # the meter's slug, or the step's label
    quantity: Decimal
    credits: Decimal | None  # exact, before the total is rounded up; None for a step or an uncharged meter
    cost: Band  # in `cost_currency`
    cost_currency: str
    tier: str = ""
    defaulted: bool = False
    model: str | None = None  # a workflow step's model and variant
    variant: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    kind: str  # model | workflow
    name: str  # the model's or the workflow's slug
    variant: str | None
    quantity: Decimal | None  # a workflow's units
    credits: int | None  # whole credits charged; None when it is costed but not sold
    cost: Band | None  # in `cost_currency`; None when lines are in several currencies
    cost_currency: str | None
    cost_reporting: Band
    reporting_currency: str
    revenue_lowest: Decimal | None
    revenue_basis: Decimal | None
    at_lowest: MarginBand | None
    at_basis: MarginBand | None
    lines: tuple[QuoteLine, ...]


def _total(lines, currency_of, amount_of) -> tuple[Band | None, str | None]:
    currencies = {currency_of(line) for line in lines}
    if len(currencies) != 1:
        return None, None
    return sum((amount_of(line) for line in lines), ZERO_BAND), currencies.pop()


def _judged(credits: int | None, cost_reporting: Band, revenue: RevenuePerCredit) -> dict:
    judged = {"revenue_lowest": None, "revenue_basis": None, "at_lowest": None, "at_basis": None}
    if credits is None:
        return judged
    for name, per_credit in (("lowest", revenue.lowest), ("basis", revenue.basis)):
        if per_credit is not None:
            judged[f"revenue_{name}"] = credits * per_credit
            judged[f"at_{name}"] = MarginBand.of(credits * per_credit, cost_reporting)
    return judged


def quote_model(
    catalogue: Catalogue,
    model: str,
    variant: str | None,
    usage: Mapping[str, Decimal | None],
    *,
    revenue: RevenuePerCredit,
    converter: Converter,
) -> Quote:
    """Price one request. Meters the model charges take the request's quantity (or the
    rate's default); meters it only costs are priced when the request names them."""
    found = catalogue.models.get(model)
    if found is None or not found.active:
        sold = ", ".join(sorted(slug for slug, item in catalogue.models.items() if item.active))
        raise UnknownName("model", f"no active model '{model}'; models are: {sold}")
    try:
        chosen = found.variant(variant).slug
    except KeyError as missing:
        raise UnknownName("variant", missing.args[0]) from None
    charged = found.charged_meters(chosen)
    costed = found.costed_meters(chosen)
    for meter in usage:
        if meter not in charged and meter not in costed:
            known = ", ".join(dict.fromkeys((*charged, *costed))) or "none"
            raise QuantityError(meter, f"{model} / {chosen}: no meter '{meter}'; its meters are: {known}")
    credit_lines = {}
    if charged:
        credit_lines = {
            line.meter: line
            for line in usage_credits(
                found,
                chosen,
                {meter: quantity for meter, quantity in usage.items() if meter in charged},
                catalogue.meters,
            ).lines
        }
    quantities = {meter: line.quantity for meter, line in credit_lines.items()}
    for meter, quantity in usage.items():
        if meter not in quantities:
            if quantity is None:
                raise QuantityError(meter, f"{model} / {chosen} / {meter}: a quantity is required")
            meter_row = catalogue.meters.get(meter)
            if meter_row is not None:
                quantities[meter] = _checked_quantity(meter_row, quantity, f"{model} / {chosen} / {meter}")
            else:
                quantities[meter] = quantity
    if not quantities:
        raise QuantityError("usage", f"{model} / {chosen}: name a quantity for one of its meters: {', '.join(costed)}")
    suppliers = {meter: rate.supplier for meter in charged if (rate := found.rate_for(chosen, meter)) is not None}
    cost = usage_cost(found, chosen, quantities, suppliers)
    lines = tuple(
        QuoteLine(
            name=line.meter,
            quantity=line.quantity,
            cost=line.amount,
            cost_currency=line.currency,
            tier=line.tier,
            credits=credit_lines[line.meter].credits if line.meter in credit_lines else None,
            defaulted=credit_lines[line.meter].defaulted if line.meter in credit_lines else False,
        )
        for line in cost.lines
    )
    credits = whole_up(sum((line.credits for line in credit_lines.values()), Decimal(0))) if charged else None
    return _quote("model", model, chosen, None, credits, lines, catalogue, revenue, converter)


def quantity_meter(catalogue: Catalogue, model: str, variant: str | None) -> str | None:
    """The meter a bare quantity of a request applies to: the model's only charged
    meter (or, when it is not sold, its only costed meter). QuantityError on
    "quantity" when it has several; None for an unknown model or variant, which
    quote_model then names."""
    found = catalogue.models.get(model)
    if found is None or not found.active:
        return None
    try:
        chosen = found.variant(variant).slug
    except KeyError:
        return None
    meters = found.charged_meters(chosen) or found.costed_meters(chosen)
    if len(meters) > 1:
        raise QuantityError(
            "quantity",
            f"{model} / {chosen} has several meters ({', '.join(meters)}), so a single quantity is ambiguous: "
            f'send "usage" with a quantity per meter instead, e.g. {{"{meters[0]}": 1}}',
        )
    return meters[0] if meters else None


def _checked_quantity(meter, quantity: Decimal, place: str) -> Decimal:
    """A quantity on a meter that is costed but not charged: above zero, whole where the meter counts whole units."""
    return resolve_quantity(Rate(meter=meter.slug, credits=Decimal(0)), meter, quantity, place)[0]


def quote_workflow(
    catalogue: Catalogue,
    workflow: str,
    quantity: Decimal | None,
    *,
    revenue: RevenuePerCredit,
    converter: Converter,
) -> Quote:
    """Price `quantity` units of a workflow (1 by default): credits at its credits per unit, rounded up once."""
    found = catalogue.workflows.get(workflow)
    if found is None or not found.active:
        active = ", ".join(sorted(slug for slug, item in catalogue.workflows.items() if item.active))
        raise UnknownName("workflow", f"no active workflow '{workflow}'; workflows are: {active}")
    quantity = Decimal(1) if quantity is None else quantity
    if not quantity.is_finite() or quantity <= 0:
        raise QuantityError(
            "quantity", f"workflow '{workflow}': the quantity must be above 0, got {format_exact(quantity)}"
        )
    currency = catalogue.product.reporting_currency
    cost = workflow_cost(found, catalogue.models, converter, currency)
    lines = tuple(
        QuoteLine(
            name=step.step.label,
            quantity=step.step.quantity * step.runs * quantity,
            credits=None,
            cost=step.expected.scale(quantity),
            cost_currency=currency,
            model=step.step.model,
            variant=step.variant,
        )
        for step in cost.steps
    )
    credits = None if found.credits_per_unit is None else whole_up(found.credits_per_unit * quantity)
    return _quote("workflow", workflow, None, quantity, credits, lines, catalogue, revenue, converter)


def _quote(kind, name, variant, quantity, credits, lines, catalogue, revenue, converter) -> Quote:
    currency = catalogue.product.reporting_currency
    total, total_currency = _total(lines, lambda line: line.cost_currency, lambda line: line.cost)
    cost_reporting = sum(
        (convert_band(line.cost, converter, line.cost_currency, currency) for line in lines), ZERO_BAND
    )
    return Quote(
        kind=kind,
        name=name,
        variant=variant,
        quantity=quantity,
        credits=credits,
        cost=total,
        cost_currency=total_currency,
        cost_reporting=cost_reporting,
        reporting_currency=currency,
        lines=lines,
        **_judged(credits, cost_reporting, revenue),
    )
