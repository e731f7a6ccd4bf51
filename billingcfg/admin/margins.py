"""The margins on the admin's own screens: computed columns, flags, list
filters and the per-variant tables on a model's page. The draft is read once per
request in a constant number of queries, and each product's margins are judged at
its own revenue per credit, in its reporting currency, against its own target;
nothing here calculates, it picks rows of the reports and formats them."""

from dataclasses import replace
from datetime import date

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from billingcfg.core.text import NOT_PRICED, flag_badges
from billingcfg.releases.document import DraftSnapshot, draft_snapshot
from pricing.catalogue import Product
from pricing.margins import MarginBand
from pricing.money import Band, format_band, format_exact, format_percent, format_unit_price
from pricing.report import (
    BELOW_TARGET,
    CANNOT_PRICE,
    LOSS,
    MISSING_COST,
    NO_EXCHANGE_RATE,
    NO_RATE,
    MarginReport,
    ModelReport,
    PriceRow,
    margin_report,
)
from pricing.validation import target_text


class DraftMargins:
    """The draft read once (`snapshot`), and each product's margin report at its own
    revenue per credit, computed the first time a screen asks for it."""

    def __init__(self, snapshot: DraftSnapshot, *, on: date | None = None):
        self.snapshot = snapshot
        self.on = on
        self._reports: dict[object, MarginReport] = {}
        self._usage: dict[str, dict[str, frozenset[str]]] = {}

    @property
    def products(self) -> dict[str, Product]:
        return self.snapshot.catalogue.products

    @property
    def default_product(self) -> str:
        return self.snapshot.catalogue.product.slug

    def product_report(self, product: str) -> MarginReport:
        if product not in self._reports:
            catalogue = self.snapshot.catalogue.for_product(product)
            self._reports[product] = margin_report(catalogue, on=self.on)
        return self._reports[product]

    @property
    def report(self) -> MarginReport:
        """The default product's report."""
        return self.product_report(self.default_product)

    def usage(self, product: str) -> dict[str, frozenset[str]]:
        """The models the product sells or uses, each with the suppliers it is costed on."""
        if product not in self._usage:
            self._usage[product] = self.snapshot.catalogue.product_usage(product)
        return self._usage[product]

    def products_of_model(self, model: str) -> list[str]:
        """The products that sell the model or use it (a workflow step, a threshold), in product order."""
        return [slug for slug in self.products if model in self.usage(slug)]

    def model_report(self, product: str, model: str) -> ModelReport | None:
        if model not in self.usage(product):
            return None
        return self.product_report(product).models.get(model)

    def model_rows(self, model: str, product: str | None = None) -> tuple[PriceRow, ...]:
        found = self.model_report(product or self.default_product, model)
        return found.rows if found else ()

    def supplier_rows(self, product: str, model: str) -> tuple[PriceRow, ...]:
        """The model's rows in a product, and for each other supplier the product buys it
        from (a workflow step costed on a gateway) the rows costed on that supplier."""
        found = self.model_report(product, model)
        if found is None:
            return ()
        rows = list(found.rows)
        covered = {row.supplier for row in rows}
        narrowed = self.snapshot.catalogue.for_product(product)
        for supplier in sorted(self.usage(product)[model] - covered):
            bought = replace(narrowed.models[model], primary_supplier=supplier, rates=())
            catalogue = replace(narrowed, models={model: bought}, workflows={}, plans=(), thresholds=())
            rows.extend(margin_report(catalogue, on=self.on).models[model].rows)
        return tuple(rows)

    def rate_rows(self, product: str, model: str, variant: str | None, meter: str) -> tuple[PriceRow, ...]:
        """The rows a product's credit rate prices: its variant, or every variant without a rate of its own."""
        found = self.model_report(product, model)
        if found is None:
            return ()
        return tuple(
            row
            for row in found.rows
            if row.meter == meter
            and row.charged
            and (rate := found.model.rate_for(row.variant, meter)) is not None
            and rate.variant == variant
        )

    def unsold_report(self, product: str) -> MarginReport:
        """The models with costs that no product sells or uses, priced at `product`'s
        credit: no rate, so each row suggests the credits that would reach its target."""
        if ("unsold", product) not in self._reports:
            whole = self.snapshot.catalogue
            used = {model for slug in self.products for model in self.usage(slug)}
            catalogue = replace(
                whole.for_product(product),
                models={
                    slug: replace(model, rates=())
                    for slug, model in whole.models.items()
                    if slug not in used and model.costs
                },
                workflows={},
                plans=(),
                thresholds=(),
            )
            self._reports[("unsold", product)] = margin_report(catalogue, on=self.on)
        return self._reports[("unsold", product)]

    def workflow_report(self, product: str, workflow: str):
        if product not in self.products:
            return None
        return self.product_report(product).workflows.get(workflow)


NO_POLICY = "Margins need a product (its reporting currency, target and revenue basis): add one first."


def draft_margins(request: HttpRequest) -> DraftMargins | None:
    """The draft, read once per request, with each product's margins at the exchange
    rates in force today; None until there is a product."""
    if not hasattr(request, "_draft_margins"):
        snapshot = draft_snapshot()
        request._draft_margins = (
            DraftMargins(snapshot, on=timezone.localdate()) if snapshot.catalogue.products else None
        )
    return request._draft_margins


def product_heading(product: Product, report: MarginReport) -> dict:
    """How a product's margins are introduced: its name, credit, currency, revenue per credit and target."""
    revenue, currency = report.revenue, report.reporting_currency
    return {
        "slug": product.slug,
        "name": product.name or product.slug,
        "credit_name": product.credit_name,
        "currency": currency,
        "target": target_text(product),
        "is_range": product.target_gross_margin_high is not None,
        "lowest": _per_credit(revenue.lowest, currency),
        "basis": _per_credit(revenue.basis, currency),
        "basis_name": revenue.basis_name,
    }


