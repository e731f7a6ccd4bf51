"""The margins dashboard at /admin/margins/: the whole catalogue's margins on one
admin page, read from the draft in a constant number of queries.

The numbers come from `pricing.report` (one `margin_report`); this module
only chooses, orders and formats them, and hands plain numbers to
`billingcfg.core.charts` for the drawings.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from billingcfg.admin.margins import NO_POLICY, draft_margins, problem_kind, tone
from billingcfg.core import charts
from pricing.catalogue import Catalogue
from pricing.margins import MarginBand
from pricing.money import Band, format_band, format_exact, format_percent, format_unit_price, round_places
from pricing.report import (
    BELOW_TARGET,
    FLAG_LABELS,
    LOSS,
    MISSING_COST,
    NO_RATE,
    MarginReport,
    PriceRow,
)
from pricing.validation import STALE_COST, Validation, target_text, validate_catalogue

PERMISSION = "rates.view_creditrate"
FILTER_FLAGS = (LOSS, BELOW_TARGET, MISSING_COST)
SORTS = ("model", "margin_lowest", "margin_basis")
# Plan charts run from no usage to this many times the included credits.
USAGE_SPAN = 3
USAGE_SAMPLES = 48
# A big catalogue stays readable and fast: the chart shows the lowest margins,
# the table pages.
MARGIN_CHART_LIMIT = 40
PAGE_SIZE = 200
SIGNIFICANT = 3


# ---- formatting: Decimal in, text out; rounded here, at the edge ---------------------


def amount_text(amount: Decimal | None) -> str:
    """An amount to three significant figures, never fewer than two decimals:
    2.148 → '2.15', 0.0358 → '0.0358', 15 → '15.00'."""
    return "—" if amount is None else format_unit_price(amount, SIGNIFICANT)


def money_text(amount: Decimal | None, currency: str | None) -> str:
    """'0.0358 USD'; without a currency (a column headed by it), the amount alone."""
    return "—" if amount is None else format_band(Band.exact(amount), currency, SIGNIFICANT)


def band_text(band: Band | None, currency: str | None) -> str:
    """'0.05–0.20 USD' for a range, '0.10 USD' for an exact amount."""
    return "—" if band is None else format_band(band, currency, SIGNIFICANT)


def percent_text(fraction: Decimal | None) -> str:
    """0.8 → '80.0%': one decimal, half-even, with a true minus sign."""
    return "—" if fraction is None else format_percent(fraction)


def count_text(count: int) -> str:
    """1000000 → '1M', 5000 → '5k', 5 → '5'."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= size and count % size == 0:
            return f"{count // size:,}{suffix}"
    return f"{count:,}"


def per_text(per_units: int, unit: str) -> str:
    """'per second', 'per 5 seconds', 'per 1M tokens'."""
    return f"per {unit}" if per_units == 1 else f"per {count_text(per_units)} {unit}s"


def _fraction_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# ---- what the page shows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarginCells:
    """Revenue, gross margin and markup of one price at one credit price, as shown.
    Against a cost band, the figures are at its high end (worst) and `*_best` at its low end."""

    revenue: str
    gross_margin: str
    markup: str
    tone: str  # loss | below | fine | none
    gross_margin_best: str = ""  # empty for an exact cost
    markup_best: str = ""


def margin_cells(revenue: Decimal | None, band: MarginBand | None, target: Decimal) -> MarginCells:
    """The tone is judged at the worst end. The revenue is in the reporting
    currency, which the column names."""
    if band is None:
        return MarginCells(money_text(revenue, None), "—", "—", "none")
    worst, best = band.worst, band.best
    gross_margin, gross_margin_best = percent_text(worst.gross_margin), percent_text(best.gross_margin)
    markup, markup_best = percent_text(worst.markup), percent_text(best.markup)
    return MarginCells(
        revenue=money_text(revenue, None),
        gross_margin=gross_margin,
        markup=markup,
        tone=charts.margin_tone(worst.gross_margin if worst.gross_margin is not None else Decimal(-1), target),
        gross_margin_best="" if gross_margin_best == gross_margin else gross_margin_best,
        markup_best="" if markup_best == markup else markup_best,
    )


@dataclass(frozen=True, slots=True)
class Flag:
    slug: str
    label: str


def _flags(slugs) -> tuple[Flag, ...]:
    return tuple(Flag(slug, FLAG_LABELS[slug]) for slug in slugs)


