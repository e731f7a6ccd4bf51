"""The margins on the admin's own screens: computed columns, flags, list
filters and the per-variant table on a model's page. One margin report per
request, read from the draft in a constant number of queries; nothing here
calculates, it picks rows of the report and formats them."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from billingcfg.core.text import NOT_PRICED, flag_badges
from billingcfg.models import PricingPolicy
from billingcfg.releases.document import DraftSnapshot, draft_snapshot
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
    PriceRow,
    margin_report,
)


class DraftMargins:
    def __init__(self, snapshot: DraftSnapshot, report: MarginReport):
        self.snapshot = snapshot
        self.report = report

    def model_rows(self, model: str) -> tuple[PriceRow, ...]:
        found = self.report.models.get(model)
        return found.rows if found else ()

    def rate_rows(self, model: str, variant: str | None, meter: str) -> tuple[PriceRow, ...]:
        """The rows a credit rate prices: its variant, or every variant without a rate of its own."""
        found = self.report.models.get(model)
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


NO_POLICY = "Margins need the pricing policy (reporting currency, target, basis): add it first."


def draft_margins(request: HttpRequest) -> DraftMargins | None:
    """The draft's margin report with the exchange rates in force today, computed
    once per request; None until there is a pricing policy."""
    if not hasattr(request, "_draft_margins"):
        try:
            snapshot = draft_snapshot()
        except PricingPolicy.DoesNotExist:
            request._draft_margins = None
        else:
            request._draft_margins = DraftMargins(snapshot, margin_report(snapshot.catalogue, on=timezone.localdate()))
    return request._draft_margins


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


def price_table(rows: tuple[PriceRow, ...], margins: DraftMargins, *, show_model: bool = False) -> str:
    report = margins.report
    return render_to_string(
        "admin/rates/price_rows.html",
        {
            "rows": [_row_context(row) for row in rows],
            "show_model": show_model,
            "currency": report.reporting_currency,
            "target": format_percent(report.target_gross_margin),
            "lowest": _per_credit(report.revenue.lowest, report.reporting_currency),
            "basis": _per_credit(report.revenue.basis, report.reporting_currency),
            "basis_name": report.revenue.basis_name,
        },
    )


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