def band_text(band: Band | None, currency: str | None) -> str:
    return NOT_PRICED if band is None else format_band(band, currency)


def margin_text(margins: MarginBand | None, kind: str = "gross_margin") -> str:
    """The margin at the cost band's high end, and at its low end when the band is a range."""
    if margins is None:
        return NOT_PRICED
    worst, best = getattr(margins.worst, kind), getattr(margins.best, kind)
    if worst is None or best is None:
        return NOT_PRICED
    if worst == best:
        return format_percent(worst)
    return f"{format_percent(worst)} to {format_percent(best)}"


def tone(flags) -> str:
    """How a priced row fares, for its colour: loss, below (target), problem, or fine."""
    if LOSS in flags:
        return "loss"
    if BELOW_TARGET in flags:
        return "below"
    if MISSING_COST in flags or NO_EXCHANGE_RATE in flags or CANNOT_PRICE in flags:
        return "problem"
    return "fine"


PROBLEM_KINDS = {NO_EXCHANGE_RATE: "Missing exchange rate", MISSING_COST: "Missing cost", CANNOT_PRICE: "Cannot price"}


def problem_kind(flags) -> str:
    """What a row's or a workflow's problems are about, named by its first problem flag."""
    return next((PROBLEM_KINDS[flag] for flag in flags if flag in PROBLEM_KINDS), "Price list")


def price_table(rows: tuple[PriceRow, ...], report: MarginReport, *, show_model: bool = False) -> str:
    """One product's price rows at its own revenue per credit, in its reporting currency."""
    product = report.product
    return render_to_string(
        "admin/rates/price_rows.html",
        {
            "rows": [_row_context(row) for row in rows],
            "show_model": show_model,
            "currency": report.reporting_currency,
            "target": target_text(product) if product else format_percent(report.target_gross_margin),
            "lowest": _per_credit(report.revenue.lowest, report.reporting_currency),
            "basis": _per_credit(report.revenue.basis, report.reporting_currency),
            "basis_name": report.revenue.basis_name,
            "credit_name": product.credit_name if product else "credits",
        },
    )


def per_product(lines: list[tuple[str, str]]) -> SafeString:
    """A column's figure for each product, labelled when there is more than one."""
    if not lines:
        return format_html("{}", NOT_PRICED)
    if len(lines) == 1:
        return format_html("{}", lines[0][1])
    return format_html_join(mark_safe("<br>"), "{}: {}", lines)


def _per_credit(amount, currency) -> str:
    return NOT_PRICED if amount is None else f"{format_unit_price(amount)} {currency}"


def judged_cells(judged, credits) -> dict:
    """The credits charged, and revenue, gross margin and markup at the lowest and at
    the basis credit price, as shown, of a price row or a workflow report."""
    return {
        "credits": NOT_PRICED if credits is None else format_exact(credits),
        "revenue_lowest": NOT_PRICED if judged.revenue_lowest is None else format_unit_price(judged.revenue_lowest),
        "revenue_basis": NOT_PRICED if judged.revenue_basis is None else format_unit_price(judged.revenue_basis),
        "margin_lowest": margin_text(judged.at_lowest),
        "markup_lowest": margin_text(judged.at_lowest, "markup"),
        "margin_basis": margin_text(judged.at_basis),
        "markup_basis": margin_text(judged.at_basis, "markup"),
        "flags": flag_badges(judged.flags),
    }


def _row_context(row: PriceRow) -> dict:
    per = f"{row.per_units:,}" if row.per_units != 1 else "1"
    return {
        "row": row,
        "per": per,
        "cost": band_text(row.cost, row.cost_currency),
        "cost_reporting": band_text(row.cost_reporting, "") if row.cost_reporting else None,
        **judged_cells(row, row.credits),
        "suggested": NOT_PRICED if row.suggested_credits is None else f"{row.suggested_credits:,}",
        "fx_problem": "; ".join(row.problems) if NO_EXCHANGE_RATE in row.flags else "",
        "css": f"margin-{tone(row.flags)}",
    }


FILTER_CHOICES = (
    (LOSS, "Loss (at the lowest credit price)"),
    (BELOW_TARGET, "Below target (at the basis)"),
    (MISSING_COST, "Missing cost"),
    (NO_RATE, "No credit rate"),
    ("ok", "No flags"),
)


class MarginFlagFilter(admin.SimpleListFilter):
    """Filters a changelist by the flags of its rows' margins; subclasses say
    which ids carry which flags."""

    title = "margin"
    parameter_name = "margin"

    def lookups(self, request, model_admin):
        return FILTER_CHOICES

    def flagged_ids(self, margins: DraftMargins) -> dict[int, tuple[str, ...]]:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        wanted = self.value()
        if not wanted:
            return queryset
        margins = draft_margins(request)
        flagged = self.flagged_ids(margins) if margins else {}
        if wanted == "ok":
            return queryset.exclude(pk__in=[pk for pk, flags in flagged.items() if flags])
        return queryset.filter(pk__in=[pk for pk, flags in flagged.items() if wanted in flags])


class MarginsAdmin:
    """A ModelAdmin mixin: each row of a changelist, and the object of a change
    page, can reach the request's margin report through `margins_of(obj)`. The
    report is computed on first use, once per request; the ModelAdmin itself
    keeps no per-request state."""

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        for obj in changelist.result_list:
            obj._admin_request = request
        return changelist

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._admin_request = request
        return obj

    @staticmethod
    def margins_of(obj) -> DraftMargins | None:
        request = getattr(obj, "_admin_request", None)
        return None if request is None else draft_margins(request)

    class Media:
        css = {"all": ["billingcfg/margins.css"]}