@dataclass(frozen=True, slots=True)
class TableRow:
    model: str
    model_url: str
    variant: str
    meter: str
    tier: str
    per: str  # '' for one unit, 'per 1M' for a million
    cost: str
    cost_reporting: str
    credits: str
    lowest: MarginCells
    basis: MarginCells
    suggested: str
    flags: tuple[Flag, ...]
    tone: str


def _margin(row: PriceRow, at: str) -> Decimal | None:
    band = getattr(row, f"at_{at}")
    return None if band is None else band.worst.gross_margin


def sort_rows(rows: list[PriceRow], order: str, names: dict[str, str]) -> list[PriceRow]:
    """Rows in `order` ('margin_basis', '-margin_lowest', 'model' …); rows without a
    margin go last either way. Unknown orders keep the catalogue's order."""
    descending = order.startswith("-")
    field = order.removeprefix("-")
    if field == "model":
        return sorted(rows, key=lambda row: (names[row.model].lower(), row.model), reverse=descending)
    if field in ("margin_lowest", "margin_basis"):
        at = field.removeprefix("margin_")
        known = [row for row in rows if _margin(row, at) is not None]
        unknown = [row for row in rows if _margin(row, at) is None]
        return sorted(known, key=lambda row: _margin(row, at), reverse=descending) + unknown
    return rows


def _query(**params: str) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value})


@dataclass(frozen=True, slots=True)
class SortLink:
    url: str
    arrow: str  # '▲' ascending, '▼' descending, '' when not sorted by it
    title: str


def sort_link(field: str, order: str, flag: str, product: str = "") -> SortLink:
    """A header link: sorts by `field` ascending, or flips the direction when already sorted by it."""
    if order == field:
        return SortLink(
            _query(product=product, o=f"-{field}", flag=flag), "▲", "sorted ascending; click for descending"
        )
    if order == f"-{field}":
        return SortLink(_query(product=product, o=field, flag=flag), "▼", "sorted descending; click for ascending")
    return SortLink(_query(product=product, o=field, flag=flag), "", "click to sort ascending")


def _names(catalogue: Catalogue) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, str]]:
    models = {slug: model.name for slug, model in catalogue.models.items()}
    variants = {
        (model.slug, variant.slug): variant.name for model in catalogue.models.values() for variant in model.variants
    }
    meters = {slug: meter.name for slug, meter in catalogue.meters.items()}
    return models, variants, meters


def _unit(catalogue: Catalogue, meter: str) -> str:
    found = catalogue.meters.get(meter)
    return found.unit if found else meter


def _variant_label(catalogue: Catalogue, model: str, variant: str, variant_names: dict) -> str:
    """The variant's name, empty for a model whose only variant is its default one."""
    if len(catalogue.models[model].variants) == 1:
        return ""
    return variant_names.get((model, variant), variant)


def _model_url(slug: str, model_ids: dict[str, int] | None = None) -> str:
    """The model's page, or the model list narrowed to it when its id is not known."""
    if model_ids and slug in model_ids:
        return reverse("admin:rates_aimodel_change", args=[model_ids[slug]])
    return reverse("admin:rates_aimodel_changelist") + _query(slug=slug)


def table_rows(
    report: MarginReport, catalogue: Catalogue, rows: list[PriceRow], model_ids: dict[str, int] | None = None
) -> list[TableRow]:
    model_names, variant_names, meter_names = _names(catalogue)
    target = report.target_gross_margin
    shown = []
    for row in rows:
        shown.append(
            TableRow(
                model=model_names[row.model],
                model_url=_model_url(row.model, model_ids),
                variant=_variant_label(catalogue, row.model, row.variant, variant_names),
                meter=meter_names.get(row.meter, row.meter),
                tier=row.tier,
                per="" if row.per_units == 1 else f"per {count_text(row.per_units)}",
                cost=band_text(row.cost, row.cost_currency),
                cost_reporting=band_text(row.cost_reporting, None),
                credits="—" if row.credits is None else format_exact(row.credits),
                lowest=margin_cells(row.revenue_lowest, row.at_lowest, target),
                basis=margin_cells(row.revenue_basis, row.at_basis, target),
                suggested="—" if row.suggested_credits is None else f"{row.suggested_credits:,}",
                flags=_flags(row.flags),
                tone=tone(row.flags),
            )
        )
    return shown


@dataclass(frozen=True, slots=True)
class FilterLink:
    slug: str
    label: str
    count: int
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class UnsoldModel:
    name: str
    url: str
    provider: str
    modality: str
    costs: tuple[str, ...]


def unsold_models(
    report: MarginReport, catalogue: Catalogue, model_ids: dict[str, int] | None = None
) -> list[UnsoldModel]:
    """Models with provider costs and no credit rate: costed, not sold."""
    _, variant_names, meter_names = _names(catalogue)
    found = []
    for slug, model_report in report.models.items():
        if NO_RATE not in model_report.flags:
            continue
        lines = []
        for row in model_report.rows:
            variant = _variant_label(catalogue, slug, row.variant, variant_names)
            where = f"{variant} · " if variant else ""
            suggested = (
                ""
                if row.suggested_credits is None
                else (f" → {row.suggested_credits:,} credit{'' if row.suggested_credits == 1 else 's'} at target")
            )
            lines.append(
                f"{where}{meter_names.get(row.meter, row.meter)}: "
                f"{band_text(row.cost, row.cost_currency)} "
                f"{per_text(row.per_units, _unit(catalogue, row.meter))}{suggested}"
            )
        model = model_report.model
        found.append(
            UnsoldModel(
                model.name, _model_url(slug, model_ids), model.provider, model.modality.replace("_", " "), tuple(lines)
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class WorkflowLine:
    name: str
    unit_label: str
    steps: int
    credits: str
    cost: str
    lowest: MarginCells
    basis: MarginCells
    flags: tuple[Flag, ...]
    problems: tuple[str, ...]
    internal: bool


def workflow_lines(report: MarginReport, catalogue: Catalogue) -> list[WorkflowLine]:
    """Amounts in the reporting currency, which the table's header names."""
    target = report.target_gross_margin
    lines = []
    for slug, workflow in report.workflows.items():
        lines.append(
            WorkflowLine(
                name=workflow.name,
                unit_label=workflow.unit_label,
                steps=len(catalogue.workflows[slug].steps),
                credits="—" if workflow.credits_per_unit is None else format_exact(workflow.credits_per_unit),
                cost="—" if workflow.cost is None else band_text(workflow.cost.expected, None),
                lowest=margin_cells(workflow.revenue_lowest, workflow.at_lowest, target),
                basis=margin_cells(workflow.revenue_basis, workflow.at_basis, target),
                flags=_flags(workflow.flags),
                problems=workflow.problems,
                internal=workflow.credits_per_unit is None,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    message: str


def problems(report: MarginReport) -> list[Problem]:
    """Every problem the report found, named by what is missing."""
    found = [Problem("Missing exchange rate", message) for message in report.problems]
    for model_report in report.models.values():
        for row in model_report.rows:
            found.extend(Problem(problem_kind(row.flags), message) for message in row.problems)
    for workflow in report.workflows.values():
        found.extend(Problem(problem_kind(workflow.flags), message) for message in workflow.problems)
    for plan in report.plans:
        found.extend(Problem("Plan", message) for message in plan.problems)
    order = {"Missing exchange rate": 0, "Missing cost": 1}
    return sorted(found, key=lambda problem: order.get(problem.kind, 2))


# ---- charts --------------------------------------------------------------------------


def margin_chart_size(report: MarginReport) -> int:
    """How many sold model/variants the margin chart could show."""
    return sum(
        1
        for model_report in report.models.values()
        for variant in dict.fromkeys(row.variant for row in model_report.rows if row.at_basis or row.at_lowest)
    )


def margin_chart(report: MarginReport, catalogue: Catalogue) -> charts.BarChart | None:
    """The worst gross margin of each sold model/variant, worst first; the lowest
    MARGIN_CHART_LIMIT of them."""
    _, variant_names, _ = _names(catalogue)
    items = []
    for slug, model_report in report.models.items():
        variants = dict.fromkeys(row.variant for row in model_report.rows if row.charged)
        for variant in variants:
            lowest = model_report.worst(variant, at="lowest")
            basis = model_report.worst(variant, at="basis")
            if lowest is None and basis is None:
                continue
            variant_name = _variant_label(catalogue, slug, variant, variant_names)
            label = model_report.model.name + (f" · {variant_name}" if variant_name else "")
            items.append(
                charts.MarginItem(
                    label,
                    _fraction_float(lowest),
                    _fraction_float(basis),
                    percent_text(lowest) if lowest is not None else "",
                    percent_text(basis) if basis is not None else "",
                )
            )
    if not items:
        return None
    items.sort(key=lambda item: (item.basis is None, item.basis if item.basis is not None else 0.0))
    items = items[:MARGIN_CHART_LIMIT]
    revenue, currency = report.revenue, report.reporting_currency
    return charts.margin_chart(
        items,
        target=float(report.target_gross_margin),
        lowest_legend=f"at the lowest credit price ({money_text(revenue.lowest, currency)})",
        basis_legend=f"at the basis credit price ({money_text(revenue.basis, currency)}, {revenue.basis_name})",
    )


def revenue_chart(report: MarginReport) -> charts.BarChart | None:
    revenue, currency = report.revenue, report.reporting_currency
    items = []
    for offered in revenue.offers:
        offer = offered.offer
        label = f"{'Pack' if offer.kind == 'pack' else 'Plan'} · {offer.name}"
        notes = [] if offer.active else ["inactive"]
        if offer.price == 0:
            notes.append("free")
        if offered.per_credit_reporting is None:
            text = f"no exchange rate {offer.currency}→{currency}"
        else:
            text = money_text(offered.per_credit_reporting, currency)
            if offer.currency != currency:
                text += f" ({money_text(offered.per_credit, offer.currency)})"
        if notes:
            text += f" · {', '.join(notes)}"
        items.append(charts.OfferItem(label, _fraction_float(offered.per_credit_reporting), text, muted=bool(notes)))
    if not items:
        return None
    references = [
        ("lowest", _fraction_float(revenue.lowest), money_text(revenue.lowest, currency)),
        ("mean", _fraction_float(revenue.mean), money_text(revenue.mean, currency)),
        ("basis", _fraction_float(revenue.basis), f"{money_text(revenue.basis, currency)} ({revenue.basis_name})"),
    ]
    return charts.revenue_chart(items, references=references, currency=currency)


def _usage_samples(included: int, break_even: Decimal | None) -> list[Decimal]:
    end = Decimal(included * USAGE_SPAN)
    if break_even is not None and end < break_even <= end * 4:
        end = break_even * Decimal("1.15")
    steps = [end * n / USAGE_SAMPLES for n in range(USAGE_SAMPLES + 1)]
    extra = [Decimal(included)] + ([break_even] if break_even is not None and break_even <= end else [])
    return sorted(set(steps + extra))


@dataclass(frozen=True, slots=True)
class ScenarioLine:
    name: str
    credits: str
    units: str
    cost: str
    without_overage: str
    without_tone: str
    with_overage: str
    with_tone: str


@dataclass(frozen=True, slots=True)
class PlanPanel:
    slug: str
    name: str
    active: bool
    price: str
    included: str
    cost_per_credit: str
    margin: str
    margin_tone: str
    break_even: str
    overage: str
    overage_below_cost: bool
    workflow: str
    scenarios: tuple[ScenarioLine, ...]
    chart: charts.LineChart


def plan_panels(report: MarginReport) -> tuple[list[PlanPanel], list[str]]:
    """A panel for each plan with economics, and the names of the plans without."""
    target = report.target_gross_margin
    panels, without = [], []
    for plan in report.plans:
        economics = plan.economics
        if economics is None or economics.price <= 0:
            without.append(plan.name)
            continue
        currency, unit = economics.currency, economics.unit_label
        break_even = economics.break_even_credits
        samples = [economics.month(credits) for credits in _usage_samples(economics.included_credits, break_even)]
        has_overage = economics.overage_price_per_credit is not None
        if break_even is None:
            break_even_credits, break_even_units = "never: its credits cost nothing", ""
        else:
            break_even_credits = f"{round_places(break_even, 0):,f} credits"
            break_even_units = f"{amount_text(economics.break_even_units)} {unit}s"
        chart = charts.plan_chart(
            title=f"{plan.name}: gross margin against monthly usage",
            without_overage=[
                (float(month.credits), float(month.margin_without_overage.gross_margin)) for month in samples
            ],
            with_overage=[(float(month.credits), float(month.margin_with_overage.gross_margin)) for month in samples]
            if has_overage
            else (),
            included=float(economics.included_credits),
            included_text=f"{economics.included_credits:,} credits included",
            break_even=None if break_even is None else float(break_even),
            break_even_text=f"break-even ≈ {break_even_credits}",
            break_even_note=f"= {break_even_units} a month" if break_even_units else "",
            target=float(target),
            x_label=f"credits used in a month ({format_exact(economics.credits_per_unit)} credits = 1 {unit})",
            with_overage_legend=(
                f"with overage ({money_text(economics.overage_price_per_credit, currency)}/credit)"
                if has_overage
                else "with overage"
            ),
        )
        scenarios = tuple(
            ScenarioLine(
                name=month.name,
                credits=f"{round_places(month.credits, 0):,f}",
                units=amount_text(month.units),
                cost=money_text(month.cost, currency),
                without_overage=percent_text(month.margin_without_overage.gross_margin),
                without_tone=charts.margin_tone(month.margin_without_overage.gross_margin, target),
                with_overage=percent_text(month.margin_with_overage.gross_margin) if has_overage else "—",
                with_tone=charts.margin_tone(month.margin_with_overage.gross_margin, target) if has_overage else "none",
            )
            for month in economics.scenarios()
        )
        panels.append(
            PlanPanel(
                slug=plan.slug,
                name=plan.name,
                active=plan.active,
                price=money_text(economics.price, currency),
                included=f"{economics.included_credits:,} credits ({amount_text(economics.included_units)} {unit}s)",
                cost_per_credit=money_text(economics.cost_per_credit, currency),
                margin=percent_text(economics.margin.gross_margin),
                margin_tone=charts.margin_tone(economics.margin.gross_margin, target),
                break_even=f"{break_even_credits} ({break_even_units})" if break_even_units else break_even_credits,
                overage="none"
                if not has_overage
                else f"{money_text(economics.overage_price_per_credit, currency)}/credit",
                overage_below_cost=economics.overage_below_cost,
                workflow=economics.workflow,
                scenarios=scenarios,
                chart=chart,
            )
        )
    return panels, without


# ---- the page ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    count: int
    first: int  # 1-based position of the first row shown
    last: int
    total: int
    previous_url: str
    next_url: str


def _page(total: int, requested: str, order: str, flag: str, product: str = "") -> Page:
    count = max(1, -(-total // PAGE_SIZE))
    number = int(requested) if requested.isdigit() else 1
    number = min(max(number, 1), count)
    first = (number - 1) * PAGE_SIZE
    return Page(
        number=number,
        count=count,
        first=first + 1 if total else 0,
        last=min(first + PAGE_SIZE, total),
        total=total,
        previous_url=_query(product=product, o=order, flag=flag, page=str(number - 1)) if number > 1 else "",
        next_url=_query(product=product, o=order, flag=flag, page=str(number + 1)) if number < count else "",
    )


def dashboard_context(
    report: MarginReport,
    catalogue: Catalogue,
    *,
    order: str = "",
    flag: str = "",
    page: str = "",
    model_ids: dict[str, int] | None = None,
    product: str = "",
    unsold_report: MarginReport | None = None,
) -> dict:
    """Everything the template shows, from one product's report (and its catalogue,
    narrowed to the product); `product` is kept in every link; no queries. Costed,
    not sold: the models of `unsold_report` (default: `report`) without a credit rate."""
    order = order if order.removeprefix("-") in SORTS else ""
    flag = flag if flag in FILTER_FLAGS else ""
    model_names, _, _ = _names(catalogue)
    charged = [row for row in report.rows if row.charged]
    chosen = [row for row in charged if not flag or flag in row.flags]
    revenue, currency = report.revenue, report.reporting_currency
    filters = [FilterLink("", "All", len(charged), _query(product=product, o=order), not flag)] + [
        FilterLink(
            slug,
            FLAG_LABELS[slug],
            sum(slug in row.flags for row in charged),
            _query(product=product, o=order, flag=slug),
            flag == slug,
        )
        for slug in FILTER_FLAGS
    ]
    shown_page = _page(len(chosen), page, order, flag, product)
    plans, plans_without = plan_panels(report)
    found_problems = problems(report)
    unsold = unsold_models(unsold_report or report, catalogue, model_ids)
    return {
        "reporting_currency": currency,
        "target": target_text(report.product) if report.product else percent_text(report.target_gross_margin),
        "product_param": f"product={product}&" if product else "",
        "revenue": {
            "lowest": money_text(revenue.lowest, currency),
            "mean": money_text(revenue.mean, currency),
            "highest": money_text(revenue.highest, currency),
            "basis": money_text(revenue.basis, currency),
            "basis_name": revenue.basis_name,
        },
        "counts": {
            "charged": len(charged),
            "loss": sum(LOSS in row.flags for row in charged),
            "below_target": sum(BELOW_TARGET in row.flags for row in charged),
            "missing_cost": sum(MISSING_COST in row.flags for row in charged),
            "unsold": len(unsold),
            "problems": len(found_problems),
        },
        "order": order,
        "flag": flag,
        "flag_label": FLAG_LABELS.get(flag, ""),
        "filters": filters,
        "sort": {field: sort_link(field, order, flag, product) for field in SORTS},
        "rows": table_rows(
            report,
            catalogue,
            sort_rows(chosen, order, model_names)[(shown_page.number - 1) * PAGE_SIZE : shown_page.number * PAGE_SIZE],
            model_ids,
        ),
        "page": shown_page,
        "margin_chart_size": margin_chart_size(report),
        "margin_chart_limit": MARGIN_CHART_LIMIT,
        "workflows": workflow_lines(report, catalogue),
        "unsold": unsold,
        "problems": found_problems,
        "plans": plans,
        "plans_without": plans_without,
        "margin_chart": margin_chart(report, catalogue),
        "revenue_chart": revenue_chart(report),
    }


# ---- every product ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductLine:
    """One product in the all-products overview, judged at its own credit and target."""

    slug: str
    name: str
    url: str
    current: bool
    credit_name: str
    currency: str
    target: str
    revenue_lowest: str
    revenue_basis: str
    basis_name: str
    worst_margin: str
    worst_tone: str
    charged: int
    below_target: int
    loss: int
    stale_costs: int
    errors: int


def product_line(report: MarginReport, validation: Validation, *, current: bool) -> ProductLine:
    product = report.product
    charged = report.sold
    worst = report.worst_sold_margin()
    revenue, currency = report.revenue, report.reporting_currency
    return ProductLine(
        slug=product.slug,
        name=product.name or product.slug,
        url=_query(product=product.slug),
        current=current,
        credit_name=product.credit_name,
        currency=currency,
        target=target_text(product),
        revenue_lowest=money_text(revenue.lowest, currency),
        revenue_basis=money_text(revenue.basis, currency),
        basis_name=revenue.basis_name,
        worst_margin=percent_text(worst),
        worst_tone="none" if worst is None else charts.margin_tone(worst, product.target_gross_margin),
        charged=len(charged),
        below_target=sum(BELOW_TARGET in row.flags for row in charged),
        loss=sum(LOSS in row.flags for row in charged),
        stale_costs=sum(problem.rule == STALE_COST for problem in validation.problems),
        errors=len(validation.errors),
    )


def margins_page(request: HttpRequest) -> HttpResponse:
    """The margins dashboard, for staff who may view credit rates: one product at a
    time (?product=slug, default the default product), and a line for each product."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": "Margins", "fx_on": timezone.localdate()}
    margins = draft_margins(request)
    if margins is None:
        context.update(no_policy=NO_POLICY, policy_add_url=reverse("admin:billingcfg_product_add"))
        return TemplateResponse(request, "admin/margins.html", context)
    asked = request.GET.get("product", "")
    shown = asked if asked in margins.products else margins.default_product
    catalogue = margins.snapshot.catalogue
    days = settings.COST_STALE_DAYS
    validations = {
        slug: validate_catalogue(
            catalogue.for_product(slug), margins.product_report(slug), on=margins.on, stale_after_days=days
        )
        for slug in margins.products
    }
    report = margins.product_report(shown)
    context.update(
        dashboard_context(
            report,
            catalogue,
            order=request.GET.get("o", ""),
            flag=request.GET.get("flag", ""),
            page=request.GET.get("page", ""),
            model_ids=margins.snapshot.model_ids,
            product=shown if shown != margins.default_product else "",
            unsold_report=margins.unsold_report(shown),
        ),
        product=product_heading_of(report),
        unknown_product=asked if asked and asked != shown else "",
        overview=[
            product_line(margins.product_report(slug), validations[slug], current=slug == shown)
            for slug in margins.products
        ],
        stale=[problem.message for problem in validations[shown].warnings if problem.rule == STALE_COST],
        stale_days=days,
    )
    return TemplateResponse(request, "admin/margins.html", context)


def product_heading_of(report: MarginReport) -> dict:
    product = report.product
    return {
        "slug": product.slug,
        "name": product.name or product.slug,
        "credit_name": product.credit_name,
        "is_range": product.target_gross_margin_high is not None,
        "url": reverse("admin:billingcfg_product_changelist") + _query(slug=product.slug),
    }


margins_dashboard = admin.site.admin_view(margins_page)
